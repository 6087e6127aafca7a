// The section header table of an ELF file as gABI defines it, extended
// section numbering included: e_shnum 0 means the count is section 0's
// sh_size, e_shstrndx SHN_XINDEX means the name table's index is section 0's
// sh_link (a file with 65280 sections or more; any file may use it). Every
// reader of the table goes through here, never e_shnum itself.
#pragma once

#include <gelf.h>
#include <libelf.h>

#include <cstdint>
#include <optional>

namespace padguard {

struct SectionTable {
  size_t count = 0;     // sections, section 0 included
  size_t shstrndx = 0;  // the section names' string table
};

// The table when it lies inside a file of `file_size` bytes; nullopt when
// there is none (e_shoff 0), it runs past the end, or libelf cannot read it.
inline std::optional<SectionTable> section_table(Elf* e, const GElf_Ehdr& eh, uint64_t file_size) {
  SectionTable t;
  if (eh.e_shoff == 0 || eh.e_shoff >= file_size || eh.e_shentsize == 0) return std::nullopt;
  if (elf_getshdrnum(e, &t.count) != 0 || elf_getshdrstrndx(e, &t.shstrndx) != 0) return std::nullopt;
  if (t.count > (file_size - eh.e_shoff) / eh.e_shentsize) return std::nullopt;
  return t;
}

}  // namespace padguard
