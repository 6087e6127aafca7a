// Rule parsing (flags, TOML) and evaluation on hand-built record sets: every
// rule passes on one pair and fails on another; missing structs and members
// are errors, never passes.
#include <catch2/catch.hpp>

#include "padguard/error.hpp"
#include "padguard/rules.hpp"

#include "model_types.hpp"

using namespace padguard;

namespace {

Member mem(const std::string& name, uint64_t off, uint64_t size) { return test::scalar_member(name, off, size); }

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
  m.type = test::anon_record(rec("", size, std::move(ms), 0, RecordKind::Union));
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

TEST_CASE("no-growth passes when sizeof holds and fails when it grows", "[rules][fast]") {
  CHECK(verdict_of("no-growth", "t") == Verdict::Pass);
  CHECK(verdict_of("no-growth", "grow") == Verdict::Fail);
  const ConfigResult all = run("no-growth", "all");
  CHECK(all.verdict == Verdict::Fail);
  CHECK(all.results[0].offenders() == std::vector<std::string>{"grow"});
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
  REQUIRE(back.results[0].findings.size() == 1);
  const Finding& shared = back.results[0].findings[0];
  CHECK(shared.unit == Unit::BytesShared);
  CHECK(shared.new_value == 4u);
  CHECK(shared.old_value == 0u);
  CHECK(shared.delta == 4);
  REQUIRE(shared.spans.size() == 2);
  CHECK(shared.spans[0].member == "u");
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
  CHECK(r.structs[0].problem == Problem::MissingNew);
  CHECK(r.structs[0].cells == std::vector<std::optional<Verdict>>{Verdict::Error});
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

TEST_CASE("a rule that checked nothing is an error, never a pass", "[rules][empty][fast]") {
  const RecordSet empty = set_of("skeleton.o", {});
  for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{
           {"no-growth", "all"}, {"no-new-holes", "all"}, {"max-slack-loss", "0"}}) {
    const ConfigResult both = run(flag, value, empty, empty);
    CHECK(both.status == ConfigStatus::Error);
    CHECK(both.verdict == Verdict::Error);
    CHECK(both.no_structs_in == "skeleton.o");
    CHECK(run(flag, value, before(), empty).status == ConfigStatus::Error);  // one side empty is enough
  }
  // Both sides have structs, none in common: the rule has nothing to check.
  const RecordSet other = set_of("other.o", {rec("u", 8, {mem("x", 0, 8)})});
  const ConfigResult none = run("no-growth", "all", before(), other);
  CHECK(none.status == ConfigStatus::Checked);
  CHECK(none.verdict == Verdict::Error);
  CHECK(none.results[0].verdict == Verdict::Error);
  CHECK(none.results[0].findings.at(0).problem == Problem::NothingInCommon);
  // A struct on neither side, named by a rule or by -C, is an error naming it.
  const ConfigResult missing = run("no-growth", "nosuch");
  CHECK(missing.verdict == Verdict::Error);
  REQUIRE(missing.results[0].findings.size() == 1);
  CHECK(missing.results[0].findings[0].subject == "nosuch");
  CHECK(missing.results[0].findings[0].problem == Problem::MissingBoth);
  CheckOptions o;
  o.names = {"nosuch"};
  const ConfigResult shown = evaluate_config(parse_rule("no-growth", "t", "x"), before(), after(), o);
  CHECK(shown.results[0].verdict == Verdict::Pass);
  CHECK(shown.unknown_names == std::vector<std::string>{"nosuch"});
  CHECK(shown.verdict == Verdict::Error);
  CHECK(make_check_result(parse_rule("no-growth", "t", "x"), {shown}, o, false).verdict == Verdict::Error);
}

TEST_CASE("rule results are numbers: rule, subject, old, new, limit, delta, unit, verdict", "[rules][data][fast]") {
  const ConfigResult g = run("max-growth", "grow=7");
  REQUIRE(g.results.size() == 1);
  const RuleResult& rr = g.results[0];
  CHECK(rr.rule.name() == "max-growth");
  CHECK(rr.checked == 1);
  REQUIRE(rr.findings.size() == 1);
  const Finding& f = rr.findings[0];
  CHECK(f.subject == "grow");
  CHECK(f.old_value == 8u);
  CHECK(f.new_value == 16u);
  CHECK(f.limit == 7u);
  CHECK(f.delta == 8);
  CHECK(f.unit == Unit::Bytes);
  CHECK(f.verdict == Verdict::Fail);
  CHECK(rr.offenders() == std::vector<std::string>{"grow"});

  const ConfigResult cr = run("max-cachelines", "grow=0");
  const Finding& cl = cr.results[0].findings.at(0);
  CHECK(cl.unit == Unit::Cachelines);
  CHECK(cl.new_value == 1u);
  CHECK(cl.limit == 0u);
  const ConfigResult hr = run("no-new-holes", "t", after(), before());
  const Finding& holes = hr.results[0].findings.at(0);
  CHECK(holes.unit == Unit::Holes);
  CHECK(holes.old_value < holes.new_value);
  CHECK_FALSE(holes.limit);
  // no-growth over all keeps only what did not pass, but counts every struct.
  const ConfigResult ar = run("no-growth", "all");
  const RuleResult& all = ar.results[0];
  CHECK(all.checked == 2);
  REQUIRE(all.findings.size() == 1);
  CHECK(all.findings[0].subject == "grow");
  CHECK(std::string(unit_name(Unit::BytesShared)) == "bytes-shared");
}

TEST_CASE("limits at and above 2^63 never wrap", "[rules][data][fast]") {
  const auto big = parse_rule("max-growth", "grow=18446744073709551615", "--max-growth");
  CHECK(big[0].limit == UINT64_MAX);
  const ConfigResult r = evaluate_config(big, before(), after(), CheckOptions{});
  CHECK(r.verdict == Verdict::Pass);  // +8 <= 2^64-1
  CHECK(r.results[0].findings.at(0).limit == UINT64_MAX);
  CHECK(verdict_of("max-growth", "grow=9223372036854775808") == Verdict::Pass);
  CHECK(verdict_of("max-cachelines", "grow=18446744073709551615") == Verdict::Pass);
  CHECK(verdict_of("max-slack-loss", "t=18446744073709551615") == Verdict::Pass);
  CHECK_THROWS_AS(parse_rule("max-growth", "grow=18446744073709551616", "x"), InputError);
  // A shrink far larger than int64 saturates instead of wrapping.
  const RecordSet huge = set_of("h", {rec("grow", UINT64_MAX, {mem("x", 0, 8)})});
  const ConfigResult hc = evaluate_config(parse_rule("no-growth", "grow", "x"), huge, after(), {});
  const Finding& f = hc.results[0].findings.at(0);
  CHECK(f.delta == -INT64_MAX);
  CHECK(f.verdict == Verdict::Pass);
}

TEST_CASE("table cells are verdicts, absent where a rule does not apply", "[rules][data][fast]") {
  CheckOptions o;
  o.names = {"t"};
  const std::vector<Rule> rules = [] {
    auto r = parse_rule("no-growth", "grow", "x");
    auto d = parse_rule("disjoint", "t.u,t.v", "x");
    r.insert(r.end(), d.begin(), d.end());
    return r;
  }();
  const ConfigResult c = evaluate_config(rules, before(), after(), o);
  REQUIRE(c.structs.size() == 2);
  CHECK(c.structs[0].name == "t");
  CHECK(c.structs[0].cells == std::vector<std::optional<Verdict>>{std::nullopt, Verdict::Pass});
  CHECK(c.structs[1].cells == std::vector<std::optional<Verdict>>{Verdict::Fail, std::nullopt});
}
