// Rule parsing (flags, TOML) and evaluation on hand-built record sets: every
// rule passes on one pair and fails on another; missing structs and members
// are errors, never passes.
#include <catch2/catch.hpp>

#include "padguard/error.hpp"
#include "padguard/rules.hpp"

using namespace padguard;

namespace {

Member mem(const std::string& name, uint64_t off, uint64_t size) {
  Member m;
  m.name = name;
  m.spelling.type = size == 8 ? "long" : "int";
  m.bit_offset = off * 8;
  m.byte_size = size;
  m.natural_alignment = static_cast<uint32_t>(size);
  return m;
}

std::shared_ptr<Record> rec(const std::string& name, uint64_t size, std::vector<Member> ms, uint32_t align = 0,
                            RecordKind k = RecordKind::Struct) {
  auto r = std::make_shared<Record>();
  r->kind = k;
  r->name = name;
  r->byte_size = size;
  r->alignment = align;
  r->members = std::move(ms);
  return r;
}

Member anon_union(std::vector<Member> ms, uint64_t off, uint64_t size) {
  Member m;
  m.inline_record = rec("", size, std::move(ms), 0, RecordKind::Union);
  m.bit_offset = off * 8;
  m.byte_size = size;
  m.natural_alignment = 8;
  return m;
}

RecordSet set_of(const std::string& source, std::vector<std::shared_ptr<Record>> rs) {
  RecordSet s;
  s.source = source;
  for (auto& r : rs) s.records.push_back(r);
  return s;
}

// before: {a; union {u; v}; hole 4; z} = 32; after: union gone, 24 -> 32 same size.
RecordSet before() {
  return set_of("before.o", {rec("t", 32, {mem("a", 0, 8), anon_union({mem("u", 0, 4), mem("v", 0, 8)}, 8, 8),
                                          mem("c", 16, 4), mem("z", 24, 8)}),
                             rec("grow", 8, {mem("x", 0, 8)})});
}

RecordSet after() {
  return set_of("after.o", {rec("t", 32, {mem("a", 0, 8), mem("v", 8, 8), mem("c", 16, 4), mem("u", 20, 4),
                                         mem("z", 24, 8)}),
                            rec("grow", 16, {mem("x", 0, 8), mem("y", 8, 4)})});
}

ConfigResult run(const std::string& flag, const std::string& value, const RecordSet& a = before(),
                 const RecordSet& b = after()) {
  return evaluate_config(parse_rule(flag, value, "--" + flag), a, b, CheckOptions{});
}

Verdict verdict_of(const std::string& flag, const std::string& value, const RecordSet& a = before(),
                   const RecordSet& b = after()) {
  return run(flag, value, a, b).verdict;
}

}  // namespace

TEST_CASE("rule flags parse into rules and specs round-trip", "[rules][fast]") {
  const auto ng = parse_rule("no-growth", "a, b", "--no-growth");
  REQUIRE(ng.size() == 2);
  CHECK(ng[1].target == "b");
  CHECK(ng[0].spec() == "no-growth a");
  const auto mg = parse_rule("max-growth", "task_struct=8", "--max-growth");
  CHECK(mg[0].limit == 8);
  CHECK(mg[0].spec() == "max-growth task_struct=8");
  const auto dj = parse_rule("disjoint", "task_struct.rcu_users,task_struct.rcu", "--disjoint");
  REQUIRE(dj.size() == 1);
  CHECK(dj[0].member_a == "rcu_users");
  CHECK(dj[0].member_b == "rcu");
  CHECK(dj[0].spec() == "disjoint task_struct.rcu_users,task_struct.rcu");
  CHECK(parse_rule("max-slack-loss", "4", "x")[0].target.empty());
  CHECK(parse_rule("max-slack-loss", "t=4", "x")[0].target == "t");
}

TEST_CASE("malformed rule flags are input errors", "[rules][fast]") {
  CHECK_THROWS_AS(parse_rule("max-growth", "task_struct", "--max-growth"), InputError);
  CHECK_THROWS_AS(parse_rule("max-growth", "t=-1", "--max-growth"), InputError);
  CHECK_THROWS_AS(parse_rule("max-cachelines", "t=x", "--max-cachelines"), InputError);
  CHECK_THROWS_AS(parse_rule("disjoint", "a.x", "--disjoint"), InputError);
  CHECK_THROWS_AS(parse_rule("disjoint", "a.x,b.y", "--disjoint"), InputError);
  CHECK_THROWS_AS(parse_rule("no-growth", "a,,b", "--no-growth"), InputError);
  CHECK_THROWS_AS(parse_rule("no-such-rule", "a", "x"), InputError);
}

