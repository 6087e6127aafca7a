// Rule parsing (flags, TOML policy) and evaluation over a before/after pair.
// Fail closed: a rule that cannot be evaluated (struct or member missing) is
// an Error, never a Pass.
#include "padguard/rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <toml++/toml.h>

#include "padguard/error.hpp"

namespace padguard {

const char* rule_kind_name(RuleKind k) {
  switch (k) {
    case RuleKind::NoGrowth: return "no-growth";
    case RuleKind::MaxGrowth: return "max-growth";
    case RuleKind::MaxCachelines: return "max-cachelines";
    case RuleKind::Disjoint: return "disjoint";
    case RuleKind::NoNewHoles: return "no-new-holes";
    case RuleKind::MaxSlackLoss: return "max-slack-loss";
  }
  return "?";
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "PASS";
    case Verdict::Fail: return "FAIL";
    case Verdict::Error: return "ERROR";
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

std::string Rule::spec() const {
  std::string s = rule_kind_name(kind);
  switch (kind) {
    case RuleKind::NoGrowth:
    case RuleKind::NoNewHoles:
      return s + " " + target;
    case RuleKind::MaxGrowth:
    case RuleKind::MaxCachelines:
      return fmt::format("{} {}={}", s, target, limit);
    case RuleKind::MaxSlackLoss:
      return target.empty() ? fmt::format("{} {}", s, limit) : fmt::format("{} {}={}", s, target, limit);
    case RuleKind::Disjoint:
      return fmt::format("{} {}.{},{}.{}", s, target, member_a, target, member_b);
  }
  return s;
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
    bad(origin, fmt::format("{}: '{}' is not a non-negative number of bytes/lines", rule, s));
  return v;
}

bool valid_name(const std::string& n) {
  return !n.empty() && n.find_first_of(" \t=,") == std::string::npos;
}

Rule named_limit(RuleKind k, const std::string& item, const std::string& origin) {
  const std::string rn = rule_kind_name(k);
  const size_t eq = item.find('=');
  if (eq == std::string::npos) {
    if (k == RuleKind::MaxSlackLoss) return Rule{k, "", "", "", number(item, origin, rn)};
    bad(origin, fmt::format("{}: expected NAME=N, got '{}' (e.g. --{} task_struct=0)", rn, item, rn));
  }
  Rule r{k, trim(std::string_view(item).substr(0, eq)), "", "", 0};
  if (!valid_name(r.target)) bad(origin, fmt::format("{}: missing struct name in '{}'", rn, item));
  r.limit = number(trim(std::string_view(item).substr(eq + 1)), origin, rn);
  return r;
}

Rule disjoint(std::string_view value, const std::string& origin) {
  const std::vector<std::string> parts = split(value, ',');
  const std::string usage = "expected STRUCT.a,STRUCT.b (e.g. task_struct.rcu_users,task_struct.rcu)";
  if (parts.size() != 2) bad(origin, fmt::format("disjoint: {}, got '{}'", usage, value));
  std::string st[2], mem[2];
  for (int i = 0; i < 2; ++i) {
    const size_t dot = parts[i].find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == parts[i].size())
      bad(origin, fmt::format("disjoint: {}, got '{}'", usage, value));
    st[i] = parts[i].substr(0, dot);
    mem[i] = parts[i].substr(dot + 1);
  }
  if (st[0] != st[1]) bad(origin, fmt::format("disjoint: both members must be of one struct, got '{}'", value));
  return Rule{RuleKind::Disjoint, st[0], mem[0], mem[1], 0};
}

std::optional<RuleKind> kind_from_name(std::string_view n) {
  for (RuleKind k : {RuleKind::NoGrowth, RuleKind::MaxGrowth, RuleKind::MaxCachelines, RuleKind::Disjoint,
                     RuleKind::NoNewHoles, RuleKind::MaxSlackLoss})
    if (n == rule_kind_name(k)) return k;
  return std::nullopt;
}

}  // namespace

