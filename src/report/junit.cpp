// JUnit XML for a check result, the dialect Jenkins/GitLab/GitHub test
// reporters read: <testsuites> of <testsuite> (a config) of <testcase> (a
// rule). No timestamps or durations, so the output is reproducible. Every
// string goes through esc::xml: no raw control character, no markup.
#include <fmt/format.h>

#include "escape.hpp"
#include "padguard/report_ci.hpp"
#include "sentences.hpp"

namespace padguard {

namespace {

struct Counts {
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
};

// Skipped configs, and any the user allowed, are <skipped>; the rest <error>.
bool as_skipped(const ConfigResult& c) { return c.status == ConfigStatus::Skipped || c.allowed; }

Counts count(const ConfigResult& c) {
  Counts n;
  if (c.status != ConfigStatus::Checked) return as_skipped(c) ? Counts{1, 0, 0, 1} : Counts{1, 0, 1, 0};
  n.tests += c.unknown_names.size();
  n.errors += c.unknown_names.size();
  for (const RuleResult& rr : c.results) {
    ++n.tests;
    n.failures += rr.verdict == Verdict::Fail;
    n.errors += rr.verdict == Verdict::Error;
  }
  return n;
}

// file="F" line="L", F relative to o.source_root like the annotations.
std::string file_line_attrs(const SourceLoc& at, const CiOptions& o) {
  std::string out = fmt::format(" file=\"{}\"", esc::xml(relative_to_source_root(at.file, o.source_root)));
  if (at.line) out += fmt::format(" line=\"{}\"", at.line);
  return out;
}

// The one test case of a config that was not checked, at the place the
// manifest says it failed (what its GitHub annotation points at), if any.
std::string status_case(const ConfigResult& c, const std::string& cls, const CiOptions& o) {
  const char* name = c.status == ConfigStatus::Error ? "load inputs" : "build";
  const char* tag = as_skipped(c) ? "skipped" : "error";
  const std::string at = c.where.file.empty() ? "" : file_line_attrs(c.where, o);
  return fmt::format("    <testcase classname=\"{}\" name=\"{}\"{}>\n      <{} message=\"{}\" type=\"{}\"/>\n    </testcase>\n",
                     esc::xml(cls), name, at, tag, esc::xml(sentences::status(c)), config_status_name(c.status));
}

// file= and line= of the first declaration a rule that did not pass blames
// (what the GitHub annotation points at), or nothing.
std::string location_attrs(const RuleResult& rr, const CiOptions& o) {
  if (rr.verdict == Verdict::Pass) return "";
  for (const Finding& f : rr.findings)
    if (f.verdict != Verdict::Pass && f.where && !f.where->file.empty()) return file_line_attrs(*f.where, o);
  return "";
}

std::string rule_case(const ConfigResult& c, const RuleResult& rr, const std::string& cls, const CiOptions& o) {
  const std::string detail = esc::xml(sentences::rule_detail(rr, c));
  std::string out = fmt::format("    <testcase classname=\"{}\" name=\"{}\"{}>\n", esc::xml(cls),
                                esc::xml(rr.rule.spec()), location_attrs(rr, o));
  if (rr.verdict == Verdict::Fail)
    out += fmt::format("      <failure message=\"{}\" type=\"{}\"/>\n", detail, esc::xml(rr.rule.name()));
  else if (rr.verdict == Verdict::Error)
    out += fmt::format("      <error message=\"{}\" type=\"input\"/>\n", detail);
  else
    out += fmt::format("      <system-out>{}</system-out>\n", detail);
  return out + "    </testcase>\n";
}

std::string suite(const ConfigResult& c, const CiOptions& o) {
  const Counts n = count(c);
  const std::string name = c.label.empty() ? "padguard check" : "padguard check " + c.label;
  const std::string cls = c.label.empty() ? "padguard" : "padguard." + c.label;
  std::string out =
      fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
                  esc::xml(name), n.tests, n.failures, n.errors, n.skipped);
  out += fmt::format("    <properties>\n      <property name=\"old\" value=\"{}\"/>\n"
                     "      <property name=\"new\" value=\"{}\"/>\n    </properties>\n",
                     esc::xml(c.old_source), esc::xml(c.new_source));
  if (c.status != ConfigStatus::Checked) out += status_case(c, cls, o);
  for (const RuleResult& rr : c.results) out += rule_case(c, rr, cls, o);
  for (const std::string& u : c.unknown_names)
    out += fmt::format("    <testcase classname=\"{}\" name=\"-C {}\">\n      <error message=\"{}\" type=\"input\"/>\n"
                       "    </testcase>\n",
                       esc::xml(cls), esc::xml(u), esc::xml(sentences::unknown_name(c, u)));
  return out + "  </testsuite>\n";
}

}  // namespace

std::string render_junit(const CheckResult& r, const CiOptions& o) {
  Counts total;
  for (const ConfigResult& c : r.configs) {
    const Counts n = count(c);
    total.tests += n.tests, total.failures += n.failures, total.errors += n.errors, total.skipped += n.skipped;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"padguard check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
                     total.tests, total.failures, total.errors, total.skipped);
  for (const ConfigResult& c : r.configs) out += suite(c, o);
  return out + "</testsuites>\n";
}

}  // namespace padguard