TEST_CASE("TOML policies use the flag names and reject unknown keys", "[rules][fast]") {
  const auto rules = parse_policy_toml(
      "no-growth = [\"t\"]\nmax-growth = { t = 8 }\nmax-cachelines = [\"t=1\"]\n"
      "disjoint = [[\"t.u\", \"t.v\"]]\nno-new-holes = \"t\"\nmax-slack-loss = 0\n",
      "p.toml");
  REQUIRE(rules.size() == 6);
  CHECK(rules[0].kind == RuleKind::NoGrowth);  // file order
  CHECK(rules[1].limit == 8);
  CHECK(rules[3].member_b == "v");
  CHECK(rules[5].kind == RuleKind::MaxSlackLoss);
  CHECK_THROWS_AS(parse_policy_toml("no-grwoth = [\"t\"]\n", "p.toml"), InputError);
  CHECK_THROWS_AS(parse_policy_toml("no-growth = [\n", "p.toml"), InputError);
  CHECK_THROWS_AS(parse_policy_toml("", "p.toml"), InputError);
  CHECK_THROWS_AS(parse_policy_toml("max-slack-loss = -1\n", "p.toml"), InputError);
}

TEST_CASE("no-growth passes when sizeof holds and fails when it grows", "[rules][fast]") {
  CHECK(verdict_of("no-growth", "t") == Verdict::Pass);
  CHECK(verdict_of("no-growth", "grow") == Verdict::Fail);
  const ConfigResult all = run("no-growth", "all");
  CHECK(all.verdict == Verdict::Fail);
  CHECK(all.results[0].offenders == std::vector<std::string>{"grow"});
}

TEST_CASE("max-growth and max-cachelines compare with their limits", "[rules][fast]") {
  CHECK(verdict_of("max-growth", "grow=8") == Verdict::Pass);
  CHECK(verdict_of("max-growth", "grow=7") == Verdict::Fail);
  CHECK(verdict_of("max-cachelines", "t=1") == Verdict::Pass);
  CHECK(verdict_of("max-cachelines", "grow=0") == Verdict::Fail);
}

TEST_CASE("disjoint resolves members through anonymous unions", "[rules][fast]") {
  CHECK(verdict_of("disjoint", "t.u,t.v") == Verdict::Pass);
  const ConfigResult back = run("disjoint", "t.u,t.v", after(), before());
  CHECK(back.verdict == Verdict::Fail);
  CHECK(back.results[0].detail.find("share 4 bytes") != std::string::npos);
  CHECK(verdict_of("disjoint", "t.u,t.nope") == Verdict::Error);
}

TEST_CASE("no-new-holes fails when a hole opens", "[rules][fast]") {
  CHECK(verdict_of("no-new-holes", "t") == Verdict::Pass);
  CHECK(verdict_of("no-new-holes", "t", after(), before()) == Verdict::Fail);
}

TEST_CASE("max-slack-loss counts tail padding consumed with sizeof unchanged", "[rules][fast]") {
  const RecordSet a = set_of("a", {rec("cl", 64, {mem("x", 0, 8)}, 64)});
  const RecordSet b = set_of("b", {rec("cl", 64, {mem("x", 0, 8), mem("y", 8, 8)}, 64)});
  const ConfigResult r = run("max-slack-loss", "cl=0", a, b);
  CHECK(r.verdict == Verdict::Fail);
  REQUIRE(r.structs.size() == 1);
  CHECK(r.structs[0].slack_loss == 8);
  CHECK(verdict_of("max-slack-loss", "cl=8", a, b) == Verdict::Pass);
  CHECK(verdict_of("no-growth", "cl", a, b) == Verdict::Pass);  // the growth no-growth cannot see
  CHECK(verdict_of("max-slack-loss", "0") == Verdict::Pass);  // no struct named: every common one
}

