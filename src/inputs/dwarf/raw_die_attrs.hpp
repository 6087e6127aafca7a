// How a decoded attribute value lands in a RawDie, shared by both backends:
// a backend decodes each attribute by the kind named here (its own library
// calls), then `store` puts it in place, so the two fill RawDie identically.
// The includer provides the DW_AT_* names (elfutils or libdwarf dwarf.h).
#pragma once

#include <cstdint>
#include <optional>

#include "padguard/dwarf_source.hpp"

namespace padguard {

enum class AttrKind {
  Unsigned,  // a constant read as unsigned (sizes, offsets, line, enumerator values)
  Bound,     // an array bound: signed when sdata, unknown when not a constant
  Flag,
  Special,   // name, type, member location, decl_file: decoded by the backend
  Ignored,
};

inline AttrKind attr_kind(uint32_t at) {
  switch (at) {
    case DW_AT_byte_size:
    case DW_AT_bit_size:
    case DW_AT_data_bit_offset:
    case DW_AT_bit_offset:
    case DW_AT_alignment:
    case DW_AT_const_value:
    case DW_AT_decl_line:
    case DW_AT_virtuality:
      return AttrKind::Unsigned;
    case DW_AT_count:
    case DW_AT_upper_bound:
    case DW_AT_lower_bound:
      return AttrKind::Bound;
    case DW_AT_declaration:
    case DW_AT_external:
    case DW_AT_prototyped:
    case DW_AT_artificial:
      return AttrKind::Flag;
    case DW_AT_name:
    case DW_AT_type:
    case DW_AT_data_member_location:
    case DW_AT_decl_file:
      return AttrKind::Special;
    default:
      return AttrKind::Ignored;
  }
}

struct AttrValue {
  std::optional<uint64_t> u;  // Unsigned
  std::optional<int64_t> s;   // Bound
  bool unknown = false;       // Bound that is not a constant (VLA)
  bool flag = false;          // Flag
};

inline void store_attr(RawDie& d, uint32_t at, const AttrValue& v) {
  switch (at) {
    case DW_AT_byte_size: d.byte_size = v.u; break;
    case DW_AT_bit_size: d.bit_size = v.u; break;
    case DW_AT_data_bit_offset: d.data_bit_offset = v.u; break;
    case DW_AT_bit_offset: d.bit_offset = v.u; break;
    case DW_AT_alignment: d.alignment = v.u; break;
    case DW_AT_const_value:
      if (v.u) d.const_value = static_cast<int64_t>(*v.u);
      break;
    case DW_AT_decl_line:
      if (v.u) d.decl_line = static_cast<uint32_t>(*v.u);
      break;
    case DW_AT_count:
      if (v.s) d.count = static_cast<uint64_t>(*v.s);
      if (v.unknown) d.upper_bound_unknown = true;
      break;
    case DW_AT_upper_bound:
      d.upper_bound = v.s;
      if (v.unknown) d.upper_bound_unknown = true;
      break;
    case DW_AT_lower_bound: d.lower_bound = v.s; break;
    case DW_AT_virtuality: d.virtuality = v.u.value_or(0) != 0; break;
    case DW_AT_declaration: d.declaration = v.flag; break;
    case DW_AT_external: d.external = v.flag; break;
    case DW_AT_prototyped: d.prototyped = v.flag; break;
    case DW_AT_artificial: d.artificial = v.flag; break;
    default: break;
  }
}

}  // namespace padguard
