// `padguard check`: rules (flags and/or a TOML policy) over one OLD NEW pair
// or many labelled pairs (--pair, --manifest). Exit 0 all hold, 1 a rule
// failed, 2 usage or input error; an input error never passes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "padguard/error.hpp"
#include "padguard/facts.hpp"
#include "padguard/json.hpp"
#include "padguard/report_ci.hpp"
#include "padguard/report_text.hpp"
#include "padguard/rules.hpp"

namespace padguard::cli {

namespace {

struct PairSpec {
  std::string label, old_file, new_file;
};

PairSpec parse_pair(const std::string& spec, const std::string& origin) {
  const size_t eq = spec.find('=');
  const size_t colon = eq == std::string::npos ? std::string::npos : spec.find(':', eq + 1);
  if (eq == 0 || eq == std::string::npos || colon == std::string::npos || colon == eq + 1 || colon + 1 == spec.size())
    throw InputError(origin, "expected LABEL=OLD:NEW, got '" + spec + "' (e.g. x86_64=before.o:after.o)");
  return {spec.substr(0, eq), spec.substr(eq + 1, colon - eq - 1), spec.substr(colon + 1)};
}

// One pair per line: "LABEL OLD NEW" or "LABEL=OLD:NEW"; '#' starts a
// comment. Relative paths are relative to the manifest's directory.
std::vector<PairSpec> read_manifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "cannot open the manifest; check the path");
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  auto resolve = [&](const std::string& p) {
    return std::filesystem::path(p).is_absolute() || dir.empty() ? p : (dir / p).string();
  };
  std::vector<PairSpec> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string x; words >> x;) w.push_back(x);
    if (w.empty()) continue;
    const std::string where = path + ":" + std::to_string(n);
    PairSpec p = w.size() == 3 ? PairSpec{w[0], w[1], w[2]}
                 : w.size() == 1 ? parse_pair(w[0], where)
                                 : throw InputError(where, "expected 'LABEL OLD NEW' or 'LABEL=OLD:NEW'");
    p.old_file = resolve(p.old_file);
    p.new_file = resolve(p.new_file);
    out.push_back(p);
  }
  if (out.empty()) throw InputError(path, "the manifest lists no pairs");
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the policy file; check the path");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Rule> gather_rules(const CheckCmdOptions& o) {
  std::vector<Rule> rules;
  if (!o.policy.empty())
    for (Rule& r : parse_policy_toml(read_text(o.policy), o.policy)) rules.push_back(std::move(r));
  const std::pair<const char*, const std::vector<std::string>*> flags[] = {
      {"no-growth", &o.no_growth},   {"max-growth", &o.max_growth},     {"max-cachelines", &o.max_cachelines},
      {"disjoint", &o.disjoint},     {"no-new-holes", &o.no_new_holes}, {"max-slack-loss", &o.max_slack_loss}};
  for (const auto& [name, values] : flags)
    for (const std::string& v : *values)
      for (Rule& r : parse_rule(name, v, std::string("--") + name)) rules.push_back(std::move(r));
  if (rules.empty())
    throw InputError("", "check: no rules given; pass e.g. --no-growth task_struct or --policy FILE");
  return rules;
}

std::vector<PairSpec> gather_pairs(const CheckCmdOptions& o) {
  std::vector<PairSpec> pairs;
  for (const std::string& p : o.pairs) pairs.push_back(parse_pair(p, "--pair"));
  if (!o.manifest.empty())
    for (PairSpec& p : read_manifest(o.manifest)) pairs.push_back(std::move(p));
  if (!o.files.empty() && !pairs.empty())
    throw InputError("", "check: give OLD NEW or --pair/--manifest, not both");
  if (o.files.size() == 2) pairs.push_back({"", o.files[0], o.files[1]});
  else if (pairs.empty()) throw InputError("", "check: give OLD NEW, or labelled pairs with --pair LABEL=OLD:NEW");
  return pairs;
}

ConfigResult run_pair(const PairSpec& p, const std::vector<Rule>& rules, const CheckOptions& co,
                      const LoadOptions& lo) {
  try {
    const RecordSet old_s = load_input(p.old_file, lo);
    const RecordSet new_s = load_input(p.new_file, lo);
    ConfigResult c = evaluate_config(rules, old_s, new_s, co);
    c.label = p.label;
    return c;
  } catch (const InputError& e) {
    return error_config(p.label, p.old_file, p.new_file, e.what());
  }
}

}  // namespace

