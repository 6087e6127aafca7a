// Opens a BTF input: probes the file kind, parses it (and its base) with
// libbpf, validates it and groups its records into pseudo-units.
#include <fcntl.h>
#include <fmt/format.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/btf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <memory>
#include <vector>

#include "btf_file.hpp"
#include "padguard/btf_source.hpp"
#include "padguard/error.hpp"
#include "padguard/regular_file.hpp"
#include "../elf_sections.hpp"

namespace padguard {

namespace {

constexpr size_t kRecordsPerUnit = 1024;

// libbpf's own messages would add lines to ours: padguard says it once.
int quiet(enum libbpf_print_level, const char*, va_list) { return 0; }

// What the first bytes of a file say: raw BTF, or an ELF file and whether it
// has DWARF and/or a .BTF section (for open_btf's own error messages).
struct InputProbe {
  bool raw_btf = false;
  bool elf = false;
  bool has_dwarf = false;
  bool has_btf = false;
};

void probe_elf(int fd, InputProbe& p, uint16_t* machine) {
  elf_version(EV_CURRENT);
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (elf == nullptr) return;
  GElf_Ehdr eh;
  size_t shstrndx = 0;
  if (gelf_getehdr(elf, &eh) != nullptr && elf_getshdrstrndx(elf, &shstrndx) == 0) {
    if (machine) *machine = eh.e_machine;
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
      GElf_Shdr sh;
      if (gelf_getshdr(scn, &sh) == nullptr) continue;
      const char* n = elf_strptr(elf, shstrndx, sh.sh_name);
      if (n == nullptr) continue;
      if (!strcmp(n, ".debug_info") || !strcmp(n, ".zdebug_info")) p.has_dwarf = true;
      if (!strcmp(n, ".BTF")) p.has_btf = true;
    }
  }
  elf_end(elf);
}

InputProbe probe(const std::string& path, uint16_t* machine) {
  InputProbe p;
  const FileFd f(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.get() < 0) throw InputError(path, fmt::format("cannot open ({}); check the path", strerror(errno)));
  char magic[4] = {};
  const ssize_t n = pread(f.get(), magic, sizeof magic, 0);
  if (is_raw_btf(std::string_view(magic, n > 0 ? static_cast<size_t>(n) : 0))) {
    p.raw_btf = true;
  } else if (n == 4 && !memcmp(magic, ELFMAG, 4)) {
    p.elf = true;
    probe_elf(f.get(), p, machine);
  }
  return p;
}

bool is_sys_module(const std::string& path) {
  const std::string dir = "/sys/kernel/btf/";
  return path.rfind(dir, 0) == 0 && path != kKernelBtf;
}

// Raw BTF larger than this is refused (the kernel's is a few MB).
constexpr uint64_t kMaxBtfBytes = uint64_t{1} << 30;

void pread_all(const std::string& path, int fd, uint64_t offset, uint64_t size, std::vector<unsigned char>& out) {
  out.resize(size);
  uint64_t done = 0;
  while (done < size) {
    const ssize_t n = pread(fd, out.data() + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw InputError(path, "truncated file (BTF ends past its end); re-copy or rebuild it");
    done += static_cast<uint64_t>(n);
  }
}

// The .BTF section of an ELF `path`, read here with every bound checked
// (libbpf 1.1's own ELF path crashed on a fuzzed section,
// tests/fuzz/regressions/crash-btf-*); empty when `path` is raw BTF, which
// libbpf reads itself. `pointer_size`: 4 or 8 from the ELF class, 0 for raw.
std::vector<unsigned char> btf_bytes(const std::string& path, size_t& pointer_size) {
  const FileFd file = open_regular_file(path, "a BTF file or an ELF with a .BTF section");
  const int fd = file.get();
  struct stat st {};
  if (fstat(fd, &st) != 0) throw InputError(path, fmt::format("cannot stat ({})", strerror(errno)));
  const auto size = static_cast<uint64_t>(st.st_size);
  char magic[4] = {};
  const ssize_t n = pread(fd, magic, sizeof magic, 0);
  std::vector<unsigned char> out;
  pointer_size = 0;
  if (is_raw_btf(std::string_view(magic, n > 0 ? static_cast<size_t>(n) : 0))) {
    if (size > kMaxBtfBytes) throw InputError(path, "raw BTF larger than 1 GiB; this is not a kernel's BTF");
    return out;  // empty: libbpf reads the raw file itself
  }
  elf_version(EV_CURRENT);
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  std::unique_ptr<Elf, int (*)(Elf*)> hold(elf, elf_end);
  GElf_Ehdr eh;
  size_t shstrndx = 0;
  if (elf == nullptr || elf_kind(elf) != ELF_K_ELF || gelf_getehdr(elf, &eh) == nullptr ||
      elf_getshdrstrndx(elf, &shstrndx) != 0)
    throw InputError(path, "corrupt ELF file; re-copy or rebuild it");
  if (eh.e_shoff != 0 && !section_table(elf, eh, size))  // extended numbering too
    throw InputError(path, "truncated ELF file (section headers end past its end); re-copy or rebuild it");
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == nullptr) throw InputError(path, "corrupt ELF section header; re-copy or rebuild it");
    const char* name = elf_strptr(elf, shstrndx, sh.sh_name);
    if (name == nullptr || strcmp(name, ".BTF") != 0) continue;
    if (sh.sh_type == SHT_NOBITS || sh.sh_size == 0)
      throw InputError(path, "its .BTF section is empty; encode one with pahole -J (on a copy)");
    if (sh.sh_flags & SHF_COMPRESSED)
      throw InputError(path, "its .BTF section is compressed; decompress it (objcopy --decompress-debug-sections)");
    if (sh.sh_offset > size || sh.sh_size > size - sh.sh_offset)
      throw InputError(path, "truncated ELF file (.BTF ends past its end); re-copy or rebuild it");
    if (sh.sh_size > kMaxBtfBytes) throw InputError(path, ".BTF larger than 1 GiB; this is not a kernel's BTF");
    pread_all(path, fd, sh.sh_offset, sh.sh_size, out);
    pointer_size = gelf_getclass(elf) == ELFCLASS32 ? 4 : 8;
    return out;
  }
  throw InputError(path, "no .BTF section; encode one with pahole -J (on a copy), or read its DWARF with -F dwarf");
}