std::vector<Rule> parse_rule(std::string_view name, std::string_view value, const std::string& origin) {
  const std::optional<RuleKind> k = kind_from_name(name);
  if (!k)
    bad(origin, fmt::format("unknown rule '{}'; known: no-growth, max-growth, max-cachelines, disjoint, "
                            "no-new-holes, max-slack-loss", name));
  if (*k == RuleKind::Disjoint) return {disjoint(value, origin)};
  std::vector<Rule> out;
  for (const std::string& item : split(value, ',')) {
    if (item.empty()) bad(origin, fmt::format("{}: empty struct name in '{}'", name, value));
    if (*k == RuleKind::NoGrowth || *k == RuleKind::NoNewHoles) {
      if (!valid_name(item)) bad(origin, fmt::format("{}: '{}' is not a struct name", name, item));
      out.push_back(Rule{*k, item, "", "", 0});
    } else {
      out.push_back(named_limit(*k, item, origin));
    }
  }
  return out;
}

std::vector<Rule> parse_policy_toml(std::string_view text, const std::string& origin) {
  toml::table tbl;
  try {
    tbl = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    bad(origin, fmt::format("line {}, column {}: {} (not valid TOML)", b.line, b.column, e.description()));
  }
  std::vector<Rule> out;
  auto add = [&](const std::string& key, const std::string& value) {
    for (Rule& r : parse_rule(key, value, origin)) out.push_back(std::move(r));
  };
  auto scalar = [&](const std::string& key, const toml::node& n) -> std::string {
    if (auto s = n.value<std::string>()) return *s;
    if (auto i = n.value<int64_t>(); i && *i >= 0) return std::to_string(*i);
    if (auto a = n.as_array(); a && key == "disjoint") {
      std::string joined;
      for (const toml::node& e : *a) {
        auto s = e.value<std::string>();
        if (!s) bad(origin, "disjoint: members must be strings like \"task_struct.rcu\"");
        joined += (joined.empty() ? "" : ",") + *s;
      }
      return joined;
    }
    bad(origin, fmt::format("{}: unexpected value; see docs/JSON.md for the policy format", key));
  };
  // In the file's order, so the verdict lines follow the policy.
  std::vector<std::pair<std::string, const toml::node*>> entries;
  for (const auto& [k, v] : tbl) entries.emplace_back(std::string(k.str()), &v);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.second->source().begin.line < b.second->source().begin.line;
  });
  for (const auto& [key, node] : entries) {
    const toml::node& v = *node;
    if (!kind_from_name(key))
      bad(origin, fmt::format("unknown key '{}'; known: no-growth, max-growth, max-cachelines, disjoint, "
                              "no-new-holes, max-slack-loss", key));
    if (const toml::array* a = v.as_array()) {
      for (const toml::node& e : *a) add(key, scalar(key, e));
    } else if (const toml::table* t = v.as_table()) {
      for (const auto& [name, n] : *t) add(key, std::string(name.str()) + "=" + scalar(key, n));
    } else {
      add(key, scalar(key, v));
    }
  }
  if (out.empty()) bad(origin, "policy has no rules");
  return out;
}

// ---- evaluation -------------------------------------------------------------

namespace {

using RecordMap = std::map<std::string, const Record*>;

RecordMap by_name(const RecordSet& s) {
  RecordMap m;
  for (const auto& r : s.records) m.emplace(r->name, r.get());
  return m;
}

struct Pair {
  const Record* old_r = nullptr;
  const Record* new_r = nullptr;
};

class Evaluator {
 public:
  Evaluator(const RecordSet& o, const RecordSet& n, const CheckOptions& opts)
      : old_s_(o), new_s_(n), om_(by_name(o)), nm_(by_name(n)), opts_(opts) {}

  // Structs a rule applies to; `rows` are the structs the check names.
  std::vector<std::string> scope(const Rule& r, const std::vector<std::string>& rows) const {
    if (r.target == "all" || (r.target.empty() && rows.empty())) {
      std::vector<std::string> common;
      for (const auto& [n, rec] : om_)
        if (nm_.count(n)) common.push_back(n);
      return common;
    }
    if (r.target.empty()) return rows;
    return {r.target};
  }

