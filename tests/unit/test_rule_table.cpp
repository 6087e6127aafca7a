// The rule table is the one list of rules: flag parsing, the unknown-rule
// error, the JSON schema's rule enum and README's rules table must agree
// with it. A new rule that forgets the schema or the README fails here.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "padguard/error.hpp"
#include "padguard/rule_table.hpp"

using namespace padguard;

namespace {

std::filesystem::path repo_root() { return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path(); }

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// README's row for a rule, as the table says it should be.
std::string readme_row(const RuleDef& d) {
  std::string arg;
  for (char c : std::string(d.argument)) arg += c == '|' ? std::string("\\|") : std::string(1, c);
  return "  | `" + std::string(d.name) + "` | `" + arg + "` | " + d.help + " |";
}

}  // namespace

TEST_CASE("every table row parses, spells itself back and is known", "[rule_table][fast]") {
  REQUIRE(rule_table().size() >= 6);
  std::string known;
  for (const RuleDef& d : rule_table()) {
    CHECK(find_rule(d.name) == &d);
    CHECK(d.evaluate != nullptr);
    known += (known.empty() ? "" : ", ") + std::string(d.name);
    const std::string value = d.shape == ArgShape::MemberPair     ? "s.a,s.b"
                              : d.shape == ArgShape::Names        ? "s"
                              : d.shape == ArgShape::GroupLimits  ? "s.g=1"
                              : d.shape == ArgShape::GroupNames   ? "s.g"
                              : d.shape == ArgShape::GroupMembers ? "s.g=a,b"
                                                                  : "s=1";
    const std::vector<Rule> rules = parse_rule(d.name, value, "test");
    REQUIRE(rules.size() == 1);
    CHECK(rules[0].def == &d);
    CHECK(rules[0].spec() == std::string(d.name) + " " + value);
  }
  CHECK(known_rule_names() == known);
  try {
    parse_rule("no-such-rule", "x", "--x");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("known: " + known) != std::string::npos);
  }
}

TEST_CASE("the JSON schema's rule enum is the rule table", "[rule_table][fast]") {
  const auto schema = nlohmann::json::parse(slurp(repo_root() / "docs/schema/padguard.schema.json"));
  std::vector<std::string> want;
  for (const RuleDef& d : rule_table()) want.push_back(d.name);
  CHECK(schema.at("$defs").at("rule").at("properties").at("kind").at("enum").get<std::vector<std::string>>() == want);
}

TEST_CASE("README's rules table is the rule table", "[rule_table][fast]") {
  const std::string readme = slurp(repo_root() / "README.md");
  std::string expected;
  for (const RuleDef& d : rule_table()) expected += readme_row(d) + "\n";
  INFO("README.md should hold these rows, in this order:\n" << expected);
  CHECK(readme.find(expected) != std::string::npos);
}

TEST_CASE("signed_delta saturates instead of wrapping", "[rule_table][fast]") {
  CHECK(signed_delta(8, 16) == 8);
  CHECK(signed_delta(16, 8) == -8);
  CHECK(signed_delta(0, UINT64_MAX) == INT64_MAX);
  CHECK(signed_delta(UINT64_MAX, 0) == -INT64_MAX);
}
