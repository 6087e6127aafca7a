// Text and JSON of `padguard groups` (report_groups.hpp).
#include "padguard/report_groups.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "escape.hpp"
#include "padguard/json.hpp"
#include "padguard/schema.hpp"
#include "padguard/version.hpp"

namespace padguard {

namespace {

using json = nlohmann::json;

std::string N(std::string_view s) { return esc::text(s); }

std::string names(const std::vector<std::string>& v, bool all) {
  if (v.empty()) return "none";
  std::string s;
  size_t i = 0;
  for (; i < v.size(); ++i) {
    const std::string n = N(v[i]);
    if (!all && i && (i >= 6 || s.size() + n.size() > 100)) break;
    s += (i ? ", " : "") + n;
  }
  if (i < v.size()) s += fmt::format(", ... and {} more", v.size() - i);
  return s;
}

std::string group_line(const CacheGroup& g, size_t width, bool all) {
  if (!g.problem.empty()) return fmt::format("  {:<{}}  {}\n", N(g.name), width, g.problem);
  std::string s = fmt::format("  {:<{}}  [{}, {})  {} byte{}, {} cacheline{}", N(g.name), width, g.begin, g.end, g.size,
                              g.size == 1 ? "" : "s", g.cachelines, g.cachelines == 1 ? "" : "s");
  if (g.cachelines) s += fmt::format(" from {}", g.first_cacheline);
  if (g.pad_end) s += fmt::format(", padded to {}", *g.pad_end);
  return s + "; members: " + names(g.members, all) + "\n";
}

std::string single_text(const GroupsView& v) {
  std::string out;
  for (const StructGroups& s : v.structs) {
    size_t width = 0;
    for (const CacheGroup& g : s.groups) width = std::max(width, N(g.name).size());
    out += fmt::format("struct {} ({} bytes): {} cacheline group{}\n", N(s.name), s.size, s.groups.size(),
                       s.groups.size() == 1 ? "" : "s");
    for (const CacheGroup& g : s.groups) out += group_line(g, width, v.verbose);
  }
  for (const std::string& a : v.absent) out += fmt::format("struct {}: no cacheline groups\n", N(a));
  if (v.structs.empty() && v.absent.empty()) out += fmt::format("no struct in {} has cacheline groups\n", N(v.source));
  return out;
}

std::string cell(const std::optional<uint64_t>& o, const std::optional<uint64_t>& n) {
  if (!n) return "-";
  if (o && *o != *n) return fmt::format("{} -> {}", *o, *n);
  return std::to_string(*n);
}

std::string matrix_text(const GroupsView& v) {
  std::vector<std::vector<std::string>> t;
  std::vector<std::string> head{"GROUP"};
  for (const GroupsConfig& c : v.configs) head.push_back(N(c.label));
  head.push_back("NEEDED");
  const bool limits = std::any_of(v.rows.begin(), v.rows.end(), [](const GroupRow& r) { return r.limit.has_value(); });
  if (limits) head.insert(head.end(), {"LIMIT", "OVER"});
  t.push_back(head);
  for (const GroupRow& r : v.rows) {
    std::vector<std::string> row{N(r.structure + "." + r.group)};
    for (size_t i = 0; i < v.configs.size(); ++i)
      row.push_back(v.configs[i].checked ? cell(r.old_size[i], r.new_size[i]) : "?");
    const bool any = std::any_of(r.new_size.begin(), r.new_size.end(), [](const auto& x) { return x.has_value(); });
    row.push_back(any ? std::to_string(r.needed) : "not found");
    if (limits) {
      row.push_back(r.limit ? std::to_string(*r.limit) : "");
      std::string over;
      for (const std::string& l : r.over) over += (over.empty() ? "" : ",") + N(l);
      row.push_back(r.limit ? (over.empty() ? (any ? "none" : "-") : over) : "");
    }
    t.push_back(row);
  }
  std::vector<size_t> w(head.size(), 0);
  for (const auto& row : t)
    for (size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], row[i].size());
  std::string out;
  for (const auto& row : t) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += fmt::format("{:<{}}  ", row[i], w[i]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  for (const GroupsConfig& c : v.configs)
    if (!c.checked)
      out += fmt::format("[{}] {}: {}{}\n", N(c.label), c.status, N(c.detail), c.allowed ? " (allowed)" : "");
  out += "NEEDED: the largest size after the change, the least CACHELINE_ASSERT_GROUP_SIZE every config passes\n";
  return out;
}

json records_json(const std::vector<StructGroups>& v) {
  json out = json::array();
  for (const StructGroups& s : v) {
    json groups = json::array();
    for (const CacheGroup& g : s.groups) groups.push_back(group_json(g));
    out.push_back(json{{"struct", s.name}, {"size", s.size}, {"groups", groups}});
  }
  return out;
}

json opt(const std::optional<uint64_t>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

std::string render_groups_text(const GroupsView& v) { return v.configs.empty() ? single_text(v) : matrix_text(v); }

std::string render_groups_json(const GroupsView& v) {
  json j{{"schema_version", kSchemaVersion}, {"tool_version", tool_version()}, {"kind", "groups"},
         {"cacheline_size", v.cacheline_size}};
  if (v.configs.empty()) {
    j["source"] = v.source;
    j["records"] = records_json(v.structs);
    j["absent"] = v.absent;
    return dump_json(j);
  }
  json configs = json::array();
  for (const GroupsConfig& c : v.configs) {
    json cj{{"label", c.label}, {"checked", c.checked}, {"allowed", c.allowed}, {"records", records_json(c.new_structs)},
            {"old_records", records_json(c.old_structs)}};
    if (!c.checked) cj["status"] = c.status, cj["detail"] = c.detail;
    configs.push_back(cj);
  }
  json rows = json::array();
  for (const GroupRow& r : v.rows) {
    json old_s = json::array(), new_s = json::array();
    for (size_t i = 0; i < r.new_size.size(); ++i) old_s.push_back(opt(r.old_size[i])), new_s.push_back(opt(r.new_size[i]));
    json rj{{"struct", r.structure}, {"group", r.group}, {"old", old_s}, {"new", new_s}, {"needed", r.needed},
            {"over", r.over}};
    if (r.limit) rj["limit"] = *r.limit;
    rows.push_back(rj);
  }
  j["configs"] = configs;
  j["groups"] = rows;
  return dump_json(j);
}

}  // namespace padguard