  Pair pair(const std::string& name) const {
    Pair p;
    if (auto it = om_.find(name); it != om_.end()) p.old_r = it->second;
    if (auto it = nm_.find(name); it != nm_.end()) p.new_r = it->second;
    return p;
  }

  std::string missing_reason(const std::string& name, const Pair& p) const {
    if (!p.old_r && !p.new_r)
      return fmt::format("struct '{}' not found in {} nor in {}", name, old_s_.source, new_s_.source);
    return fmt::format("struct '{}' not found in {}", name, p.old_r ? new_s_.source : old_s_.source);
  }

  RecordStats stats(const Record& r) const { return record_stats(r, opts_.cacheline_size); }

  // The declaration most likely responsible for a change: the first added,
  // resized or moved member, else the struct itself.
  SourceLoc blame(const Pair& p) const {
    const RecordDiff d = diff_records(*p.old_r, *p.new_r, {opts_.cacheline_size});
    for (Change c : {Change::Added, Change::Resized, Change::Moved, Change::Retyped})
      for (const MemberDiff& m : d.members)
        if (m.has(c) && m.new_m && !m.new_m->decl.file.empty()) return m.new_m->decl;
    return p.new_r->decl;
  }

  // One struct under a size-like rule: verdict and "numbers" text.
  std::pair<Verdict, std::string> one(const Rule& r, const Pair& p) const {
    const RecordStats a = stats(*p.old_r);
    const RecordStats b = stats(*p.new_r);
    const int64_t delta = static_cast<int64_t>(b.size) - static_cast<int64_t>(a.size);
    switch (r.kind) {
      case RuleKind::NoGrowth:
        return {delta > 0 ? Verdict::Fail : Verdict::Pass, fmt::format("{} -> {} bytes ({:+})", a.size, b.size, delta)};
      case RuleKind::MaxGrowth:
        return {delta > static_cast<int64_t>(r.limit) ? Verdict::Fail : Verdict::Pass,
                fmt::format("{} -> {} bytes ({:+}), limit +{}", a.size, b.size, delta, r.limit)};
      case RuleKind::MaxCachelines:
        return {b.cachelines > r.limit ? Verdict::Fail : Verdict::Pass,
                fmt::format("{} -> {} cachelines ({} bytes), limit {}", a.cachelines, b.cachelines, b.size, r.limit)};
      case RuleKind::NoNewHoles: {
        const bool worse = b.nr_holes > a.nr_holes || b.sum_holes > a.sum_holes;
        return {worse ? Verdict::Fail : Verdict::Pass,
                fmt::format("holes {} ({} bytes) -> {} ({} bytes)", a.nr_holes, a.sum_holes, b.nr_holes, b.sum_holes)};
      }
      case RuleKind::MaxSlackLoss: {
        const uint64_t loss = slack_loss(a, b);
        std::string text =
            loss ? fmt::format("tail padding {} -> {} with sizeof {} unchanged: {} bytes of slack lost "
                               "(hidden growth), {} left, limit {}",
                               a.padding, b.padding, b.size, loss, b.padding, r.limit)
                 : fmt::format("no slack lost (size {} -> {}, tail padding {} -> {}), limit {}", a.size, b.size,
                               a.padding, b.padding, r.limit);
        return {loss > r.limit ? Verdict::Fail : Verdict::Pass, text};
      }
      case RuleKind::Disjoint:
        break;
    }
    return {Verdict::Error, "internal: not a size rule"};
  }

