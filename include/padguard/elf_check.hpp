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

// Throws InputError when the file cannot be a usable input.
ElfFacts check_elf_file(const std::string& path);

}  // namespace padguard
