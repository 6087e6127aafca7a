// Cacheline maps (svg_map.hpp): the geometry, then the drawing. Rows are
// cachelines; a run of cachelines every span covers whole is one row, so a
// record of a gigabyte draws in a few rows. Every name is escaped for XML.
#include "padguard/svg_map.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <queue>

#include "escape.hpp"
#include "padguard/type_name.hpp"
#include "padguard/version.hpp"

namespace padguard {

namespace {

// Lowest free lane for each span, in begin order (interval partitioning):
// spans that overlap get different lanes, O(n log n).
void assign_lanes(std::vector<MapSpan>& spans) {
  using Busy = std::pair<uint64_t, uint32_t>;  // (end, lane)
  std::priority_queue<Busy, std::vector<Busy>, std::greater<>> busy;
  std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<>> free_lanes;
  uint32_t next = 0;
  for (MapSpan& s : spans) {
    while (!busy.empty() && busy.top().first <= s.begin) {
      free_lanes.push(busy.top().second);
      busy.pop();
    }
    if (free_lanes.empty()) {
      s.lane = next++;
    } else {
      s.lane = free_lanes.top();
      free_lanes.pop();
    }
    busy.emplace(s.end, s.lane);
  }
}

void sort_spans(std::vector<MapSpan>& spans) {
  std::stable_sort(spans.begin(), spans.end(), [](const MapSpan& a, const MapSpan& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    return a.end < b.end;  // a zero-size marker before the member it precedes: same lane
  });
}

uint64_t member_end(const FlatMember& f) { return f.bit_offset + (f.is_bitfield() ? f.bit_size : f.byte_size * 8); }

std::vector<MapSpan> byte_band(const LayoutMap& m, uint64_t total) {
  std::vector<MapSpan> spans;
  for (size_t i = 0; i < m.flat.members.size(); ++i) {
    const FlatMember& f = m.flat.members[i];
    spans.push_back({SpanKind::Member, i, f.bit_offset, member_end(f), 0});
  }
  for (size_t i = 0; i < m.holes.size(); ++i)
    spans.push_back({SpanKind::Hole, i, m.holes[i].offset * 8, (m.holes[i].offset + m.holes[i].size) * 8, 0});
  if (m.stats.padding) spans.push_back({SpanKind::Padding, 0, (m.stats.size - m.stats.padding) * 8, total, 0});
  // Unused: what nothing above covers.
  std::vector<std::pair<uint64_t, uint64_t>> covered;
  for (const MapSpan& s : spans)
    if (s.end > s.begin) covered.emplace_back(s.begin, s.end);
  std::sort(covered.begin(), covered.end());
  uint64_t cur = 0;
  for (const auto& [b, e] : covered) {
    if (b > cur) spans.push_back({SpanKind::Unused, 0, cur, b, 0});
    cur = std::max(cur, e);
  }
  if (cur < total) spans.push_back({SpanKind::Unused, 0, cur, total, 0});
  return spans;
}

std::vector<MapUnit> units_of(const LayoutMap& m) {
  std::vector<MapUnit> units;
  for (size_t i = 0; i < m.flat.members.size(); ++i) {
    const FlatMember& f = m.flat.members[i];
    if (!f.is_bitfield() || f.unit_size == 0) continue;
    auto it = std::find_if(units.begin(), units.end(),
                           [&](const MapUnit& u) { return u.offset == f.unit_offset && u.size == f.unit_size; });
    if (it == units.end()) it = units.insert(units.end(), MapUnit{f.unit_offset, f.unit_size, {}});
    it->members.push_back(i);
  }
  return units;
}

// The lines a span touches, [lo, hi]; a zero-size span touches the line it
// sits on (the last line when it sits at the record's end).
std::pair<uint64_t, uint64_t> lines_of(const MapSpan& s, uint64_t line_bits, uint64_t lines) {
  if (s.end <= s.begin) {
    const uint64_t l = std::min(s.begin / line_bits, lines - 1);
    return {l, l};
  }
  return {s.begin / line_bits, std::min((s.end - 1) / line_bits, lines - 1)};
}

// Rows: a line where a span starts, ends or sits inside is drawn alone; the
// lines between are runs that change where a span starts or ends on a line
// boundary.
std::vector<MapRow> rows_of(const MapGeometry& g, uint64_t lines) {
  std::vector<uint64_t> single, cuts{0, lines};
  for (const auto& band : g.bands)
    for (const MapSpan& s : band) {
      if (s.end <= s.begin) {
        single.push_back(lines_of(s, g.line_bits, lines).first);
        continue;
      }
      for (uint64_t c : {s.begin, s.end}) {
        if (c % g.line_bits)
          single.push_back(c / g.line_bits);
        else
          cuts.push_back(c / g.line_bits);
      }
    }
  for (auto* v : {&single, &cuts}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  std::vector<MapRow> rows;
  auto si = single.begin();
  auto ci = cuts.begin();
  for (uint64_t k = 0; k < lines;) {
    while (si != single.end() && *si < k) ++si;
    while (ci != cuts.end() && *ci <= k) ++ci;
    MapRow r;
    r.first_line = k;
    if (si != single.end() && *si == k) {
      r.last_line = k;
    } else {
      uint64_t stop = lines;
      if (si != single.end()) stop = std::min(stop, *si);
      if (ci != cuts.end()) stop = std::min(stop, *ci);
      r.last_line = stop - 1;
    }
    k = r.last_line + 1;
    rows.push_back(std::move(r));
  }
  return rows;
}

// Which spans of each band touch each row (a sweep: spans are in begin order).
void fill_rows(MapGeometry& g, uint64_t lines) {
  for (size_t b = 0; b < g.bands.size(); ++b) {
    const std::vector<MapSpan>& spans = g.bands[b];
    std::vector<size_t> active;
    size_t next = 0;
    for (MapRow& r : g.rows) {
      while (next < spans.size() && lines_of(spans[next], g.line_bits, lines).first <= r.last_line)
        active.push_back(next++);
      std::erase_if(active, [&](size_t i) { return lines_of(spans[i], g.line_bits, lines).second < r.first_line; });
      r.spans[b] = active;
      uint32_t lanes = b == kByteBand ? 1 : 0;
      for (size_t i : active) lanes = std::max(lanes, spans[i].lane + 1);
      r.lanes[b] = lanes;
    }
  }
}

}  // namespace

MapGeometry map_geometry(const LayoutMap& m) {
  MapGeometry g;
  g.line_bits = uint64_t{m.cacheline_size ? m.cacheline_size : 64} * 8;
  g.total_bits = m.stats.size * 8;
  g.bands[kByteBand] = byte_band(m, g.total_bits);
  for (size_t i = 0; i < m.groups.size(); ++i) {
    const CacheGroup& c = m.groups[i];
    if (c.problem.empty()) g.bands[kGroupBand].push_back({SpanKind::Group, i, c.begin * 8, c.end * 8, 0});
  }
  g.units = units_of(m);
  for (size_t i = 0; i < g.units.size(); ++i)
    g.bands[kUnitBand].push_back(
        {SpanKind::Unit, i, g.units[i].offset * 8, (g.units[i].offset + g.units[i].size) * 8, 0});
  for (auto& band : g.bands) {
    sort_spans(band);
    assign_lanes(band);
  }
  const uint64_t lines = std::max<uint64_t>(1, (g.total_bits + g.line_bits - 1) / g.line_bits);
  g.rows = rows_of(g, lines);
  fill_rows(g, lines);
  return g;
}

namespace {

using P = MapPixels;

// Coordinates with at most two decimals, trailing zeros dropped: short and
// the same bytes on every run.
std::string num(double v) {
  std::string s = fmt::format("{:.2f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

// "8", or "8:3" for bit 3 of byte 8.
std::string bit_pos(uint64_t bit) { return bit % 8 ? fmt::format("{}:{}", bit / 8, bit % 8) : std::to_string(bit / 8); }

double row_height(const MapRow& r) {
  return r.lanes[kGroupBand] * P::kGroupLane + r.lanes[kByteBand] * P::kLane + r.lanes[kUnitBand] * P::kUnitLane +
         P::kRowGap;
}

struct Piece {
  double x = 0, w = 0;
  bool first = true;  // the span's first piece
};

class Drawer {
 public:
  Drawer(const LayoutMap& m, const MapMarks& marks, const MapGeometry& g, std::string& out)
      : m_(m), marks_(marks), g_(g), out_(out) {}

  double rows(double y) {
    for (const MapRow& r : g_.rows) {
      row(r, y);
      y += row_height(r);
    }
    return y;
  }

 private:
  Piece piece(const MapRow& r, const MapSpan& s) const {
    const uint64_t rb = r.first_line * g_.line_bits, re = (r.last_line + 1) * g_.line_bits;
    const double scale = P::kLineWidth / static_cast<double>(re - rb);
    const uint64_t b = std::clamp(s.begin, rb, re), e = std::clamp(s.end, rb, re);
    return {P::kLeft + static_cast<double>(b - rb) * scale, static_cast<double>(e - b) * scale, s.begin >= rb};
  }

  void row(const MapRow& r, double y) {
    const uint64_t rb = r.first_line * g_.line_bits, re = (r.last_line + 1) * g_.line_bits;
    const uint64_t cl = g_.line_bits / 8;
    const bool run = r.last_line > r.first_line;
    fmt::format_to(std::back_inserter(out_), "<g class=\"row\" data-first-line=\"{}\" data-last-line=\"{}\">",
                   r.first_line, r.last_line);
    const double top = y + r.lanes[kGroupBand] * P::kGroupLane;
    const double h = r.lanes[kByteBand] * P::kLane;
    const std::string title =
        run ? fmt::format("cachelines {}-{}, bytes {}-{}: {} cachelines drawn as one, every span covers them whole",
                          r.first_line, r.last_line, rb / 8, std::min(re, g_.total_bits) / 8 - 1,
                          r.last_line - r.first_line + 1)
            : fmt::format("cacheline {}, bytes {}-{}", r.first_line, rb / 8, rb / 8 + cl - 1);
    fmt::format_to(std::back_inserter(out_), "<text class=\"lbl\" x=\"4\" y=\"{}\"><title>{}</title>+{}{}</text>",
                   num(top + 12.5), title, rb / 8, run ? fmt::format(" \u00d7{}", r.last_line - r.first_line + 1) : "");
    const double full =
        static_cast<double>(std::min(re, std::max(g_.total_bits, rb)) - rb) / static_cast<double>(re - rb);
    fmt::format_to(std::back_inserter(out_), "<rect class=\"rowbg{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                   run ? " run" : "", num(P::kLeft), num(top), num(full * P::kLineWidth), num(h));
    for (size_t i : r.spans[kGroupBand]) group(r, g_.bands[kGroupBand][i], y);
    for (size_t i : r.spans[kByteBand]) byte_span(r, g_.bands[kByteBand][i], top);
    for (size_t i : r.spans[kUnitBand]) unit(r, g_.bands[kUnitBand][i], top + h);
    align_marks(rb, re, r, top);
    out_ += "</g>\n";
  }

  void rect(const char* cls, const Piece& p, double y, double h) {
    fmt::format_to(std::back_inserter(out_), "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"", cls,
                   num(p.x), num(y), num(std::max(p.w, 0.0)), num(h));
  }

  void label(const std::string& text, const Piece& p, double y) {
    for (std::string_view cand : {std::string_view(text), std::string_view(text).substr(text.rfind('.') + 1)}) {
      const std::string shown = esc::text(cand);
      if (static_cast<double>(shown.size()) * P::kCharWidth + 4 > p.w) continue;
      fmt::format_to(std::back_inserter(out_), "<text class=\"ml\" x=\"{}\" y=\"{}\">{}</text>", num(p.x + 2),
                     num(y + 12.5), esc::xml(cand));
      return;
    }
  }

  void byte_span(const MapRow& r, const MapSpan& s, double top) {
    const Piece p = piece(r, s);
    const double y = top + s.lane * P::kLane + 1, h = P::kLane - 2;
    switch (s.kind) {
      case SpanKind::Member:
        member(p, m_.flat.members[s.index], y, h);
        break;
      case SpanKind::Hole: {
        const Hole& hole = m_.holes[s.index];
        const std::string& mark = s.index < marks_.holes.size() ? marks_.holes[s.index] : empty_;
        rect(mark.empty() ? "hole" : mark == "filled" ? "hole filled" : "hole opened", p, y, h);
        fmt::format_to(std::back_inserter(out_),
                       " data-off=\"{}\" data-size=\"{}\"><title>hole: {} byte{} at {}{}{}</title></rect>", hole.offset,
                       hole.size, hole.size, hole.size == 1 ? "" : "s", hole.offset,
                       hole.in.empty() ? "" : " in " + esc::xml(hole.in),
                       mark.empty()       ? ""
                       : mark == "filled" ? " (filled by the change)"
                                          : " (opened by the change)");
        break;
      }
      case SpanKind::Padding:
        rect("pad", p, y, h);
        fmt::format_to(
            std::back_inserter(out_), " data-off=\"{}\" data-size=\"{}\"><title>tail padding: {} byte{}</title></rect>",
            m_.stats.size - m_.stats.padding, m_.stats.padding, m_.stats.padding, m_.stats.padding == 1 ? "" : "s");
        break;
      case SpanKind::Unused: {
        const uint64_t bits = s.end - s.begin;
        rect("unused", p, y, h);
        fmt::format_to(std::back_inserter(out_),
                       " data-bit-off=\"{}\" data-bits=\"{}\"><title>{} unused bit{} at {} (no member)</title></rect>",
                       s.begin, bits, bits, bits == 1 ? "" : "s", bit_pos(s.begin));
        break;
      }
      default:
        break;
    }
  }

  void member(const Piece& p, const FlatMember& f, double y, double h) {
    const auto mark = marks_.members.find(f.key);
    std::string cls = "m";
    if (f.is_bitfield()) cls += " bf";
    if (f.end_byte() == f.begin_byte() && !f.is_bitfield()) cls += " zero";
    if (f.alignment) cls += " aligned";
    if (!f.unions.empty()) cls += " inu";
    if (!p.first) cls += " cont";
    if (mark != marks_.members.end() && !mark->second.classes.empty()) cls += " " + mark->second.classes;
    const Piece drawn = f.end_byte() == f.begin_byte() && !f.is_bitfield() ? Piece{p.x - 0.75, 1.5, p.first} : p;
    rect(cls.c_str(), drawn, y, h);
    fmt::format_to(std::back_inserter(out_), " data-key=\"{}\" data-off=\"{}\" data-size=\"{}\"", esc::xml(f.key),
                   f.begin_byte(), f.byte_size);
    if (f.is_bitfield())
      fmt::format_to(std::back_inserter(out_), " data-bit-off=\"{}\" data-bits=\"{}\"", f.bit_offset, f.bit_size);
    if (f.alignment) fmt::format_to(std::back_inserter(out_), " data-align=\"{}\"", f.alignment);
    std::string t =
        fmt::format("{}: {}, offset {}, size {}", f.path, type_text(*f.type), bit_pos(f.bit_offset), f.byte_size);
    if (f.is_bitfield())
      t += fmt::format(", {} bit{} in the {}-byte unit at {}", f.bit_size, f.bit_size == 1 ? "" : "s", f.unit_size,
                       f.unit_offset);
    if (f.alignment) t += fmt::format(", __attribute__((__aligned__({})))", f.alignment);
    if (!f.unions.empty()) t += ", in " + f.unions.back();
    if (mark != marks_.members.end() && !mark->second.note.empty()) t += "; " + mark->second.note;
    fmt::format_to(std::back_inserter(out_), "><title>{}</title></rect>", esc::xml(t));
    if (drawn.w > 8) label(f.key, p, y - 1);
  }

  void group(const MapRow& r, const MapSpan& s, double y) {
    const CacheGroup& c = m_.groups[s.index];
    const Piece p = piece(r, s);
    const Piece drawn = s.end == s.begin ? Piece{p.x - 0.75, 1.5, p.first} : p;
    rect(marks_.groups.count(c.name) ? "grp changed" : "grp", drawn, y + s.lane * P::kGroupLane + 1, P::kGroupLane - 2);
    std::string members;
    for (size_t i = 0; i < c.members.size(); ++i) members += (i ? ", " : "") + c.members[i];
    fmt::format_to(std::back_inserter(out_),
                   " data-group=\"{}\" data-begin=\"{}\" data-end=\"{}\"><title>{}</title></rect>", esc::xml(c.name),
                   c.begin, c.end,
                   esc::xml(fmt::format("__cacheline_group {}: bytes {}-{}, size {}, {} cacheline{} from {}{}{}{}",
                                        c.name, c.begin, c.end, c.size, c.cachelines, c.cachelines == 1 ? "" : "s",
                                        c.first_cacheline, c.pad_end ? fmt::format(", padded to {}", *c.pad_end) : "",
                                        members.empty() ? "" : "; members: ", members)));
    const std::string shown = esc::text(c.name);
    if (p.first && static_cast<double>(shown.size()) * 5.4 + 4 <= drawn.w)
      fmt::format_to(std::back_inserter(out_), "<text class=\"gl\" x=\"{}\" y=\"{}\">{}</text>", num(p.x + 2),
                     num(y + s.lane * P::kGroupLane + 9), esc::xml(c.name));
  }

  void unit(const MapRow& r, const MapSpan& s, double y) {
    const MapUnit& u = g_.units[s.index];
    rect("unit", piece(r, s), y + s.lane * P::kUnitLane + 0.5, P::kUnitLane - 1);
    std::string who;
    for (size_t i = 0; i < u.members.size(); ++i) who += (i ? ", " : "") + m_.flat.members[u.members[i]].key;
    fmt::format_to(std::back_inserter(out_), " data-off=\"{}\" data-size=\"{}\"><title>{}</title></rect>", u.offset,
                   u.size,
                   esc::xml(fmt::format("bitfield storage unit: {} byte{} at {}: {}", u.size, u.size == 1 ? "" : "s",
                                        u.offset, who)));
  }

  // A forced alignment (DW_AT_alignment) of a member or of an inline
  // record: a wedge at its first byte.
  void align_marks(uint64_t rb, uint64_t re, const MapRow& r, double top) {
    auto wedge = [&](uint64_t bit, const std::string& what, uint32_t a) {
      if (bit < rb || bit >= re) return;
      const Piece p = piece(r, {SpanKind::Member, 0, bit, bit, 0});
      fmt::format_to(std::back_inserter(out_),
                     "<path class=\"amark\" d=\"M{} {}h6l-6 6z\" data-align=\"{}\"><title>{}</title></path>", num(p.x),
                     num(top), a, esc::xml(fmt::format("{}: __attribute__((__aligned__({})))", what, a)));
    };
    for (const FlatMember& f : m_.flat.members)
      if (f.alignment) wedge(f.bit_offset, f.path, f.alignment);
    for (const FlatContainer& c : m_.flat.containers)
      if (c.alignment) wedge(c.offset * 8, c.path, c.alignment);
  }

  const LayoutMap& m_;
  const MapMarks& marks_;
  const MapGeometry& g_;
  std::string& out_;
  const std::string empty_;
};

double map_width() { return P::kLeft + P::kLineWidth + P::kRight; }

double map_height(const MapGeometry& g) {
  double h = 0;
  for (const MapRow& r : g.rows) h += row_height(r);
  return h;
}

}  // namespace

std::string_view map_css() {
  return R"~(.pgmap text{font:10px 'DejaVu Sans Mono',monospace;fill:#111}
.pgmap .ml{pointer-events:none}
.pgmap .lbl{fill:#555}
.rowbg{fill:#f6f6f6;stroke:#bbb;stroke-width:.5}
.rowbg.run{stroke-dasharray:4 2}
.m{fill:#cfe0f5;stroke:#4a6fa5;stroke-width:.75}
.m.bf{fill:#dcefd2;stroke:#5a8a4a}
.m.zero{fill:#000;stroke:none}
.m.inu{stroke-dasharray:5 1.5}
.hole{fill:url(#pg-hatch-hole);stroke:#c0392b;stroke-width:.75}
.pad{fill:url(#pg-hatch-pad);stroke:#7f8c8d;stroke-width:.75}
.unused{fill:url(#pg-hatch-unused);stroke:#aaa;stroke-width:.5}
.grp{fill:#f9e79f;stroke:#7d6608;stroke-width:.75}
.pgmap .gl{font-size:9px;pointer-events:none}
.grp.changed{fill:#e67e22}
.unit{fill:#8e44ad;fill-opacity:.45}
.amark{fill:#000}
.m.c-shifted{fill:#fcf3cf}
.m.c-retyped,.m.c-bitfield{fill:#a9cce3}
.m.c-resized{fill:#c39bd3}
.m.c-moved{fill:#f5b041}
.m.c-removed{fill:#f1948a}
.m.c-added{fill:#82e0aa}
.m.c-left_union,.m.c-entered_union,.m.c-sharing_changed,.m.c-straddles,.m.c-unstraddles{stroke:#000;stroke-width:2}
.m.suppressed{stroke:#777;stroke-dasharray:2 2}
.hole.filled{stroke:#1e8449;stroke-width:2.5}
.hole.opened{fill:url(#pg-hatch-opened);stroke:#c0392b;stroke-width:2.5}
.legend text{font:11px 'DejaVu Sans',sans-serif}
)~";
}

std::string_view map_defs() {
  return R"~(<pattern id="pg-hatch-hole" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fdecea"/><line x1="0" y1="0" x2="0" y2="6" stroke="#e57368" stroke-width="2"/></pattern>
<pattern id="pg-hatch-opened" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="5" height="5" fill="#f9d0cb"/><line x1="0" y1="0" x2="0" y2="5" stroke="#c0392b" stroke-width="2.5"/></pattern>
<pattern id="pg-hatch-pad" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="6" height="6" fill="#eeeeee"/><line x1="0" y1="0" x2="0" y2="6" stroke="#95a5a6" stroke-width="2"/></pattern>
<pattern id="pg-hatch-unused" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="4" fill="#fafafa"/><line x1="0" y1="0" x2="0" y2="4" stroke="#c8c8c8" stroke-width="1"/></pattern>
)~";
}

std::string map_legend(bool changes, double width, double* height) {
  struct Item {
    const char* cls;
    const char* text;
    bool change;
  };
  static constexpr Item kItems[] = {
      {"m", "member", false},
      {"m bf", "bitfield", false},
      {"hole", "hole", false},
      {"pad", "tail padding", false},
      {"unused", "unused bits", false},
      {"m c-added", "added", true},
      {"m c-removed", "removed", true},
      {"m c-moved", "moved", true},
      {"m c-shifted", "shifted", true},
      {"m c-resized", "resized", true},
      {"m c-retyped", "retyped / bit width", true},
      {"m c-sharing_changed", "union, sharing or straddling changed", true},
      {"m suppressed", "suppressed", true},
      {"hole filled", "hole filled", true},
      {"hole opened", "hole opened", true},
      {"grp", "cacheline group", false},
      {"grp changed", "group changed", true},
      {"unit", "bitfield storage unit", false},
  };
  std::string body;
  double xpos = 2, y = 2;
  auto place = [&](double w) {
    if (xpos + w > width) xpos = 2, y += 22;
  };
  for (const Item& it : kItems) {
    if (it.change && !changes) continue;
    const double w = 24 + 6.6 * static_cast<double>(std::string_view(it.text).size());
    place(w);
    body += fmt::format(
        "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"18\" height=\"14\"/><text x=\"{}\" y=\"{}\">{}</text>", it.cls,
        num(xpos), num(y + 2), num(xpos + 22), num(y + 13), it.text);
    xpos += w + 8;
  }
  place(24 + 6.6 * 16);
  body += fmt::format("<path class=\"amark\" d=\"M{} {}h6l-6 6z\"/><text x=\"{}\" y=\"{}\">forced alignment</text>",
                      num(xpos), num(y + 2), num(xpos + 10), num(y + 13));
  if (height) *height = y + 22;
  return fmt::format("<svg class=\"legend pgmap\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\">{2}</svg>\n",
                     num(width), num(y + 22), body);
}

std::string svg_map(const LayoutMap& m, const MapMarks& marks, std::string_view side) {
  const MapGeometry g = map_geometry(m);
  std::string body;
  body.reserve(256 * (m.flat.members.size() + g.rows.size()) + 512);
  Drawer(m, marks, g, body).rows(0);
  const double w = map_width(), h = map_height(g);
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pgmap\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "data-name=\"{2}\" data-size=\"{3}\" data-cacheline-size=\"{4}\" data-side=\"{5}\">\n{6}</svg>\n",
      num(w), num(h), esc::xml(m.name), m.stats.size, m.cacheline_size, esc::xml(side), body);
}

std::string render_layout_svg(const LayoutMap& m, const std::string& source) {
  const MapGeometry g = map_geometry(m);
  const RecordStats& s = m.stats;
  std::vector<std::string> head{fmt::format("{} {}  ({})", kind_keyword(m.kind), m.name, source),
                                fmt::format("size {}, {} cacheline{} of {} bytes, alignment {}{}", s.size, s.cachelines,
                                            s.cachelines == 1 ? "" : "s", m.cacheline_size, s.alignment,
                                            m.alignment ? fmt::format(" (__aligned__({}))", m.alignment) : ""),
                                fmt::format("holes {} ({} bytes), bit holes {} ({} bits), tail padding {}", s.nr_holes,
                                            s.sum_holes, s.nr_bit_holes, s.sum_bit_holes, s.padding)};
  for (const CacheGroup& c : m.groups)
    if (!c.problem.empty()) head.push_back(fmt::format("__cacheline_group {}: {}", c.name, c.problem));
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  const double top = 16.0 * static_cast<double>(head.size()) + 10;
  std::string body;
  body.reserve(256 * (m.flat.members.size() + g.rows.size()) + 512);
  for (size_t i = 0; i < head.size(); ++i)
    body += fmt::format("<text class=\"{}\" x=\"4\" y=\"{}\">{}</text>\n", i ? "hd" : "hd name",
                        num(14.0 + 16.0 * static_cast<double>(i)), esc::xml(head[i]));
  const MapMarks none;
  const double rows_end = Drawer(m, none, g, body).rows(top);
  const double w = map_width();
  double legend_h = 0;
  std::string legend = map_legend(false, w - 8, &legend_h);
  legend.insert(4, fmt::format(" x=\"4\" y=\"{}\"", num(rows_end + 4)));  // nested, below the rows
  body += legend;
  const double h = rows_end + 4 + legend_h + 4;
  out += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pgmap\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "data-name=\"{2}\" data-size=\"{3}\" data-cacheline-size=\"{4}\" data-tool=\"{5}\">\n"
      "<style>\n{6}.pgmap .hd{{font-size:12px}}\n.pgmap .name{{font-weight:bold}}\n</style>\n<defs>\n{7}</defs>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n{8}</svg>\n",
      num(w), num(h), esc::xml(m.name), s.size, m.cacheline_size, esc::xml(tool_version()), map_css(), map_defs(),
      body);
  return out;
}

}  // namespace padguard
