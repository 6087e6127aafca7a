// Text verdict of `padguard check`: for a single pair one line per rule; for
// labelled pairs (a config matrix) one table row per config and struct, then
// the rules that did not pass, then one overall verdict line. Names are
// escaped (esc::text): a struct name cannot forge a line.
#include <fmt/format.h>

#include <algorithm>

#include "color.hpp"
#include "escape.hpp"
#include "padguard/rule_table.hpp"
#include "padguard/report_text.hpp"
#include "sentences.hpp"

namespace padguard {

namespace {

using Row = std::vector<std::string>;
using color::Paint;

Paint paint_of(Verdict v) { return v == Verdict::Pass ? Paint::Pass : v == Verdict::Fail ? Paint::Fail : Paint::Error; }

// A table cell or line head that is a verdict word gets its colour.
std::string paint_verdict_cell(const std::string& padded, const std::string& cell, bool on) {
  for (Verdict v : {Verdict::Pass, Verdict::Fail, Verdict::Error})
    if (cell == verdict_name(v)) return color::paint(paint_of(v), cell, on) + padded.substr(cell.size());
  return padded;
}

// Rows shorter than the header (status rows) let their last cell overflow.
std::string render_table(const std::vector<Row>& rows, bool on) {
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
    // Colour after padding: escape sequences take no width.
    for (size_t i = 0; i < r.size(); ++i)
      line += paint_verdict_cell(i + 1 < r.size() ? fmt::format("{:<{}}  ", r[i], width[i]) : r[i], r[i], on);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string plural(size_t n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

std::string result_line(const RuleResult& rr, const ConfigResult& c, bool on) {
  std::string where;
  const Finding* f = rr.first_offender();
  if (f && f->where && !f->where->file.empty()) where = fmt::format("  [{}:{}]", f->where->file, f->where->line);
  const std::string prefix = c.label.empty() ? "" : "[" + c.label + "] ";
  const std::string word = verdict_name(rr.verdict);
  return paint_verdict_cell(fmt::format("{:<5} ", word), word, on) +
         esc::text(fmt::format("{}{}: {}{}", prefix, rr.rule.spec(), sentences::rule_detail(rr, c), where)) + "\n";
}

std::string unknown_name_line(const ConfigResult& c, const std::string& name, bool on) {
  const std::string prefix = c.label.empty() ? "" : "[" + c.label + "] ";
  return color::paint(Paint::Error, "ERROR", on) +
         esc::text(fmt::format(" {}-C {}: {}", prefix, name, sentences::unknown_name(c, name))) + "\n";
}

std::string verdict_line(const CheckResult& r, bool on) {
  if (r.rules.empty()) return "verdict: " + color::paint(Paint::Error, "ERROR", on) + " (no rules given)\n";
  const CheckSummary& n = r.summary;
  std::string s = fmt::format("verdict: {} ({}", color::paint(paint_of(r.verdict), verdict_name(r.verdict), on),
                              plural(n.checks, "rule check"));
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

std::string problems(const CheckResult& r, bool on) {
  std::string out;
  for (const ConfigResult& c : r.configs)
    for (const RuleResult& rr : c.results)
      if (rr.verdict != Verdict::Pass) out += result_line(rr, c, on);
  for (const ConfigResult& c : r.configs)
    for (const std::string& n : c.unknown_names) out += unknown_name_line(c, n, on);
  for (const ConfigResult& c : r.configs)
    if (c.status != ConfigStatus::Checked)
      out += color::paint_line(Paint::Warn, esc::text(fmt::format("[{}] {}", c.label, sentences::status(c))) + "\n", on);
  return out.empty() ? out : out + "\n";
}

std::string matrix_text(const CheckResult& r, bool on) {
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
    if (c.rows_omitted) rows.push_back({esc::text(c.label), fmt::format("... {} more rows (--all)", c.rows_omitted)});
    if (c.structs.empty()) rows.push_back({esc::text(c.label), "-", "(no struct named; see rule lines)"});
  }
  return out + "\n" + render_table(rows, on) + "\n" + problems(r, on);
}

std::string single_text(const CheckResult& r, bool on) {
  const ConfigResult& c = r.configs.front();
  std::string out = esc::text(fmt::format("padguard check: {} -> {}", c.old_source, c.new_source)) + "\n";
  if (c.status != ConfigStatus::Checked) return out + color::paint_line(Paint::Warn, esc::text(sentences::status(c)) + "\n", on);
  for (const RuleResult& rr : c.results) out += result_line(rr, c, on);
  for (const std::string& n : c.unknown_names) out += unknown_name_line(c, n, on);
  for (const StructRow& s : c.structs)
    if (s.slack_loss) out += color::paint(Paint::Warn, "note", on) + esc::text("  " + sentences::hidden_growth(s)) + "\n";
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

std::string render_check_text(const CheckResult& r, bool color) {
  std::string out;
  if (r.matrix || r.configs.size() > 1)
    out = matrix_text(r, color);
  else if (!r.configs.empty())
    out = single_text(r, color);
  return out + verdict_line(r, color);
}

std::string config_status_line(const ConfigResult& c) {
  if (c.label.empty() && c.status == ConfigStatus::Error) return esc::text(sentences::not_checked_reason(c));
  return esc::text(fmt::format("[{}] {}", c.label, sentences::status(c)));
}

}  // namespace padguard
