// JUnit XML for a check result, the dialect Jenkins/GitLab/GitHub test
// reporters read: <testsuites> of <testsuite> (a config) of <testcase> (a
// rule). No timestamps or durations, so the output is reproducible.
#include <fmt/format.h>

#include "padguard/report_ci.hpp"

namespace padguard {

namespace {

std::string xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out += c;
    }
  }
  return out;
}

struct Counts {
  size_t tests = 0, failures = 0, errors = 0;
};

Counts count(const ConfigResult& c) {
  Counts n;
  if (!c.error.empty()) return {1, 0, 1};
  for (const RuleResult& rr : c.results) {
    ++n.tests;
    n.failures += rr.verdict == Verdict::Fail;
    n.errors += rr.verdict == Verdict::Error;
  }
  return n;
}

std::string suite(const ConfigResult& c) {
  const Counts n = count(c);
  const std::string name = c.label.empty() ? "padguard check" : "padguard check " + c.label;
  const std::string cls = c.label.empty() ? "padguard" : "padguard." + c.label;
  std::string out = fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">\n",
                                xml(name), n.tests, n.failures, n.errors);
  out += fmt::format("    <properties>\n      <property name=\"old\" value=\"{}\"/>\n"
                     "      <property name=\"new\" value=\"{}\"/>\n    </properties>\n",
                     xml(c.old_source), xml(c.new_source));
  if (!c.error.empty()) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"load inputs\">\n", xml(cls));
    out += fmt::format("      <error message=\"{}\" type=\"input\"/>\n    </testcase>\n", xml(c.error));
  }
  for (const RuleResult& rr : c.results) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\">\n", xml(cls), xml(rr.rule.spec()));
    if (rr.verdict == Verdict::Fail)
      out += fmt::format("      <failure message=\"{}\" type=\"{}\"/>\n", xml(rr.detail), rule_kind_name(rr.rule.kind));
    else if (rr.verdict == Verdict::Error)
      out += fmt::format("      <error message=\"{}\" type=\"input\"/>\n", xml(rr.detail));
    else
      out += fmt::format("      <system-out>{}</system-out>\n", xml(rr.detail));
    out += "    </testcase>\n";
  }
  return out + "  </testsuite>\n";
}

}  // namespace

std::string render_junit(const CheckResult& r) {
  Counts total;
  for (const ConfigResult& c : r.configs) {
    const Counts n = count(c);
    total.tests += n.tests, total.failures += n.failures, total.errors += n.errors;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"padguard check\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", total.tests,
                     total.failures, total.errors);
  for (const ConfigResult& c : r.configs) out += suite(c);
  return out + "</testsuites>\n";
}

}  // namespace padguard
