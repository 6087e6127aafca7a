// Validation shared by all backends before a DWARF library sees the file:
// existence, ELF magic, truncation, presence of debug info. Each failure is
// an InputError that names the file and the fix.
#pragma once

#include <string>

namespace padguard {

struct ElfFacts {
  bool is_64 = true;
  bool big_endian = false;
  uint16_t machine = 0;          // e_machine
  bool relocatable = false;      // ET_REL: .o / .ko, relocations must be applied
  bool has_debug_info = false;   // .debug_info or .zdebug_info present
};

// Throws InputError when the file cannot be a usable input. With
// `list_headers`, the unit headers of .debug_rnglists/.debug_loclists must
// tile their sections too: libdwarf 20210528 loads them with the first unit
// and frees twice on a bad one. libdw never reads them for padguard, and
// walking them touches a page per unit of a vmlinux, so only the libdwarf
// backend asks.
ElfFacts check_elf_file(const std::string& path, bool list_headers = false);

}  // namespace padguard
