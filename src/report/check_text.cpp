// Text verdict of `padguard check`: for a single pair one line per rule; for
// labelled pairs (a config matrix) one table row per config and struct, then
// the rules that did not pass, then one overall verdict line. Names are
// escaped (esc::text): a struct name cannot forge a line.
#include <fmt/format.h>

#include <algorithm>

#include "escape.hpp"
#include "padguard/rule_table.hpp"
#include "padguard/report_text.hpp"
#include "sentences.hpp"

namespace padguard {

namespace {

using Row = std::vector<std::string>;

// Rows shorter than the header (status rows) let their last cell overflow.
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

std::string plural(size_t n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

std::string result_line(const RuleResult& rr, const ConfigResult& c) {
  std::string where;
  const Finding* f = rr.first_offender();
  if (f && f->where && !f->where->file.empty()) where = fmt::format("  [{}:{}]", f->where->file, f->where->line);
  const std::string prefix = c.label.empty() ? "" : "[" + c.label + "] ";
  return esc::text(fmt::format("{:<5} {}{}: {}{}", verdict_name(rr.verdict), prefix, rr.rule.spec(),
                               sentences::rule_detail(rr, c), where)) +
         "\n";
}

std::string unknown_name_line(const ConfigResult& c, const std::string& name) {
  const std::string prefix = c.label.empty() ? "" : "[" + c.label + "] ";
  return esc::text(fmt::format("ERROR {}-C {}: {}", prefix, name, sentences::unknown_name(c, name))) + "\n";
}

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

std::string arrow(uint64_t a, uint64_t b) { return a == b ? std::to_string(a) : fmt::format("{} -> {}", a, b); }

Row struct_row(const ConfigResult& c, const StructRow& s) {
  Row r{esc::text(c.label), esc::text(s.name)};
  if (!s.old_stats || !s.new_stats) {
    r.push_back(esc::text("ERROR: " + sentences::struct_problem(s, c)));
    return r;
  }
  const RecordStats& a = *s.old_stats;
  const RecordStats& b = *s.new_stats;
  r.push_back(fmt::format("{} -> {} ({:+})", a.size, b.size, signed_delta(a.size, b.size)));
  r.push_back(arrow(a.cachelines, b.cachelines));
  r.push_back(arrow(a.sum_holes, b.sum_holes));
  std::string pad = arrow(a.padding, b.padding);
  if (s.slack_loss) pad += fmt::format(" (hidden +{}, {} left)", s.slack_loss, b.padding);
  r.push_back(pad);
  for (const std::optional<Verdict>& v : s.cells) r.push_back(v ? verdict_name(*v) : "-");
  return r;
}

std::string problems(const CheckResult& r) {
  std::string out;
  for (const ConfigResult& c : r.configs)
    for (const RuleResult& rr : c.results)
      if (rr.verdict != Verdict::Pass) out += result_line(rr, c);
  for (const ConfigResult& c : r.configs)
    for (const std::string& n : c.unknown_names) out += unknown_name_line(c, n);
  for (const ConfigResult& c : r.configs)
    if (c.status != ConfigStatus::Checked) out += esc::text(fmt::format("[{}] {}", c.label, sentences::status(c))) + "\n";
  return out.empty() ? out : out + "\n";
}

std::string matrix_text(const CheckResult& r) {
  std::string out = "rules:\n";
  const std::vector<std::string> heads = rule_headers(r.rules);
  for (size_t i = 0; i < r.rules.size(); ++i)
    out += esc::text(fmt::format("  {:<16} {}", heads[i], r.rules[i].spec())) + "\n";
  std::vector<Row> rows;
  Row head{"CONFIG", "STRUCT", "SIZE", "CACHELINES", "HOLES", "TAIL PAD"};
  head.insert(head.end(), heads.begin(), heads.end());
  rows.push_back(head);
  for (const ConfigResult& c : r.configs) {
    if (c.status != ConfigStatus::Checked) {
      rows.push_back({esc::text(c.label), "-", esc::text(sentences::status(c))});
      continue;
    }
    for (const StructRow& s : c.structs) rows.push_back(struct_row(c, s));
    if (c.structs.empty()) rows.push_back({esc::text(c.label), "-", "(no struct named; see rule lines)"});
  }
  return out + "\n" + render_table(rows) + "\n" + problems(r);
}

std::string single_text(const CheckResult& r) {
  const ConfigResult& c = r.configs.front();
  std::string out = esc::text(fmt::format("padguard check: {} -> {}", c.old_source, c.new_source)) + "\n";
  if (c.status != ConfigStatus::Checked) return out + esc::text(sentences::status(c)) + "\n";
  for (const RuleResult& rr : c.results) out += result_line(rr, c);
  for (const std::string& n : c.unknown_names) out += unknown_name_line(c, n);
  for (const StructRow& s : c.structs)
    if (s.slack_loss) out += esc::text("note  " + sentences::hidden_growth(s)) + "\n";
  return out;
}

}  // namespace

std::vector<std::string> rule_headers(const std::vector<Rule>& rules) {
  std::vector<std::string> h;
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string k(rules[i].name());
    size_t n = 1;
    for (size_t j = 0; j < i; ++j) n += rules[j].def == rules[i].def;
    h.push_back(n == 1 ? k : fmt::format("{}#{}", k, n));
  }
  return h;
}

std::string render_check_text(const CheckResult& r) {
  std::string out;
  if (r.matrix || r.configs.size() > 1)
    out = matrix_text(r);
  else if (!r.configs.empty())
    out = single_text(r);
  return out + verdict_line(r);
}

std::string config_status_line(const ConfigResult& c) {
  if (c.label.empty() && c.status == ConfigStatus::Error) return esc::text(sentences::not_checked_reason(c));
  return esc::text(fmt::format("[{}] {}", c.label, sentences::status(c)));
}

}  // namespace padguard
