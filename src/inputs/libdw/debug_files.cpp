// Finding and mapping the files that hold the rest of a file's debug info
// (see debug_files.hpp).
#include "debug_files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <gelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "../debuginfo_lookup.hpp"
#include "padguard/error.hpp"

namespace padguard::debug_files {

namespace fs = std::filesystem;

MappedElf::MappedElf(std::string path) : path_(std::move(path)) {
  elf_version(EV_CURRENT);
  fd_ = open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0) throw InputError(path_, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd_);
    throw InputError(path_, "not a regular file");
  }
  elf_ = elf_begin(fd_, ELF_C_READ_MMAP, nullptr);
  if (elf_ == nullptr || elf_kind(elf_) != ELF_K_ELF) {
    if (elf_ != nullptr) elf_end(elf_);
    close(fd_);
    throw InputError(path_, "not an ELF file");
  }
}

MappedElf::~MappedElf() {
  if (elf_ != nullptr) elf_end(elf_);
  if (fd_ >= 0) close(fd_);
}

dwarf::Bytes section_data(Elf* elf, const std::string& path, std::string_view name, std::string_view alt) {
  size_t shstrndx = 0;
  if (elf == nullptr || elf_getshdrstrndx(elf, &shstrndx) != 0) return {};
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == nullptr || sh.sh_type == SHT_NOBITS) continue;
    const char* n = elf_strptr(elf, shstrndx, sh.sh_name);
    if (n == nullptr || (name != n && (alt.empty() || alt != n))) continue;
    const Elf_Data* data = elf_getdata(scn, nullptr);
    const bool gnu_z = data != nullptr && data->d_size >= 4 && std::memcmp(data->d_buf, "ZLIB", 4) == 0 &&
                       n[1] == 'z';
    if ((sh.sh_flags & SHF_COMPRESSED) != 0 || gnu_z)
      throw InputError(path, std::string(n) + " is compressed and was not inflated; run `objcopy "
                                              "--decompress-debug-sections` on the file");
    if (data == nullptr || data->d_buf == nullptr) return {};
    return {static_cast<const uint8_t*>(data->d_buf), data->d_size};
  }
  return {};
}

namespace {

std::string to_hex(const uint8_t* p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += fmt::format("{:02x}", p[i]);
  return s;
}

}  // namespace

std::string hex64(uint64_t v) { return fmt::format("0x{:016x}", v); }

namespace {

// A section's bytes in the file (not NOBITS); nullopt when there is none.
std::optional<std::pair<const uint8_t*, size_t>> raw_section(Elf* elf, const char* name) {
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return std::nullopt;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == nullptr || sh.sh_type == SHT_NOBITS) continue;
    const char* n = elf_strptr(elf, shstrndx, sh.sh_name);
    if (n == nullptr || std::strcmp(n, name) != 0) continue;
    const Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr || data->d_buf == nullptr) return std::pair<const uint8_t*, size_t>{nullptr, 0};
    return std::pair{static_cast<const uint8_t*>(data->d_buf), data->d_size};
  }
  return std::nullopt;
}

// DWARF 5 section 7.3.6: version (2 bytes, 5), is_supplementary (1),
// sup_filename (NUL-terminated), sup_checksum_len (ULEB128), sup_checksum.
struct DebugSup {
  bool supplementary = false;
  std::string filename, checksum;  // checksum in hex
};
std::optional<DebugSup> read_debug_sup(Elf* elf) {
  const auto sec = raw_section(elf, ".debug_sup");
  if (!sec) return std::nullopt;
  const auto [p, n] = *sec;
  DebugSup out;
  // Damaged (or not version 5): no checksum, which open_alt refuses.
  const bool version5 = p != nullptr && n >= 4 && ((p[0] | p[1] << 8) == 5 || (p[0] << 8 | p[1]) == 5);
  if (!version5) return out;
  out.supplementary = p[2] != 0;
  const void* nul = std::memchr(p + 3, 0, n - 3);
  if (nul == nullptr) return out;
  const auto* at = static_cast<const uint8_t*>(nul) + 1;
  out.filename.assign(reinterpret_cast<const char*>(p + 3), static_cast<size_t>(at - 1 - (p + 3)));
  uint64_t len = 0;
  const uint8_t* end = p + n;
  if (!dwarf::read_uleb(at, end, len) || len > static_cast<uint64_t>(end - at)) return out;
  out.checksum = to_hex(at, static_cast<size_t>(len));
  return out;
}

}  // namespace

std::optional<AltLink> read_altlink(Elf* elf) {
  if (const auto sec = raw_section(elf, ".gnu_debugaltlink")) {
    const auto [p, n] = *sec;
    if (p == nullptr) return AltLink{};
    const void* nul = std::memchr(p, 0, n);
    if (nul == nullptr) return AltLink{};
    const auto len = static_cast<size_t>(static_cast<const uint8_t*>(nul) - p);
    return AltLink{std::string(reinterpret_cast<const char*>(p), len), to_hex(p + len + 1, n - len - 1)};
  }
  if (const std::optional<DebugSup> sup = read_debug_sup(elf); sup && !sup->supplementary)
    return AltLink{sup->filename, sup->checksum, true};
  return std::nullopt;
}

