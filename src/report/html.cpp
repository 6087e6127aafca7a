// Self-contained HTML pages for diff and check results: one file, inline
// CSS and SVG, no script, no external asset. The verdict (or summary) table
// first, then per changed struct its cacheline map before and after side by
// side (svg_map.hpp) with every change the JSON carries coloured by a CSS
// class per kind, and the same changes as a table. Every name and sentence
// goes through esc::xml.
#include "padguard/report_html.hpp"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "escape.hpp"
#include "padguard/layout_map.hpp"
#include "padguard/report_text.hpp"
#include "padguard/rule_table.hpp"
#include "padguard/svg_map.hpp"
#include "padguard/type_name.hpp"
#include "padguard/version.hpp"
#include "sentences.hpp"

namespace padguard {

namespace {

std::string x(std::string_view s) { return esc::xml(s); }

std::string arrow(uint64_t a, uint64_t b) { return a == b ? std::to_string(a) : fmt::format("{} \u2192 {}", a, b); }

constexpr std::string_view kPageCss =
    R"~(body{font:14px/1.4 'DejaVu Sans',sans-serif;margin:16px;color:#111;background:#fff}
h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:20px 0 6px}h3{font-size:14px;margin:12px 0 4px}
code{font-family:'DejaVu Sans Mono',monospace;font-size:13px}
table{border-collapse:collapse;margin:6px 0}
th,td{border:1px solid #c8c8c8;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#eee}
td.PASS,span.PASS{background:#d5f5e3}td.FAIL,span.FAIL{background:#f5b7b1}td.ERROR,span.ERROR{background:#fad7a0}
span.PASS,span.FAIL,span.ERROR{padding:0 4px;font-weight:bold}
.pair{display:flex;gap:16px;align-items:flex-start}
figure{margin:0}figcaption{font-weight:bold;margin:2px 0 4px}
svg.defs{position:absolute;width:0;height:0}
section.record{border-top:1px solid #ddd;margin-top:12px}
ul{margin:4px 0;padding-left:20px}
)~";

std::string page_head(const std::string& title) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"generator\" "
      "content=\"padguard "
      "{}\">\n<title>{}</title>\n<style>\n{}{}</style>\n</head>\n<body>\n<svg class=\"defs\" "
      "aria-hidden=\"true\"><defs>\n{}</defs></svg>\n",
      x(tool_version()), x(title), kPageCss, map_css(), map_defs());
}

std::string changes_words(const std::vector<Change>& cs) {
  std::string s;
  for (Change c : cs) s += (s.empty() ? "" : ", ") + std::string(change_name(c));
  return s;
}

std::string change_classes(const std::vector<Change>& cs) {
  std::string s;
  for (Change c : cs) s += (s.empty() ? "c-" : " c-") + std::string(change_name(c));
  return s;
}

std::string member_note(const MemberDiff& m) {
  std::string n = changes_words(m.changes);
  if (m.old_m && m.new_m) {
    n += fmt::format(": offset {}", arrow(m.old_m->begin_byte(), m.new_m->begin_byte()));
    if (m.old_m->byte_size != m.new_m->byte_size)
      n += fmt::format(", size {}", arrow(m.old_m->byte_size, m.new_m->byte_size));
  }
  return n;
}

// The marks a diff puts on one side's map. Holes are matched by offset and
// size, each diff hole to one map hole (holes_filled is such a difference).
MapMarks marks_for(const RecordDiff& d, const LayoutMap& map, bool old_side) {
  MapMarks mk;
  for (const MemberDiff& m : d.members)
    if (old_side ? m.old_m.has_value() : m.new_m.has_value())
      mk.members[m.key] = {change_classes(m.changes), member_note(m)};
  for (const SuppressedChange& s : d.suppressed) {
    MemberMark& mark = mk.members[s.key];
    mark.classes += (mark.classes.empty() ? "" : " ") + std::string("suppressed");
    mark.note += (mark.note.empty() ? "" : "; ") + fmt::format("suppressed ({} {}): {}", suppress_reason_name(s.reason),
                                                               s.pattern, changes_words(s.changes));
  }
  mk.holes.assign(map.holes.size(), "");
  for (const Hole& h : old_side ? d.holes_filled : d.holes_opened)
    for (size_t i = 0; i < map.holes.size(); ++i)
      if (mk.holes[i].empty() && map.holes[i].offset == h.offset && map.holes[i].size == h.size) {
        mk.holes[i] = old_side ? "filled" : "opened";
        break;
      }
  for (const GroupChange& g : d.groups) mk.groups.insert(g.name);
  return mk;
}

std::string stats_line(const RecordStats& s) {
  return fmt::format(
      "size {}, {} cachelines, {} holes ({} bytes), {} bit holes ({} bits), tail padding {}, alignment {}", s.size,
      s.cachelines, s.nr_holes, s.sum_holes, s.nr_bit_holes, s.sum_bit_holes, s.padding, s.alignment);
}

std::string compare_line(const RecordStats& a, const RecordStats& b) {
  return fmt::format(
      "size {} ({:+}), cachelines {}, holes {}/{} \u2192 {}/{}, bit holes {}/{} \u2192 {}/{}, tail padding {}, "
      "alignment {}",
      arrow(a.size, b.size), signed_delta(a.size, b.size), arrow(a.cachelines, b.cachelines), a.nr_holes, a.sum_holes,
      b.nr_holes, b.sum_holes, a.nr_bit_holes, a.sum_bit_holes, b.nr_bit_holes, b.sum_bit_holes,
      arrow(a.padding, b.padding), arrow(a.alignment, b.alignment));
}

std::string figure(const LayoutMap& m, const MapMarks& marks, const char* side, const std::string& caption) {
  return fmt::format("<figure class=\"side\" data-side=\"{}\"><figcaption>{}</figcaption>\n{}</figure>\n", side,
                     caption, svg_map(m, marks, side));
}

std::string member_table(const RecordDiff& d) {
  if (d.members.empty()) return "";
  std::string out =
      "<table class=\"changes\"><tr><th>member</th><th>changes</th><th>offset</th><th>size</th><th>bits</th>"
      "<th>type</th></tr>\n";
  for (const MemberDiff& m : d.members) {
    auto both = [&](auto get) -> std::string {
      if (m.old_m && m.new_m) return arrow(get(*m.old_m), get(*m.new_m));
      return std::to_string(get(m.current()));
    };
    std::string bits;
    if (m.current().is_bitfield() || (m.old_m && m.old_m->is_bitfield()))
      bits = both([](const FlatMember& f) { return uint64_t{f.bit_size}; }) + " at bit " +
             both([](const FlatMember& f) { return f.bit_offset; });
    std::string type = m.old_m && m.new_m && type_text(*m.old_m->type) != type_text(*m.new_m->type)
                           ? type_text(*m.old_m->type) + " \u2192 " + type_text(*m.new_m->type)
                           : type_text(*m.current().type);
    out += fmt::format(
        "<tr class=\"{}\" "
        "data-key=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></"
        "tr>\n",
        change_classes(m.changes), x(m.key), x(m.key), changes_words(m.changes),
        both([](const FlatMember& f) { return f.begin_byte(); }), both([](const FlatMember& f) { return f.byte_size; }),
        bits, x(type));
  }
  return out + "</table>\n";
}

std::string keys(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& k : v) s += (s.empty() ? "" : ", ") + x(k);
  return s.empty() ? "none" : s;
}

