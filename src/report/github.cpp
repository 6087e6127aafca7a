// GitHub Actions workflow commands for a check result: one ::error per
// struct that failed a rule or could not be evaluated, at the declaration it
// blames (docs.github.com "Workflow commands": %, CR, LF escaped in the
// message; also ':' and ',' in properties; see escape.hpp).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "escape.hpp"
#include "padguard/report_ci.hpp"
#include "sentences.hpp"

namespace padguard {

namespace {

std::string annotation(const std::string& label, const std::string& title, const std::string& message,
                       const std::optional<SourceLoc>& where, const CiOptions& o, const char* level = "error") {
  std::string props;
  if (where && !where->file.empty()) {
    props = "file=" + esc::github_property(relative_to_source_root(where->file, o.source_root));
    if (where->line) props += fmt::format(",line={}", where->line);
    props += ",";
  }
  const std::string t = label.empty() ? "padguard " + title : fmt::format("padguard [{}] {}", label, title);
  return fmt::format("::{} {}title={}::{}\n", level, props, esc::github_property(t), esc::github_data(message));
}

// A config that was not checked: an error, or a warning when allowed; at
// the place the manifest says it failed (a build's first compiler error).
std::string status_annotation(const ConfigResult& c, const CiOptions& o) {
  const std::optional<SourceLoc> where = c.where.file.empty() ? std::nullopt : std::optional(c.where);
  return annotation(c.label, config_status_title(c.status), sentences::status_message(c), where, o,
                    c.allowed ? "warning" : "error");
}

// One annotation per struct that did not pass a rule at one declaration,
// however many configs it failed in (a matrix of 9 configs must not stack 9
// annotations on one line): the title names the configs, the message gives
// each config's sentence, or the one sentence they share.
struct Blame {
  std::string spec, subject, verdict;
  std::optional<SourceLoc> where;
  std::vector<std::string> labels, messages;
};

bool same_blame(const Blame& b, const std::string& spec, const Finding& f) {
  const bool here = b.where.has_value() && f.where.has_value();
  return b.spec == spec && b.subject == f.subject && b.verdict == verdict_name(f.verdict) &&
         here && b.where->file == f.where->file && b.where->line == f.where->line;
}

void collect_blames(const ConfigResult& c, const RuleResult& rr, std::vector<Blame>& out) {
  for (const Finding& f : rr.findings) {
    if (f.verdict == Verdict::Pass) continue;
    std::string msg = fmt::format("{}: ", verdict_name(f.verdict));
    if (rr.rule.target != f.subject && f.problem != Problem::NothingInCommon) msg += f.subject + " ";
    msg += sentences::finding(f, rr.rule, c);
    const std::string spec = rr.rule.spec();
    auto it = std::find_if(out.begin(), out.end(), [&](const Blame& b) { return same_blame(b, spec, f); });
    if (it == out.end()) it = out.insert(out.end(), Blame{spec, f.subject, verdict_name(f.verdict), f.where, {}, {}});
    it->labels.push_back(c.label);
    it->messages.push_back(std::move(msg));
  }
}

std::string blame_annotation(const Blame& b, const CiOptions& o) {
  if (b.labels.size() == 1) return annotation(b.labels[0], b.spec, b.messages[0], b.where, o);
  const std::string who = b.labels.size() <= 3 ? fmt::format("{}", fmt::join(b.labels, ", "))
                                                : fmt::format("{} configs", b.labels.size());
  const bool shared = std::all_of(b.messages.begin(), b.messages.end(),
                                  [&](const std::string& m) { return m == b.messages[0]; });
  std::string msg;
  if (shared) {
    msg = b.messages[0] + fmt::format("\n(in {})", fmt::join(b.labels, ", "));
  } else {
    for (size_t i = 0; i < b.labels.size(); ++i) msg += (i ? "\n" : "") + b.labels[i] + ": " + b.messages[i];
  }
  return annotation(who, b.spec, msg, b.where, o);
}

}  // namespace

std::string relative_to_source_root(const std::string& file, const std::string& root) {
  if (root.empty()) return file;
  std::string r = root;
  if (r.back() != '/') r += '/';
  return file.compare(0, r.size(), r) == 0 ? file.substr(r.size()) : file;
}

std::string render_github(const CheckResult& r, const CiOptions& o) {
  std::string out;
  std::vector<Blame> blames;
  for (const ConfigResult& c : r.configs)
    for (const RuleResult& rr : c.results) collect_blames(c, rr, blames);
  for (const Blame& b : blames) out += blame_annotation(b, o);
  for (const ConfigResult& c : r.configs) {
    if (c.status != ConfigStatus::Checked) out += status_annotation(c, o);
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
