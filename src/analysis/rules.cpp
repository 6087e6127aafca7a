// Rule parsing (flag values, by the table's argument shapes) and evaluation
// over a before/after pair. Fail closed: a rule that cannot be evaluated
// (struct or member missing, nothing to check) is an Error, never a Pass.
#include "padguard/rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "padguard/error.hpp"
#include "padguard/layout_map.hpp"
#include "padguard/pairing.hpp"
#include "padguard/rule_table.hpp"

namespace padguard {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "PASS";
    case Verdict::Fail: return "FAIL";
    case Verdict::Error: return "ERROR";
  }
  return "?";
}

Verdict worst(Verdict a, Verdict b) { return static_cast<int>(a) > static_cast<int>(b) ? a : b; }

const char* unit_name(Unit u) {
  switch (u) {
    case Unit::Bytes: return "bytes";
    case Unit::Cachelines: return "cachelines";
    case Unit::Holes: return "holes";
    case Unit::BytesShared: return "bytes-shared";
    case Unit::TailPadding: return "bytes-tail-padding";
    case Unit::GroupBytes: return "group-bytes";
    case Unit::GroupCachelines: return "group-cachelines";
    case Unit::GroupMembersOutside: return "group-members-outside";
  }
  return "?";
}

const char* problem_name(Problem p) {
  switch (p) {
    case Problem::None: return "none";
    case Problem::MissingOld: return "missing-old";
    case Problem::MissingNew: return "missing-new";
    case Problem::MissingBoth: return "missing-both";
    case Problem::NoMember: return "no-member";
    case Problem::NothingInCommon: return "nothing-in-common";
    case Problem::Ambiguous: return "ambiguous";
    case Problem::NoGroup: return "no-group";
    case Problem::BadGroup: return "bad-group";
    case Problem::SizeUnknown: return "size-unknown";
  }
  return "?";
}

const char* config_status_name(ConfigStatus s) {
  switch (s) {
    case ConfigStatus::Checked: return "checked";
    case ConfigStatus::BuildFailed: return "build-failed";
    case ConfigStatus::Skipped: return "skipped";
    case ConfigStatus::Error: return "error";
  }
  return "?";
}

const char* config_status_title(ConfigStatus s) {
  switch (s) {
    case ConfigStatus::Checked: return "CHECKED";
    case ConfigStatus::BuildFailed: return "BUILD-FAILED";
    case ConfigStatus::Skipped: return "SKIPPED";
    case ConfigStatus::Error: return "ERROR";
  }
  return "?";
}

std::optional<ConfigStatus> config_status_from_name(std::string_view name) {
  for (ConfigStatus s : {ConfigStatus::Checked, ConfigStatus::BuildFailed, ConfigStatus::Skipped, ConfigStatus::Error})
    if (name == config_status_name(s)) return s;
  return std::nullopt;
}

std::string_view Rule::name() const { return def ? def->name : "?"; }

std::string Rule::spec() const {
  const std::string s(name());
  if (!def) return s;
  switch (def->shape) {
    case ArgShape::Names: return s + " " + target;
    case ArgShape::NamedLimits: return fmt::format("{} {}={}", s, target, limit);
    case ArgShape::LimitOrNamedLimits:
      return target.empty() ? fmt::format("{} {}", s, limit) : fmt::format("{} {}={}", s, target, limit);
    case ArgShape::MemberPair: return fmt::format("{} {}.{},{}.{}", s, target, member_a, target, member_b);
    case ArgShape::GroupLimits: return fmt::format("{} {}.{}={}", s, target, group, limit);
    case ArgShape::GroupNames: return group.empty() ? s + " " + target : fmt::format("{} {}.{}", s, target, group);
    case ArgShape::GroupMembers: {
      std::string m;
      for (const std::string& x : members) m += (m.empty() ? "" : ",") + x;
      return fmt::format("{} {}.{}={}", s, target, group, m);
    }
  }
  return s;
}

