// Why padguard refuses some DWARF it can parse: the types are elsewhere
// (split DWARF, type units, dwz supplementary files). One wording for both
// backends; each message says what to build instead.
#pragma once

namespace padguard::dwarf {

// libdwarf backend (libdw reads split DWARF: its .dwo files or FILE.dwp).
inline constexpr const char* kSplitDwarf =
    "split DWARF: the types are in .dwo files, which the libdwarf backend does not read; use the default backend "
    "(--backend libdw)";
inline constexpr const char* kDwoFile =
    "a split-DWARF .dwo file: pass the object or executable whose skeleton units name it (padguard finds the "
    ".dwo files and FILE.dwp from there)";
inline constexpr const char* kTypeUnits =
    "type units (-fdebug-types-section): the types are in .debug_types / DW_UT_type units, which padguard does "
    "not read yet; build without -fdebug-types-section";
// Forms into dwz's supplementary file: libdwarf does not follow them; libdw
// does when .gnu_debugaltlink names the file (else this message).
inline constexpr const char* kSupplementaryFile =
    "DWARF compressed by dwz (references into a supplementary file, .gnu_debugaltlink or .debug_sup), which "
    "the libdwarf backend does not read; use the default backend (--backend libdw), or the file before dwz";

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