std::string container_text(const FlatContainer& c) {
  return fmt::format("<code>{}</code> ({}, offset {}, size {})", x(c.path), kind_keyword(c.kind), c.offset, c.size);
}

std::string group_span(const CacheGroup& g) {
  if (!g.problem.empty()) return x(g.problem);
  return fmt::format("bytes {}-{}, size {}, {} cachelines from {}", g.begin, g.end, g.size, g.cachelines,
                     g.first_cacheline);
}

// Everything else the diff of one record holds, as lists.
std::string other_changes(const RecordDiff& d) {
  std::vector<std::string> items;
  for (const Hole& h : d.holes_filled)
    items.push_back(
        fmt::format("hole filled: {} bytes at {}{}", h.size, h.offset, h.in.empty() ? "" : " in " + x(h.in)));
  for (const Hole& h : d.holes_opened)
    items.push_back(
        fmt::format("hole opened: {} bytes at {}{}", h.size, h.offset, h.in.empty() ? "" : " in " + x(h.in)));
  for (const FlatContainer& c : d.containers_removed) items.push_back("inline record removed: " + container_text(c));
  for (const FlatContainer& c : d.containers_added) items.push_back("inline record added: " + container_text(c));
  for (const ContainerChange& c : d.containers_changed)
    items.push_back(fmt::format("inline record changed: {} \u2192 {}; members entered: {}; left: {}",
                                container_text(c.old_c), container_text(c.new_c), keys(c.keys_entered),
                                keys(c.keys_left)));
  for (const GroupChange& g : d.groups)
    items.push_back(fmt::format("cacheline group <code>{}</code>: {} \u2192 {}; members entered: {}; left: {}",
                                x(g.name), g.old_g ? group_span(*g.old_g) : "absent",
                                g.new_g ? group_span(*g.new_g) : "absent", keys(g.entered), keys(g.left)));
  for (const SuppressedChange& s : d.suppressed)
    items.push_back(fmt::format("suppressed: <code>{}</code> ({}, {}): {}", x(s.key), suppress_reason_name(s.reason),
                                x(s.pattern), s.changes.empty() ? "inline record" : changes_words(s.changes)));
  for (const EmbeddedChange& e : d.because)
    items.push_back(fmt::format("<code>{}</code> changed with {} <code>{}</code> ({:+})", x(e.member),
                                kind_keyword(e.kind), x(e.type), e.delta));
  if (d.derived) items.push_back("changed only because embedded records changed");
  if (!d.root_causes.empty()) items.push_back("root causes: " + keys(d.root_causes));
  if (!d.now_straddling.empty()) items.push_back("now straddling a cacheline boundary: " + keys(d.now_straddling));
  if (items.empty()) return "";
  std::string out = "<ul class=\"other\">\n";
  for (const std::string& i : items) out += "<li>" + i + "</li>\n";
  return out + "</ul>\n";
}

