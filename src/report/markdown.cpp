// GitHub-flavoured markdown for check and diff results, e.g. for a pull
// request comment or $GITHUB_STEP_SUMMARY: a table, the problems as a list,
// the verdict. Every name and sentence goes through esc::markdown, so a name
// cannot close a cell, open code or inject HTML.
#include <fmt/format.h>

#include "escape.hpp"
#include "padguard/report_text.hpp"
#include "padguard/rule_table.hpp"
#include "sentences.hpp"

namespace padguard {

namespace {

using Row = std::vector<std::string>;

std::string md_row(const Row& cells) {
  std::string s = "|";
  for (const std::string& c : cells) s += " " + c + " |";
  return s + "\n";
}

std::string md_table(const Row& head, const std::vector<Row>& rows) {
  std::string out = md_row(head);
  out += "|";
  for (size_t i = 0; i < head.size(); ++i) out += " --- |";
  out += "\n";
  for (const Row& r : rows) out += md_row(r);
  return out;
}

std::string arrow(uint64_t a, uint64_t b) { return a == b ? std::to_string(a) : fmt::format("{} → {}", a, b); }

const char* verdict_mark(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "✅ PASS";
    case Verdict::Fail: return "❌ FAIL";
    case Verdict::Error: return "⚠️ ERROR";
  }
  return "?";
}

Row struct_cells(const ConfigResult& c, const StructRow& s, size_t nrules) {
  Row r{esc::markdown(c.label), esc::markdown(s.name)};
  if (!s.old_stats || !s.new_stats) {
    r.push_back("ERROR: " + esc::markdown(sentences::struct_problem(s, c)));
    r.resize(6 + nrules, "");
    return r;
  }
  const RecordStats &a = *s.old_stats, &b = *s.new_stats;
  r.push_back(fmt::format("{} → {} ({:+})", a.size, b.size, signed_delta(a.size, b.size)));
  r.push_back(arrow(a.cachelines, b.cachelines));
  r.push_back(arrow(a.sum_holes, b.sum_holes));
  r.push_back(s.slack_loss ? fmt::format("{} (hidden +{})", arrow(a.padding, b.padding), s.slack_loss)
                           : arrow(a.padding, b.padding));
  for (const std::optional<Verdict>& v : s.cells) r.push_back(v ? verdict_name(*v) : "–");
  return r;
}

std::vector<Row> check_rows(const CheckResult& r) {
  std::vector<Row> rows;
  for (const ConfigResult& c : r.configs) {
    if (c.status != ConfigStatus::Checked) {
      Row row{esc::markdown(c.label), "–", "**" + esc::markdown(sentences::status(c)) + "**"};
      row.resize(6 + r.rules.size(), "");
      rows.push_back(row);
      continue;
    }
    for (const StructRow& s : c.structs) rows.push_back(struct_cells(c, s, r.rules.size()));
    if (c.rows_omitted) {
      Row row{esc::markdown(c.label), fmt::format("… {} more rows (`--all`)", c.rows_omitted)};
      row.resize(6 + r.rules.size(), "");
      rows.push_back(row);
    }
  }
  return rows;
}

std::string shares(const std::vector<std::string>& v) {
  if (v.empty()) return "nothing";
  std::string s;
  for (size_t i = 0; i < v.size() && i < 5; ++i) s += (i ? ", " : "") + esc::markdown(v[i]);
  if (v.size() > 5) s += fmt::format(" and {} more", v.size() - 5);
  return s;
}

// Members that left or entered a union, each explained: where it was and is,
// and what it shared bytes with before and after (the seed's rcu/rcu_users).
std::string union_changes(const CheckResult& r) {
  std::string out;
  for (const ConfigResult& c : r.configs)
    for (const StructRow& s : c.structs)
      for (const MemberDiff& m : s.union_changes) {
        const bool left = m.has(Change::LeftUnion);
        const std::string where = c.label.empty() ? "" : "[" + esc::markdown(c.label) + "] ";
        const std::string u = left ? m.old_m->unions.back() : m.new_m->unions.back();
        std::string line = fmt::format("- {}{}.{} {} union {}", where, esc::markdown(s.name), esc::markdown(m.key),
                                       left ? "left" : "entered", esc::markdown(u));
        if (m.old_m && m.new_m)
          line += fmt::format(": offset {}, shared bytes with {} → {}", arrow(m.old_m->begin_byte(), m.new_m->begin_byte()),
                              shares(m.old_shares), shares(m.new_shares));
        out += line + "\n";
      }
  return out.empty() ? "" : "Union changes (storage sharing):\n" + out + "\n";
}

// Every suppression that fired, so the proof hides nothing.
std::string suppressions(const CheckResult& r) {
  std::string out;
  for (const ConfigResult& c : r.configs)
    for (const StructRow& s : c.structs)
      for (const SuppressedChange& x : s.suppressed)
        out += fmt::format("- {}{}.{}: {} ({})\n", c.label.empty() ? "" : "[" + esc::markdown(c.label) + "] ",
                           esc::markdown(s.name), esc::markdown(x.key), esc::markdown(suppress_reason_name(x.reason)),
                           esc::markdown(x.pattern));
  return out.empty() ? "" : "Suppressed (declared harmless):\n" + out + "\n";
}

std::string check_problems(const CheckResult& r) {
  std::string out;
  auto label = [](const ConfigResult& c) { return c.label.empty() ? "" : "[" + c.label + "] "; };
  for (const ConfigResult& c : r.configs) {
    for (const RuleResult& rr : c.results)
      if (rr.verdict != Verdict::Pass)
        out += fmt::format("- **{}** {}\n", verdict_name(rr.verdict),
                           esc::markdown(label(c) + rr.rule.spec() + ": " + sentences::rule_detail(rr, c)));
    for (const std::string& n : c.unknown_names)
      out += fmt::format("- **ERROR** {}\n", esc::markdown(label(c) + "-C " + n + ": " + sentences::unknown_name(c, n)));
  }
  return out;
}

}  // namespace

