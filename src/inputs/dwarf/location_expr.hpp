// DW_AT_data_member_location as an expression (DWARF 5 section 2.5 and
// 5.7.6): one evaluator for both backends. The address of the containing
// object is pushed first, as 0, so the result is the member's offset; only
// operations whose result is a constant are evaluated (no memory, no
// registers). Anything else is reported, never read as offset 0: C++ virtual
// bases (DW_OP_dup DW_OP_deref ...) among them. This header names no DW_*
// macro, so libdw's and libdwarf's dwarf.h can both include it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "padguard/dwarf_source.hpp"

namespace padguard::dwarf {

struct MemberLocation {
  std::optional<uint64_t> offset;  // the member's byte offset, when evaluated
  LocationProblem problem = LocationProblem::None;
  uint16_t detail = 0;             // the DW_OP_* at fault, or the DW_FORM_* of a non-constant value
};

// Evaluates the expression `expr[0..len)` (the bytes of an exprloc or block
// value). Operands are read in the unit's byte order.
MemberLocation evaluate_member_location(const uint8_t* expr, size_t len, bool big_endian);

// A value in a form that is neither a constant nor an expression (a
// location list, data16, a string, ...).
inline MemberLocation location_of_form(uint32_t form) {
  MemberLocation m;
  m.problem = LocationProblem::NotConstant;
  m.detail = static_cast<uint16_t>(form);
  return m;
}

// Puts an evaluated location into the DIE (member_location, or the problem).
inline void store_member_location(RawDie& d, const MemberLocation& m) {
  d.member_location = m.offset;
  d.location_problem = m.problem;
  d.location_detail = m.detail;
}

// "DW_OP_deref", or "DW_OP_0xe5" for one without a name.
std::string op_name(uint8_t op);

}  // namespace padguard::dwarf