void add_check(CLI::App& app, CheckCmdOptions& o) {
  CLI::App* sub = app.add_subcommand(
      "check", "gate on layout rules between builds (exit 0 all hold, 1 a rule failed, 2 usage/input error)");
  add_common(*sub, o.common);
  sub->add_option("--policy", o.policy, "TOML policy whose keys are the rule flag names");
  sub->add_option("--no-growth", o.no_growth, "NAME[,NAME...] or 'all': sizeof must not grow")
      ->allow_extra_args(false);
  sub->add_option("--max-growth", o.max_growth, "NAME=N: sizeof may grow by at most N bytes")
      ->allow_extra_args(false);
  sub->add_option("--max-cachelines", o.max_cachelines, "NAME=N: at most N cachelines after the change")
      ->allow_extra_args(false);
  sub->add_option("--disjoint", o.disjoint, "STRUCT.a,STRUCT.b: the two members share no byte after the change")
      ->allow_extra_args(false);
  sub->add_option("--no-new-holes", o.no_new_holes, "NAME[,NAME...] or 'all': no more holes nor hole bytes")
      ->allow_extra_args(false);
  sub->add_option("--max-slack-loss", o.max_slack_loss,
                  "N or NAME=N: at most N bytes of tail padding consumed while sizeof is unchanged")
      ->allow_extra_args(false);
  sub->add_option("-C,--class_name", o.names, "also show these structs in the table")->delimiter(',')->allow_extra_args(false);
  sub->add_option("--pair", o.pairs, "LABEL=OLD:NEW, repeatable: check every config, one table and verdict")
      ->allow_extra_args(false);
  sub->add_option("--manifest", o.manifest, "file of pairs, one per line: LABEL OLD NEW");
  sub->add_option("-c,--cacheline_size", o.cacheline, "cacheline size in bytes (default 64)")
      ->check(CLI::Range(1u, 1u << 20));
  sub->add_option("--format", o.format, "text (default), json or github")
      ->check(CLI::IsMember({"text", "json", "github"}));
  sub->add_option("--junit", o.junit, "also write JUnit XML here, one test case per rule and config");
  sub->add_option("--source-root", o.source_root,
                  "github format: make declaration paths relative to this directory (default: .)");
  sub->add_option("FILES", o.files, "OLD NEW: ELF files with DWARF, or facts files")->expected(0, 2);
}

int run_check(const CheckCmdOptions& o) {
  const std::vector<Rule> rules = gather_rules(o);
  const std::vector<PairSpec> pairs = gather_pairs(o);
  CheckOptions co;
  co.cacheline_size = o.cacheline;
  co.names = o.names;
  LoadOptions lo;
  lo.backend = o.common.backend_kind();
  lo.input = o.common.input_choice();
  lo.threads = o.common.threads;
  lo.names = structs_needed(rules, co);

  std::vector<ConfigResult> configs;
  for (const PairSpec& p : pairs) configs.push_back(run_pair(p, rules, co, lo));
  const CheckResult res = make_check_result(rules, std::move(configs), co, pairs.size() > 1 || !pairs[0].label.empty());

  std::string out;
  if (o.format == "json") {
    out = dump_json(check_json(res));
  } else if (o.format == "github") {
    GithubOptions go;
    go.source_root = o.source_root.empty() ? "" : std::filesystem::absolute(o.source_root).lexically_normal().string();
    out = render_github(res, go);
  } else {
    out = render_check_text(res);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  for (const ConfigResult& c : res.configs)
    if (!c.error.empty()) std::fprintf(stderr, "padguard: %s\n", c.error.c_str());

  if (!o.junit.empty()) {
    std::ofstream f(o.junit, std::ios::binary | std::ios::trunc);
    f << render_junit(res);
    f.close();
    if (!f) throw InputError(o.junit, "cannot write the JUnit report; check the directory exists and is writable");
  }
  switch (res.verdict) {
    case Verdict::Pass: return kExitOk;
    case Verdict::Fail: return kExitChanged;
    case Verdict::Error: return kExitError;
  }
  return kExitError;
}

}  // namespace padguard::cli
