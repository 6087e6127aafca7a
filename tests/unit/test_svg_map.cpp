// Cacheline maps (svg_map.hpp) on hand-built records: every member is a span
// at its own bits, spans cover the record with nothing left out, union
// members take lanes of their own, unused bits are pahole's bit holes, runs
// of identical cachelines are one row, pixels follow offsets; hostile names
// are escaped in the SVG and the HTML pages, which hold no script.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <regex>

#include "model_types.hpp"
#include "padguard/diff.hpp"
#include "padguard/layout_map.hpp"
#include "padguard/render.hpp"
#include "padguard/report_html.hpp"
#include "padguard/rules.hpp"
#include "padguard/rule_table.hpp"
#include "padguard/svg_map.hpp"

using namespace padguard;

namespace {

Member mem(const std::string& name, uint64_t off, uint64_t size) {
  Member m;
  m.name = name;
  m.type = test::base(size == 8 ? "long" : size == 4 ? "int" : "char", size);
  m.bit_offset = off * 8;
  m.byte_size = size;
  m.natural_alignment = static_cast<uint32_t>(std::min<uint64_t>(size, 8));
  return m;
}

Member bits(const std::string& name, uint64_t bit_off, uint32_t width) {
  Member m = mem(name, 0, 4);
  m.type = test::base("unsigned int", 4);
  m.bit_offset = bit_off;
  m.bit_size = width;
  m.unit_size = 4;
  return m;
}

using test::rec;

Member inline_union(std::vector<Member> ms, uint64_t off, uint64_t size) {
  auto u = rec("", size, std::move(ms), RecordKind::Union);
  Member m;
  m.type = test::anon_record(u);
  m.bit_offset = off * 8;
  m.byte_size = size;
  m.natural_alignment = 8;
  m.alignment = 8;  // a forced alignment, as rcu_head's
  return m;
}

// 0: a (4), hole 4..8, 8: b (8), 16: two bitfields (3 + 2 bits of a 4-byte
// unit; 27 bits unused), 20: c (4), 24: union {u4 (4), u16 (16)}, 40: hole
// to 64, 64: big[448] (7 cachelines: 64..512), 512: tail (1), padding 7.
std::shared_ptr<Record> sample() {
  Member big = mem("big", 64, 448);
  big.type = test::array(test::base("char", 1), {448});
  return rec("sample", 520,
             {mem("a", 0, 4), mem("b", 8, 8), bits("f1", 128, 3), bits("f2", 131, 2), mem("c", 20, 4),
              inline_union({mem("u4", 0, 4), mem("u16", 0, 16)}, 24, 16), big, mem("tail", 512, 1)});
}

std::vector<const MapSpan*> of_kind(const MapGeometry& g, SpanKind k) {
  std::vector<const MapSpan*> out;
  for (const MapSpan& s : g.bands[kByteBand])
    if (s.kind == k) out.push_back(&s);
  return out;
}

size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("map: every member is a span at its own bits, from the flat view", "[svg][fast]") {
  const LayoutMap m = layout_map(*sample(), 64);
  const MapGeometry g = map_geometry(m);
  REQUIRE(m.flat.members.size() == 9);
  const auto members = of_kind(g, SpanKind::Member);
  REQUIRE(members.size() == m.flat.members.size());
  for (const MapSpan* s : members) {
    const FlatMember& f = m.flat.members[s->index];
    CHECK(s->begin == f.bit_offset);
    CHECK(s->end == f.bit_offset + (f.is_bitfield() ? f.bit_size : f.byte_size * 8));
  }
  CHECK(g.total_bits == 520 * 8);
  CHECK(g.line_bits == 512);
}

TEST_CASE("map: holes and padding are the analysis's, unused bits are the bit holes", "[svg][fast]") {
  const LayoutMap m = layout_map(*sample(), 64);
  const MapGeometry g = map_geometry(m);
  const auto holes = of_kind(g, SpanKind::Hole);
  REQUIRE(holes.size() == m.holes.size());
  REQUIRE(m.holes.size() == 2);
  CHECK(holes[0]->begin == 4 * 8);
  CHECK(holes[0]->end == 8 * 8);
  CHECK(holes[1]->begin == 40 * 8);
  CHECK(holes[1]->end == 64 * 8);
  const auto pad = of_kind(g, SpanKind::Padding);
  REQUIRE(pad.size() == 1);
  CHECK(m.stats.padding == 7);
  CHECK(pad[0]->begin == 513 * 8);
  CHECK(pad[0]->end == 520 * 8);
  // The 27 bits after f2 up to c: pahole's one bit hole, nothing else unused.
  const auto unused = of_kind(g, SpanKind::Unused);
  REQUIRE(unused.size() == 1);
  CHECK(unused[0]->begin == 133);
  CHECK(unused[0]->end == 160);
  CHECK(unused[0]->end - unused[0]->begin == m.stats.sum_bit_holes);
}

TEST_CASE("map: spans cover every bit of the record exactly once per lane-0 sweep", "[svg][fast]") {
  const MapGeometry g = map_geometry(layout_map(*sample(), 64));
  // Union of all byte-band spans is [0, total) with no gap.
  std::vector<std::pair<uint64_t, uint64_t>> iv;
  for (const MapSpan& s : g.bands[kByteBand]) iv.emplace_back(s.begin, s.end);
  std::sort(iv.begin(), iv.end());
  uint64_t cur = 0;
  for (const auto& [b, e] : iv) {
    CHECK(b <= cur);
    cur = std::max(cur, e);
  }
  CHECK(cur == g.total_bits);
  // Spans in one lane never overlap.
  std::map<uint32_t, uint64_t> lane_end;
  for (const MapSpan& s : g.bands[kByteBand]) {
    CHECK(lane_end[s.lane] <= s.begin);
    lane_end[s.lane] = std::max(lane_end[s.lane], s.end);
  }
}

TEST_CASE("map: union members stack in lanes, the unit band holds the bitfields' unit", "[svg][fast]") {
  const LayoutMap m = layout_map(*sample(), 64);
  const MapGeometry g = map_geometry(m);
  std::map<std::string, uint32_t> lane;
  for (const MapSpan* s : of_kind(g, SpanKind::Member)) lane[m.flat.members[s->index].key] = s->lane;
  CHECK(lane["u4"] != lane["u16"]);
  CHECK(lane["a"] == 0);
  REQUIRE(g.units.size() == 1);
  CHECK(g.units[0].offset == 16);
  CHECK(g.units[0].size == 4);
  CHECK(g.units[0].members.size() == 2);
  CHECK(g.rows[0].lanes[kByteBand] == 2);
  CHECK(g.rows[0].lanes[kUnitBand] == 1);
}

TEST_CASE("map: cachelines that one span covers whole are one row, rows cover every line in order", "[svg][fast]") {
  const MapGeometry g = map_geometry(layout_map(*sample(), 64));
  // line 0: a..hole; line 1..7: big (one row); line 8: tail + padding.
  REQUIRE(g.rows.size() == 3);
  CHECK(g.rows[0].first_line == 0);
  CHECK(g.rows[0].last_line == 0);
  CHECK(g.rows[1].first_line == 1);
  CHECK(g.rows[1].last_line == 7);
  REQUIRE(g.rows[1].spans[kByteBand].size() == 1);
  CHECK(g.bands[kByteBand][g.rows[1].spans[kByteBand][0]].kind == SpanKind::Member);
  CHECK(g.rows[2].first_line == 8);
  CHECK(g.rows[2].last_line == 8);
}

TEST_CASE("map: a gigabyte record draws in a few rows", "[svg][fast]") {
  Member huge = mem("huge", 0, uint64_t{1} << 30);
  const auto r = rec("big", (uint64_t{1} << 30) + 8, {huge, mem("x", uint64_t{1} << 30, 8)});
  const LayoutMap m = layout_map(*r, 64);
  const MapGeometry g = map_geometry(m);
  CHECK(g.rows.size() == 2);
  const std::string svg = svg_map(m, {}, "");
  CHECK(svg.size() < 4096);
}

TEST_CASE("map: thousands of overlapping union members get a lane each, quickly", "[svg][fast]") {
  std::vector<Member> ms;
  for (int i = 0; i < 3000; ++i) ms.push_back(mem("m" + std::to_string(i), 0, 8));
  const MapGeometry g = map_geometry(layout_map(*rec("u", 8, ms, RecordKind::Union), 64));
  REQUIRE(g.rows.size() == 1);
  CHECK(g.rows[0].lanes[kByteBand] == 3000);
}

TEST_CASE("svg: boxes carry offsets and sizes, and x follows the offset", "[svg][fast]") {
  const std::string svg = svg_map(layout_map(*sample(), 64), {}, "old");
  // b: byte 8 of line 0, 8 bytes; 12 px per byte after the 92 px labels.
  CHECK(svg.find("<rect class=\"m\" x=\"188\" y=\"1\" width=\"96\" height=\"16\" data-key=\"b\" data-off=\"8\" "
                 "data-size=\"8\">") != std::string::npos);
  CHECK(svg.find("data-key=\"f1\" data-off=\"16\" data-size=\"4\" data-bit-off=\"128\" data-bits=\"3\"") !=
        std::string::npos);
  CHECK(svg.find("class=\"hole\" x=\"140\" y=\"1\" width=\"48\"") != std::string::npos);
  CHECK(svg.find("class=\"pad\"") != std::string::npos);
  CHECK(svg.find("data-side=\"old\"") != std::string::npos);
  CHECK(svg.find("data-first-line=\"1\" data-last-line=\"7\"") != std::string::npos);
  CHECK(svg.find("class=\"amark\"") != std::string::npos);  // the union's __aligned__(8)
}

TEST_CASE("svg and html: hostile names are escaped, and there is no script", "[svg][escape][fast]") {
  const std::string evil = "<script>alert(1)</script>\"'&\n\x01";
  const auto before = rec(evil, 16, {mem(evil, 0, 8), mem("x", 8, 4)});
  const auto after = rec(evil, 16, {mem("x", 0, 4), mem(evil, 8, 8)});
  const std::string svg = render_layout_svg(layout_map(*before, 64), evil + ".o");
  for (const std::string* out : {&svg}) {
    CHECK(out->find("<script") == std::string::npos);
    CHECK(out->find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&apos;&amp;&#10;\\x01") != std::string::npos);
    CHECK(out->find('\x01') == std::string::npos);
  }
  DiffOptions o;
  o.maps = true;
  RecordSet a, b;
  a.source = evil + "-a.o";
  b.source = evil + "-b.o";
  a.records.push_back(before);
  b.records.push_back(after);
  const DiffResult d = diff_sets(a, b, {}, o);
  const std::string html = render_diff_html(d);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;") != std::string::npos);
  CHECK(html.find('\x01') == std::string::npos);
  // Every attribute value is closed before the next attribute: no raw quote
  // or newline inside data-key.
  const std::regex key("data-key=\"([^\"]*)\"");
  size_t keys = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), key); it != std::sregex_iterator(); ++it, ++keys)
    CHECK((*it)[1].str().find_first_of("<>\n'") == std::string::npos);
  CHECK(keys >= 4);
}

