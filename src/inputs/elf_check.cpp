// Checks an input file before any DWARF library parses it, so that common
// mistakes get a precise message instead of a library error code.
#include "padguard/elf_check.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <initializer_list>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "padguard/error.hpp"
#include "padguard/regular_file.hpp"
#include "dwarf/unit_kinds.hpp"
#include "elf_sections.hpp"

namespace padguard {

namespace {

constexpr uint32_t kElfCompressZstd = 2;  // gABI ELFCOMPRESS_ZSTD; glibc 2.36's elf.h lacks it

constexpr const char* kNoDebugFix =
    "no DWARF debug info (.debug_info missing); build with -g (kernel: "
    "CONFIG_DEBUG_INFO_DWARF5=y) or pass the -dbg package's vmlinux "
    "(/usr/lib/debug/boot/vmlinux-*)";

struct ElfHandle {
  Elf* elf;
  ~ElfHandle() {
    if (elf) elf_end(elf);
  }
};

// The relocation types compilers and assemblers (GCC, clang, GNU as) write
// into debug sections, per machine: data words (.long/.quad of a symbol),
// the TLS offsets of DW_OP_*_tls_address, and RISC-V's ADD/SUB/SET pairs for
// differences of relaxable addresses (.debug_line, .debug_frame, ULEB128 in
// the DWARF 5 lists). Any other type is refused: libdwfl skips a type it does
// not apply to debug sections (R_X86_64_NONE, PC32) and libdwarf does as it
// likes, so a rewritten type would read a DW_FORM_strp name as offset 0 of
// .debug_str ("unsigned int") and a gate would pass on a renamed struct.
// Seen on GCC 12 and clang 14 objects of every machine below (-O0/-O2,
// DWARF 4/5, TLS variables) and Debian 6.12's x86_64 -dbg modules; a
// machine not listed, or a row without types, is not checked; a listed
// machine in a class it has no row for is a damaged header.
struct RelocRule {
  uint16_t machine;
  int elf_class;  // ELFCLASS32/64, or 0 for both
  bool rela;      // which kind of section that machine's tools write
  std::initializer_list<uint32_t> types;
};

constexpr RelocRule kDebugRelocs[] = {
    {EM_X86_64, 0, true, {R_X86_64_64, R_X86_64_32, R_X86_64_DTPOFF64, R_X86_64_DTPOFF32}},
    {EM_386, ELFCLASS32, false, {R_386_32, R_386_TLS_LDO_32}},
    {EM_ARM, ELFCLASS32, false, {R_ARM_ABS32, R_ARM_TLS_LDO32}},
    {EM_AARCH64, ELFCLASS64, true, {R_AARCH64_ABS64, R_AARCH64_ABS32, R_AARCH64_TLS_DTPREL}},
    {EM_RISCV, 0, true,
     {R_RISCV_32, R_RISCV_64, R_RISCV_TLS_DTPREL32, R_RISCV_TLS_DTPREL64, R_RISCV_ADD8, R_RISCV_ADD16,
      R_RISCV_ADD32, R_RISCV_ADD64, R_RISCV_SUB8, R_RISCV_SUB16, R_RISCV_SUB32, R_RISCV_SUB64, R_RISCV_SUB6,
      R_RISCV_SET6, R_RISCV_SET8, R_RISCV_SET16, R_RISCV_SET32, 60 /* SET_ULEB128 */, 61 /* SUB_ULEB128 */}},
    {EM_PPC64, ELFCLASS64, true, {R_PPC64_ADDR32, R_PPC64_ADDR64, R_PPC64_DTPREL64}},
    {EM_S390, 0, true, {R_390_32, R_390_64, R_390_TLS_LDO32, R_390_TLS_LDO64}},
    {EM_MIPS, ELFCLASS32, false, {R_MIPS_32, R_MIPS_TLS_DTPREL32}},
    // Not checked: MIPS64's r_info packs three types (libelf 0.188 does not
    // unpack mips64el's); AArch64 ILP32 has its own numbers. No compiler here.
    {EM_MIPS, ELFCLASS64, true, {}},
    {EM_AARCH64, ELFCLASS32, true, {}},
};

// Machines whose relocations in a .o's debug sections neither reader
// applies. libdw (elfutils 0.188) leaves SuperH's R_SH_DIR32 unapplied
// without a word, so every DW_FORM_strp reads offset 0 of .debug_str and the
// names are wrong (kernel/fork.o: 5 distinct struct names, no task_struct);
// libdwarf 20210528 reads them wrong too. ARC: libdw has no backend for it
// and libdwarf refuses its relocation types. Linking the object alone
// applies them (what kernel-matrix does for sh and arc).
struct Unrelocatable {
  uint16_t machine;
  const char* name;
  const char* why;
  const char* ld;  // Debian's cross linker
};
constexpr Unrelocatable kUnrelocatable[] = {
    {EM_SH, "SuperH", "libdw would read wrong names without a word", "sh4-linux-gnu-ld"},
    {EM_ARCV2, "ARC", "libdw has no ARC backend, libdwarf does not know its types", "arc-linux-gnu-ld"},
    {EM_ARC_COMPACT, "ARC", "libdw has no ARC backend, libdwarf does not know its types", "arc-linux-gnu-ld"},
};

// The row for the file's machine and class; nullptr when the machine is not
// listed. Throws when it is listed for the other class only.
const RelocRule* debug_reloc_rule(const std::string& path, uint16_t machine, bool is_64) {
  bool listed = false;
  for (const RelocRule& r : kDebugRelocs) {
    if (r.machine != machine) continue;
    listed = true;
    if (r.elf_class == 0 || r.elf_class == (is_64 ? ELFCLASS64 : ELFCLASS32))
      return r.types.size() != 0 ? &r : nullptr;
  }
  if (listed)
    throw InputError(path, fmt::format("a {}-bit ELF file, but machine e_machine {} has only {}-bit objects; the "
                                       "ELF header is damaged: re-copy or rebuild the file",
                                       is_64 ? 64 : 32, machine, is_64 ? 32 : 64));
  return nullptr;
}

// A relocatable object's debug sections are read through their relocations;
// they must fit the header's file type and machine. Found by fuzzing: a
// flipped e_type or e_machine gave wrong names with exit 0. Checked once
// here, before either backend applies them (libdwfl, libdwarf's own).
void check_debug_relocations(const std::string& path, Elf* elf, const GElf_Ehdr& eh, size_t shstrndx,
                             bool is_64) {
  bool has_debug_relocs = false, has_address = false;
  const RelocRule* rule = nullptr;
  bool rule_known = false;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == nullptr) continue;
    if ((sh.sh_flags & SHF_ALLOC) && sh.sh_addr != 0) has_address = true;
    if (sh.sh_type != SHT_REL && sh.sh_type != SHT_RELA) continue;
    GElf_Shdr target;
    Elf_Scn* tscn = elf_getscn(elf, sh.sh_info);
    const char* tname = tscn && gelf_getshdr(tscn, &target) ? elf_strptr(elf, shstrndx, target.sh_name) : nullptr;
    if (tname == nullptr || std::string_view(tname).substr(0, 7) != ".debug_") continue;
    has_debug_relocs = true;
    if (eh.e_type != ET_REL) continue;
    for (const Unrelocatable& u : kUnrelocatable)
      if (u.machine == eh.e_machine)
        throw InputError(path, fmt::format("a {} relocatable object (e_machine {}): padguard's DWARF readers cannot "
                                           "apply its relocations of {} ({}); link it alone first, e.g. {} "
                                           "--noinhibit-exec --unresolved-symbols=ignore-all -e 0 -o OBJ.elf OBJ.o, "
                                           "and read OBJ.elf",
                                           u.name, eh.e_machine, tname, u.why, u.ld));
    if (!rule_known) rule = debug_reloc_rule(path, eh.e_machine, is_64), rule_known = true;
    if (rule == nullptr) continue;
    const bool rela = sh.sh_type == SHT_RELA;
    const char* kind = rela ? "RELA" : "REL";
    if (rela != rule->rela)
      throw InputError(path, fmt::format("{} relocations for {} on a machine (e_machine {}) whose compilers write "
                                         "{}; the object (or its ELF header) is damaged: rebuild it",
                                         kind, tname, eh.e_machine, rule->rela ? "RELA" : "REL"));
    // r_offset counts in the inflated section when the target is compressed.
    const bool bounded = (target.sh_flags & SHF_COMPRESSED) == 0 && target.sh_type != SHT_NOBITS;
    Elf_Data* data = elf_getdata(scn, nullptr);
    const size_t entsize = gelf_fsize(elf, rela ? ELF_T_RELA : ELF_T_REL, 1, EV_CURRENT);
    const size_t n = data != nullptr && entsize != 0 ? data->d_size / entsize : 0;
    for (size_t i = 0; i < n; ++i) {
      GElf_Rela r{};
      GElf_Rel rl{};
      if (rela ? gelf_getrela(data, static_cast<int>(i), &r) == nullptr
               : gelf_getrel(data, static_cast<int>(i), &rl) == nullptr)
        break;
      const uint64_t info = rela ? r.r_info : rl.r_info, offset = rela ? r.r_offset : rl.r_offset;
      const auto type = static_cast<uint32_t>(GELF_R_TYPE(info));  // gelf widens ELF32 r_info
      if (std::find(rule->types.begin(), rule->types.end(), type) == rule->types.end())
        throw InputError(path, fmt::format("relocation type {} at {}+{:#x} is not one a compiler emits into debug "
                                           "sections for this machine (e_machine {}); the object (or its ELF "
                                           "header) was damaged or rewritten: rebuild it",
                                           type, tname, offset, eh.e_machine));
      if (bounded && offset >= target.sh_size)
        throw InputError(path, fmt::format("relocation at {}+{:#x} lies past the section's {} bytes; the object is "
                                           "damaged: rebuild it",
                                           tname, offset, target.sh_size));
    }
  }
  // An executable or shared object has addresses; one without any whose debug
  // sections carry relocations is a relocatable object with a damaged e_type.
  if (eh.e_type != ET_REL && has_debug_relocs && !has_address)
    throw InputError(path, "its debug sections have relocations but its ELF header says file type " +
                               std::to_string(eh.e_type) + ", not relocatable; re-copy or rebuild the file");
}

