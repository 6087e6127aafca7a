// GitHub Actions workflow commands for a check result: one ::error per rule
// that failed or could not be evaluated, at the declaration it blames
// (docs.github.com "Workflow commands": %, CR, LF escaped in the message;
// also ':' and ',' in properties).
#include <fmt/format.h>

#include "padguard/report_ci.hpp"

namespace padguard {

namespace {

std::string escape_data(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

std::string escape_property(const std::string& s) {
  std::string out;
  for (char c : escape_data(s)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

std::string relative(const std::string& file, const std::string& root) {
  if (root.empty()) return file;
  std::string r = root;
  if (r.back() != '/') r += '/';
  return file.compare(0, r.size(), r) == 0 ? file.substr(r.size()) : file;
}

std::string annotation(const std::string& label, const std::string& title, const std::string& message,
                       const std::optional<SourceLoc>& where, const GithubOptions& o, const char* level = "error") {
  std::string props;
  if (where && !where->file.empty()) {
    props = "file=" + escape_property(relative(where->file, o.source_root));
    if (where->line) props += fmt::format(",line={}", where->line);
    props += ",";
  }
  const std::string t = label.empty() ? "padguard " + title : fmt::format("padguard [{}] {}", label, title);
  return fmt::format("::{} {}title={}::{}\n", level, props, escape_property(t), escape_data(message));
}

// A config that was not checked: an error, or a warning when allowed.
std::string status_annotation(const ConfigResult& c, const GithubOptions& o) {
  std::string msg = c.detail.empty() ? "no reason given" : c.detail;
  if (!c.log.empty()) msg += " (log: " + c.log + ")";
  if (c.allowed) msg += " (allowed by --allow-skip)";
  return annotation(c.label, config_status_title(c.status), msg, std::nullopt, o, c.allowed ? "warning" : "error");
}

}  // namespace

std::string render_github(const CheckResult& r, const GithubOptions& o) {
  std::string out;
  for (const ConfigResult& c : r.configs) {
    if (c.status != ConfigStatus::Checked) out += status_annotation(c, o);
    for (const RuleResult& rr : c.results)
      if (rr.verdict != Verdict::Pass)
        out += annotation(c.label, rr.rule.spec(), fmt::format("{}: {}", verdict_name(rr.verdict), rr.detail),
                          rr.where, o);
  }
  if (r.rules.empty()) out += annotation("", "usage", "no rules given", std::nullopt, o);
  const CheckSummary& n = r.summary;
  out += fmt::format("padguard check: {} ({} of {} rule checks did not pass, {} of {} config{} not checked",
                     verdict_name(r.verdict), n.failed + n.rule_errors, n.checks,
                     n.not_checked, n.configs, n.configs == 1 ? "" : "s");
  if (n.allowed) out += fmt::format(", {} allowed", n.allowed);
  return out + ")\n";
}

}  // namespace padguard