// One record: its figures, both maps (or the one there is), the changes.
std::string record_section(const RecordDiff& d, const std::string& subject, const std::string& old_src,
                           const std::string& new_src) {
  std::string out =
      fmt::format("<section class=\"record\" data-name=\"{}\" data-status=\"{}\">\n<h3>{} <code>{}</code>: {}</h3>\n",
                  x(subject), status_name(d.status), kind_keyword(d.kind), x(subject), status_name(d.status));
  const std::optional<RecordStats> os = d.old_map ? std::optional(d.old_map->stats) : d.old_stats;
  const std::optional<RecordStats> ns = d.new_map ? std::optional(d.new_map->stats) : d.new_stats;
  if (os && ns && d.old_map) out += "<p class=\"facts\">" + compare_line(*os, *ns) + "</p>\n";
  if (d.status == RecordStatus::Ambiguous) {
    out += "<p>" + x(sentences::ambiguous(subject, d.old_choices, d.new_choices, old_src, new_src)) + "</p>\n";
  } else if (d.old_map && d.new_map) {
    out += "<div class=\"pair\">\n" +
           figure(*d.old_map, marks_for(d, *d.old_map, true), "old", "before: <code>" + x(old_src) + "</code>") +
           figure(*d.new_map, marks_for(d, *d.new_map, false), "new", "after: <code>" + x(new_src) + "</code>") +
           "</div>\n";
  } else if (d.old_map || d.new_map) {
    const LayoutMap& m = d.old_map ? *d.old_map : *d.new_map;
    const char* side = d.old_map ? "old" : "new";
    const std::string caption =
        d.status == RecordStatus::Unchanged
            ? "before = after: <code>" + x(old_src) + "</code>, <code>" + x(new_src) + "</code>"
            : std::string(d.old_map ? "only before: <code>" + x(old_src) : "only after: <code>" + x(new_src)) +
                  "</code>";
    out += "<p class=\"facts\">" + stats_line(m.stats) + "</p>\n<div class=\"pair\">\n" +
           figure(m, MapMarks{}, side, caption) + "</div>\n";
  } else if (d.status == RecordStatus::Missing) {
    out += fmt::format("<p>no struct or union named <code>{}</code> in <code>{}</code> nor in <code>{}</code></p>\n",
                       x(subject), x(old_src), x(new_src));
  }
  return out + member_table(d) + other_changes(d) + "</section>\n";
}

