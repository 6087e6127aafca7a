// Cacheline groups from the marker members (groups.hpp).
#include "padguard/groups.hpp"

#include <algorithm>
#include <map>

#include "padguard/diff.hpp"

namespace padguard {

namespace {

constexpr std::string_view kBegin = "__cacheline_group_begin__";
constexpr std::string_view kEnd = "__cacheline_group_end__";
constexpr std::string_view kPad = "__cacheline_group_pad__";

// The group a marker names, from the last component of its path.
std::optional<std::string> marker(std::string_view path, std::string_view prefix) {
  const size_t dot = path.rfind('.');
  const std::string_view last = dot == std::string_view::npos ? path : path.substr(dot + 1);
  if (!last.starts_with(prefix) || last.size() == prefix.size()) return std::nullopt;
  return std::string(last.substr(prefix.size()));
}

bool is_marker(std::string_view path) {
  return marker(path, kBegin) || marker(path, kEnd) || marker(path, kPad);
}

}  // namespace

bool has_cacheline_groups(const Record& r) {
  for (const Member& m : r.members) {
    if (m.name.starts_with(kBegin)) return true;
    if (const Record* in = m.inline_record(); in && has_cacheline_groups(*in)) return true;
  }
  return false;
}

std::vector<CacheGroup> cacheline_groups(const Record& r, uint32_t cacheline_size) {
  const FlatRecord f = flatten(r);
  std::vector<CacheGroup> out;
  std::map<std::string, size_t> at;  // name -> index in out
  auto group = [&](const std::string& name) -> CacheGroup& {
    auto [it, fresh] = at.try_emplace(name, out.size());
    if (fresh) {
      out.emplace_back();
      out.back().name = name;
    }
    return out[it->second];
  };
  std::map<std::string, bool> has_begin, has_end;
  for (const FlatMember& m : f.members) {
    if (auto g = marker(m.path, kBegin)) {
      CacheGroup& c = group(*g);
      if (has_begin[*g]) c.problem = "two begin markers";
      has_begin[*g] = true;
      c.begin = m.begin_byte();
      c.decl = m.decl;
    } else if (auto e = marker(m.path, kEnd)) {
      CacheGroup& c = group(*e);
      if (has_end[*e]) c.problem = "two end markers";
      has_end[*e] = true;
      c.end = m.begin_byte();
    }
  }
  // __cacheline_group_pad__G is an empty struct member: a container, no leaf.
  for (const FlatContainer& c : f.containers)
    if (auto p = marker(c.path, kPad); p && at.count(*p)) out[at[*p]].pad_end = c.offset;
  for (CacheGroup& g : out) {
    if (!has_begin[g.name]) g.problem = "an end marker without a begin marker";
    else if (!has_end[g.name]) g.problem = "a begin marker without an end marker";
    else if (g.end < g.begin) g.problem = "the end marker comes before the begin marker";
    if (!g.problem.empty()) {
      g.size = 0;
      continue;
    }
    g.size = g.end - g.begin;
    g.first_cacheline = static_cast<uint32_t>(g.begin / cacheline_size);
    g.cachelines = g.size ? static_cast<uint32_t>((g.end - 1) / cacheline_size - g.begin / cacheline_size + 1) : 0;
    for (const FlatMember& m : f.members)
      if (!is_marker(m.path) && m.begin_byte() >= g.begin && m.end_byte() <= g.end) g.members.push_back(m.key);
  }
  std::stable_sort(out.begin(), out.end(), [&](const CacheGroup& a, const CacheGroup& b) {
    const bool ab = has_begin[a.name], bb = has_begin[b.name];
    if (ab != bb) return ab;
    return a.begin < b.begin;
  });
  return out;
}

const CacheGroup* find_group(const std::vector<CacheGroup>& groups, const std::string& name) {
  for (const CacheGroup& g : groups)
    if (g.name == name) return &g;
  return nullptr;
}

std::vector<GroupChange> group_changes(const Record& old_r, const Record& new_r, uint32_t cacheline_size) {
  const std::vector<CacheGroup> a = cacheline_groups(old_r, cacheline_size);
  const std::vector<CacheGroup> b = cacheline_groups(new_r, cacheline_size);
  std::vector<GroupChange> out;
  auto differs = [](const CacheGroup& x, const CacheGroup& y) {
    return x.begin != y.begin || x.end != y.end || x.size != y.size || x.cachelines != y.cachelines ||
           x.first_cacheline != y.first_cacheline || x.pad_end != y.pad_end || x.members != y.members ||
           x.problem != y.problem;
  };
  for (const CacheGroup& g : b) {
    const CacheGroup* o = find_group(a, g.name);
    if (o && !differs(*o, g)) continue;
    GroupChange c;
    c.name = g.name;
    c.new_g = g;
    if (o) {
      c.old_g = *o;
      for (const std::string& m : g.members)
        if (std::find(o->members.begin(), o->members.end(), m) == o->members.end()) c.entered.push_back(m);
      for (const std::string& m : o->members)
        if (std::find(g.members.begin(), g.members.end(), m) == g.members.end()) c.left.push_back(m);
    }
    out.push_back(std::move(c));
  }
  for (const CacheGroup& g : a)
    if (!find_group(b, g.name)) out.push_back(GroupChange{g.name, g, std::nullopt, {}, {}});
  return out;
}

}  // namespace padguard

namespace padguard {

std::vector<StructGroups> structs_with_groups(const std::vector<const Record*>& records, uint32_t cacheline_size) {
  std::vector<StructGroups> out;
  for (const Record* r : records) {
    std::vector<CacheGroup> g = cacheline_groups(*r, cacheline_size);
    if (g.empty()) continue;
    out.push_back(StructGroups{r->name, r->byte_size, std::move(g)});
  }
  return out;
}

std::vector<GroupRow> group_matrix(const std::vector<GroupsConfig>& configs, const std::vector<GroupLimit>& limits) {
  std::vector<GroupRow> rows;
  auto row = [&](const std::string& s, const std::string& g) -> GroupRow& {
    for (GroupRow& r : rows)
      if (r.structure == s && r.group == g) return r;
    rows.push_back(GroupRow{s, g, std::vector<std::optional<uint64_t>>(configs.size()),
                            std::vector<std::optional<uint64_t>>(configs.size()), 0, std::nullopt, {}});
    return rows.back();
  };
  for (size_t i = 0; i < configs.size(); ++i) {
    for (const StructGroups& s : configs[i].new_structs)
      for (const CacheGroup& g : s.groups)
        if (g.problem.empty()) row(s.name, g.name).new_size[i] = g.size;
    for (const StructGroups& s : configs[i].old_structs)
      for (const CacheGroup& g : s.groups)
        if (g.problem.empty()) row(s.name, g.name).old_size[i] = g.size;
  }
  for (const GroupLimit& l : limits) row(l.structure, l.group).limit = l.limit;
  for (GroupRow& r : rows)
    for (size_t i = 0; i < configs.size(); ++i)
      if (r.new_size[i]) {
        r.needed = std::max(r.needed, *r.new_size[i]);
        if (r.limit && *r.new_size[i] > *r.limit) r.over.push_back(configs[i].label);
      }
  return rows;
}

}  // namespace padguard