std::vector<std::string> RuleResult::offenders() const {
  std::vector<std::string> out;
  for (const Finding& f : findings)
    if (f.verdict == Verdict::Fail) out.push_back(f.subject);
  return out;
}

const Finding* RuleResult::first_offender() const {
  for (const Finding& f : findings)
    if (f.verdict == Verdict::Fail) return &f;
  return nullptr;
}

// ---- parsing ----------------------------------------------------------------

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

[[noreturn]] void bad(const std::string& origin, const std::string& msg) { throw InputError(origin, msg); }

uint64_t number(std::string_view s, const std::string& origin, std::string_view rule) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size())
    bad(origin, fmt::format("{}: '{}' is not a non-negative number (at most 18446744073709551615)", rule, s));
  return v;
}

bool valid_name(const std::string& n) { return !n.empty() && n.find_first_of(" \t=,") == std::string::npos; }

Rule rule_of(const RuleDef& d, std::string target, uint64_t limit = 0) {
  Rule r;
  r.def = &d;
  r.target = std::move(target);
  r.limit = limit;
  return r;
}

Rule named_limit(const RuleDef& d, const std::string& item, const std::string& origin) {
  const std::string rn = d.name;
  const size_t eq = item.find('=');
  if (eq == std::string::npos) {
    if (d.shape == ArgShape::LimitOrNamedLimits) return rule_of(d, "", number(item, origin, rn));
    bad(origin, fmt::format("{}: expected NAME=N, got '{}' (e.g. --{} task_struct=0)", rn, item, rn));
  }
  Rule r = rule_of(d, trim(std::string_view(item).substr(0, eq)));
  if (!valid_name(r.target) || r.target == "all")
    bad(origin, fmt::format("{}: missing struct name in '{}'", rn, item));
  r.limit = number(trim(std::string_view(item).substr(eq + 1)), origin, rn);
  return r;
}

Rule member_pair(const RuleDef& d, std::string_view value, const std::string& origin) {
  const std::vector<std::string> parts = split(value, ',');
  const std::string usage = fmt::format("{}: expected STRUCT.a,STRUCT.b (e.g. task_struct.rcu_users,task_struct.rcu)", d.name);
  if (parts.size() != 2) bad(origin, fmt::format("{}, got '{}'", usage, value));
  std::string st[2], mem[2];
  for (int i = 0; i < 2; ++i) {
    const size_t dot = parts[i].find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == parts[i].size())
      bad(origin, fmt::format("{}, got '{}'", usage, value));
    st[i] = parts[i].substr(0, dot);
    mem[i] = parts[i].substr(dot + 1);
  }
  if (st[0] != st[1]) bad(origin, fmt::format("{}: both members must be of one struct, got '{}'", d.name, value));
  Rule r = rule_of(d, st[0]);
  r.member_a = mem[0];
  r.member_b = mem[1];
  return r;
}

// "STRUCT.GROUP" into the rule's target and group.
void struct_group(Rule& r, const std::string& item, const std::string& origin) {
  const size_t dot = item.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == item.size() || !valid_name(item.substr(0, dot)) ||
      !valid_name(item.substr(dot + 1)))
    bad(origin, fmt::format("{}: expected STRUCT.GROUP (e.g. net_device.net_device_read_tx), got '{}'", r.name(), item));
  r.target = item.substr(0, dot);
  r.group = item.substr(dot + 1);
}

// "STRUCT.GROUP=member[,member...]": one rule, the members after '='.
Rule group_members(const RuleDef& d, std::string_view value, const std::string& origin) {
  const size_t eq = value.find('=');
  Rule r = rule_of(d, "");
  if (eq == std::string::npos)
    bad(origin, fmt::format("{}: expected STRUCT.GROUP=member[,member...], got '{}'", d.name, value));
  struct_group(r, trim(value.substr(0, eq)), origin);
  for (const std::string& m : split(value.substr(eq + 1), ',')) {
    if (m.empty() || m.find_first_of(" \t=") != std::string::npos)
      bad(origin, fmt::format("{}: '{}' is not a member name in '{}'", d.name, m, value));
    r.members.push_back(m);
  }
  return r;
}

}  // namespace