std::string diff_row(const RecordDiff& r) {
  std::string cells;
  if (r.old_stats && r.new_stats) {
    const RecordStats &a = *r.old_stats, &b = *r.new_stats;
    cells = fmt::format("<td>{} ({:+})</td><td>{}</td><td>{}/{} \u2192 {}/{}</td><td>{}</td>", arrow(a.size, b.size),
                        signed_delta(a.size, b.size), arrow(a.cachelines, b.cachelines), a.nr_holes, a.sum_holes,
                        b.nr_holes, b.sum_holes, arrow(a.padding, b.padding));
  } else {
    const std::optional<RecordStats>& s = r.new_stats ? r.new_stats : r.old_stats;
    cells = s ? fmt::format("<td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td>", s->size, s->cachelines, s->nr_holes,
                            s->sum_holes, s->padding)
              : "<td>\u2013</td><td>\u2013</td><td>\u2013</td><td>\u2013</td>";
  }
  size_t changed = 0;
  for (const MemberDiff& m : r.members) changed += !m.changes.empty();
  return fmt::format("<tr data-name=\"{}\" data-status=\"{}\"><td><code>{}</code></td><td>{}</td>{}<td>{}</td></tr>\n",
                     x(r.name), status_name(r.status), x(r.name), status_name(r.status), cells, changed);
}

}  // namespace

std::string render_diff_html(const DiffResult& d) {
  std::string out = page_head(fmt::format("padguard diff: {} \u2192 {}", d.old_source, d.new_source));
  out += fmt::format(
      "<h1>padguard diff</h1>\n<p class=\"sources\"><code>{}</code> \u2192 <code>{}</code>, {}-byte cachelines</p>\n",
      x(d.old_source), x(d.new_source), d.cacheline_size);
  // The JSON's summary: these five always, ambiguous and suppressed when there are some.
  std::vector<std::pair<RecordStatus, size_t>> counts{{RecordStatus::Changed, 0},   {RecordStatus::Added, 0},
                                                      {RecordStatus::Removed, 0},   {RecordStatus::Unchanged, 0},
                                                      {RecordStatus::Missing, 0},   {RecordStatus::Ambiguous, 0},
                                                      {RecordStatus::Suppressed, 0}};
  std::vector<const RecordDiff*> shown;
  for (const RecordDiff& r : d.records) {
    for (auto& [s, n] : counts) n += s == r.status;
    if (r.status != RecordStatus::Unchanged || d.explicit_names) shown.push_back(&r);
  }
  std::string summary;
  for (const auto& [s, n] : counts)
    if (n || (s != RecordStatus::Ambiguous && s != RecordStatus::Suppressed))
      summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", n, status_name(s));
  out += "<p class=\"summary\">" + summary +
         (d.hidden ? fmt::format("; {} hidden by {}", d.hidden, x(d.selection)) : "") + "</p>\n";
  if (!d.root_causes.empty()) {
    out += "<h2>Root causes</h2>\n<ul class=\"roots\">\n";
    for (const RootCause& c : d.root_causes)
      out += fmt::format("<li>{} <code>{}</code> ({:+}) reaches {}</li>\n", kind_keyword(c.kind), x(c.name), c.delta,
                         keys(c.affected));
    out += "</ul>\n";
  }
  if (shown.empty()) return out + "<p class=\"verdict-line\">No layout change.</p>\n</body>\n</html>\n";
  out +=
      "<table class=\"verdict\"><tr><th>struct</th><th>status</th><th>size</th><th>cachelines</th><th>holes "
      "(n/bytes)</th>"
      "<th>tail padding</th><th>members changed</th></tr>\n";
  for (const RecordDiff* r : shown) out += diff_row(*r);
  out += "</table>\n" + map_legend(true, 960);
  for (const RecordDiff* r : shown) out += record_section(*r, r->name, d.old_source, d.new_source);
  return out + "</body>\n</html>\n";
}

