// Suppressions: member changes declared harmless, taken out of a record's
// diff and listed instead (RecordDiff::suppressed), so nothing is hidden
// silently. Three kinds: ignore patterns; members added into a reserved
// member's bytes with sizeof unchanged (kABI padding put to use); struct_group()
// unions, which name the same bytes twice and change no storage. Pure.
#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "padguard/compare.hpp"
#include "padguard/diff.hpp"

namespace padguard {

const char* suppress_reason_name(SuppressReason r) {
  switch (r) {
    case SuppressReason::Ignored: return "ignored";
    case SuppressReason::Reserved: return "reserved";
    case SuppressReason::StructGroup: return "struct_group";
  }
  return "?";
}

namespace {

bool glob(const std::string& pattern, const std::string& s) { return fnmatch(pattern.c_str(), s.c_str(), 0) == 0; }

std::string last_component(const std::string& key) {
  const size_t dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

// Takes `which` out of m's changes; returns what was taken.
std::vector<Change> take(MemberDiff& m, const std::set<Change>& which) {
  std::vector<Change> taken, kept;
  for (Change c : m.changes) (which.count(c) ? taken : kept).push_back(c);
  m.changes = std::move(kept);
  return taken;
}

// The inline unions of one side that struct_group() made: an anonymous
// struct S and a second view G of the same bytes, either a struct member
// laid out exactly as S (struct_group(NAME, ...): `struct { ... } NAME`) or
// a member of a named struct type as large as the union
// (struct_group_tagged(TAG, NAME, ...)), and nothing else. Returns, per
// union path, the keys and inline-record paths of the second view (the copy).
struct Group {
  std::set<std::string> copy_keys;
  std::set<std::string> paths;  // the union, S and (untagged) G
};

class GroupFinder {
 public:
  explicit GroupFinder(const FlatRecord& f) : f_(f) {
    for (size_t i = 0; i < f.members.size(); ++i) by_key_.emplace(f.members[i].key, i);
  }

  std::map<std::string, Group> find() const {
    std::map<std::string, Group> out;
    for (const FlatContainer& u : f_.containers)
      if (u.kind == RecordKind::Union)
        if (auto g = group_of(u)) out.emplace(u.path, std::move(*g));
    return out;
  }

 private:
  std::optional<Group> group_of(const FlatContainer& u) const {
    for (const FlatContainer& s : f_.containers) {
      if (s.kind != RecordKind::Struct || s.offset != u.offset || !directly_in(s, u) || s.keys.empty()) continue;
      std::set<std::string> rest;
      for (const std::string& k : u.keys)
        if (!std::binary_search(s.keys.begin(), s.keys.end(), k)) rest.insert(k);
      if (rest.empty()) continue;
      if (auto g = untagged(u, s, rest)) return g;
      if (rest.size() == 1) {
        const FlatMember* m = member(*rest.begin());
        const Type* t = m ? &*m->type : nullptr;
        while (t && (t->kind == TypeKind::Typedef || t->kind == TypeKind::Qualified)) t = t->target.get();
        if (m && t && t->kind == TypeKind::Record && !t->name.empty() && m->begin_byte() == u.offset &&
            m->byte_size == u.size && s.size == u.size)
          return Group{{*rest.begin()}, {u.path, s.path}};
      }
    }
    return std::nullopt;
  }

  // `struct { ... } NAME` beside S: an inline struct directly in the union
  // whose members match S's one for one (offset, width, type).
  std::optional<Group> untagged(const FlatContainer& u, const FlatContainer& s, const std::set<std::string>& rest) const {
    for (const FlatContainer& g : f_.containers) {
      if (&g == &s || g.kind != RecordKind::Struct || g.offset != u.offset || g.size != s.size || !directly_in(g, u) ||
          g.keys.size() != s.keys.size() || std::set<std::string>(g.keys.begin(), g.keys.end()) != rest)
        continue;
      if (same_layout(s, g)) return Group{rest, {u.path, s.path, g.path}};
    }
    return std::nullopt;
  }

  bool same_layout(const FlatContainer& a, const FlatContainer& b) const {
    std::vector<const FlatMember*> ma, mb;
    for (const std::string& k : a.keys) ma.push_back(member(k));
    for (const std::string& k : b.keys) mb.push_back(member(k));
    auto by_pos = [](const FlatMember* x, const FlatMember* y) { return x->bit_offset < y->bit_offset; };
    if (std::count(ma.begin(), ma.end(), nullptr) || std::count(mb.begin(), mb.end(), nullptr)) return false;
    std::stable_sort(ma.begin(), ma.end(), by_pos);
    std::stable_sort(mb.begin(), mb.end(), by_pos);
    for (size_t i = 0; i < ma.size(); ++i)
      if (ma[i]->bit_offset != mb[i]->bit_offset || ma[i]->bit_size != mb[i]->bit_size ||
          ma[i]->byte_size != mb[i]->byte_size || !same_type(*ma[i]->type, *mb[i]->type))
        return false;
    return true;
  }

  // Container c sits directly in union u: its path is u's plus one step.
  static bool directly_in(const FlatContainer& c, const FlatContainer& u) {
    return c.path.size() > u.path.size() + 1 && c.path.compare(0, u.path.size(), u.path) == 0 &&
           c.path[u.path.size()] == '.' && c.path.find('.', u.path.size() + 1) == std::string::npos;
  }

  const FlatMember* member(const std::string& key) const {
    auto it = by_key_.find(key);
    return it == by_key_.end() ? nullptr : &f_.members[it->second];
  }

  const FlatRecord& f_;
  std::unordered_map<std::string, size_t> by_key_;
};

class Suppressor {
 public:
  Suppressor(RecordDiff& d, const FlatRecord& fo, const FlatRecord& fn, const Suppressions& s)
      : d_(d), fo_(fo), fn_(fn), s_(s) {}

  void run() {
    ignored();
    if (s_.struct_group) struct_groups();
    reserved();
    std::erase_if(d_.members, [](const MemberDiff& m) { return m.changes.empty(); });
  }

 private:
  void note(const std::string& key, SuppressReason r, const std::string& pattern, std::vector<Change> hidden) {
    d_.suppressed.push_back({key, r, pattern, std::move(hidden)});
  }

  void ignored() {
    for (MemberDiff& m : d_.members)
      for (const std::string& p : s_.ignore_members)
        if (glob(p, m.key) || glob(p, d_.name + "." + m.key)) {
          note(m.key, SuppressReason::Ignored, p, std::move(m.changes));
          m.changes.clear();
          break;
        }
  }

  // Members entering (new side) or leaving (old side) a struct_group union,
  // the copies of its second view appearing or going, and its inline records.
  void struct_groups() {
    const auto old_groups = GroupFinder(fo_).find();
    const auto new_groups = GroupFinder(fn_).find();
    for (MemberDiff& m : d_.members) {
      if (m.changes.empty()) continue;
      if (m.new_m) side(m, *m.new_m, new_groups, Change::EnteredUnion, Change::Added);
      if (!m.changes.empty() && m.old_m) side(m, *m.old_m, old_groups, Change::LeftUnion, Change::Removed);
    }
    drop_containers(d_.containers_added, new_groups);
    drop_containers(d_.containers_removed, old_groups);
  }

  void side(MemberDiff& m, const FlatMember& f, const std::map<std::string, Group>& groups, Change into, Change appear) {
    if (f.unions.empty()) return;
    auto g = groups.find(f.unions.back());
    if (g == groups.end()) return;
    const bool copy = g->second.copy_keys.count(f.key) > 0;
    if (copy && m.has(appear)) {  // the second view: its first view carries any real change
      note(m.key, SuppressReason::StructGroup, g->first, std::move(m.changes));
      m.changes.clear();
    } else if (m.has(into)) {
      std::vector<Change> hidden = take(m, {into, Change::SharingChanged});
      note(m.key, SuppressReason::StructGroup, g->first, std::move(hidden));
    }
  }

  void drop_containers(std::vector<FlatContainer>& cs, const std::map<std::string, Group>& groups) {
    std::erase_if(cs, [&](const FlatContainer& c) {
      for (const auto& [path, g] : groups)
        if (g.paths.count(c.path)) {
          note(c.path, SuppressReason::StructGroup, path, {});
          return true;
        }
      return false;
    });
  }

  // A reserved member (by the last component of its key) that shrank, went
  // or now shares its bytes, with members added inside the bytes it had and
  // sizeof unchanged: the reserved space was put to use.
  void reserved() {
    if (!d_.old_stats || !d_.new_stats || d_.old_stats->size != d_.new_stats->size) return;
    for (MemberDiff& r : d_.members) {
      if (!r.old_m || r.changes.empty()) continue;
      const std::string* pat = reserved_pattern(r.key);
      if (!pat || !(r.has(Change::Removed) || r.has(Change::Resized) || r.has(Change::EnteredUnion))) continue;
      const uint64_t lo = r.old_m->begin_byte(), hi = r.old_m->end_byte();
      bool used = false;
      for (MemberDiff& a : d_.members) {
        if (&a == &r || !a.has(Change::Added) || a.new_m->begin_byte() < lo || a.new_m->end_byte() > hi) continue;
        std::vector<Change> hidden = take(a, {Change::Added, Change::EnteredUnion, Change::SharingChanged});
        note(a.key, SuppressReason::Reserved, *pat, std::move(hidden));
        used = true;
      }
      if (!used) continue;
      std::vector<Change> hidden = take(r, {Change::Removed, Change::Resized, Change::Shifted, Change::Retyped,
                                            Change::EnteredUnion, Change::SharingChanged});
      note(r.key, SuppressReason::Reserved, *pat, std::move(hidden));
      // The union KABI_USE-style macros wrap the reserved member in.
      std::erase_if(d_.containers_added, [&](const FlatContainer& c) {
        if (c.offset < lo || c.offset + c.size > hi) return false;
        note(c.path, SuppressReason::Reserved, *pat, {});
        return true;
      });
    }
  }

  const std::string* reserved_pattern(const std::string& key) const {
    const std::string last = last_component(key);
    for (const std::string& p : s_.reserved)
      if (glob(p, last)) return &p;
    return nullptr;
  }

  RecordDiff& d_;
  const FlatRecord& fo_;
  const FlatRecord& fn_;
  const Suppressions& s_;
};

}  // namespace

void apply_suppressions(RecordDiff& d, const FlatRecord& fo, const FlatRecord& fn, const Suppressions& s) {
  Suppressor(d, fo, fn, s).run();
}

}  // namespace padguard