std::vector<Rule> parse_rule(std::string_view name, std::string_view value, const std::string& origin) {
  const RuleDef* d = find_rule(name);
  if (!d) bad(origin, fmt::format("unknown rule '{}'{}", name, rule_name_hint(name)));
  if (d->shape == ArgShape::MemberPair) return {member_pair(*d, value, origin)};
  if (d->shape == ArgShape::GroupMembers) return {group_members(*d, value, origin)};
  std::vector<Rule> out;
  for (const std::string& item : split(value, ',')) {
    if (item.empty()) bad(origin, fmt::format("{}: empty struct name in '{}'", name, value));
    if (d->shape == ArgShape::Names) {
      if (!valid_name(item)) bad(origin, fmt::format("{}: '{}' is not a struct name", name, item));
      out.push_back(rule_of(*d, item));
    } else if (d->shape == ArgShape::GroupNames) {
      Rule r = rule_of(*d, item);
      if (item != "all") struct_group(r, item, origin);
      out.push_back(std::move(r));
    } else if (d->shape == ArgShape::GroupLimits) {
      const size_t eq = item.find('=');
      if (eq == std::string::npos)
        bad(origin, fmt::format("{}: expected STRUCT.GROUP=N, got '{}' (e.g. --{} net_device.net_device_read_tx=160)",
                                name, item, name));
      Rule r = rule_of(*d, "");
      struct_group(r, trim(std::string_view(item).substr(0, eq)), origin);
      r.limit = number(trim(std::string_view(item).substr(eq + 1)), origin, d->name);
      out.push_back(std::move(r));
    } else {
      out.push_back(named_limit(*d, item, origin));
    }
  }
  return out;
}

// ---- evaluation -------------------------------------------------------------

namespace {

// One subject of a rule: the definitions it selects on each side.
struct Pair {
  std::string subject;
  const Record* old_r = nullptr;
  const Record* new_r = nullptr;
  bool ambiguous = false;
  std::vector<std::string> old_choices, new_choices;
  Problem missing() const {
    if (ambiguous) return Problem::Ambiguous;
    if (!old_r && !new_r) return Problem::MissingBoth;
    if (!old_r) return Problem::MissingOld;
    return new_r ? Problem::None : Problem::MissingNew;
  }
};

Pair from_pair(const RecordPair& p) {
  Pair out;
  out.subject = p.subject;
  out.old_r = p.old_r;
  out.new_r = p.new_r;
  return out;
}

Pair from_ambiguity(const std::string& subject, const Ambiguity& a) {
  Pair p;
  p.subject = subject;
  p.ambiguous = true;
  p.old_choices = a.old_choices;
  p.new_choices = a.new_choices;
  return p;
}

bool covers_everything(const Rule& r, const std::vector<std::string>& rows) {
  return r.target == "all" || (r.target.empty() && rows.empty());
}

class Evaluator {
 public:
  Evaluator(const RecordSet& o, const RecordSet& n, const CheckOptions& opts) : o_(o), n_(n), opts_(opts) {}

  // Structs a rule applies to; `rows` are the structs the check names. Over
  // everything: every pair defined on both sides, and the names whose
  // layouts cannot be paired (an error each).
  std::vector<Pair> scope(const Rule& r, const std::vector<std::string>& rows) {
    std::vector<Pair> out;
    if (covers_everything(r, rows)) {
      const Pairing& all = pairing();
      for (const RecordPair& p : all.pairs)
        if (p.old_r && p.new_r && (!r.def->applies || r.def->applies(*p.new_r) || r.def->applies(*p.old_r)))
          out.push_back(from_pair(p));
      for (const Ambiguity& a : all.ambiguous) out.push_back(from_ambiguity(a.name, a));
      return out;
    }
    for (const std::string& n : r.target.empty() ? rows : std::vector<std::string>{r.target}) out.push_back(pair(n));
    return out;
  }