// DWARF 5 section 7.28/7.29: the unit headers of .debug_rnglists and
// .debug_loclists must tile the section. libdwarf 20210528 frees twice
// (abort in dwarf_load_rnglists, found by fuzzing) when one does not, and it
// loads them with the first unit; padguard needs neither, so a damaged header
// is refused before libdwarf reads it (check_elf_file with list_headers).
// Trailing zero padding is allowed.


void check_list_headers(const std::string& path, const char* name, const unsigned char* p, uint64_t size,
                        bool big_endian) {
  auto get = [&](uint64_t at, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) {
      const uint64_t b = p[at + static_cast<uint64_t>(big_endian ? i : bytes - 1 - i)];
      v = v << 8 | b;
    }
    return v;
  };
  auto bad = [&](uint64_t at, const char* what) {
    throw InputError(path, std::string("corrupt DWARF (") + name + " unit header at offset " + std::to_string(at) +
                               ": " + what + "); re-copy or rebuild the file");
  };
  uint64_t pos = 0;
  while (pos < size) {
    bool padding = true;
    for (uint64_t i = pos; i < size && padding; ++i) padding = p[i] == 0;
    if (padding) return;
    if (size - pos < 4) bad(pos, "truncated");
    uint64_t len = get(pos, 4), hdr = 4, offset_size = 4;
    if (len == 0xffffffff) {
      if (size - pos < 12) bad(pos, "truncated");
      len = get(pos + 4, 8), hdr = 12, offset_size = 8;
    } else if (len >= 0xfffffff0) {
      bad(pos, "reserved unit length");
    }
    if (len > size - pos - hdr || len < 8) bad(pos, "unit length does not fit the section");
    const uint64_t h = pos + hdr;
    if (get(h, 2) != 5) bad(pos, "version is not 5");
    const uint64_t asize = get(h + 2, 1);
    if (asize != 2 && asize != 4 && asize != 8) bad(pos, "bad address size");
    if (get(h + 3, 1) != 0) bad(pos, "segment selectors are not supported");
    if (get(h + 4, 4) > (len - 8) / offset_size) bad(pos, "offset table does not fit the unit");
    pos = h + len;
  }
}

}  // namespace

