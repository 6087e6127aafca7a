// The rule table and each rule's evaluate function: one struct, both sides
// present, to a Finding (numbers and a verdict, no prose). A new rule is one
// evaluate function and one row of kRules, plus its tests.
#include "padguard/rule_table.hpp"

#include <algorithm>
#include <limits>

#include "padguard/groups.hpp"
#include "padguard/spelling.hpp"

namespace padguard {

int64_t signed_delta(uint64_t old_v, uint64_t new_v) {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (new_v >= old_v) return static_cast<int64_t>(std::min(new_v - old_v, kMax));
  return -static_cast<int64_t>(std::min(old_v - new_v, kMax));
}

namespace {

Finding measure(const RuleInput& in, uint64_t old_v, uint64_t new_v, bool fail) {
  Finding f;
  f.unit = in.rule.def->unit;
  f.old_value = old_v;
  f.new_value = new_v;
  f.delta = signed_delta(old_v, new_v);
  if (in.rule.def->shape != ArgShape::Names) f.limit = in.rule.limit;
  f.verdict = fail ? Verdict::Fail : Verdict::Pass;
  return f;
}

// Unsigned growth: never wraps, whatever the limit (limits may be >= 2^63).
bool grew_by_more_than(uint64_t old_v, uint64_t new_v, uint64_t limit) {
  return new_v > old_v && new_v - old_v > limit;
}

// The declaration most likely responsible for a change: the first added,
// resized or moved member, else the struct itself.
SourceLoc blame(const RuleInput& in) {
  const RecordDiff d = diff_records(in.old_r, in.new_r, {in.cacheline_size});
  for (Change c : {Change::Added, Change::Resized, Change::Moved, Change::Retyped})
    for (const MemberDiff& m : d.members)
      if (m.has(c) && m.new_m && !m.new_m->decl.file.empty()) return m.new_m->decl;
  return in.new_r.decl;
}

SourceLoc last_member(const Record& r) {
  const FlatRecord f = flatten(r);
  for (auto it = f.members.rbegin(); it != f.members.rend(); ++it)
    if (!it->decl.file.empty()) return it->decl;
  return r.decl;
}

Finding no_growth(const RuleInput& in) {
  Finding f = measure(in, in.old_stats.size, in.new_stats.size, in.new_stats.size > in.old_stats.size);
  if (f.verdict == Verdict::Fail) f.where = blame(in);
  return f;
}

Finding max_growth(const RuleInput& in) {
  const uint64_t a = in.old_stats.size, b = in.new_stats.size;
  Finding f = measure(in, a, b, grew_by_more_than(a, b, in.rule.limit));
  if (f.verdict == Verdict::Fail) f.where = blame(in);
  return f;
}

Finding max_cachelines(const RuleInput& in) {
  Finding f = measure(in, in.old_stats.cachelines, in.new_stats.cachelines, in.new_stats.cachelines > in.rule.limit);
  if (f.verdict == Verdict::Fail) f.where = blame(in);
  return f;
}

// More holes, or more hole bytes: either is a new hole.
Finding no_new_holes(const RuleInput& in) {
  const RecordStats &a = in.old_stats, &b = in.new_stats;
  Finding f = measure(in, a.nr_holes, b.nr_holes, b.nr_holes > a.nr_holes || b.sum_holes > a.sum_holes);
  if (f.verdict == Verdict::Fail) f.where = blame(in);
  return f;
}

// old/new are the tail padding; the loss counts only while sizeof holds.
Finding max_slack_loss(const RuleInput& in) {
  const uint64_t loss = slack_loss(in.old_stats, in.new_stats);
  Finding f = measure(in, in.old_stats.padding, in.new_stats.padding, loss > in.rule.limit);
  if (f.verdict == Verdict::Fail) f.where = last_member(in.new_r);
  return f;
}

// ---- member pairs ---------------------------------------------------------

using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;  // [begin, end) bytes

bool under(const std::string& key, const std::string& name) {
  return key == name ||
         (key.size() > name.size() && key.compare(0, name.size(), name) == 0 && key[name.size()] == '.');
}

bool names(const FlatMember& m, const std::string& name) { return under(m.key, name) || under(m.path, name); }

// The member by C access path (or display path); a named inline record
// stands for all of its leaves.
Ranges bytes_of(const FlatRecord& f, const std::string& name) {
  Ranges out;
  for (const FlatMember& m : f.members)
    if (names(m, name)) out.emplace_back(m.begin_byte(), m.end_byte());
  return out;
}

// The first leaf `name` covers whose size is unknown (its extent with it).
const FlatMember* unknown_leaf(const FlatRecord& f, const std::string& name) {
  for (const FlatMember& m : f.members)
    if (names(m, name) && m.size_unknown) return &m;
  return nullptr;
}

std::optional<SourceLoc> decl_of(const FlatRecord& f, const std::string& name) {
  for (const FlatMember& m : f.members)
    if (names(m, name) && !m.decl.file.empty()) return m.decl;
  return std::nullopt;
}

// Sorted, merged: disjoint intervals covering the same bytes.
Ranges merged(Ranges r) {
  std::sort(r.begin(), r.end());
  Ranges out;
  for (auto [x, y] : r) {
    if (x >= y) continue;
    if (!out.empty() && x <= out.back().second)
      out.back().second = std::max(out.back().second, y);
    else
      out.emplace_back(x, y);
  }
  return out;
}

// Bytes both range sets cover, counted once: interval arithmetic, so the
// cost follows the members, not the bytes (two 2^40-byte arrays are two
// intervals).
uint64_t overlap(const Ranges& a, const Ranges& b) {
  const Ranges x = merged(a), y = merged(b);
  uint64_t common = 0;
  for (size_t i = 0, j = 0; i < x.size() && j < y.size();) {
    const uint64_t lo = std::max(x[i].first, y[j].first), hi = std::min(x[i].second, y[j].second);
    if (lo < hi) common += hi - lo;
    x[i].second < y[j].second ? ++i : ++j;
  }
  return common;
}

MemberSpan span(const std::string& member, const Ranges& r) {
  MemberSpan s{member, std::numeric_limits<uint64_t>::max(), 0};
  for (auto [x, y] : r) s.begin = std::min(s.begin, x), s.end = std::max(s.end, y);
  return s;
}

Finding disjoint(const RuleInput& in) {
  const Rule& r = in.rule;
  const FlatRecord fn = flatten(in.new_r);
  const Ranges a = bytes_of(fn, r.member_a), b = bytes_of(fn, r.member_b);
  Finding f;
  f.unit = Unit::BytesShared;
  f.limit = 0;
  if (a.empty() || b.empty()) {
    f.verdict = Verdict::Error;
    f.problem = Problem::NoMember;
    f.missing_member = a.empty() ? r.member_a : r.member_b;
    std::vector<std::string> paths;
    for (const FlatMember& m : fn.members) {
      paths.push_back(m.path);
      if (m.key != m.path) paths.push_back(m.key);
    }
    f.member_suggestions = nearest_words(f.missing_member, paths);
    return f;
  }
  // A member of unknown size has no known extent: fail closed on the new
  // side; the old side's figure (the delta) is then left out.
  for (const std::string* name : {&r.member_a, &r.member_b})
    if (const FlatMember* u = unknown_leaf(fn, *name)) {
      f.verdict = Verdict::Error;
      f.problem = Problem::SizeUnknown;
      if (const Type* t = declaration_held(*u->type)) f.unknown_size = UnknownSize{u->key, t->record_kind, t->name};
      f.unknown_in_new = true;
      if (!u->decl.file.empty()) f.where = u->decl;
      return f;
    }
  f.new_value = overlap(a, b);
  f.spans = {span(r.member_a, a), span(r.member_b, b)};
  const FlatRecord fo = flatten(in.old_r);
  const Ranges oa = bytes_of(fo, r.member_a), ob = bytes_of(fo, r.member_b);
  if (!oa.empty() && !ob.empty() && !unknown_leaf(fo, r.member_a) && !unknown_leaf(fo, r.member_b)) {
    f.old_value = overlap(oa, ob);
    f.delta = signed_delta(*f.old_value, *f.new_value);
  }
  f.verdict = *f.new_value ? Verdict::Fail : Verdict::Pass;
  if (f.verdict == Verdict::Fail) f.where = decl_of(fn, r.member_a);
  return f;
}

// ---- cacheline groups (groups.hpp) ----------------------------------------

bool has_groups(const Record& r) { return has_cacheline_groups(r); }

Finding group_error(Problem p, const std::string& group, std::vector<std::string> suggestions = {}) {
  Finding f;
  f.verdict = Verdict::Error;
  f.problem = p;
  f.group = group;
  f.missing_member = group;
  f.member_suggestions = std::move(suggestions);
  return f;
}

// The rule's group on the new side, or an error finding.
const CacheGroup* new_group(const RuleInput& in, const std::vector<CacheGroup>& groups, Finding& err) {
  const CacheGroup* g = find_group(groups, in.rule.group);
  if (!g) {
    std::vector<std::string> names;
    for (const CacheGroup& x : groups) names.push_back(x.name);
    err = group_error(Problem::NoGroup, in.rule.group, nearest_words(in.rule.group, names));
  } else if (!g->problem.empty()) {
    err = group_error(Problem::BadGroup, in.rule.group);
  }
  err.unit = in.rule.def->unit;
  return g && g->problem.empty() ? g : nullptr;
}

Finding group_measure(const RuleInput& in, uint64_t (*value)(const CacheGroup&), bool limited) {
  const std::vector<CacheGroup> gn = cacheline_groups(in.new_r, in.cacheline_size);
  Finding err;
  const CacheGroup* g = new_group(in, gn, err);
  if (!g) return err;
  Finding f;
  f.unit = in.rule.def->unit;
  f.group = g->name;
  f.new_value = value(*g);
  const std::vector<CacheGroup> go = cacheline_groups(in.old_r, in.cacheline_size);
  if (const CacheGroup* o = find_group(go, g->name); o && o->problem.empty()) {
    f.old_value = value(*o);
    f.delta = signed_delta(*f.old_value, *f.new_value);
  }
  if (limited) f.limit = in.rule.limit;
  f.verdict = limited ? (*f.new_value > in.rule.limit ? Verdict::Fail : Verdict::Pass)
                      : (f.old_value && *f.new_value > *f.old_value ? Verdict::Fail : Verdict::Pass);
  if (f.verdict == Verdict::Fail) f.where = g->decl;
  return f;
}

uint64_t group_size(const CacheGroup& g) { return g.size; }
uint64_t group_cachelines(const CacheGroup& g) { return g.cachelines; }

Finding max_group_size(const RuleInput& in) { return group_measure(in, group_size, true); }
Finding max_group_cachelines(const RuleInput& in) { return group_measure(in, group_cachelines, true); }

// One group, or with target "all" every group on both sides (the first that
// grew is the finding).
Finding group_no_growth(const RuleInput& in) {
  if (!in.rule.group.empty()) return group_measure(in, group_size, false);
  const std::vector<CacheGroup> gn = cacheline_groups(in.new_r, in.cacheline_size);
  const std::vector<CacheGroup> go = cacheline_groups(in.old_r, in.cacheline_size);
  Finding f;
  f.unit = Unit::GroupBytes;
  for (const CacheGroup& g : gn) {
    const CacheGroup* o = find_group(go, g.name);
    if (!o || !o->problem.empty() || !g.problem.empty()) continue;
    if (f.group.empty() || (f.verdict == Verdict::Pass && g.size > o->size)) {
      f.group = g.name;
      f.old_value = o->size;
      f.new_value = g.size;
      f.delta = signed_delta(o->size, g.size);
      f.verdict = g.size > o->size ? Verdict::Fail : Verdict::Pass;
      if (f.verdict == Verdict::Fail) f.where = g.decl;
    }
  }
  for (const CacheGroup& g : gn)
    if (!g.problem.empty()) return group_error(Problem::BadGroup, g.name);
  return f;
}

// CACHELINE_ASSERT_GROUP_MEMBER for each member named.
Finding group_member(const RuleInput& in) {
  const std::vector<CacheGroup> gn = cacheline_groups(in.new_r, in.cacheline_size);
  Finding err;
  const CacheGroup* g = new_group(in, gn, err);
  if (!g) return err;
  const FlatRecord fn = flatten(in.new_r);
  Finding f;
  f.unit = Unit::GroupMembersOutside;
  f.group = g->name;
  for (const std::string& m : in.rule.members) {
    const Ranges r = bytes_of(fn, m);
    if (r.empty()) {
      std::vector<std::string> paths;
      for (const FlatMember& x : fn.members) paths.push_back(x.key);
      f = group_error(Problem::NoMember, g->name, nearest_words(m, paths));
      f.unit = Unit::GroupMembersOutside;
      f.missing_member = m;
      return f;
    }
    const MemberSpan s = span(m, r);
    f.spans.push_back(s);
    if (s.begin < g->begin || s.end > g->end) f.members_outside.push_back(m);
  }
  f.new_value = f.members_outside.size();
  f.limit = 0;
  f.verdict = f.members_outside.empty() ? Verdict::Pass : Verdict::Fail;
  if (f.verdict == Verdict::Fail) f.where = decl_of(fn, f.members_outside.front());
  return f;
}

// The order of this table is the order of the flags in --help and of rules
// given as flags.
constexpr RuleDef kRules[] = {
    {"no-growth", ArgShape::Names, "NAME[,NAME...]|all", "sizeof must not grow", Unit::Bytes, no_growth},
    {"max-growth", ArgShape::NamedLimits, "NAME=N", "sizeof may grow by at most N bytes", Unit::Bytes, max_growth},
    {"max-cachelines", ArgShape::NamedLimits, "NAME=N", "at most N cachelines after the change", Unit::Cachelines,
     max_cachelines},
    {"disjoint", ArgShape::MemberPair, "STRUCT.a,STRUCT.b", "the two members share no byte after the change",
     Unit::BytesShared, disjoint},
    {"no-new-holes", ArgShape::Names, "NAME[,NAME...]|all", "no more holes nor hole bytes", Unit::Holes,
     no_new_holes, nullptr, true},
    {"max-slack-loss", ArgShape::LimitOrNamedLimits, "N|NAME=N",
     "at most N bytes of tail padding consumed while sizeof is unchanged (hidden growth)", Unit::TailPadding,
     max_slack_loss, nullptr, true},
    {"max-group-size", ArgShape::GroupLimits, "STRUCT.GROUP=N",
     "the cacheline group is at most N bytes (CACHELINE_ASSERT_GROUP_SIZE)", Unit::GroupBytes, max_group_size,
     has_groups},
    {"group-member", ArgShape::GroupMembers, "STRUCT.GROUP=member[,member...]",
     "each member lies inside the cacheline group (CACHELINE_ASSERT_GROUP_MEMBER)", Unit::GroupMembersOutside,
     group_member, has_groups},
    {"max-group-cachelines", ArgShape::GroupLimits, "STRUCT.GROUP=N", "the cacheline group spans at most N cachelines",
     Unit::GroupCachelines, max_group_cachelines, has_groups},
    {"group-no-growth", ArgShape::GroupNames, "STRUCT.GROUP[,STRUCT.GROUP...]|all",
     "the cacheline group must not grow (all: no group of any struct)", Unit::GroupBytes, group_no_growth, has_groups},
};

}  // namespace

std::span<const RuleDef> rule_table() { return kRules; }

const RuleDef* find_rule(std::string_view name) {
  for (const RuleDef& d : kRules)
    if (name == d.name) return &d;
  return nullptr;
}

std::string rule_name_hint(std::string_view name) {
  std::vector<std::string> names;
  for (const RuleDef& d : kRules) names.emplace_back(d.name);
  const std::string hint = did_you_mean(nearest_words(name, names));
  return hint.empty() ? "; known: " + known_rule_names() : hint;
}

std::string known_rule_names() {
  std::string s;
  for (const RuleDef& d : kRules) s += (s.empty() ? "" : ", ") + std::string(d.name);
  return s;
}

}  // namespace padguard