  Pair pair(const std::string& spec) const {
    const Selection sel = select_pair(o_, n_, spec);
    return sel.ambiguous ? from_ambiguity(spec, sel.choices) : from_pair(sel.pair);
  }

  RecordStats stats(const Record& r) const { return record_stats(r, opts_.cacheline_size); }
  DiffOptions diff_options(bool maps = false) const {
    DiffOptions d;
    d.cacheline_size = opts_.cacheline_size;
    d.suppress = opts_.suppress;
    d.maps = maps;
    return d;
  }
  bool maps() const { return opts_.maps; }
  LayoutMap map(const Record& r) const { return layout_map(r, opts_.cacheline_size); }

  Finding one(const Rule& r, const Pair& p) const {
    Finding f;
    if (p.missing() != Problem::None) {
      f.unit = r.def->unit;
      f.verdict = Verdict::Error;
      f.problem = p.missing();
      f.old_choices = p.old_choices;
      f.new_choices = p.new_choices;
    } else {
      const RecordStats a = stats(*p.old_r), b = stats(*p.new_r);
      if (!r.def->member_sizes || !size_unknown(r, *p.old_r, *p.new_r, f))
        f = r.def->evaluate(RuleInput{r, *p.old_r, *p.new_r, a, b, opts_.cacheline_size});
      f.old_stats = a;
      f.new_stats = b;
    }
    f.subject = p.subject;
    return f;
  }

  // Fail closed: a rule whose figures need every member's size cannot
  // judge a struct with a member of unknown size on either side (`f`: the
  // Error finding). Figures that do not (sizeof, cachelines, groups' marker
  // offsets) are judged as usual.
  static bool size_unknown(const Rule& r, const Record& old_r, const Record& new_r, Finding& f) {
    const std::vector<UnknownSize> o = unknown_sizes(old_r), n = unknown_sizes(new_r);
    if (o.empty() && n.empty()) return false;
    f.unit = r.def->unit;
    f.verdict = Verdict::Error;
    f.problem = Problem::SizeUnknown;
    f.unknown_size = n.empty() ? o.front() : n.front();
    f.unknown_in_old = !o.empty();
    f.unknown_in_new = !n.empty();
    if (!new_r.decl.file.empty()) f.where = new_r.decl;
    return true;
  }

  // Every struct in scope; kept: those named, and those that did not pass.
  RuleResult evaluate(const Rule& r, const std::vector<Pair>& names, bool everything) const {
    RuleResult res;
    res.rule = r;
    if (names.empty()) {  // a rule that checked nothing never passes
      res.verdict = Verdict::Error;
      Finding f;
      f.unit = r.def->unit;
      f.verdict = Verdict::Error;
      f.problem = Problem::NothingInCommon;
      res.findings.push_back(f);
      return res;
    }
    for (const Pair& n : names) {
      Finding f = one(r, n);
      ++res.checked;
      res.verdict = worst(res.verdict, f.verdict);
      if (!everything || f.verdict != Verdict::Pass) res.findings.push_back(std::move(f));
    }
    return res;
  }