// What a compressed debug section says it inflates to (the ELF Chdr's
// ch_size, or the GNU .zdebug "ZLIB" header), checked before any library
// inflates it: a few MB of zeros can claim gigabytes. Real DWARF compresses
// 3 to 10 times; over 32 times and past 64 MiB is refused, as is anything
// past 4 GiB. Returns the Chdr's ch_type (0: not SHF_COMPRESSED); zstd's is
// checked the same way as zlib's.
uint32_t check_inflated_size(const std::string& path, int fd, const char* name, const GElf_Shdr& sh, bool is_64,
                             bool big_endian) {
  uint64_t inflated = 0;
  uint32_t type = 0;
  if (sh.sh_flags & SHF_COMPRESSED) {
    unsigned char h[24] = {};
    const size_t want = is_64 ? 24 : 12;
    if (sh.sh_size < want || pread(fd, h, want, static_cast<off_t>(sh.sh_offset)) != static_cast<ssize_t>(want))
      throw InputError(path, std::string("corrupt compressed section ") + name + " (header cut short); rebuild it");
    auto get = [&](size_t at, size_t len) {
      uint64_t v = 0;
      for (size_t k = 0; k < len; ++k) v = big_endian ? (v << 8) | h[at + k] : v | uint64_t{h[at + k]} << (8 * k);
      return v;
    };
    inflated = is_64 ? get(8, 8) : get(4, 4);  // Elf64_Chdr: type, reserved, size; Elf32_Chdr: type, size
    type = static_cast<uint32_t>(get(0, 4));
    if (type != ELFCOMPRESS_ZLIB && type != kElfCompressZstd)
      throw InputError(path, fmt::format("compressed section {} has unknown compression type {} (ELF defines zlib 1 "
                                         "and zstd 2); re-copy or rebuild the file",
                                         name, type));
  } else if (std::string_view(name).substr(0, 8) == ".zdebug_") {
    unsigned char h[12] = {};
    if (sh.sh_size < 12 || pread(fd, h, 12, static_cast<off_t>(sh.sh_offset)) != 12 || std::memcmp(h, "ZLIB", 4) != 0)
      return 0;  // not the GNU header: libelf will say what it is
    for (int k = 4; k < 12; ++k) inflated = (inflated << 8) | h[k];  // big-endian always
  } else {
    return 0;
  }
  constexpr uint64_t kMaxRatio = 32, kFloor = uint64_t{64} << 20, kCap = uint64_t{4} << 30;
  if (inflated > kCap || (inflated > kFloor && inflated / kMaxRatio > sh.sh_size))
    throw InputError(path, fmt::format("compressed section {} claims {} bytes from {} (over {}x, or over 4 GiB): "
                                       "refused as a decompression bomb; rebuild the file without -gz if it is real",
                                       name, inflated, sh.sh_size, kMaxRatio));
  return type;
}

