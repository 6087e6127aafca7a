// SHF_COMPRESSED sections inflated with libelf's elf_compress into a memfd
// copy of the input (see inflate.hpp for why).
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

bool has_compressed_section(int fd) {
  ElfGuard e{elf_begin(fd, ELF_C_READ_MMAP, nullptr)};
  if (e.elf == nullptr) return false;
  for (Elf_Scn* scn = elf_nextscn(e.elf, nullptr); scn != nullptr; scn = elf_nextscn(e.elf, scn)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) != nullptr && (sh.sh_flags & SHF_COMPRESSED) != 0) return true;
  }
  return false;
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

int inflate_compressed_sections(const std::string& path, int fd) {
  elf_version(EV_CURRENT);
  if (!has_compressed_section(fd)) return -1;
  const int mem = memfd_create("padguard-inflated", MFD_CLOEXEC);
  if (mem < 0) throw InputError(path, std::string("cannot inflate its compressed debug sections (memfd)") + kFix);
  auto fail = [&](const char* what) {
    close(mem);
    const char* m = elf_errmsg(-1);
    throw InputError(path, std::string("cannot inflate its compressed debug sections (") + what +
                               (m != nullptr ? std::string(": ") + m : std::string()) + ")" + kFix);
  };
  if (!copy_file(fd, mem)) fail("copy");
  {
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
