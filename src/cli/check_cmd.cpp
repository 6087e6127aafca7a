// `padguard check`: rules (flags and/or a TOML policy) over one OLD NEW pair
// or many labelled pairs (--pair, --manifest). Exit 0 all hold, 1 a rule
// failed, 2 usage or input error; an input error never passes.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "padguard/error.hpp"
#include "padguard/facts.hpp"
#include "padguard/pairing.hpp"
#include "padguard/render.hpp"
#include "padguard/report_text.hpp"
#include "padguard/rule_table.hpp"
#include "padguard/regular_file.hpp"
#include "padguard/rules.hpp"
#include "policy.hpp"

namespace padguard::cli {

namespace {

PairSpec checked_pair(std::string label, std::string old_file, std::string new_file) {
  PairSpec p;
  p.label = std::move(label);
  p.old_file = std::move(old_file);
  p.new_file = std::move(new_file);
  return p;
}

}  // namespace

PairSpec parse_pair(const std::string& spec, const std::string& origin) {
  const size_t eq = spec.find('=');
  // OLD may be spelled build-id:HEX itself (--build-id's form); its colon is not the separator.
  const size_t old_at = eq == std::string::npos ? eq : eq + 1;
  const size_t skip = old_at != std::string::npos && spec.compare(old_at, 9, "build-id:") == 0 ? 9 : 0;
  const size_t colon = eq == std::string::npos ? std::string::npos : spec.find(':', old_at + skip);
  if (eq == 0 || eq == std::string::npos || colon == std::string::npos || colon == eq + 1 || colon + 1 == spec.size())
    throw InputError(origin, "expected LABEL=OLD:NEW, got '" + spec + "' (e.g. x86_64=before.o:after.o)");
  return checked_pair(spec.substr(0, eq), spec.substr(eq + 1, colon - eq - 1), spec.substr(colon + 1));
}

namespace {

std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

std::string trim_ws(std::string s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "%XX" escapes of a status token's FILE (its producer encodes '%', ':',
// blanks and control characters, so the token is one word and its last ':'
// starts the line).
std::string percent_decode(const std::string& s, const std::string& where) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 2 < s.size() ? hex_digit(s[i + 1]) : -1, lo = hi < 0 ? -1 : hex_digit(s[i + 2]);
    if (lo < 0) throw InputError(where, "bad %-escape in '" + s + "' (a '%' in FILE is written %25)");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// "@FILE[:LINE]" after a status: where the config failed.
SourceLoc status_location(const std::string& at, const std::string& where) {
  SourceLoc loc;
  std::string file = at;
  if (const size_t colon = at.rfind(':'); colon != std::string::npos) {
    const std::string n = at.substr(colon + 1);
    if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != std::string::npos)
      throw InputError(where, "expected !STATUS@FILE[:LINE] with a line number, got '@" + at +
                                  "' (a ':' in FILE is written %3A)");
    loc.line = static_cast<uint32_t>(std::stoul(n));
    file = at.substr(0, colon);
  }
  loc.file = percent_decode(file, where);
  if (loc.file.empty()) throw InputError(where, "'!STATUS@' names no file");
  return loc;
}

// "LABEL !STATUS[@FILE[:LINE]] MESSAGE...": the message is the rest of the
// line, verbatim ('#' is no comment there: compiler errors quote
// "#include"); a trailing "(log: PATH)" is split off.
PairSpec status_line(const std::string& line, const std::string& where) {
  std::istringstream in(line);
  PairSpec p;
  std::string st;
  in >> p.label >> st;
  const size_t at = st.find('@');
  const std::optional<ConfigStatus> s = config_status_from_name(st.substr(1, at == std::string::npos ? at : at - 1));
  if (!s || *s == ConfigStatus::Checked)
    throw InputError(where, "unknown status '" + st.substr(0, at) + "'; known: !build-failed, !skipped, !error");
  p.status = *s;
  if (at != std::string::npos) p.where = status_location(st.substr(at + 1), where);
  std::string rest;
  std::getline(in, rest);
  p.message = trim_ws(rest);
  const std::string tag = "(log: ";
  if (const size_t lt = p.message.rfind(tag); lt != std::string::npos && p.message.back() == ')') {
    p.log = trim_ws(p.message.substr(lt + tag.size(), p.message.size() - lt - tag.size() - 1));
    p.message = trim_ws(p.message.substr(0, lt));
  }
  return p;
}

}  // namespace

// One pair per line: "LABEL OLD NEW", "LABEL=OLD:NEW" or "LABEL
// !STATUS[@FILE[:LINE]] MESSAGE"; '#' starts a comment. OLD/NEW may be
// build-id:HEX. Relative paths are relative to the
// manifest's directory.
std::vector<PairSpec> read_manifest(const std::string& path) {
  std::istringstream in(read_regular_file(path, "a manifest file (lines LABEL OLD NEW)"));
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  auto resolve = [&](const std::string& p) {
    const bool build_id = p.rfind("build-id:", 0) == 0;  // --build-id's spelling, not a path
    return std::filesystem::path(p).is_absolute() || dir.empty() || build_id ? p : (dir / p).string();
  };
  std::vector<PairSpec> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const std::string where = path + ":" + std::to_string(n);
    std::vector<std::string> w = words_of(line);
    if (w.size() >= 2 && w[0][0] != '#' && w[1][0] == '!') {
      out.push_back(status_line(line, where));
      out.back().origin = where;
      continue;
    }
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    w = words_of(line);
    if (w.empty()) continue;
    PairSpec p = w.size() == 3 ? checked_pair(w[0], w[1], w[2])
                 : w.size() == 1 ? parse_pair(w[0], where)
                                 : throw InputError(where, "expected 'LABEL OLD NEW', 'LABEL=OLD:NEW' or "
                                                           "'LABEL !build-failed|!skipped|!error[@FILE:LINE] MESSAGE'");
    p.old_file = resolve(p.old_file);
    p.new_file = resolve(p.new_file);
    p.origin = where;
    out.push_back(p);
  }
  if (out.empty()) throw InputError(path, "the manifest lists no pairs");
  return out;
}