struct btf* parse(const std::string& path, struct btf* base, const std::string& base_path) {
  libbpf_set_print(quiet);
  size_t pointer_size = 0;
  std::vector<unsigned char> bytes = btf_bytes(path, pointer_size);
  struct btf* b = nullptr;
  if (bytes.empty()) {
    b = btf__parse_raw_split(path.c_str(), base);
  } else {
    // libbpf 1.1 has no btf__new_split: the section goes through a memfd.
    MemoryFile section(path);
    section.append(bytes.data(), bytes.size());
    std::vector<unsigned char>().swap(bytes);  // libbpf makes its own copy
    b = btf__parse_raw_split(section.path().c_str(), base);
  }
  const long err = libbpf_get_error(b);
  if (err == 0) {
    if (pointer_size != 0) btf__set_pointer_size(b, pointer_size);
    return b;
  }
  const std::string why = strerror(static_cast<int>(-err));
  if (base != nullptr)
    throw InputError(path, fmt::format("not valid split BTF on base {} (libbpf: {}); check that --btf_base "
                                       "names the BTF it was split from", base_path, why));
  throw InputError(path, fmt::format("not valid BTF (libbpf: {}); regenerate it (pahole -J), or if it is a "
                                     "module's split BTF give its base with --btf_base /sys/kernel/btf/vmlinux",
                                     why));
}

void group_units(btf::BtfFile& f) {
  f.type_tag.assign(f.type_cnt, false);
  for (uint32_t id = 1; id < f.type_cnt; ++id) {
    const struct btf_type* t = btf__type_by_id(f.btf, id);
    if (btf_kind(t) == BTF_KIND_TYPE_TAG) f.type_tag[id] = true;
    if (!btf_is_composite(t)) continue;
    const char* n = btf__name_by_offset(f.btf, t->name_off);
    if (n != nullptr && *n != 0) f.record_ids.push_back(id);
  }
  for (size_t i = 0; i < f.record_ids.size(); i += kRecordsPerUnit) f.unit_begin.push_back(i);
  if (f.unit_begin.empty()) f.unit_begin.push_back(0);  // one empty unit
  f.unit_begin.push_back(f.record_ids.size());
}

}  // namespace

namespace btf {

std::shared_ptr<const BtfFile> load_btf_file(const std::string& path, const std::string& base_arg,
                                             unsigned cacheline) {
  auto f = std::make_shared<BtfFile>();
  f->path = path;
  f->cacheline_size = cacheline;
  const InputProbe p = probe(path, &f->machine);
  if (!p.raw_btf && !(p.elf && p.has_btf))
    throw InputError(path, p.elf ? "no .BTF section; encode one with pahole -J (on a copy), or read its DWARF "
                                   "with -F dwarf"
                                 : "not BTF (no 0xeB9F magic) and not an ELF file; pass /sys/kernel/btf/vmlinux, "
                                   "a raw BTF file or an ELF with a .BTF section");
  std::string base_path = base_arg;
  if (base_path.empty() && is_sys_module(path)) base_path = kKernelBtf;
  if (!base_path.empty()) {
    if (base_path == path) throw InputError(path, "--btf_base names the file itself; give the base it was split from");
    f->base = parse(base_path, nullptr, "");
  }
  f->btf = parse(path, f->base, base_path);
  f->type_cnt = btf__type_cnt(f->btf);
  const size_t ptr = btf__pointer_size(f->btf);
  f->address_size = ptr == 4 || ptr == 8 ? static_cast<uint8_t>(ptr) : 8;
  f->big_endian = btf__endianness(f->btf) == BTF_BIG_ENDIAN;
  validate(*f, f->base != nullptr, base_path);
  group_units(*f);
  return f;
}

}  // namespace btf

}  // namespace padguard
