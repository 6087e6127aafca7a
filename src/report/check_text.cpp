// Text verdict of `padguard check`: for a single pair one line per rule; for
// labelled pairs (a config matrix) one table row per config and struct, then
// the rules that did not pass, then one overall verdict line.
#include <fmt/format.h>

#include <algorithm>

#include "padguard/report_text.hpp"

namespace padguard {

namespace {

using Row = std::vector<std::string>;

// Rows shorter than the header (error rows) let their last cell overflow.
std::string render_table(const std::vector<Row>& rows) {
  std::vector<size_t> width;
  for (const Row& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (r.size() < rows.front().size() && i + 1 == r.size()) continue;
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  std::string out;
  for (const Row& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) line += i + 1 < r.size() ? fmt::format("{:<{}}  ", r[i], width[i]) : r[i];
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::vector<std::string> rule_headers(const std::vector<Rule>& rules) {
  std::vector<std::string> h;
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string k = rule_kind_name(rules[i].kind);
    size_t n = 1;
    for (size_t j = 0; j < i; ++j) n += rules[j].kind == rules[i].kind;
    h.push_back(n == 1 ? k : fmt::format("{}#{}", k, n));
  }
  return h;
}

std::string arrow(uint64_t a, uint64_t b) { return a == b ? std::to_string(a) : fmt::format("{} -> {}", a, b); }

Row struct_row(const std::string& label, const StructRow& s) {
  Row r{label, s.name};
  if (!s.old_stats || !s.new_stats) {
    r.push_back("ERROR: " + s.error);
    return r;
  }
  const RecordStats& a = *s.old_stats;
  const RecordStats& b = *s.new_stats;
  const int64_t delta = static_cast<int64_t>(b.size) - static_cast<int64_t>(a.size);
  r.push_back(fmt::format("{} -> {} ({:+})", a.size, b.size, delta));
  r.push_back(arrow(a.cachelines, b.cachelines));
  r.push_back(arrow(a.sum_holes, b.sum_holes));
  std::string pad = arrow(a.padding, b.padding);
  if (s.slack_loss) pad += fmt::format(" (hidden +{}, {} left)", s.slack_loss, b.padding);
  r.push_back(pad);
  for (const std::string& c : s.rule_cells) r.push_back(c);
  return r;
}

std::string result_line(const RuleResult& rr, const std::string& label) {
  std::string where;
  if (rr.where && !rr.where->file.empty()) where = fmt::format("  [{}:{}]", rr.where->file, rr.where->line);
  const std::string prefix = label.empty() ? "" : "[" + label + "] ";
  return fmt::format("{:<5} {}{}: {}{}\n", verdict_name(rr.verdict), prefix, rr.rule.spec(), rr.detail, where);
}

// "BUILD-FAILED: message (log: path) (allowed)"
std::string status_text(const ConfigResult& c) {
  std::string s = fmt::format("{}: {}", config_status_title(c.status), c.detail.empty() ? "no reason given" : c.detail);
  if (!c.log.empty()) s += fmt::format(" (log: {})", c.log);
  if (c.allowed) s += " (allowed by --allow-skip)";
  return s;
}

std::string plural(size_t n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

std::string verdict_line(const CheckResult& r) {
  if (r.rules.empty()) return "verdict: ERROR (no rules given)\n";
  const CheckSummary& n = r.summary;
  std::string s = fmt::format("verdict: {} ({}", verdict_name(r.verdict), plural(n.checks, "rule check"));
  if (r.configs.size() > 1 || r.matrix) s += " over " + plural(n.configs, "config");
  s += fmt::format(", {} failed, {}", n.failed, plural(n.errors, "error"));
  if (n.allowed) s += fmt::format(", {} not checked as allowed", plural(n.allowed, "config"));
  if (n.checked == 0) s += ", no config checked";
  return s + ")\n";
}

std::string matrix_text(const CheckResult& r) {
  std::string out = "rules:\n";
  const std::vector<std::string> heads = rule_headers(r.rules);
  for (size_t i = 0; i < r.rules.size(); ++i) out += fmt::format("  {:<16} {}\n", heads[i], r.rules[i].spec());
  std::vector<Row> rows;
  Row head{"CONFIG", "STRUCT", "SIZE", "CACHELINES", "HOLES", "TAIL PAD"};
  head.insert(head.end(), heads.begin(), heads.end());
  rows.push_back(head);
  for (const ConfigResult& c : r.configs) {
    if (c.status != ConfigStatus::Checked) {
      rows.push_back({c.label, "-", status_text(c)});
      continue;
    }
    for (const StructRow& s : c.structs) rows.push_back(struct_row(c.label, s));
    if (c.structs.empty()) rows.push_back({c.label, "-", "(no struct named; see rule lines)"});
  }
  out += "\n" + render_table(rows) + "\n";
  bool any = false;
  for (const ConfigResult& c : r.configs)
    for (const RuleResult& rr : c.results)
      if (rr.verdict != Verdict::Pass) out += result_line(rr, c.label), any = true;
  for (const ConfigResult& c : r.configs)
    if (c.status != ConfigStatus::Checked) out += fmt::format("[{}] {}\n", c.label, status_text(c)), any = true;
  if (any) out += "\n";
  return out;
}

std::string single_text(const CheckResult& r) {
  const ConfigResult& c = r.configs.front();
  std::string out = fmt::format("padguard check: {} -> {}\n", c.old_source, c.new_source);
  if (c.status != ConfigStatus::Checked) return out + status_text(c) + "\n";
  for (const RuleResult& rr : c.results) out += result_line(rr, "");
  for (const StructRow& s : c.structs)
    if (s.slack_loss)
      out += fmt::format("note  {}: hidden growth, tail padding {} -> {} with sizeof {} unchanged ({} bytes of slack "
                         "lost, {} left)\n",
                         s.name, s.old_stats->padding, s.new_stats->padding, s.new_stats->size, s.slack_loss,
                         s.new_stats->padding);
  return out;
}

}  // namespace

std::string render_check_text(const CheckResult& r) {
  std::string out;
  if (r.matrix || r.configs.size() > 1)
    out = matrix_text(r);
  else if (!r.configs.empty())
    out = single_text(r);
  return out + verdict_line(r);
}

}  // namespace padguard