TEST_CASE("html diff: changes become classes on the side they belong to, holes filled and opened",
          "[svg][html][fast]") {
  // before: a(4) hole(4) b(8) c(4) pad 4; after: c moved into the hole, a grew.
  const auto before = rec("s", 24, {mem("a", 0, 4), mem("b", 8, 8), mem("c", 16, 4)});
  auto grown = mem("a", 0, 8);
  const auto after = rec("s", 24, {grown, mem("b", 8, 8), mem("d", 16, 4)});
  DiffOptions o;
  o.maps = true;
  const RecordDiff d = diff_records(*before, *after, o);
  REQUIRE(d.old_map);
  REQUIRE(d.new_map);
  DiffResult res;
  res.records.push_back(d);
  const std::string html = render_diff_html(res);
  CHECK(count(html, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pgmap\"") == 2);
  CHECK(count(html, "class=\"m c-resized c-retyped\" x=\"92\"") == 2);  // a (int -> long), both sides
  CHECK(count(html, "c-resized") >= 3);                                 // two maps and the table row
  CHECK(html.find("class=\"m c-removed\"") != std::string::npos);       // c, old side
  CHECK(html.find("class=\"m c-added\"") != std::string::npos);         // d, new side
  CHECK(html.find("class=\"hole filled\"") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
}

TEST_CASE("check with maps: each struct row keeps its diff and both maps", "[svg][html][fast]") {
  const auto before = rec("s", 16, {mem("a", 0, 4), mem("b", 8, 8)});
  const auto after = rec("s", 24, {mem("a", 0, 4), mem("b", 8, 8), mem("c", 16, 4)});
  RecordSet a, b;
  a.source = "a.o", b.source = "b.o";
  a.records.push_back(before);
  b.records.push_back(after);
  CheckOptions co;
  co.maps = true;
  const std::vector<Rule> rules = parse_rule("no-growth", "s", "--no-growth");
  const ConfigResult c = evaluate_config(rules, a, b, co);
  REQUIRE(c.structs.size() == 1);
  REQUIRE(c.structs[0].diff);
  CHECK(c.structs[0].diff->old_map);
  CHECK(c.structs[0].diff->new_map);
  const CheckResult r = make_check_result(rules, {c}, co, false);
  const std::string html = render_check_html(r);
  CHECK(html.find("<td class=\"FAIL\">FAIL</td>") != std::string::npos);
  CHECK(count(html, "class=\"pgmap\" width") == 2);
  CheckOptions plain;
  CHECK_FALSE(evaluate_config(rules, a, b, plain).structs[0].diff);
}