 private:
  const Pairing& pairing() {
    if (!pairing_) pairing_ = pair_records(o_, n_);
    return *pairing_;
  }
  const RecordSet& o_;
  const RecordSet& n_;
  const CheckOptions& opts_;
  std::optional<Pairing> pairing_;
};

std::vector<std::string> row_names(const std::vector<Rule>& rules, const CheckOptions& o) {
  std::vector<std::string> names;
  auto add = [&](const std::string& n) {
    if (!n.empty() && n != "all" && std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  };
  for (const std::string& n : o.names) add(n);
  for (const Rule& r : rules) add(r.target);
  return names;
}

// A rule over every struct of a side that has none checks nothing: that is
// an unreadable input, not a pass (split-DWARF skeletons, type units, an
// empty facts file). Returns the file.
std::optional<std::string> nothing_readable(const std::vector<Rule>& rules, const std::vector<std::string>& rows,
                                            const RecordSet& old_s, const RecordSet& new_s) {
  const bool everything =
      std::any_of(rules.begin(), rules.end(), [&](const Rule& r) { return covers_everything(r, rows); });
  if (!everything) return std::nullopt;
  for (const RecordSet* s : {&old_s, &new_s})
    if (s->records.empty()) return s->source;
  return std::nullopt;
}

// The cell of struct `n` under rule result `rr` (nullopt: does not apply).
std::optional<Verdict> cell(const RuleResult& rr, const std::vector<Pair>& scope, const std::string& n) {
  for (const Finding& f : rr.findings)
    if (f.subject == n) return f.verdict;
  for (const Pair& p : scope)
    if (p.subject == n) return Verdict::Pass;  // an "all" pass
  return std::nullopt;
}

StructRow struct_row(const Evaluator& ev, const Pair& p, const std::vector<RuleResult>& results,
                     const std::vector<std::vector<Pair>>& scopes) {
  StructRow row;
  row.name = p.subject;
  const std::string& n = p.subject;
  if (p.old_r) row.old_stats = ev.stats(*p.old_r);
  if (p.new_r) row.new_stats = ev.stats(*p.new_r);
  row.problem = p.missing();
  row.old_choices = p.old_choices;
  row.new_choices = p.new_choices;
  if (row.old_stats && row.new_stats) row.slack_loss = slack_loss(*row.old_stats, *row.new_stats);
  if (p.old_r && p.new_r) {
    RecordDiff d = diff_records(*p.old_r, *p.new_r, ev.diff_options(ev.maps()));
    for (const MemberDiff& m : d.members)
      if (m.has(Change::LeftUnion) || m.has(Change::EnteredUnion)) row.union_changes.push_back(m);
    row.suppressed = d.suppressed;
    if (ev.maps()) {
      if (d.status == RecordStatus::Unchanged) d.new_map = std::make_shared<const LayoutMap>(ev.map(*p.new_r));
      row.diff = std::make_shared<const RecordDiff>(std::move(d));
    }
  } else if (ev.maps() && (p.old_r || p.new_r)) {  // one side: its picture alone
    RecordDiff d;
    d.name = p.subject;
    d.status = p.old_r ? RecordStatus::Removed : RecordStatus::Added;
    (p.old_r ? d.old_map : d.new_map) = std::make_shared<const LayoutMap>(ev.map(p.old_r ? *p.old_r : *p.new_r));
    row.diff = std::make_shared<const RecordDiff>(std::move(d));
  }
  for (size_t i = 0; i < results.size(); ++i) row.cells.push_back(cell(results[i], scopes[i], n));
  return row;
}

}  // namespace

std::vector<std::string> structs_needed(const std::vector<Rule>& rules, const CheckOptions& o) {
  for (const Rule& r : rules)
    if (r.target == "all") return {};
  std::vector<std::string> names = row_names(rules, o);
  for (const Rule& r : rules)
    if (r.target.empty() && names.empty()) return {};  // a limit-only rule over everything
  return names;
}

// Rows a config's table holds before the rest are counted as "N more rows (--all)".
constexpr size_t kMaxRows = 50;

ConfigResult evaluate_config(const std::vector<Rule>& rules, const RecordSet& old_s, const RecordSet& new_s,
                             const CheckOptions& o) {
  std::vector<std::string> rows = row_names(rules, o);
  if (auto file = nothing_readable(rules, rows, old_s, new_s)) {
    ConfigResult e = error_config("", old_s.source, new_s.source, "");
    e.no_structs_in = *file;
    return e;
  }
  Evaluator ev(old_s, new_s, o);
  ConfigResult cr;
  cr.old_source = old_s.source;
  cr.new_source = new_s.source;
  for (const std::string& n : o.names)
    if (ev.pair(n).missing() == Problem::MissingBoth) cr.unknown_names.push_back(n);
  if (!cr.unknown_names.empty()) cr.verdict = Verdict::Error;

  std::vector<std::vector<Pair>> scopes;
  for (const Rule& r : rules) {
    scopes.push_back(ev.scope(r, rows));
    cr.results.push_back(ev.evaluate(r, scopes.back(), covers_everything(r, rows)));
    cr.verdict = worst(cr.verdict, cr.results.back().verdict);
  }
  // Structs that failed a rule over "all" get a row too, as that rule paired them.
  std::vector<Pair> row_pairs;
  for (const std::string& n : rows) row_pairs.push_back(ev.pair(n));
  cr.all = o.all;
  std::set<std::string> omitted;
  for (size_t i = 0; i < cr.results.size(); ++i)
    for (const std::string& n : cr.results[i].offenders()) {
      if (std::find(rows.begin(), rows.end(), n) != rows.end()) continue;
      if (!o.all && rows.size() >= kMaxRows) {
        omitted.insert(n);
        continue;
      }
      rows.push_back(n);
      for (const Pair& p : scopes[i])
        if (p.subject == n) {
          row_pairs.push_back(p);
          break;
        }
    }
  cr.rows_omitted = omitted.size();
  for (const Pair& p : row_pairs) cr.structs.push_back(struct_row(ev, p, cr.results, scopes));
  return cr;
}

ConfigResult error_config(const std::string& label, const std::string& old_source, const std::string& new_source,
                          const std::string& message) {
  ConfigResult cr = status_config(label, ConfigStatus::Error, message);
  cr.old_source = old_source;
  cr.new_source = new_source;
  return cr;
}

ConfigResult status_config(const std::string& label, ConfigStatus status, const std::string& message,
                           const std::string& log, const SourceLoc& where) {
  ConfigResult cr;
  cr.label = label;
  cr.status = status;
  cr.detail = message;
  cr.log = log;
  cr.where = where;
  cr.verdict = status == ConfigStatus::Checked ? Verdict::Pass : Verdict::Error;
  return cr;
}

namespace {

bool allowed(const ConfigResult& c, const CheckOptions& o) {
  return o.allow_all_skips || std::find(o.allow_skip.begin(), o.allow_skip.end(), c.label) != o.allow_skip.end();
}

CheckSummary summarize(const std::vector<ConfigResult>& configs) {
  CheckSummary s;
  s.configs = configs.size();
  for (const ConfigResult& c : configs) {
    if (c.status != ConfigStatus::Checked) {
      ++s.not_checked;
      c.allowed ? ++s.allowed : ++s.errors;
      continue;
    }
    ++s.checked;
    s.rule_errors += c.unknown_names.size();
    for (const RuleResult& rr : c.results) {
      ++s.checks;
      s.failed += rr.verdict == Verdict::Fail;
      s.rule_errors += rr.verdict == Verdict::Error;
    }
  }
  s.errors += s.rule_errors;
  return s;
}

}  // namespace

CheckResult make_check_result(std::vector<Rule> rules, std::vector<ConfigResult> configs, const CheckOptions& o,
                              bool matrix) {
  CheckResult r;
  r.rules = std::move(rules);
  r.configs = std::move(configs);
  r.cacheline_size = o.cacheline_size;
  r.matrix = matrix;
  for (ConfigResult& c : r.configs) c.allowed = c.status != ConfigStatus::Checked && allowed(c, o);
  r.summary = summarize(r.configs);
  r.verdict = r.summary.checked == 0 || r.rules.empty() ? Verdict::Error : Verdict::Pass;
  for (const ConfigResult& c : r.configs)
    if (!c.allowed) r.verdict = worst(r.verdict, c.verdict);
  return r;
}

}  // namespace padguard