// zstd sections (ELFCOMPRESS_ZSTD, objcopy --compress-debug-sections=zstd)
// are read when libelf can inflate them (elfutils 0.189 and later, built with
// zstd): both backends inflate through elf_compress. Whether it can is found
// by inflating the smallest one, after the size checks above; one it cannot
// would reach libdw as "unknown compression type", "build with -g".
void check_zstd_inflates(const std::string& path, Elf_Scn* smallest, const char* name, const char* info_name) {
  if (elf_compress(smallest, 0, 0) >= 0) return;
  const char* why = elf_errmsg(-1);
  throw InputError(path, fmt::format("zstd-compressed {}, which this libelf cannot inflate (libelf: {}); "
                                     "decompress it with objcopy --decompress-debug-sections",
                                     info_name != nullptr ? info_name : name, why != nullptr ? why : "no details"));
}

ElfFacts check_elf_file(const std::string& path, bool list_headers) {
  const FileFd file = open_regular_file(path);  // FIFOs, devices, directories: refused
  const int fd = file.get();
  struct stat st {};
  if (fstat(fd, &st) != 0) throw InputError(path, std::string("cannot stat: ") + std::strerror(errno));
  const auto size = static_cast<uint64_t>(st.st_size);
  unsigned char ident[EI_NIDENT] = {};
  const ssize_t got = pread(fd, ident, sizeof ident, 0);
  if (got < 4 || std::memcmp(ident, ELFMAG, SELFMAG) != 0)
    throw InputError(path, "not an ELF file; pass a vmlinux, .ko or .o built with debug info");
  if (got < EI_NIDENT) throw InputError(path, "truncated ELF file (" + std::to_string(size) + " bytes); re-copy or rebuild it");
  if (ident[EI_CLASS] != ELFCLASS32 && ident[EI_CLASS] != ELFCLASS64)
    throw InputError(path, "corrupt ELF header (unknown ELF class); re-copy or rebuild the file");
  if (ident[EI_DATA] != ELFDATA2LSB && ident[EI_DATA] != ELFDATA2MSB)
    throw InputError(path, "corrupt ELF header (unknown byte order); re-copy or rebuild the file");

  const uint64_t ehdr_size = ident[EI_CLASS] == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
  if (size < ehdr_size)
    throw InputError(path, "truncated ELF file (" + std::to_string(size) + " bytes, shorter than its header); re-copy or rebuild it");

  elf_version(EV_CURRENT);
  ElfHandle e{elf_begin(fd, ELF_C_READ_MMAP, nullptr)};
  if (e.elf == nullptr || elf_kind(e.elf) != ELF_K_ELF)
    throw InputError(path, "not a readable ELF file; re-copy or rebuild it");
  GElf_Ehdr eh;
  if (gelf_getehdr(e.elf, &eh) == nullptr)
    throw InputError(path, "truncated or corrupt ELF header; re-copy or rebuild the file");

  ElfFacts facts;
  bool dwo = false;  // .debug_info.dwo and friends: a split-DWARF .dwo file
  bool lto = false;  // .gnu.lto_*: GCC's LTO bytecode, its DWARF comes at link time
  Elf_Scn* zstd_smallest = nullptr;  // the smallest zstd-compressed debug section
  uint64_t zstd_size = 0;
  const char *zstd_name = nullptr, *zstd_info = nullptr;
  facts.is_64 = ident[EI_CLASS] == ELFCLASS64;
  facts.big_endian = ident[EI_DATA] == ELFDATA2MSB;
  facts.relocatable = eh.e_type == ET_REL;
  facts.machine = eh.e_machine;

  // Through elf_getshdrnum/elf_getshdrstrndx: with extended section
  // numbering e_shnum is 0 and e_shstrndx SHN_XINDEX (elf_sections.hpp).
  if (eh.e_shoff == 0) throw InputError(path, kNoDebugFix);
  if (eh.e_shoff >= size)
    throw InputError(path, "truncated ELF file (section headers start past its " + std::to_string(size) +
                               " bytes); re-copy or rebuild it");
  // libelf reads no section headers that end past the file: its count is 0.
  const uint64_t sh_first = eh.e_shnum != 0 ? eh.e_shnum : 1;  // extended: section 0 holds the count
  if (eh.e_shentsize != 0 && sh_first > (size - eh.e_shoff) / eh.e_shentsize)
    throw InputError(path, "truncated ELF file (section headers end past its " + std::to_string(size) +
                               " bytes); re-copy or rebuild it");
  size_t shnum = 0;
  if (elf_getshdrnum(e.elf, &shnum) != 0)
    throw InputError(path, "corrupt ELF section header table; re-copy or rebuild the file");
  if (shnum == 0 && eh.e_shnum == 0) {
    // Extended numbering's count, section 0's sh_size, read raw: libelf
    // counts 0 sections when that many headers would run past the file.
    unsigned char h0[8] = {};
    const size_t at = facts.is_64 ? 0x20 : 0x14, len = facts.is_64 ? 8 : 4;
    uint64_t count = 0;
    if (pread(fd, h0, len, static_cast<off_t>(eh.e_shoff + at)) == static_cast<ssize_t>(len))
      for (size_t k = 0; k < len; ++k) count = facts.big_endian ? count << 8 | h0[k] : count | uint64_t{h0[k]} << (8 * k);
    if (count != 0)
      throw InputError(path, fmt::format("truncated ELF file ({} section headers, as section 0 says for extended "
                                         "numbering, end past its {} bytes); re-copy or rebuild it",
                                         count, size));
  }
  if (shnum == 0) throw InputError(path, kNoDebugFix);
  const std::optional<SectionTable> table = section_table(e.elf, eh, size);
  if (!table) {
    if (eh.e_shentsize != 0 && shnum > (size - eh.e_shoff) / eh.e_shentsize)
      throw InputError(path, "truncated ELF file (section headers end past its " + std::to_string(size) +
                                 " bytes); re-copy or rebuild it");
    throw InputError(path, "corrupt ELF section header table; re-copy or rebuild the file");
  }
  const size_t shstrndx = table->shstrndx;

  // The debug sections' bytes in the file: two that share bytes (a header
  // patched to point .debug_str into .debug_info) would read one as the other.
  struct Span {
    uint64_t begin, end;
    const char* name;
  };
  std::vector<Span> debug_spans;
  for (Elf_Scn* scn = elf_nextscn(e.elf, nullptr); scn != nullptr; scn = elf_nextscn(e.elf, scn)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == nullptr)
      throw InputError(path, "corrupt ELF section header; re-copy or rebuild the file");
    const char* name = elf_strptr(e.elf, shstrndx, sh.sh_name);
    if (sh.sh_type != SHT_NOBITS && (sh.sh_offset > size || sh.sh_size > size - sh.sh_offset)) {
      throw InputError(path, std::string("truncated ELF file (section ") + (name ? name : "?") +
                                 " ends past its " + std::to_string(size) + " bytes); re-copy or rebuild it");
    }
    if (name == nullptr) continue;
    std::string_view n(name);
    const bool present = sh.sh_type != SHT_NOBITS && sh.sh_size > 0;
    if (present && (n.substr(0, 7) == ".debug_" || n.substr(0, 8) == ".zdebug_")) {
      debug_spans.push_back({sh.sh_offset, sh.sh_offset + sh.sh_size, name});
      if (check_inflated_size(path, fd, name, sh, facts.is_64, facts.big_endian) == kElfCompressZstd) {
        if (zstd_smallest == nullptr || sh.sh_size < zstd_size) zstd_smallest = scn, zstd_size = sh.sh_size, zstd_name = name;
        if (n == ".debug_info") zstd_info = name;
      }
    }
    if ((n == ".debug_info" || n == ".zdebug_info") && present) {
      // Several in one object: gcc put type units in COMDAT groups
      // (-fdebug-types-section with DWARF 5).
      if (facts.has_debug_info) throw InputError(path, dwarf::kTypeUnits);
      facts.has_debug_info = true;
    }
    if ((n == ".debug_types" || n == ".zdebug_types") && present) throw InputError(path, dwarf::kTypeUnits);
    if (n.size() > 4 && n.substr(n.size() - 4) == ".dwo" && present) dwo = true;
    if (n.substr(0, 9) == ".gnu.lto_" || n.substr(0, 10) == ".llvm.lto") lto = true;
    // By name whatever the type: libdwarf picks sections by name (a fuzzed
    // .rel.debug_rnglists renamed .debug_rnglists crashed it too); .dwo too.
    if (list_headers && (n.substr(0, 15) == ".debug_rnglists" || n.substr(0, 15) == ".debug_loclists") &&
        sh.sh_type != SHT_NOBITS && !(sh.sh_flags & SHF_COMPRESSED)) {
      Elf_Data* data = elf_rawdata(scn, nullptr);
      if (data != nullptr && data->d_buf != nullptr)
        check_list_headers(path, name, static_cast<const unsigned char*>(data->d_buf), data->d_size,
                           facts.big_endian);
    }
  }
  std::sort(debug_spans.begin(), debug_spans.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < debug_spans.size(); ++i)
    if (debug_spans[i].begin < debug_spans[i - 1].end)
      throw InputError(path, fmt::format("corrupt ELF section headers: {} (file bytes {:#x}-{:#x}) overlaps {} ({:#x}-{:#x}); "
                                         "re-copy or rebuild the file",
                                         debug_spans[i].name, debug_spans[i].begin, debug_spans[i].end,
                                         debug_spans[i - 1].name, debug_spans[i - 1].begin, debug_spans[i - 1].end));
  if (dwo && !facts.has_debug_info) throw InputError(path, dwarf::kDwoFile);
  if (lto && !facts.has_debug_info)
    throw InputError(path, "an LTO object (.gnu.lto_ sections): its types reach DWARF only when it is linked; build "
                           "it without -flto, or pass the linked vmlinux/.ko");
  if (!facts.has_debug_info) throw InputError(path, kNoDebugFix);
  if (zstd_smallest != nullptr) check_zstd_inflates(path, zstd_smallest, zstd_name, zstd_info);
  if (eh.e_type != ET_REL && eh.e_type != ET_EXEC && eh.e_type != ET_DYN && eh.e_type != ET_CORE)
    throw InputError(path, "corrupt ELF header (unknown file type " + std::to_string(eh.e_type) +
                               "); re-copy or rebuild the file");
  check_debug_relocations(path, e.elf, eh, shstrndx, facts.is_64);
  return facts;
}

}  // namespace padguard
