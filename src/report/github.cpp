// GitHub Actions workflow commands for a check result: one ::error per
// struct that failed a rule or could not be evaluated, at the declaration it
// blames (docs.github.com "Workflow commands": %, CR, LF escaped in the
// message; also ':' and ',' in properties; see escape.hpp).
#include <fmt/format.h>

#include "escape.hpp"
#include "padguard/report_ci.hpp"
#include "sentences.hpp"

namespace padguard {

namespace {

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
    props = "file=" + esc::github_property(relative(where->file, o.source_root));
    if (where->line) props += fmt::format(",line={}", where->line);
    props += ",";
  }
  const std::string t = label.empty() ? "padguard " + title : fmt::format("padguard [{}] {}", label, title);
  return fmt::format("::{} {}title={}::{}\n", level, props, esc::github_property(t), esc::github_data(message));
}

// A config that was not checked: an error, or a warning when allowed.
std::string status_annotation(const ConfigResult& c, const GithubOptions& o) {
  return annotation(c.label, config_status_title(c.status),
                    sentences::status_message(c), std::nullopt,
                    o, c.allowed ? "warning" : "error");
}

// One per struct that did not pass; the struct is named in the message
// when the rule covers more than one.
std::string rule_annotations(const ConfigResult& c, const RuleResult& rr, const GithubOptions& o) {
  std::string out;
  for (const Finding& f : rr.findings) {
    if (f.verdict == Verdict::Pass) continue;
    std::string msg = fmt::format("{}: ", verdict_name(f.verdict));
    if (rr.rule.target != f.subject && f.problem != Problem::NothingInCommon) msg += f.subject + " ";
    out += annotation(c.label, rr.rule.spec(), msg + sentences::finding(f, rr.rule, c), f.where, o);
  }
  return out;
}

}  // namespace

std::string render_github(const CheckResult& r, const GithubOptions& o) {
  std::string out;
  for (const ConfigResult& c : r.configs) {
    if (c.status != ConfigStatus::Checked) out += status_annotation(c, o);
    for (const RuleResult& rr : c.results) out += rule_annotations(c, rr, o);
    for (const std::string& n : c.unknown_names)
      out += annotation(c.label, "-C " + n, "ERROR: " + sentences::unknown_name(c, n), std::nullopt, o);
  }
  if (r.rules.empty()) out += annotation("", "usage", "no rules given", std::nullopt, o);
  const CheckSummary& n = r.summary;
  std::string last = fmt::format("padguard check: {} ({} of {} rule checks did not pass, {} of {} config{} not checked",
                                 verdict_name(r.verdict), n.failed + n.rule_errors, n.checks, n.not_checked, n.configs,
                                 n.configs == 1 ? "" : "s");
  if (n.allowed) last += fmt::format(", {} allowed", n.allowed);
  // A plain line, but it must not start a workflow command either.
  return out + esc::github_data(last + ")") + "\n";
}

}  // namespace padguard