namespace {

std::string check_table(const CheckResult& r) {
  std::string out =
      "<table class=\"verdict\"><tr><th>config</th><th>struct</th><th>size</th><th>cachelines</th><th>holes</th>"
      "<th>tail padding</th>";
  for (const std::string& h : rule_headers(r.rules)) out += "<th>" + x(h) + "</th>";
  out += "</tr>\n";
  const size_t span = 4 + r.rules.size();
  for (const ConfigResult& c : r.configs) {
    if (c.status != ConfigStatus::Checked) {
      out += fmt::format(
          "<tr data-config=\"{}\"><td>{}</td><td>\u2013</td><td class=\"ERROR\" colspan=\"{}\">{}</td></tr>\n",
          x(c.label), x(c.label), span, x(sentences::status(c)));
      continue;
    }
    for (const StructRow& s : c.structs) {
      out += fmt::format("<tr data-config=\"{}\" data-name=\"{}\"><td>{}</td><td><code>{}</code></td>", x(c.label),
                         x(s.name), x(c.label), x(s.name));
      if (!s.old_stats || !s.new_stats) {
        out +=
            fmt::format("<td class=\"ERROR\" colspan=\"{}\">{}</td></tr>\n", span, x(sentences::struct_problem(s, c)));
        continue;
      }
      const RecordStats &a = *s.old_stats, &b = *s.new_stats;
      out += fmt::format("<td>{} ({:+})</td><td>{}</td><td>{}/{} \u2192 {}/{}</td><td>{}{}</td>", arrow(a.size, b.size),
                         signed_delta(a.size, b.size), arrow(a.cachelines, b.cachelines), a.nr_holes, a.sum_holes,
                         b.nr_holes, b.sum_holes, arrow(a.padding, b.padding),
                         s.slack_loss ? fmt::format(" (hidden +{})", s.slack_loss) : "");
      for (const std::optional<Verdict>& v : s.cells)
        out += v ? fmt::format("<td class=\"{0}\">{0}</td>", verdict_name(*v)) : "<td>\u2013</td>";
      out += "</tr>\n";
    }
    if (c.rows_omitted)
      out += fmt::format("<tr><td>{}</td><td colspan=\"{}\">\u2026 {} more rows (--all)</td></tr>\n", x(c.label),
                         span + 1, c.rows_omitted);
  }
  return out + "</table>\n";
}

std::string check_problems(const CheckResult& r) {
  std::string out;
  for (const ConfigResult& c : r.configs) {
    const std::string where = c.label.empty() ? "" : "[" + x(c.label) + "] ";
    for (const RuleResult& rr : c.results)
      out += fmt::format("<li><span class=\"{0}\">{0}</span> {1}<code>{2}</code>: {3}</li>\n", verdict_name(rr.verdict),
                         where, x(rr.rule.spec()), x(sentences::rule_detail(rr, c)));
    for (const std::string& n : c.unknown_names)
      out += fmt::format("<li><span class=\"ERROR\">ERROR</span> {}-C <code>{}</code>: {}</li>\n", where, x(n),
                         x(sentences::unknown_name(c, n)));
  }
  return out.empty() ? "" : "<ul class=\"results\">\n" + out + "</ul>\n";
}

}  // namespace

std::string render_check_html(const CheckResult& r) {
  std::string out = page_head(std::string("padguard check: ") + verdict_name(r.verdict));
  const CheckSummary& n = r.summary;
  const auto count = [](size_t k, const char* word) { return fmt::format("{} {}{}", k, word, k == 1 ? "" : "s"); };
  out += fmt::format("<h1>padguard check: <span class=\"{0}\">{0}</span></h1>\n", verdict_name(r.verdict));
  out += fmt::format(
      "<p class=\"verdict-line\" data-verdict=\"{}\">{} over {}, {} failed, {}{}{}; {}-byte cachelines</p>\n",
      verdict_name(r.verdict), count(n.checks, "rule check"), count(n.configs, "config"), n.failed,
      count(n.errors, "error"), n.allowed ? fmt::format(", {} not checked as allowed", count(n.allowed, "config")) : "",
      r.rules.empty() ? " (no rules given)" : "", r.cacheline_size);
  if (!r.rules.empty()) {
    out += "<p>Rules:</p>\n<ul class=\"rules\">\n";
    for (const Rule& rule : r.rules) out += "<li><code>" + x(rule.spec()) + "</code></li>\n";
    out += "</ul>\n" + check_table(r);
  }
  out += check_problems(r);
  bool any = false;
  for (const ConfigResult& c : r.configs)
    for (const StructRow& s : c.structs) any = any || s.diff;
  if (any) out += map_legend(true, 960);
  for (const ConfigResult& c : r.configs) {
    out += fmt::format(
        "<section class=\"config\" data-config=\"{}\" data-verdict=\"{}\">\n<h2>{}<span class=\"{}\">{}</span></h2>\n",
        x(c.label), verdict_name(c.verdict), c.label.empty() ? "" : "config <code>" + x(c.label) + "</code> ",
        verdict_name(c.verdict), verdict_name(c.verdict));
    if (c.status != ConfigStatus::Checked) out += "<p>" + x(sentences::status(c)) + "</p>\n";
    for (const StructRow& s : c.structs)
      if (s.diff) out += record_section(*s.diff, s.name, c.old_source, c.new_source);
    out += "</section>\n";
  }
  return out + "</body>\n</html>\n";
}

}  // namespace padguard