std::string render_check_markdown(const CheckResult& r) {
  std::string out = "### padguard check\n\n";
  if (!r.rules.empty()) {
    out += "Rules:\n";
    for (const Rule& rule : r.rules) out += "- " + esc::markdown(rule.spec()) + "\n";
    out += "\n";
    Row head{"config", "struct", "size", "cachelines", "holes", "tail padding"};
    for (const std::string& h : rule_headers(r.rules)) head.push_back(esc::markdown(h));
    out += md_table(head, check_rows(r)) + "\n";
    out += union_changes(r);
    out += suppressions(r);
  }
  if (const std::string p = check_problems(r); !p.empty()) out += p + "\n";
  const CheckSummary& n = r.summary;
  const auto count = [](size_t k, const char* word) { return fmt::format("{} {}{}", k, word, k == 1 ? "" : "s"); };
  out += fmt::format("**Verdict: {}** — {} over {}, {} failed, {}", verdict_mark(r.verdict),
                     count(n.checks, "rule check"), count(n.configs, "config"), n.failed, count(n.errors, "error"));
  if (n.allowed) out += fmt::format(", {} not checked as allowed", count(n.allowed, "config"));
  if (r.rules.empty()) out += " (no rules given)";
  return out + "\n";
}

std::string render_diff_markdown(const DiffResult& d) {
  std::string out = fmt::format("### padguard diff: `{}` → `{}`\n\n", esc::markdown(d.old_source),
                                esc::markdown(d.new_source));
  std::vector<Row> rows;
  for (const RecordDiff& r : d.records) {
    if (r.status == RecordStatus::Unchanged && !d.explicit_names) continue;
    Row row{esc::markdown(r.name), status_name(r.status)};
    if (r.old_stats && r.new_stats) {
      const RecordStats &a = *r.old_stats, &b = *r.new_stats;
      row.push_back(fmt::format("{} → {} ({:+})", a.size, b.size, signed_delta(a.size, b.size)));
      row.push_back(arrow(a.cachelines, b.cachelines));
      row.push_back(fmt::format("{}/{} → {}/{}", a.nr_holes, a.sum_holes, b.nr_holes, b.sum_holes));
      row.push_back(arrow(a.padding, b.padding));
    } else {
      const std::optional<RecordStats>& s = r.new_stats ? r.new_stats : r.old_stats;
      row.push_back(s ? std::to_string(s->size) : "–");
      row.resize(6, "–");
    }
    std::string members;
    for (const MemberDiff& m : r.members) {
      if (m.changes.empty()) continue;
      std::string words;
      for (Change c : m.changes) words += (words.empty() ? "" : ", ") + std::string(change_name(c));
      members += (members.empty() ? "" : "<br>") + esc::markdown(m.key) + ": " + words;
    }
    row.push_back(members);
    rows.push_back(row);
  }
  if (rows.empty()) return out + "No layout change.\n";
  out += md_table({"struct", "status", "size", "cachelines", "holes (n/bytes)", "tail padding", "members"}, rows);
  return out + fmt::format("\n{} struct{} changed.\n", rows.size(), rows.size() == 1 ? "" : "s");
}

}  // namespace padguard
