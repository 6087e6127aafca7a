// Input detection by content, in one place: a regular file's first bytes
// (and an ELF file's section names) are shown to every registered Input's
// probe; the highest answer reads it. Content no input knows gets a message
// that says what the file seems to be and what padguard reads.
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>
#include <string_view>

#include <fmt/format.h>

#include "padguard/error.hpp"
#include "padguard/input.hpp"
#include "padguard/regular_file.hpp"
#include "debuginfo_lookup.hpp"
#include "elf_sections.hpp"

namespace padguard {

namespace {

constexpr size_t kHeadBytes = 4096;

// Section names of an ELF file whose section header table lies inside it;
// empty otherwise (elf_check then explains what is wrong).
std::vector<std::string> section_names(int fd) {
  std::vector<std::string> names;
  struct stat st {};
  if (fstat(fd, &st) != 0) return names;
  elf_version(EV_CURRENT);
  Elf* e = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  GElf_Ehdr eh;
  std::optional<SectionTable> table;
  if (e != nullptr && elf_kind(e) == ELF_K_ELF && gelf_getehdr(e, &eh) != nullptr)
    table = section_table(e, eh, static_cast<uint64_t>(st.st_size));  // extended numbering too
  if (table) {
    const size_t shstrndx = table->shstrndx;
    for (Elf_Scn* scn = elf_nextscn(e, nullptr); scn != nullptr; scn = elf_nextscn(e, scn)) {
      GElf_Shdr sh;
      const char* n = gelf_getshdr(scn, &sh) != nullptr ? elf_strptr(e, shstrndx, sh.sh_name) : nullptr;
      if (n != nullptr) names.emplace_back(n);
    }
  }
  if (e != nullptr) elf_end(e);
  return names;
}

FileHead read_head(const std::string& path) {
  const FileFd f = open_regular_file(path);
  FileHead h;
  h.path = path;
  h.bytes.resize(kHeadBytes);
  const ssize_t got = pread(f.get(), h.bytes.data(), kHeadBytes, 0);
  h.bytes.resize(got > 0 ? static_cast<size_t>(got) : 0);
  h.elf = h.bytes.size() >= 4 && std::memcmp(h.bytes.data(), "\x7f" "ELF", 4) == 0;
  if (h.elf) h.sections = section_names(f.get());
  // A UTF-8 byte order mark before JSON is skipped, as the JSON reader does.
  if (h.bytes.compare(0, 3, "\xEF\xBB\xBF") == 0) h.text_start = 3;
  h.text_start = std::min(h.bytes.find_first_not_of(" \t\r\n", h.text_start), h.bytes.size());
  return h;
}

[[noreturn]] void unknown_content(const FileHead& h) {
  if (h.bytes.compare(0, 8, "!<arch>\n") == 0)
    throw InputError(h.path, "not an ELF file but an ar archive; pass one of its objects (extract them with ar x)");
  if (h.bytes.compare(0, 4, "BC\xC0\xDE") == 0)
    throw InputError(h.path, "LLVM bitcode (clang -flto: an LTO object), not an ELF file: its types reach DWARF only when it is "
                             "linked; build it without -flto, or pass the linked vmlinux/.ko");
  // Distributions ship modules compressed (Debian: .ko.xz; others .ko.zst, .ko.gz).
  static constexpr struct {
    std::string_view magic, what, fix;
  } kCompressed[] = {
      {std::string_view("\xFD" "7zXZ\0", 6), "xz", "unxz -k"},
      {"\x28\xB5\x2F\xFD", "zstd", "unzstd"},
      {"\x1F\x8B", "gzip", "gunzip -k"},
  };
  for (const auto& c : kCompressed)
    if (h.bytes.compare(0, c.magic.size(), c.magic) == 0)
      throw InputError(h.path, fmt::format("not an ELF file but {}-compressed (as distributions ship modules); "
                                           "decompress it first ({} FILE) and pass the result",
                                           c.what, c.fix));
  // Boot images: x86's bzImage ("HdrS" at 0x202, boot protocol) and arm64's
  // Image ("ARM\x64" at 0x38) hold a compressed kernel without DWARF.
  if ((h.bytes.size() >= 0x206 && h.bytes.compare(0x202, 4, "HdrS") == 0) ||
      (h.bytes.size() >= 0x3c && h.bytes.compare(0x38, 4, "ARM\x64") == 0))
    throw InputError(h.path, "a compressed kernel boot image (vmlinuz), not ELF and without DWARF: pass the -dbg "
                             "package's vmlinux (/usr/lib/debug/boot/vmlinux-VERSION), or for the running kernel "
                             "/sys/kernel/notes (its build-id) with DEBUGINFOD_URLS set");
  if (h.bytes.compare(0, 3, "\xEF\xBB\xBF") == 0 && h.text_start == h.bytes.size())
    throw InputError(h.path, "not an ELF file: only a UTF-8 byte order mark and blanks");
  throw InputError(h.path, h.bytes.empty() ? "not an ELF file (empty); pass a vmlinux, .ko or .o built with debug "
                                             "info, or a facts file (padguard extract)"
                                           : "not an ELF file; pass a vmlinux, .ko or .o built with debug info, "
                                             "or a facts file (padguard extract)");
}

}  // namespace

bool FileHead::has_section(std::string_view name) const {
  return std::find(sections.begin(), sections.end(), name) != sections.end();
}

namespace {

const Input& choose(const FileHead& head, const LoadOptions& opts) {
  const Input* best = nullptr;
  int best_score = 0;
  for (const Input* in : inputs()) {
    const int score = in->probe(head, opts);
    if (score > best_score) best = in, best_score = score;
  }
  if (best == nullptr) unknown_content(head);
  return *best;
}

// The architecture an ELF's header states (e_machine, EI_DATA), for the
// cross-architecture refusal of diff and check (model.hpp).
void stamp_architecture(const FileHead& head, RecordSet& set) {
  const std::string& b = head.bytes;
  if (!head.elf || b.size() < 20) return;
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(b[i]); };
  if (byte(5) != 1 && byte(5) != 2) return;
  set.byte_order = byte(5) == 1 ? ByteOrder::Little : ByteOrder::Big;
  set.machine = set.byte_order == ByteOrder::Little ? static_cast<uint16_t>(byte(18) | byte(19) << 8)
                                                    : static_cast<uint16_t>(byte(18) << 8 | byte(19));
}

// The debug file of build-id `id`; `what` (the reason a build-id is asked
// for) and `fix` complete the error when it is nowhere and no servers are set.
std::string debug_file_by_build_id(const std::string& id, const std::string& subject, const std::string& what,
                                   const char* fix) {
  if (std::optional<std::string> found = debuginfo::find_debuginfo(id, subject)) return *found;
  throw InputError(subject, fmt::format("{} (none under /usr/lib/debug/.build-id), and DEBUGINFOD_URLS is not set; "
                                        "set it (e.g. https://debuginfod.debian.net){}",
                                        what, fix));
}

// A raw ELF notes file (/sys/kernel/notes, /sys/module/M/notes/
// .note.gnu.build-id) stands for its build-id: the running kernel's (or a
// module's) debug file; nullopt for any other content.
std::optional<std::string> notes_debug_file(const FileHead& head) {
  if (head.elf || head.bytes.size() >= kHeadBytes) return std::nullopt;
  const std::string id = debuginfo::build_id_in_notes(head.bytes);
  if (id.empty()) return std::nullopt;
  return debug_file_by_build_id(
      id, head.path, fmt::format("ELF notes with build-id {}, as /sys/kernel/notes holds the running kernel's", id),
      " or pass the -dbg package's vmlinux");
}

// An ELF file without DWARF that a DWARF reader was chosen for (a stripped
// binary or module), with a readable section table and a build-id: its debug
// file. nullopt otherwise (the reader then says what is wrong).
std::optional<std::string> stripped_debug_file(const FileHead& head, const Input& chosen) {
  if (!head.elf || head.sections.empty() || head.has_section(".debug_info") || head.has_section(".zdebug_info") ||
      chosen.name().substr(0, 5) != "dwarf")
    return std::nullopt;
  for (const std::string& n : head.sections)  // a .dwo, an LTO object: elf_check explains those
    if ((n.size() > 4 && n.compare(n.size() - 4, 4, ".dwo") == 0) || n.rfind(".gnu.lto_", 0) == 0) return std::nullopt;
  const std::string id = debuginfo::build_id_of(head.path);
  if (id.empty()) return std::nullopt;
  return debug_file_by_build_id(id, head.path, fmt::format("no DWARF debug info (.debug_info missing), build-id {}", id),
                                ", install its debug package, or build with -g");
}

RecordSet load_head(const FileHead& head, const Input& chosen, const LoadOptions& opts) {
  RecordSet set = chosen.load(head.path, opts);
  stamp_architecture(head, set);
  // The records know the address size of the units that define them (DWARF
  // unit headers, BTF's pointer size); the set says the same.
  if (!set.records.empty()) set.address_size = set.records.front()->address_size;
  return set;
}

RecordSet load_file(const std::string& path, const LoadOptions& opts) {
  const FileHead head = read_head(path);
  return load_head(head, choose(head, opts), opts);
}

// "build-id:HEX" (--build-id): its debug file; nullopt for any other path.
std::optional<std::string> build_id_file(const std::string& path) {
  const std::optional<std::string> id = debuginfo::build_id_argument(path);
  if (!id) return std::nullopt;
  return debug_file_by_build_id(*id, "build-id " + *id, "no debug info for it", " or install its debug package");
}

// Where `path`'s debug info is: `elsewhere` (a build-id's, a notes file's or
// a stripped file's debug file), or the file itself, whose head is then read
// and probed once for the lookups and the load.
struct Located {
  std::optional<std::string> elsewhere;
  std::optional<FileHead> head;
  const Input* chosen = nullptr;
};

Located locate(const std::string& path, const LoadOptions& opts) {
  Located l;
  if ((l.elsewhere = build_id_file(path))) return l;
  l.head = read_head(path);
  if ((l.elsewhere = notes_debug_file(*l.head))) return l;
  l.chosen = &choose(*l.head, opts);
  l.elsewhere = stripped_debug_file(*l.head, *l.chosen);
  return l;
}

}  // namespace