std::string alt_identity(Elf* elf, const AltLink& link) {
  if (!link.dwarf5) return debuginfo::build_id(elf);
  const std::optional<DebugSup> sup = read_debug_sup(elf);
  return sup && sup->supplementary ? sup->checksum : std::string();
}

namespace {

void add_unique(std::vector<std::string>& v, const fs::path& p) {
  const std::string s = p.lexically_normal().string();
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

std::vector<std::string> dwo_candidates(const std::string& file, const char* dwo_name, const char* comp_dir) {
  std::vector<std::string> out;
  if (dwo_name == nullptr || *dwo_name == 0) return out;
  const fs::path name(dwo_name);
  const fs::path here = fs::path(file).parent_path();
  if (name.is_absolute()) {
    add_unique(out, name);
  } else {
    if (comp_dir != nullptr && *comp_dir != 0) add_unique(out, fs::path(comp_dir) / name);
    add_unique(out, here / name);
  }
  add_unique(out, here / name.filename());
  return out;
}

std::vector<std::string> alt_candidates(const std::string& file, const AltLink& link) {
  std::vector<std::string> out;
  if (!link.path.empty()) {
    const fs::path p(link.path);
    add_unique(out, p.is_absolute() ? p : fs::path(file).parent_path() / p);
    add_unique(out, fs::path(file).parent_path() / p.filename());
  }
  if (!link.dwarf5 && link.build_id.size() > 2)  // .debug_sup's checksum is no build-id note
    add_unique(out, fs::path("/usr/lib/debug/.build-id") / link.build_id.substr(0, 2) /
                        (link.build_id.substr(2) + ".debug"));
  return out;
}

DwpIndex::DwpIndex(const dwarf::Bytes& index, bool be, uint64_t info_size, uint64_t abbrev_size,
                   uint64_t str_offsets_size) {
  auto bad = [](const std::string& what) {
    throw dwarf::DwarfError("corrupt .debug_cu_index (" + what + "); rebuild the package with llvm-dwp");
  };
  const uint8_t* p = index.data;
  const uint64_t size = index.size;
  if (size < 16) bad("shorter than its header");
  const uint64_t word = dwarf::read_fixed(p, 4, be);
  if (word == 2)
    version_ = 2;
  else if (dwarf::read_fixed(p, 2, be) == 5)
    version_ = 5;
  else
    bad("version " + std::to_string(word));
  const uint64_t columns = dwarf::read_fixed(p + 4, 4, be);
  const uint64_t units = dwarf::read_fixed(p + 8, 4, be);
  const uint64_t slots = dwarf::read_fixed(p + 12, 4, be);
  if (columns == 0 || columns > 16 || slots > (size - 16) / 12 || units > slots)
    bad("counts that do not fit the section");
  const uint64_t hashes = 16, rows_at = hashes + 8 * slots, table = rows_at + 4 * slots;
  const uint64_t need = table + 4 * columns + 2 * 4 * columns * units;
  if (need > size) bad("tables past the end of the section");
  // Column numbers (DW_SECT_*): 1 info, 3 abbrev, 6 str_offsets in both
  // versions.
  int info = -1, abbrev = -1, stroff = -1;
  for (uint64_t c = 0; c < columns; ++c) {
    const uint64_t id = dwarf::read_fixed(p + table + 4 * c, 4, be);
    if (id == 1) info = static_cast<int>(c);
    if (id == 3) abbrev = static_cast<int>(c);
    if (id == 6) stroff = static_cast<int>(c);
  }
  if (info < 0 || abbrev < 0) bad("no .debug_info.dwo or .debug_abbrev.dwo column");
  const uint64_t offsets = table + 4 * columns, sizes = offsets + 4 * columns * units;
  auto cell = [&](uint64_t base, uint64_t row, int col) {
    return dwarf::read_fixed(p + base + 4 * (row * columns + static_cast<uint64_t>(col)), 4, be);
  };
  for (uint64_t s = 0; s < slots; ++s) {
    const uint64_t row = dwarf::read_fixed(p + rows_at + 4 * s, 4, be);
    if (row == 0) continue;
    if (row > units) bad("a row number past the table");
    DwpRow r;
    r.info_off = cell(offsets, row - 1, info), r.info_size = cell(sizes, row - 1, info);
    r.abbrev_off = cell(offsets, row - 1, abbrev), r.abbrev_size = cell(sizes, row - 1, abbrev);
    if (stroff >= 0) r.str_offsets_off = cell(offsets, row - 1, stroff), r.str_offsets_size = cell(sizes, row - 1, stroff);
    if (r.info_off > info_size || r.info_size > info_size - r.info_off || r.abbrev_off > abbrev_size ||
        r.abbrev_size > abbrev_size - r.abbrev_off || r.str_offsets_off > str_offsets_size ||
        r.str_offsets_size > str_offsets_size - r.str_offsets_off)
      bad("a unit's contribution past its section");
    rows_.emplace(dwarf::read_fixed(p + hashes + 8 * s, 8, be), r);
  }
}

const DwpRow* DwpIndex::find(uint64_t dwo_id) const {
  auto it = rows_.find(dwo_id);
  return it == rows_.end() ? nullptr : &it->second;
}

}  // namespace padguard::debug_files
