// Renderers escape hostile names per format: a struct or member name (from
// DWARF or a facts file) holding a newline and a forged workflow command,
// '%', ',', ':', '<', '&' and ESC cannot forge a line, an annotation, a cell
// or markup in text, markdown, GitHub, JUnit or JSON output.
#include <catch2/catch.hpp>

#include "model_types.hpp"

#include <nlohmann/json.hpp>

#include "padguard/render.hpp"
#include "padguard/rules.hpp"

using namespace padguard;

namespace {

const std::string kEvil = "evil\n::error file=x::forged%,:<&\x1b[31m|`";

std::shared_ptr<Record> rec(const std::string& name, uint64_t size, const std::vector<std::pair<std::string, uint64_t>>& ms) {
  auto r = std::make_shared<Record>();
  r->name = name;
  r->byte_size = size;
  for (const auto& [n, off] : ms) {
    Member m;
    m.name = n;
    m.type = padguard::test::base("long", 8);
    m.bit_offset = off * 8;
    m.byte_size = 8;
    m.natural_alignment = 8;
    r->members.push_back(m);
  }
  r->decl = {kEvil + ".h", 3};
  return r;
}

RecordSet set(const std::string& src, std::shared_ptr<Record> r) {
  RecordSet s;
  s.source = src;
  s.records.push_back(std::move(r));
  return s;
}

CheckResult evil_check() {
  const RecordSet a = set("old.o", rec(kEvil, 8, {{"x", 0}}));
  const RecordSet b = set("new.o", rec(kEvil, 16, {{"x", 0}, {"y", 8}}));
  const std::vector<Rule> rules = parse_rule("no-growth", "all", "x");
  ConfigResult c = evaluate_config(rules, a, b, {});
  c.label = "lab:el,%";
  ConfigResult skipped = status_config("sk\nip", ConfigStatus::Skipped, "no cc\n::error ::forged <&>");
  return make_check_result(rules, {c, skipped}, {}, true);
}

// No output line may start a workflow command except our own annotations.
void no_forged_lines(const std::string& out) {
  size_t start = 0;
  while (start < out.size()) {
    const size_t nl = out.find('\n', start);
    const std::string line = out.substr(start, nl - start);
    INFO(line);
    CHECK(line.rfind("::error file=x", 0) == std::string::npos);  // a command must start its line
    CHECK(line.find('\x1b') == std::string::npos);
    start = nl == std::string::npos ? out.size() : nl + 1;
  }
}

}  // namespace

TEST_CASE("text escapes control characters in names", "[render][escape][fast]") {
  const std::string out = render(evil_check(), Format::Text, {});
  no_forged_lines(out);
  CHECK(out.find("evil\\n::error file=x::forged%,:<&\\x1b[31m|`") != std::string::npos);
}

TEST_CASE("markdown escapes cells, code, HTML and newlines", "[render][escape][fast]") {
  const std::string out = render(evil_check(), Format::Markdown, {});
  no_forged_lines(out);
  CHECK(out.find("evil\\n::error file=x::forged%,:&lt;&amp;\\x1b\\[31m\\|\\`") != std::string::npos);
  CHECK(out.find('<') == std::string::npos);  // no raw HTML at all
  // Every table row has the header's number of cells: no name split one.
  size_t pipes_head = 0;
  bool in_table = false;
  size_t start = 0;
  while (start < out.size()) {
    const size_t nl = out.find('\n', start);
    const std::string line = out.substr(start, nl - start);
    start = nl + 1;
    if (line.rfind("|", 0) != 0) continue;
    size_t pipes = 0;
    for (size_t i = 0; i < line.size(); ++i) pipes += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    if (!in_table) pipes_head = pipes, in_table = true;
    CHECK(pipes == pipes_head);
  }
  CHECK(pipes_head > 0);
}

TEST_CASE("GitHub escapes data and properties, one annotation per struct", "[render][escape][fast]") {
  const std::string out = render(evil_check(), Format::Github, {});
  no_forged_lines(out);
  CHECK(out.find("title=padguard [lab%3Ael%2C%25] no-growth all::FAIL: evil%0A::error file=x::forged%25,:<&\\x1b") !=
        std::string::npos);
  CHECK(out.find("file=evil%0A%3A%3Aerror file=x%3A%3Aforged%25%2C%3A<&\\x1b[31m|`.h,line=3") != std::string::npos);
  CHECK(out.find("::warning") == std::string::npos);
  size_t errors = 0;
  for (size_t p = out.find("::error "); p != std::string::npos; p = out.find("::error ", p + 1))
    errors += p == 0 || out[p - 1] == '\n';
  CHECK(errors == 2);  // the failing struct and the skipped config
}

TEST_CASE("JUnit is well-formed: entities, no raw control characters", "[render][escape][fast]") {
  const std::string out = render(evil_check(), Format::Junit, {});
  for (char c : out) {
    INFO(static_cast<int>(static_cast<unsigned char>(c)));
    CHECK((static_cast<unsigned char>(c) >= 0x20 || c == '\n'));
  }
  CHECK(out.find("evil&#10;::error file=x::forged%,:&lt;&amp;\\x1b[31m|`") != std::string::npos);
  CHECK(out.find("sk&#10;ip") != std::string::npos);
  CHECK(out.find("<&") == std::string::npos);
}