const Input& detect_input(const std::string& path, const LoadOptions& opts) {
  return choose(read_head(path), opts);
}

namespace {

constexpr uint64_t kMaxStdinBytes = uint64_t{4} << 30;

bool stdin_is_a_stream(const std::string& path) {
  if (path != "/dev/stdin" && path != "/proc/self/fd/0") return false;
  struct stat st {};
  return fstat(0, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

// `-` or a piped /dev/stdin: the bytes are copied once into a memfd (at most
// 4 GiB), read from there like a file, and every message names "stdin".
RecordSet load_stdin(const LoadOptions& opts) {
  MemoryFile copy("stdin");
  std::vector<char> buf(1 << 20);
  uint64_t total = 0;
  for (;;) {
    const ssize_t n = read(0, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InputError("stdin", fmt::format("cannot read it ({})", std::strerror(errno)));
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    if (total > kMaxStdinBytes) throw InputError("stdin", "more than 4 GiB; write it to a file first");
    copy.append(buf.data(), static_cast<size_t>(n));
  }
  const std::string path = copy.path();
  try {
    RecordSet set = load_file(path, opts);
    set.source = "stdin";
    return set;
  } catch (const InputError& e) {
    std::string what = e.what();
    if (what.rfind(path, 0) == 0) what = what.substr(path.size() + 2);  // "PATH: message"
    throw InputError("stdin", what);
  }
}

}  // namespace

std::string debug_info_path(const std::string& path, const LoadOptions& opts) {
  return locate(path, opts).elsewhere.value_or(path);
}

RecordSet load_input(const std::string& path, const LoadOptions& opts) {
  if (path == "-" || stdin_is_a_stream(path)) return load_stdin(opts);
  const Located l = locate(path, opts);
  if (!l.elsewhere) return load_head(*l.head, *l.chosen, opts);
  RecordSet set = load_file(*l.elsewhere, opts);
  set.source = path;
  return set;
}

}  // namespace padguard
