// Why padguard refuses some DWARF it can parse: the types are elsewhere
// (split DWARF, type units, dwz supplementary files). One wording for both
// backends; each message says what to build instead.
#pragma once

namespace padguard::dwarf {

inline constexpr const char* kSplitDwarf =
    "split DWARF: the types are in .dwo files, which padguard does not read yet; build without -gsplit-dwarf";
inline constexpr const char* kDwoFile =
    "a split-DWARF .dwo file, which padguard does not read yet; build without -gsplit-dwarf and pass the "
    "object or executable";
inline constexpr const char* kTypeUnits =
    "type units (-fdebug-types-section): the types are in .debug_types / DW_UT_type units, which padguard does "
    "not read yet; build without -fdebug-types-section";
inline constexpr const char* kSupplementaryFile =
    "DWARF compressed by dwz (references into a supplementary file, .gnu_debugaltlink), which padguard does not "
    "read yet; use the file before dwz";

// The message for a DWARF 5 unit type (DW_UT_*, section 7.5.1) whose types
// padguard cannot read; null for compile and partial units.
inline const char* refused_unit_type(unsigned unit_type) {
  switch (unit_type) {
    case 0x02:  // DW_UT_type
    case 0x06:  // DW_UT_split_type
      return kTypeUnits;
    case 0x04:  // DW_UT_skeleton
    case 0x05:  // DW_UT_split_compile
      return kSplitDwarf;
    default:
      return nullptr;
  }
}

}  // namespace padguard::dwarf
