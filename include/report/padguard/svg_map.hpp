// Cacheline maps of one record as SVG (`layout --format svg`, and the html
// pages of diff and check): the geometry (which span lands in which row and
// lane) apart from the drawing, so tests can hold the picture to the layout.
// Every offset and size drawn comes from a LayoutMap (analysis/layout_map.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "padguard/layout_map.hpp"

namespace padguard {

// What a span of the map is. Unused: bits no member, hole or tail padding
// covers (pahole's bit holes and bit padding, a union's bytes past a short
// member's end); the complement of the others, nothing else.
enum class SpanKind { Member, Hole, Padding, Unused, Group, Unit };

struct MapSpan {
  SpanKind kind = SpanKind::Member;
  size_t index = 0;    // Member: flat.members; Hole: holes; Group: groups; Unit: MapGeometry::units
  uint64_t begin = 0;  // bits from the start of the record
  uint64_t end = 0;    // one past the last bit (== begin: a zero-size member, an empty group)
  uint32_t lane = 0;   // spans that overlap (union members) are stacked in lanes
};

// A bitfield storage unit (pahole's: FlatMember::unit_offset/unit_size) and
// the bitfields placed in it.
struct MapUnit {
  uint64_t offset = 0, size = 0;  // bytes
  std::vector<size_t> members;    // into flat.members
};

// Three bands per row, top to bottom: cacheline groups, the record's bytes
// (members, holes, padding, unused bits), bitfield storage units.
enum Band : size_t { kGroupBand = 0, kByteBand = 1, kUnitBand = 2 };

// One drawn row: a cacheline, or a run of cachelines that look the same
// (every span touching them covers them whole: a large array, a long hole),
// drawn once.
struct MapRow {
  uint64_t first_line = 0, last_line = 0;
  std::array<std::vector<size_t>, 3> spans;  // per band: indices into MapGeometry::bands, by begin
  std::array<uint32_t, 3> lanes{};           // per band: lanes drawn (the byte band at least 1)
};

struct MapGeometry {
  uint64_t line_bits = 512;  // cacheline size in bits
  uint64_t total_bits = 0;   // the record's size in bits
  std::array<std::vector<MapSpan>, 3> bands;
  std::vector<MapUnit> units;
  std::vector<MapRow> rows;
};

MapGeometry map_geometry(const LayoutMap& m);

// Pixels: one cacheline is kLineWidth wide whatever its size.
struct MapPixels {
  static constexpr double kLeft = 92;        // row labels
  static constexpr double kLineWidth = 768;  // 12 px per byte for 64-byte cachelines
  static constexpr double kRight = 8;
  static constexpr double kLane = 18;  // byte band lane
  static constexpr double kGroupLane = 12;
  static constexpr double kUnitLane = 5;
  static constexpr double kRowGap = 6;
  static constexpr double kCharWidth = 6.1;  // 10 px monospace, for "does the label fit"
};

// Marks a diff puts on one side's map: CSS classes per member key
// ("c-moved c-resized") with a note for its tooltip ("moved: offset 8 ->
// 16"), per hole (parallel to LayoutMap::holes: "filled", "opened" or ""),
// and the groups that changed.
struct MemberMark {
  std::string classes;
  std::string note;
};
struct MapMarks {
  std::unordered_map<std::string, MemberMark> members;
  std::vector<std::string> holes;
  std::set<std::string> groups;
};

// The map as an <svg> element (no XML prologue, no <defs>: the page holds
// the patterns and the style once). `side` is "old", "new" or "" and lands in
// data-side.
std::string svg_map(const LayoutMap& m, const MapMarks& marks, std::string_view side);

// A key to the maps' classes, as an <svg> `width` wide; with `changes`, the
// diff's classes too; `height` gets its height.
std::string map_legend(bool changes, double width, double* height = nullptr);

// The shared style and the hatch patterns the maps refer to (by id).
std::string_view map_css();
std::string_view map_defs();

// A standalone SVG document of one record's map (layout --format svg).
std::string render_layout_svg(const LayoutMap& m, const std::string& source);

}  // namespace padguard