  RuleResult size_rule(const Rule& r, const std::vector<std::string>& names) const {
    RuleResult res{r, Verdict::Pass, "", {}, std::nullopt};
    std::vector<std::string> errors, fails;
    std::string single;
    for (const std::string& n : names) {
      const Pair p = pair(n);
      if (!p.old_r || !p.new_r) {
        errors.push_back(missing_reason(n, p));
        continue;
      }
      auto [v, text] = one(r, p);
      single = text;
      if (v == Verdict::Fail) {
        res.offenders.push_back(n);
        fails.push_back(n + " " + text);
        if (!res.where) res.where = r.kind == RuleKind::MaxSlackLoss ? last_member(*p.new_r) : blame(p);
      }
    }
    if (!errors.empty()) {
      res.verdict = Verdict::Error;
      res.detail = join(errors, "; ");
    } else if (names.size() == 1) {
      res.verdict = fails.empty() ? Verdict::Pass : Verdict::Fail;
      res.detail = single;
    } else if (!fails.empty()) {
      res.verdict = Verdict::Fail;
      res.detail = fmt::format("{} of {} structs: {}", fails.size(), names.size(), join(first(fails, 10), "; "));
    } else {
      res.detail = fmt::format("{} structs checked", names.size());
    }
    return res;
  }

  RuleResult disjoint_rule(const Rule& r) const {
    RuleResult res{r, Verdict::Pass, "", {}, std::nullopt};
    const Pair p = pair(r.target);
    if (!p.old_r || !p.new_r) {
      res.verdict = Verdict::Error;
      res.detail = missing_reason(r.target, p);
      return res;
    }
    const FlatRecord fn = flatten(*p.new_r);
    const auto a = bytes_of(fn, r.member_a);
    const auto b = bytes_of(fn, r.member_b);
    if (a.empty() || b.empty()) {
      res.verdict = Verdict::Error;
      res.detail = fmt::format("struct {} in {} has no member '{}'; name it by its C access path (anonymous "
                               "unions are transparent, e.g. rcu_users)",
                               r.target, new_s_.source, a.empty() ? r.member_a : r.member_b);
      return res;
    }
    const uint64_t shared = overlap(a, b);
    const FlatRecord fo = flatten(*p.old_r);
    const auto oa = bytes_of(fo, r.member_a);
    const auto ob = bytes_of(fo, r.member_b);
    std::string before;
    if (!oa.empty() && !ob.empty()) before = fmt::format(" (before: {})", sharing_text(overlap(oa, ob)));
    res.detail = fmt::format("{} {} and {} {}: {}{}", r.member_a, ranges_text(a), r.member_b, ranges_text(b),
                             sharing_text(shared), before);
    if (shared) {
      res.verdict = Verdict::Fail;
      res.offenders.push_back(r.target);
      res.where = decl_of(fn, r.member_a);
    }
    return res;
  }

 private:
  using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;  // [begin, end) bytes

  static bool under(const std::string& key, const std::string& name) {
    return key == name || (key.size() > name.size() && key.compare(0, name.size(), name) == 0 &&
                           key[name.size()] == '.');
  }

  // The member by C access path (or display path); a named inline record
  // stands for all of its leaves.
  static Ranges bytes_of(const FlatRecord& f, const std::string& name) {
    Ranges out;
    for (const FlatMember& m : f.members)
      if (under(m.key, name) || under(m.path, name)) out.emplace_back(m.begin_byte(), m.end_byte());
    return out;
  }

  static std::optional<SourceLoc> decl_of(const FlatRecord& f, const std::string& name) {
    for (const FlatMember& m : f.members)
      if ((under(m.key, name) || under(m.path, name)) && !m.decl.file.empty()) return m.decl;
    return std::nullopt;
  }

  static uint64_t overlap(const Ranges& a, const Ranges& b) {
    std::set<uint64_t> bytes_a, common;
    for (auto [x, y] : a)
      for (uint64_t i = x; i < y; ++i) bytes_a.insert(i);
    for (auto [x, y] : b)
      for (uint64_t i = x; i < y; ++i)
        if (bytes_a.count(i)) common.insert(i);
    return common.size();
  }

  static std::string ranges_text(const Ranges& r) {
    uint64_t lo = UINT64_MAX, hi = 0;
    for (auto [x, y] : r) lo = std::min(lo, x), hi = std::max(hi, y);
    return fmt::format("[{}, {})", lo, hi);
  }

