// padguard's own DWARF reader over section bytes that libdw found, decompressed
// and relocated: unit headers (DWARF 5 section 7.5.1), abbreviation tables
// (7.5.3), attribute forms (7.5.6) and stepping from DIE to DIE. Every read is
// bounded by its section; damage is a DwarfError whose text is the complete
// message (the caller adds the file name). No library state is touched.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "form.hpp"
#include "location_expr.hpp"

namespace padguard::dwarf {

class DwarfError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "corrupt DWARF (WHAT at .debug_info offset N); rebuild the file ..."
[[noreturn]] void corrupt(const std::string& what, uint64_t offset);

struct Bytes {
  const uint8_t* data = nullptr;
  uint64_t size = 0;
};

// The sections one unit is read from: a file's own, a split-DWARF .dwo's,
// one unit's contribution in a .dwp package, or dwz's supplementary file.
struct Sections {
  Bytes info, abbrev, str, line_str, str_offsets;
  bool big_endian = false;
  // Added to every .debug_info offset a Unit hands out (DIE offsets,
  // references), so that offsets stay unique across the section sets of one
  // input: 0 for the file's own sections.
  uint64_t bias = 0;
  // Where DW_FORM_strx indices start when the unit DIE names no
  // DW_AT_str_offsets_base: -1 after a DWARF 5 table header (8 bytes) when
  // there is one; 0 for GNU split DWARF 4 (.debug_str_offsets.dwo has none).
  int str_offsets_start = -1;
  // dwz: the supplementary file's sections (.gnu_debugaltlink, .debug_sup),
  // which DW_FORM_GNU_ref_alt/strp_alt and DW_FORM_ref_sup4/8/strp_sup point
  // into; null: none.
  const Sections* alt = nullptr;
  // Whether `global` (a biased offset) lies in these sections' .debug_info.
  bool holds(uint64_t global) const { return global >= bias && global - bias < info.size; }
};

// DW_UT_* (DWARF 5 table 7.2); units before DWARF 5 are compile units.
enum UnitType : uint8_t {
  kUtCompile = 1, kUtType = 2, kUtPartial = 3, kUtSkeleton = 4, kUtSplitCompile = 5, kUtSplitType = 6,
};

struct UnitHeader {
  uint64_t offset = 0;      // of the header in .debug_info
  uint64_t die_offset = 0;  // of the unit DIE
  uint64_t end = 0;         // one past the unit
  uint64_t abbrev_offset = 0;
  uint16_t version = 0;
  uint8_t unit_type = kUtCompile;
  uint8_t address_size = 8;
  uint8_t offset_size = 4;
  uint64_t dwo_id = 0;  // DWARF 5 skeleton and split compile units
  UnitShape shape(bool big_endian) const { return {address_size, offset_size, version, big_endian}; }
};

// The header of the unit at `offset`; nullopt when `offset` is the end of
// .debug_info. Throws DwarfError (unsupported version, bad length, ...).
std::optional<UnitHeader> read_unit_header(const Sections& s, uint64_t offset);

struct AttrSpec {
  uint32_t name = 0;
  uint32_t form = 0;
  int64_t implicit = 0;  // DW_FORM_implicit_const's value
  int32_t fixed = -1;    // bytes when every value of the form has one size
};

struct Abbrev {
  uint64_t code = 0;
  uint32_t tag = 0;
  bool children = false;
  uint32_t first = 0, count = 0;  // its AttrSpecs in AbbrevTable
  int32_t fixed_total = -1;       // every form fixed: their total size
  // Index of DW_AT_name / DW_AT_sibling (-1: none), and their byte offset
  // from the first value when every value before them has a fixed size.
  int32_t name_idx = -1, name_at = -1, sibling_idx = -1, sibling_at = -1;
};

// One unit's abbreviations, by code.
class AbbrevTable {
 public:
  // Parses the table at `offset` in .debug_abbrev (kept if already parsed
  // for the same offset and shape). Throws DwarfError.
  void parse(const Bytes& abbrev, uint64_t offset, const UnitShape& shape);
  const Abbrev* find(uint64_t code) const {
    if (code < dense_.size()) return dense_[code].code == code ? &dense_[code] : nullptr;
    auto it = sparse_.find(code);
    return it == sparse_.end() ? nullptr : &it->second;
  }
  std::span<const AttrSpec> attrs(const Abbrev& a) const { return {specs_.data() + a.first, a.count}; }
  uint64_t offset() const { return offset_; }

