// A memfd copy of the input that libdwarf 20210528 reads correctly (see
// inflate.hpp for why): extended section numbering rewritten to the plain
// form, SHF_COMPRESSED sections inflated with libelf's elf_compress.
#include "inflate.hpp"

#include <gelf.h>
#include <libelf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "padguard/error.hpp"

namespace padguard {

namespace {

constexpr const char* kFix =
    "; run `objcopy --decompress-debug-sections` on it, or use --backend libdw";

struct ElfGuard {
  Elf* elf;
  ~ElfGuard() {
    if (elf != nullptr) elf_end(elf);
  }
};

struct Needs {
  bool compressed = false;
  bool extended = false;  // e_shnum 0 or e_shstrndx SHN_XINDEX
  size_t count = 0, shstrndx = 0;
  bool is_64 = true, big_endian = false;
};

Needs needs_of(int fd) {
  Needs n;
  ElfGuard e{elf_begin(fd, ELF_C_READ_MMAP, nullptr)};
  GElf_Ehdr eh;
  if (e.elf == nullptr || gelf_getehdr(e.elf, &eh) == nullptr) return n;
  n.is_64 = eh.e_ident[EI_CLASS] == ELFCLASS64;
  n.big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
  if (elf_getshdrnum(e.elf, &n.count) == 0 && elf_getshdrstrndx(e.elf, &n.shstrndx) == 0)
    n.extended = (eh.e_shnum == 0 && n.count != 0) || eh.e_shstrndx == SHN_XINDEX;
  for (Elf_Scn* scn = elf_nextscn(e.elf, nullptr); scn != nullptr; scn = elf_nextscn(e.elf, scn)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) != nullptr && (sh.sh_flags & SHF_COMPRESSED) != 0) n.compressed = true;
  }
  return n;
}

// Writes `v` as `bytes` bytes at `at` of `fd` in the file's byte order.
bool put(int fd, uint64_t at, uint64_t v, int bytes, bool big_endian) {
  unsigned char b[8];
  for (int i = 0; i < bytes; ++i) b[big_endian ? bytes - 1 - i : i] = static_cast<unsigned char>(v >> (8 * i));
  return pwrite(fd, b, static_cast<size_t>(bytes), static_cast<off_t>(at)) == bytes;
}

// libdwarf 20210528 reads e_shnum and e_shstrndx as they stand (0: "no DWARF
// sections"; SHN_XINDEX: "a section index is incorrect"). A table that fits
// the plain form gets it: the header takes the real values and section 0's
// sh_size and sh_link go back to 0, as gABI has them then.
bool write_plain_numbering(int fd, const Needs& n) {
  GElf_Ehdr eh;
  {
    ElfGuard e{elf_begin(fd, ELF_C_READ_MMAP, nullptr)};
    if (e.elf == nullptr || gelf_getehdr(e.elf, &eh) == nullptr) return false;
  }
  const uint64_t shnum_at = n.is_64 ? 0x3C : 0x30, shstrndx_at = shnum_at + 2;
  const uint64_t sh0 = eh.e_shoff;
  const uint64_t size_at = sh0 + (n.is_64 ? 0x20 : 0x14), link_at = sh0 + (n.is_64 ? 0x28 : 0x18);
  return put(fd, shnum_at, n.count, 2, n.big_endian) && put(fd, shstrndx_at, n.shstrndx, 2, n.big_endian) &&
         put(fd, size_at, 0, n.is_64 ? 8 : 4, n.big_endian) && put(fd, link_at, 0, 4, n.big_endian);
}

bool copy_file(int from, int to) {
  std::vector<char> buf(1 << 20);
  off_t off = 0;
  while (true) {
    const ssize_t n = pread(from, buf.data(), buf.size(), off);
    if (n < 0) return false;
    if (n == 0) return true;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = write(to, buf.data() + done, static_cast<size_t>(n - done));
      if (w <= 0) return false;
      done += w;
    }
    off += n;
  }
}

}  // namespace

int libdwarf_readable_copy(const std::string& path, int fd) {
  elf_version(EV_CURRENT);
  const Needs n = needs_of(fd);
  if (!n.compressed && !n.extended) return -1;
  if (n.extended && (n.count >= SHN_LORESERVE || n.shstrndx >= SHN_LORESERVE))
    throw InputError(path, "uses extended section numbering (" + std::to_string(n.count) +
                               " sections), which libdwarf 20210528 cannot read; use --backend libdw");
  const int mem = memfd_create("padguard-libdwarf", MFD_CLOEXEC);
  if (mem < 0) throw InputError(path, std::string("cannot copy it for libdwarf (memfd)") + kFix);
  auto fail = [&](const char* what) {
    close(mem);
    const char* m = elf_errmsg(-1);
    throw InputError(path, std::string("cannot inflate its compressed debug sections (") + what +
                               (m != nullptr ? std::string(": ") + m : std::string()) + ")" + kFix);
  };
  if (!copy_file(fd, mem)) fail("copy");
  if (n.extended && !write_plain_numbering(mem, n)) fail("section numbering");
  if (n.compressed) {
    ElfGuard e{elf_begin(mem, ELF_C_RDWR, nullptr)};
    if (e.elf == nullptr) fail("elf_begin");
    for (Elf_Scn* scn = elf_nextscn(e.elf, nullptr); scn != nullptr; scn = elf_nextscn(e.elf, scn)) {
      GElf_Shdr sh;
      if (gelf_getshdr(scn, &sh) == nullptr) fail("section header");
      if ((sh.sh_flags & SHF_COMPRESSED) != 0 && elf_compress(scn, 0, 0) < 0) fail("elf_compress");
    }
    if (elf_update(e.elf, ELF_C_WRITE) < 0) fail("elf_update");
  }
  return mem;
}

}  // namespace padguard
