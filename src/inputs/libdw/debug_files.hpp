// Debug info kept in files other than the one named: split DWARF's .dwo files
// and .dwp packages, and dwz's supplementary file (.gnu_debugaltlink). Where
// they are looked for (the places gdb and libdw look), mapping them with
// libelf, and a .dwp's unit index (DWARF 5 section 7.3.5).
#pragma once

#include <libelf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../dwarf/reader.hpp"

namespace padguard::debug_files {

// The bytes of the first section of `elf` named `name` (or `alt`); empty
// when there is none. One still compressed (SHF_COMPRESSED, or .zdebug_'s
// "ZLIB" header) is an InputError naming `path`: read as DWARF it would fail
// open. libdw inflates the sections it knows when it opens a file; the
// files padguard maps itself are not compressed by the toolchains.
dwarf::Bytes section_data(Elf* elf, const std::string& path, std::string_view name, std::string_view alt = {});

// A file mapped read-only; its sections by name. Throws InputError when the
// file cannot be opened or is not ELF.
class MappedElf {
 public:
  explicit MappedElf(std::string path);
  ~MappedElf();
  MappedElf(const MappedElf&) = delete;
  MappedElf& operator=(const MappedElf&) = delete;

  Elf* elf() const { return elf_; }
  const std::string& path() const { return path_; }
  dwarf::Bytes section(std::string_view name) const { return section_data(elf_, path_, name); }

 private:
  std::string path_;
  int fd_ = -1;
  Elf* elf_ = nullptr;
};

// The supplementary file dwz wrote: .gnu_debugaltlink's path and build-id
// (hex), else DWARF 5's .debug_sup (dwz -5) of a file that is not itself
// supplementary: its sup_filename and sup_checksum (hex).
struct AltLink {
  std::string path;
  std::string build_id;  // .debug_sup: the checksum
  bool dwarf5 = false;   // from .debug_sup
  const char* section() const { return dwarf5 ? ".debug_sup" : ".gnu_debugaltlink"; }
};
std::optional<AltLink> read_altlink(Elf* elf);

// What must equal `link.build_id` in a candidate file: its build-id note, or
// for .debug_sup the checksum of its own .debug_sup saying is_supplementary.
// Empty when it has none.
std::string alt_identity(Elf* elf, const AltLink& link);

// Where a skeleton unit's .dwo may be, in order: DW_AT_dwo_name itself when
// absolute, else under DW_AT_comp_dir, then beside `file` (the name, then
// its last component). Duplicates removed.
std::vector<std::string> dwo_candidates(const std::string& file, const char* dwo_name, const char* comp_dir);

// Where dwz's supplementary file may be: the link's path (absolute, or
// relative to `file`'s directory), then /usr/lib/debug/.build-id/NN/REST.debug.
std::vector<std::string> alt_candidates(const std::string& file, const AltLink& link);

// One split unit's contributions in a .dwp (offsets and sizes into the
// package's .debug_info.dwo, .debug_abbrev.dwo, .debug_str_offsets.dwo).
struct DwpRow {
  uint64_t info_off = 0, info_size = 0;
  uint64_t abbrev_off = 0, abbrev_size = 0;
  uint64_t str_offsets_off = 0, str_offsets_size = 0;
};

// .debug_cu_index, version 2 (GNU, DWARF 4) or 5. Throws DwarfError when it
// is damaged; every row is checked against the sizes of the sections it
// slices.
class DwpIndex {
 public:
  DwpIndex(const dwarf::Bytes& index, bool big_endian, uint64_t info_size, uint64_t abbrev_size,
           uint64_t str_offsets_size);
  const DwpRow* find(uint64_t dwo_id) const;
  unsigned version() const { return version_; }

 private:
  unsigned version_ = 0;
  std::unordered_map<uint64_t, DwpRow> rows_;
};

// "0x1234abcd..." as readelf prints a dwo_id.
std::string hex64(uint64_t v);

}  // namespace padguard::debug_files