namespace {

std::vector<Rule> gather_rules(const CheckCmdOptions& o, Suppressions& suppress) {
  std::vector<Rule> rules;
  if (!o.policy.empty()) {
    Policy p = parse_policy(read_regular_file(o.policy, "a TOML policy file"), o.policy);
    rules = std::move(p.rules);
    suppress = std::move(p.suppress);
  }
  const auto table = rule_table();
  for (size_t i = 0; i < table.size() && i < o.rule_values.size(); ++i)
    for (const std::string& v : o.rule_values[i])
      for (Rule& r : parse_rule(table[i].name, v, std::string("--") + table[i].name)) rules.push_back(std::move(r));
  if (rules.empty())
    throw InputError("", "check: no rules given; pass e.g. --no-growth task_struct or --policy FILE");
  return rules;
}

std::vector<PairSpec> gather_pairs(const CheckCmdOptions& o) {
  std::vector<PairSpec> pairs;
  for (const std::string& p : o.pairs) {
    pairs.push_back(parse_pair(p, "--pair"));
    pairs.back().origin = "--pair " + p;
  }
  if (!o.manifest.empty())
    for (PairSpec& p : read_manifest(o.manifest)) pairs.push_back(std::move(p));
  for (size_t i = 0; i < pairs.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (pairs[i].label == pairs[j].label)
        throw InputError(pairs[i].origin, "duplicate config label '" + pairs[i].label + "' (first at " +
                                              pairs[j].origin + "); give every config its own label");
  if (!o.baseline.empty()) {
    const std::string old = baseline_old_side(o);  // validates o.files first
    return {checked_pair("", old, o.files[0])};
  }
  if (!o.files.empty() && !pairs.empty())
    throw InputError("", "check: give OLD NEW or --pair/--manifest, not both");
  if (o.files.size() == 2) pairs.push_back(checked_pair("", o.files[0], o.files[1]));
  else if (pairs.empty()) throw InputError("", "check: give OLD NEW, or labelled pairs with --pair LABEL=OLD:NEW");
  return pairs;
}

// Every struct the check could not find gets the nearest names of the side
// that lacks it ("did you mean").
void add_suggestions(ConfigResult& c, const PairSpec& p, const LoadOptions& lo) {
  auto hint = [&](const std::string& name, Problem pr) {
    if (c.suggestions.count(name)) return;
    c.suggestions[name] = spelling_suggestions(pr == Problem::MissingOld ? p.old_file : p.new_file, name, lo);
  };
  for (const std::string& n : c.unknown_names) hint(n, Problem::MissingBoth);
  for (const RuleResult& rr : c.results)
    for (const Finding& f : rr.findings)
      if (f.problem == Problem::MissingOld || f.problem == Problem::MissingNew || f.problem == Problem::MissingBoth)
        hint(f.subject, f.problem);
}

ConfigResult run_pair(const PairSpec& p, const std::vector<Rule>& rules, const CheckOptions& co,
                      const LoadOptions& lo, bool cross_arch) {
  if (p.status != ConfigStatus::Checked) return status_config(p.label, p.status, p.message, p.log, p.where);
  try {
    const RecordSet old_s = load_input(p.old_file, lo);
    const RecordSet new_s = load_input(p.new_file, lo);
    refuse_cross_arch(old_s, new_s, cross_arch);
    ConfigResult c = evaluate_config(rules, old_s, new_s, co);
    c.label = p.label;
    add_suggestions(c, p, lo);
    return c;
  } catch (const InputError& e) {
    return error_config(p.label, p.old_file, p.new_file, e.what());
  }
}

}  // namespace

// --allow-skip names labels of the run (a typo must not go unnoticed) or "all".
void set_allow_skip(const std::vector<std::string>& given, const std::vector<PairSpec>& pairs, CheckOptions& co) {
  for (const std::string& l : given) {
    if (l == "all") {
      co.allow_all_skips = true;
      continue;
    }
    const bool known = std::any_of(pairs.begin(), pairs.end(), [&](const PairSpec& p) { return p.label == l; });
    if (!known) {
      std::string labels;
      for (const PairSpec& p : pairs) labels += (labels.empty() ? "" : ", ") + p.label;
      throw InputError("--allow-skip", "no config labelled '" + l + "'; labels: " + labels);
    }
    co.allow_skip.push_back(l);
  }
}

void add_check(CLI::App& app, CheckCmdOptions& o) {
  CLI::App* sub = app.add_subcommand(
      "check", "gate on layout rules between builds (exit 0 all hold, 1 a rule failed, 2 usage/input error)");
  add_common(*sub, o.common);
  sub->add_option("--policy", o.policy, "TOML policy whose keys are the rule flag names");
  const auto table = rule_table();
  o.rule_values.resize(table.size());
  for (size_t i = 0; i < table.size(); ++i)
    sub->add_option(std::string("--") + table[i].name, o.rule_values[i],
                    std::string(table[i].argument) + ": " + table[i].help)
        ->allow_extra_args(false);
  sub->add_option("-C,--class_name", o.names, "also show these structs in the table")->delimiter(',')->allow_extra_args(false);
  sub->add_option("--pair", o.pairs, "LABEL=OLD:NEW, repeatable: check every config, one table and verdict")
      ->allow_extra_args(false);
  sub->add_option("--manifest", o.manifest,
                  "file of pairs, one per line: LABEL OLD NEW, or LABEL !build-failed|!skipped|!error[@FILE:LINE] MESSAGE");
  sub->add_option("--allow-skip", o.allow_skip,
                  "LABEL[,LABEL...] or 'all': these configs may go unchecked (still shown) without failing the gate")
      ->delimiter(',')->allow_extra_args(false);
  sub->add_flag("--allow-cross-arch", o.allow_cross_arch, kCrossArchHelp);
  sub->add_option("-c,--cacheline_size", o.cacheline, "cacheline size in bytes (default 64)")
      ->check(CLI::Range(1u, 1u << 20));
  add_suppress_flags(*sub, o.suppress);
  add_baseline_flags(*sub, o);
  sub->add_flag("--all", o.all, "list every offending struct: no 50-row table cap, no 'and N more' in rule lines");
  add_format(*sub, o.format, ResultKind::Check);
  add_color(*sub, o.color);
  sub->add_option("--junit", o.junit, "also write JUnit XML here, one test case per rule and config");
  sub->add_option("--source-root", o.source_root,
                  "github and junit formats: make declaration paths relative to this directory (default: .)");
  sub->add_option("FILES", o.files, "OLD NEW: ELF files with DWARF, or facts files (NEW alone with --baseline)")->expected(0, 2);
}

int run_check(const CheckCmdOptions& o) {
  if (o.update_baseline) {
    LoadOptions lo = o.common.load_options();
    lo.keep_layout_variants = true;
    return update_baseline(o, lo);
  }
  Suppressions suppress;
  const std::vector<Rule> rules = gather_rules(o, suppress);
  const std::vector<PairSpec> pairs = gather_pairs(o);
  CheckOptions co;
  co.suppress = o.suppress.apply(suppress);
  co.cacheline_size = o.cacheline;
  co.names = o.names;
  co.all = o.all;
  const Format format = format_of(o.format, ResultKind::Check);
  co.maps = format_info(format).maps;
  set_allow_skip(o.allow_skip, pairs, co);
  LoadOptions lo = o.common.load_options();
  lo.names = loaded_names(structs_needed(rules, co));
  // Every layout of a name: pairing (analysis/pairing.hpp) tells them apart
  // instead of taking the first.
  lo.keep_layout_variants = true;

  std::vector<ConfigResult> configs;
  for (const PairSpec& p : pairs) configs.push_back(run_pair(p, rules, co, lo, o.allow_cross_arch));
  const CheckResult res = make_check_result(rules, std::move(configs), co, pairs.size() > 1 || !pairs[0].label.empty());

  RenderOptions ro;
  ro.source_root = o.source_root.empty() ? "" : std::filesystem::absolute(o.source_root).lexically_normal().string();
  ro.color = use_color(o.color, format);
  const std::string out = render(res, format, ro);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  for (const ConfigResult& c : res.configs)
    if (c.status != ConfigStatus::Checked && !c.allowed)
      std::fprintf(stderr, "padguard: %s\n", config_status_line(c).c_str());

  if (!o.junit.empty()) {
    std::ofstream f(o.junit, std::ios::binary | std::ios::trunc);
    f << render(res, Format::Junit, ro);
    f.close();
    if (!f) throw InputError(o.junit, "cannot write the JUnit report; check the directory exists and is writable");
  }
  // GitHub Actions shows this file on the run's page: the markdown proof
  // beside the annotations (appended, as every step shares the file).
  const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
  if (format == Format::Github && summary && *summary) {
    std::ofstream f(summary, std::ios::binary | std::ios::app);
    f << render(res, Format::Markdown, ro);
    f.close();
    if (!f)
      throw InputError(summary, "cannot append the job summary ($GITHUB_STEP_SUMMARY); check the path is writable");
  }
  switch (res.verdict) {
    case Verdict::Pass: return kExitOk;
    case Verdict::Fail: return kExitChanged;
    case Verdict::Error: return kExitError;
  }
  return kExitError;
}

}  // namespace padguard::cli