  static std::string sharing_text(uint64_t n) {
    return n ? fmt::format("share {} byte{}", n, n == 1 ? "" : "s") : std::string("share no byte");
  }

  static std::optional<SourceLoc> last_member(const Record& r) {
    const FlatRecord f = flatten(r);
    for (auto it = f.members.rbegin(); it != f.members.rend(); ++it)
      if (!it->decl.file.empty()) return it->decl;
    return r.decl;
  }

  static std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
  }

  static std::vector<std::string> first(std::vector<std::string> v, size_t n) {
    if (v.size() > n) {
      const size_t more = v.size() - n;
      v.resize(n);
      v.push_back(fmt::format("and {} more", more));
    }
    return v;
  }

  const RecordSet& old_s_;
  const RecordSet& new_s_;
  RecordMap om_, nm_;
  const CheckOptions& opts_;
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

Verdict worst(Verdict a, Verdict b) { return static_cast<int>(a) > static_cast<int>(b) ? a : b; }

}  // namespace

std::vector<std::string> structs_needed(const std::vector<Rule>& rules, const CheckOptions& o) {
  for (const Rule& r : rules)
    if (r.target == "all") return {};
  std::vector<std::string> names = row_names(rules, o);
  for (const Rule& r : rules)
    if (r.target.empty() && names.empty()) return {};  // max-slack-loss over everything
  return names;
}

ConfigResult evaluate_config(const std::vector<Rule>& rules, const RecordSet& old_s, const RecordSet& new_s,
                             const CheckOptions& o) {
  Evaluator ev(old_s, new_s, o);
  ConfigResult cr;
  cr.old_source = old_s.source;
  cr.new_source = new_s.source;
  std::vector<std::string> rows = row_names(rules, o);

  std::vector<std::vector<std::string>> scopes;
  for (const Rule& r : rules) {
    scopes.push_back(ev.scope(r, rows));
    cr.results.push_back(r.kind == RuleKind::Disjoint ? ev.disjoint_rule(r) : ev.size_rule(r, scopes.back()));
    cr.verdict = worst(cr.verdict, cr.results.back().verdict);
  }
  // Structs that failed a rule over "all" get a row too.
  for (const RuleResult& rr : cr.results)
    for (const std::string& n : rr.offenders)
      if (std::find(rows.begin(), rows.end(), n) == rows.end() && rows.size() < 50) rows.push_back(n);

  for (const std::string& n : rows) {
    StructRow row;
    row.name = n;
    const Pair p = ev.pair(n);
    if (p.old_r) row.old_stats = ev.stats(*p.old_r);
    if (p.new_r) row.new_stats = ev.stats(*p.new_r);
    if (!p.old_r || !p.new_r) row.error = ev.missing_reason(n, p);
    if (row.old_stats && row.new_stats) row.slack_loss = slack_loss(*row.old_stats, *row.new_stats);
    for (size_t i = 0; i < rules.size(); ++i) {
      const auto& sc = scopes[i];
      const bool applies = std::find(sc.begin(), sc.end(), n) != sc.end() || rules[i].target == n;
      if (!applies) {
        row.rule_cells.push_back("-");
      } else if (!row.error.empty()) {
        row.rule_cells.push_back(verdict_name(Verdict::Error));
      } else {
        const auto& off = cr.results[i].offenders;
        const bool failed = std::find(off.begin(), off.end(), n) != off.end();
        const Verdict v = failed ? Verdict::Fail
                                 : (cr.results[i].verdict == Verdict::Error && rules[i].target == n ? Verdict::Error
                                                                                                   : Verdict::Pass);
        row.rule_cells.push_back(verdict_name(v));
      }
    }
    cr.structs.push_back(std::move(row));
  }
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
                           const std::string& log) {
  ConfigResult cr;
  cr.label = label;
  cr.status = status;
  cr.detail = message;
  cr.log = log;
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
