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
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
};

// Skipped configs, and any the user allowed, are <skipped>; the rest <error>.
bool as_skipped(const ConfigResult& c) { return c.status == ConfigStatus::Skipped || c.allowed; }

Counts count(const ConfigResult& c) {
  Counts n;
  if (c.status != ConfigStatus::Checked) return as_skipped(c) ? Counts{1, 0, 0, 1} : Counts{1, 0, 1, 0};
  for (const RuleResult& rr : c.results) {
    ++n.tests;
    n.failures += rr.verdict == Verdict::Fail;
    n.errors += rr.verdict == Verdict::Error;
  }
  return n;
}

// The one test case of a config that was not checked.
std::string status_case(const ConfigResult& c, const std::string& cls) {
  std::string msg = fmt::format("{}: {}", config_status_title(c.status), c.detail.empty() ? "no reason given" : c.detail);
  if (!c.log.empty()) msg += " (log: " + c.log + ")";
  if (c.allowed) msg += " (allowed by --allow-skip)";
  const char* name = c.status == ConfigStatus::Error ? "load inputs" : "build";
  const char* tag = as_skipped(c) ? "skipped" : "error";
  return fmt::format("    <testcase classname=\"{}\" name=\"{}\">\n      <{} message=\"{}\" type=\"{}\"/>\n    </testcase>\n",
                     xml(cls), name, tag, xml(msg), config_status_name(c.status));
}

std::string suite(const ConfigResult& c) {
  const Counts n = count(c);
  const std::string name = c.label.empty() ? "padguard check" : "padguard check " + c.label;
  const std::string cls = c.label.empty() ? "padguard" : "padguard." + c.label;
  std::string out =
      fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n", xml(name),
                  n.tests, n.failures, n.errors, n.skipped);
  out += fmt::format("    <properties>\n      <property name=\"old\" value=\"{}\"/>\n"
                     "      <property name=\"new\" value=\"{}\"/>\n    </properties>\n",
                     xml(c.old_source), xml(c.new_source));
  if (c.status != ConfigStatus::Checked) out += status_case(c, cls);
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
    total.tests += n.tests, total.failures += n.failures, total.errors += n.errors, total.skipped += n.skipped;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"padguard check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
                     total.tests, total.failures, total.errors, total.skipped);
  for (const ConfigResult& c : r.configs) out += suite(c);
  return out + "</testsuites>\n";
}

}  // namespace padguard