TEST_CASE("JSON carries names verbatim, escaped by the JSON encoder", "[render][escape][fast]") {
  const std::string out = render(evil_check(), Format::Json, {});
  CHECK(out.find('\x1b') == std::string::npos);
  const auto j = nlohmann::json::parse(out);
  CHECK(j["configs"][0]["results"][0]["findings"][0]["subject"] == kEvil);
  CHECK(j["configs"][0]["label"] == "lab:el,%");
  CHECK(j["configs"][1]["status"] == "skipped");
}

TEST_CASE("the format registry parses names per result type", "[render][fast]") {
  CHECK(parse_format("markdown", ResultKind::Check) == Format::Markdown);
  CHECK(parse_format("markdown", ResultKind::Diff) == Format::Markdown);
  CHECK_FALSE(parse_format("markdown", ResultKind::Layout));
  CHECK_FALSE(parse_format("github", ResultKind::Diff));
  CHECK_FALSE(parse_format("JSON", ResultKind::Check));
  CHECK(format_names(ResultKind::Layout) == std::vector<std::string>{"text", "json", "svg"});
  CHECK(format_names(ResultKind::Diff) == std::vector<std::string>{"text", "json", "markdown", "html"});
  CHECK_FALSE(parse_format("svg", ResultKind::Diff));
  CHECK_FALSE(parse_format("html", ResultKind::Layout));
  CHECK(format_info(Format::Html).maps);
  CHECK(format_info(Format::Svg).one_record);
  for (const FormatInfo& f : format_registry()) CHECK(&format_info(f.format) == &f);
  CHECK_THROWS(render(LayoutView{}, Format::Github, {}));
}

namespace {

// A build that failed at a hostile file name, in the source root given.
CheckResult failed_build_check() {
  const RecordSet a = set("old.o", rec("s", 8, {{"x", 0}}));
  ConfigResult ok = evaluate_config(parse_rule("no-growth", "s", "x"), a, a, {});
  ok.label = "x86_64";
  ConfigResult bad = status_config("ri,sc:v", ConfigStatus::BuildFailed, "after: " + kEvil + ".h:7: error: x", "b.log",
                                   {"/src/tree/" + kEvil + ".h", 7});
  ConfigResult nowhere = status_config("arm", ConfigStatus::Skipped, "no cross compiler");
  return make_check_result(parse_rule("no-growth", "s", "x"), {ok, bad, nowhere}, {}, true);
}

}  // namespace

TEST_CASE("a build failure's GitHub annotation points at its first error, relative and escaped",
          "[render][escape][fast]") {
  RenderOptions o;
  o.source_root = "/src/tree";
  const std::string out = render(failed_build_check(), Format::Github, o);
  no_forged_lines(out);
  CHECK(out.find("::error file=evil%0A%3A%3Aerror file=x%3A%3Aforged%25%2C%3A<&\\x1b[31m|`.h,line=7,"
                 "title=padguard [ri%2Csc%3Av] BUILD-FAILED::after: evil%0A::error file=x::forged%25,:<&") !=
        std::string::npos);
  CHECK(out.find("/src/tree") == std::string::npos);
  // A status row that names no place is an annotation without file=.
  CHECK(out.find("::error title=padguard [arm] SKIPPED::no cross compiler") != std::string::npos);
}

TEST_CASE("a build failure's JUnit case carries file= and line= of its first error", "[render][escape][fast]") {
  RenderOptions o;
  o.source_root = "/src/tree/";
  const std::string out = render(failed_build_check(), Format::Junit, o);
  CHECK(out.find("<testcase classname=\"padguard.ri,sc:v\" name=\"build\" file=\"evil&#10;::error "
                 "file=x::forged%,:&lt;&amp;\\x1b[31m|`.h\" line=\"7\">") != std::string::npos);
  CHECK(out.find("<testcase classname=\"padguard.arm\" name=\"build\">") != std::string::npos);
  CHECK(out.find("/src/tree") == std::string::npos);
  for (char c : out) CHECK((static_cast<unsigned char>(c) >= 0x20 || c == '\n'));
}

TEST_CASE("a build failure's JSON config has where, verbatim, and other configs have none", "[render][fast]") {
  RenderOptions o;
  o.source_root = "/src/tree";
  const auto j = nlohmann::json::parse(render(failed_build_check(), Format::Json, o));
  CHECK(j["configs"][1]["where"] == nlohmann::json{{"file", "/src/tree/" + kEvil + ".h"}, {"line", 7}});
  CHECK_FALSE(j["configs"][0].contains("where"));
  CHECK_FALSE(j["configs"][2].contains("where"));
}

TEST_CASE("a build failure's markdown row keeps one cell per column and escapes the error", "[render][escape][fast]") {
  const std::string out = render(failed_build_check(), Format::Markdown, {});
  no_forged_lines(out);
  CHECK(out.find("| ri,sc:v | – | **BUILD-FAILED: after: evil\\n::error file=x::forged%,:&lt;&amp;\\x1b\\[31m\\|\\`.h:7: "
                 "error: x (log: b.log)** |") != std::string::npos);
  CHECK(out.find('<') == std::string::npos);
}