 private:
  std::vector<Abbrev> dense_;  // codes below kDense, by code
  std::unordered_map<uint64_t, Abbrev> sparse_;
  std::vector<AttrSpec> specs_;
  uint64_t offset_ = UINT64_MAX;
  UnitShape shape_{};
  const uint8_t* data_ = nullptr;  // the .debug_abbrev parsed (tables of several files share offsets)
};

// A DIE: its (global, biased) offset, abbreviation (null for the null entry that ends a
// sibling list) and where its attribute values start.
struct Die {
  uint64_t offset = 0;
  const Abbrev* abbrev = nullptr;
  const uint8_t* values = nullptr;
  uint32_t tag() const { return abbrev != nullptr ? abbrev->tag : 0; }
};

// One attribute value as it lies in .debug_info.
struct Attr {
  uint32_t name = 0;
  uint32_t form = 0;  // resolved (never DW_FORM_indirect)
  const uint8_t* value = nullptr;
  int64_t implicit = 0;
};

// A cursor over one unit: DIEs, attributes, values. Cheap to copy.
class Unit {
 public:
  Unit(const Sections& s, const UnitHeader& h, const AbbrevTable& t);

  const UnitHeader& header() const { return h_; }
  const UnitShape& shape() const { return shape_; }
  const uint8_t* first_die() const { return base_ + h_.die_offset; }
  // `offset`: a global (biased) offset, as Die::offset and reference() give.
  const uint8_t* at(uint64_t offset) const { return base_ + (offset - s_->bias); }
  bool contains(uint64_t offset) const {
    return offset >= s_->bias && offset - s_->bias >= h_.die_offset && offset - s_->bias < h_.end;
  }

  // The DIE at `p` (inside this unit). Throws DwarfError for an unknown
  // abbreviation code or a DIE that runs past the unit.
  Die die(const uint8_t* p) const;
  // Steps through the values, calling f(const Attr&); returns their end.
  template <class F>
  const uint8_t* each_attr(const Die& d, F&& f) const;
  // The end of the values, without decoding them.
  const uint8_t* skip_values(const Die& d) const;
  // Where the DIE after `d` and its children starts (`values_end` from
  // skip_values/each_attr): DW_AT_sibling when it points forward inside the
  // unit, else the children are stepped over (nesting bounded).
  const uint8_t* after_subtree(const Die& d, const uint8_t* values_end) const;
  // Where DW_AT_sibling of `d` points (checked to be forward, inside the
  // unit); null when it has none.
  const uint8_t* sibling_of(const Die& d) const;
  // DW_AT_name of `d` when its abbreviation has one; null otherwise.
  const char* name_of(const Die& d) const;

  // Value decoding (DWARF 5 section 7.5.5 classes); nullopt/null when the
  // form is not of the class or the value is unreadable.
  std::optional<uint64_t> constant(const Attr& a) const;        // unsigned; sdata as two's complement
  std::optional<int64_t> signed_constant(const Attr& a) const;  // sdata/implicit_const signed
  bool flag(const Attr& a) const;
  const char* string(const Attr& a) const;
  // A reference as a global .debug_info offset; nullopt for other forms.
  // Throws DwarfError when a unit-relative one points outside the unit.
  std::optional<uint64_t> reference(const Attr& a) const;
  // DW_AT_data_member_location: a constant, or an expression evaluated
  // (location_expr.hpp); otherwise the problem, never offset 0.
  MemberLocation member_location(const Attr& a) const;
  // The size of the value of `a` at its place (for stepping).
  uint64_t value_size(uint32_t form, const uint8_t* p) const;

  // DW_AT_str_offsets_base of the unit DIE, for DW_FORM_strx*.
  void set_str_offsets_base(uint64_t base) { str_offsets_base_ = base; }

 private:
  const char* str_at(const Bytes& sec, uint64_t off, bool nul_terminated) const;
  std::optional<uint64_t> strx(uint64_t index) const;

  const Sections* s_;
  UnitHeader h_;
  const AbbrevTable* t_;
  const uint8_t* base_;  // .debug_info
  const uint8_t* end_;   // of the unit
  UnitShape shape_;
  uint64_t str_offsets_base_ = 0;
  bool str_nul_ = false, line_str_nul_ = false;  // section ends in NUL: every offset inside is a string
};

template <class F>
const uint8_t* Unit::each_attr(const Die& d, F&& f) const {
  const uint8_t* p = d.values;
  for (const AttrSpec& spec : t_->attrs(*d.abbrev)) {
    Attr a{spec.name, spec.form, p, spec.implicit};
    if (a.form == DW_FORM_indirect) {  // section 7.5.3: the form precedes the value
      uint64_t form = 0;
      if (!read_uleb(p, end_, form) || form == DW_FORM_indirect || form == DW_FORM_implicit_const)
        corrupt("bad DW_FORM_indirect", static_cast<uint64_t>(p - base_));
      a.form = static_cast<uint32_t>(form);
      a.value = p;
    }
    const uint64_t size = spec.fixed >= 0 && a.form == spec.form ? static_cast<uint64_t>(spec.fixed)
                                                                 : value_size(a.form, p);
    if (size > static_cast<uint64_t>(end_ - p)) corrupt("attribute value past the unit", d.offset);
    f(static_cast<const Attr&>(a));
    p += size;
  }
  return p;
}

}  // namespace padguard::dwarf