TEST_CASE("a struct missing on one side is an error, never a pass", "[rules][fast]") {
  const RecordSet empty = set_of("empty.o", {});
  const ConfigResult r = run("no-growth", "t", before(), empty);
  CHECK(r.verdict == Verdict::Error);
  REQUIRE(r.structs.size() == 1);
  CHECK_FALSE(r.structs[0].error.empty());
  CHECK(r.structs[0].rule_cells == std::vector<std::string>{"ERROR"});
}

TEST_CASE("the overall verdict is the worst config, and error rows or no rules never pass", "[rules][fast]") {
  const CheckOptions o;
  std::vector<ConfigResult> cs{run("no-growth", "t"), error_config("bad", "x", "y", "x: not an ELF file")};
  const CheckResult r = make_check_result(parse_rule("no-growth", "t", "x"), cs, o, true);
  CHECK(r.verdict == Verdict::Error);
  CHECK(make_check_result({}, {run("no-growth", "t")}, o, false).verdict == Verdict::Error);
  CHECK(make_check_result(parse_rule("no-growth", "t", "x"), {}, o, false).verdict == Verdict::Error);
  CHECK(make_check_result(parse_rule("no-growth", "t", "x"), {run("no-growth", "t")}, o, false).verdict ==
        Verdict::Pass);
}

TEST_CASE("structs_needed limits loading unless a rule covers all", "[rules][fast]") {
  CheckOptions o;
  o.names = {"extra"};
  CHECK(structs_needed(parse_rule("no-growth", "t", "x"), o) == std::vector<std::string>{"extra", "t"});
  CHECK(structs_needed(parse_rule("no-growth", "all", "x"), o).empty());
}

TEST_CASE("a config that was not checked is an ERROR row unless --allow-skip names it", "[rules][status][fast]") {
  const std::vector<Rule> rules = parse_rule("no-growth", "t", "x");
  auto labelled = [](ConfigResult c, const std::string& l) {
    c.label = l;
    return c;
  };
  const std::vector<ConfigResult> cs{labelled(run("no-growth", "t"), "x86_64"),
                                     status_config("riscv", ConfigStatus::BuildFailed, "fork.c:1: error: x", "b.log"),
                                     status_config("arm", ConfigStatus::Skipped, "no cross compiler")};
  CheckOptions o;
  const CheckResult strict = make_check_result(rules, cs, o, true);
  CHECK(strict.verdict == Verdict::Error);
  CHECK(strict.summary.configs == 3);
  CHECK(strict.summary.checked == 1);
  CHECK(strict.summary.not_checked == 2);
  CHECK(strict.summary.errors == 2);
  CHECK(strict.summary.allowed == 0);

  o.allow_skip = {"riscv"};
  const CheckResult one = make_check_result(rules, cs, o, true);
  CHECK(one.verdict == Verdict::Error);  // arm is still not allowed
  CHECK(one.configs[1].allowed);
  CHECK_FALSE(one.configs[2].allowed);

  o.allow_skip = {"riscv", "arm"};
  const CheckResult both = make_check_result(rules, cs, o, true);
  CHECK(both.verdict == Verdict::Pass);
  CHECK(both.configs.size() == 3);  // the rows stay
  CHECK(both.summary.allowed == 2);
  CHECK(both.summary.errors == 0);

  o.allow_skip.clear();
  o.allow_all_skips = true;
  CHECK(make_check_result(rules, cs, o, true).verdict == Verdict::Pass);
  // The checked configs still decide: a failure among them is a FAIL.
  std::vector<ConfigResult> failing = cs;
  failing[0] = labelled(run("no-growth", "grow"), "x86_64");
  CHECK(make_check_result(parse_rule("no-growth", "grow", "x"), failing, o, true).verdict == Verdict::Fail);
  // Zero checked configs is never a pass, allowed or not.
  const std::vector<ConfigResult> none{cs[1], cs[2]};
  const CheckResult empty = make_check_result(rules, none, o, true);
  CHECK(empty.verdict == Verdict::Error);
  CHECK(empty.summary.checked == 0);
}

TEST_CASE("config status names round-trip", "[rules][status][fast]") {
  for (ConfigStatus s : {ConfigStatus::Checked, ConfigStatus::BuildFailed, ConfigStatus::Skipped, ConfigStatus::Error})
    CHECK(config_status_from_name(config_status_name(s)) == s);
  CHECK(std::string(config_status_title(ConfigStatus::BuildFailed)) == "BUILD-FAILED");
  CHECK_FALSE(config_status_from_name("built"));
}
