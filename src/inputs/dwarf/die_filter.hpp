// Which DIEs a backend keeps, shared by both backends so that they read the
// same DIEs in the same order (padguard crosscheck compares them DIE for DIE).
// Subprogram bodies are dropped: pahole never prints function-local types.
#pragma once

// The includer provides the DW_TAG_* names: elfutils <dwarf.h> (enums) or
// libdwarf's <libdwarf/dwarf.h> (macros) -- the two cannot be mixed.

#include <cstdint>

namespace padguard {

inline bool is_type_tag(uint32_t tag) {
  switch (tag) {
    case DW_TAG_base_type:
    case DW_TAG_pointer_type:
    case DW_TAG_reference_type:
    case DW_TAG_rvalue_reference_type:
    case DW_TAG_const_type:
    case DW_TAG_volatile_type:
    case DW_TAG_restrict_type:
    case DW_TAG_atomic_type:
    case DW_TAG_typedef:
    case DW_TAG_array_type:
    case DW_TAG_structure_type:
    case DW_TAG_union_type:
    case DW_TAG_class_type:
    case DW_TAG_enumeration_type:
    case DW_TAG_subroutine_type:
    case DW_TAG_unspecified_type:
    case DW_TAG_ptr_to_member_type:
      return true;
    default:
      return false;
  }
}

// Which children of a DIE with tag `parent` can matter for layouts.
inline bool keep_child(uint32_t parent, uint32_t child) {
  switch (parent) {
    case DW_TAG_compile_unit:
    case DW_TAG_partial_unit:
    case DW_TAG_type_unit:
    case DW_TAG_namespace:
      return is_type_tag(child) || child == DW_TAG_namespace;
    case DW_TAG_structure_type:
    case DW_TAG_union_type:
    case DW_TAG_class_type:
      return child == DW_TAG_member || child == DW_TAG_inheritance || is_type_tag(child);
    case DW_TAG_enumeration_type:
      return child == DW_TAG_enumerator;
    case DW_TAG_array_type:
      return child == DW_TAG_subrange_type || child == DW_TAG_enumeration_type;
    case DW_TAG_subroutine_type:
      return child == DW_TAG_formal_parameter || child == DW_TAG_unspecified_parameters;
    default:
      return false;
  }
}

}  // namespace padguard
