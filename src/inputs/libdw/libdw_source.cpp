// elfutils libdw backend. libdw only finds, decompresses and (through libdwfl,
// for ET_REL .o/.ko files) relocates the debug sections, and parses line
// tables for DW_AT_decl_file; padguard's own reader (../dwarf/reader.hpp)
// reads units, abbreviations and DIEs from those bytes, and die_walk.cpp
// turns them into RawDie. Only libdw's public API is used.
#include "padguard/backend_libdw.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gelf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "../dwarf/die_walk.hpp"
#include "../dwarf/reader.hpp"
#include "../dwarf/unit_kinds.hpp"
#include "padguard/elf_check.hpp"
#include "padguard/error.hpp"

namespace padguard {

namespace {

const Dwfl_Callbacks kOfflineCallbacks = {
    .find_elf = nullptr,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = nullptr,
};

// The *_errmsg(-1) functions return NULL when the library recorded no error
// (dwfl_module_getdwarf on a file without usable DWARF); found by fuzzing.
const char* msg(const char* m) { return m != nullptr ? m : "no details"; }

// One mapping of a linked file, shared by the handles of all threads: each
// mapping of the same pages counts again in the resident set (a vmlinux's
// 164 MB of .debug_info once per thread otherwise).
struct SharedElf {
  int fd = -1;
  Elf* elf = nullptr;
  ~SharedElf() {
    if (elf != nullptr) elf_end(elf);
    if (fd >= 0) close(fd);
  }
};

// The units' headers, read lazily in file order and shared by a source's
// clones: a -C search that ends in the first units never touches the
// others (each header a page fault in a vmlinux's 164 MB of .debug_info).
struct UnitTable {
  std::mutex mu;
  std::vector<dwarf::UnitHeader> units;
  uint64_t next = 0;  // where the next header starts
  bool done = false;
  std::string error;  // why the header after `units` cannot be read
};

// A unit's file names as libdw's line-table reader gives them, parsed only
// when a DIE names a decl_file (libdw 0.188 decodes the whole line program).
class LineFiles final : public dwarf::FileNames {
 public:
  LineFiles(Dwarf* dw, uint64_t cu_die_offset) : dw_(dw), cu_(cu_die_offset) {}
  const char* name(uint64_t index) override {
    if (!loaded_) {
      loaded_ = true;
      Dwarf_Die cu;
      if (dwarf_offdie(dw_, cu_, &cu) == nullptr || dwarf_getsrcfiles(&cu, &files_, &n_) != 0)
        files_ = nullptr, n_ = 0;
    }
    return files_ != nullptr && index < n_ ? dwarf_filesrc(files_, index, nullptr, nullptr) : nullptr;
  }

 private:
  Dwarf* dw_;
  uint64_t cu_;
  bool loaded_ = false;
  Dwarf_Files* files_ = nullptr;
  size_t n_ = 0;
};

class LibdwSource final : public DwarfSource {
 public:
  explicit LibdwSource(std::string path) : path_(std::move(path)) {
    facts_ = check_elf_file(path_);
    try {
      open_handle();
      find_sections();
      table_ = std::make_shared<UnitTable>();
      if (!has_unit(0)) throw InputError(path_, "no DWARF compilation units in .debug_info; build with -g");
    } catch (...) {
      release();  // the destructor does not run when a constructor throws
      throw;
    }
  }

  // A clone of a linked file: a second Dwarf handle (for line tables) on the
  // same Elf, reading the same section bytes.
  LibdwSource(const LibdwSource& first, std::shared_ptr<SharedElf> shared)
      : path_(first.path_), facts_(first.facts_), shared_(std::move(shared)), sections_(first.sections_),
        table_(first.table_) {
    dwarf_ = dwarf_begin_elf(shared_->elf, DWARF_C_READ, nullptr);
    if (dwarf_ == nullptr)
      throw InputError(path_, std::string("cannot read DWARF (") + msg(dwarf_errmsg(-1)) +
                                  "); build with -g or check the file is not truncated");
  }

  ~LibdwSource() override { release(); }

  const std::string& path() const override { return path_; }
  size_t unit_count() override {
    std::lock_guard<std::mutex> lock(table_->mu);
    read_headers_locked(SIZE_MAX);
    return table_->units.size();
  }

  bool has_unit(size_t index) override {
    std::lock_guard<std::mutex> lock(table_->mu);
    return read_headers_locked(index);
  }

  UnitDies read_unit(size_t index, const RecordNameFilter* only) override {
    dwarf::UnitHeader h;
    {
      std::lock_guard<std::mutex> lock(table_->mu);
      if (!read_headers_locked(index)) throw std::out_of_range("no such unit");
      h = table_->units[index];
    }
    UnitDies out = empty_unit(h);
    out.dies = take_spare();
    out.dies.reserve(1024);
    guarded([&] {
      unit_abbrevs_.parse(sections_.abbrev, h.abbrev_offset, h.shape(facts_.big_endian));
      dwarf::Unit u(sections_, h, unit_abbrevs_);
      dwarf::prepare_unit(u);
      LineFiles files(dwarf_, h.die_offset);
      dwarf::DieWalker(u, source_locations_ ? &files : nullptr).walk_unit(out.dies, only);
    });
    return out;
  }

  UnitDies read_subtree(uint64_t offset) override {
    std::optional<dwarf::UnitHeader> h = unit_holding(offset);
    if (!h) {
      UnitDies none;
      none.address_size = facts_.is_64 ? 8 : 4;
      none.big_endian = facts_.big_endian;
      none.machine = facts_.machine;
      return none;
    }
    UnitDies out = empty_unit(*h);
    guarded([&] {
      // Most references stay in the unit being read: its table is kept.
      dwarf::AbbrevTable& t = unit_abbrevs_.offset() == h->abbrev_offset ? unit_abbrevs_ : other_abbrevs_;
      t.parse(sections_.abbrev, h->abbrev_offset, h->shape(facts_.big_endian));
      dwarf::Unit u(sections_, *h, t);
      dwarf::prepare_unit(u);
      LineFiles files(dwarf_, h->die_offset);
      dwarf::DieWalker(u, source_locations_ ? &files : nullptr).walk_subtree(offset, out.dies);
    });
    return out;
  }

  std::unique_ptr<DwarfSource> clone() const override {
    if (shared_ != nullptr) return std::make_unique<LibdwSource>(*this, shared_);
    return std::make_unique<LibdwSource>(path_);
  }

 private:
  void release() noexcept {
    if (dwfl_ != nullptr) dwfl_end(dwfl_);
    if (dwarf_ != nullptr && dwfl_ == nullptr) dwarf_end(dwarf_);
    dwfl_ = nullptr, dwarf_ = nullptr;
    shared_.reset();
  }

  // Runs `f`, giving a reader error the file's name.
  template <class F>
  void guarded(F&& f) const {
    try {
      f();
    } catch (const dwarf::DwarfError& e) {
      throw InputError(path_, e.what());
    }
  }

  UnitDies empty_unit(const dwarf::UnitHeader& h) const {
    UnitDies out;
    out.address_size = h.address_size;
    out.version = h.version;
    out.big_endian = facts_.big_endian;
    out.machine = facts_.machine;
    return out;
  }

  // The unit whose DIEs hold `offset`; none when no unit does.
  std::optional<dwarf::UnitHeader> unit_holding(uint64_t offset) {
    std::lock_guard<std::mutex> lock(table_->mu);
    const std::vector<dwarf::UnitHeader>& units = table_->units;
    while ((units.empty() || units.back().end <= offset) && read_headers_locked(units.size())) {
    }
    auto it = std::upper_bound(units.begin(), units.end(), offset,
                               [](uint64_t o, const dwarf::UnitHeader& u) { return o < u.die_offset; });
    if (it == units.begin() || offset >= (it - 1)->end) return std::nullopt;
    return *(it - 1);
  }

  // The data of the first section named `name` (or `alt`) in the Elf libdw
  // reads, as libdw left it: decompressed, relocated. Empty when none.
  dwarf::Bytes section(const char* name, const char* alt = nullptr) const {
    Elf* e = dwarf_getelf(dwarf_);
    size_t shstrndx = 0;
    if (e == nullptr || elf_getshdrstrndx(e, &shstrndx) != 0) return {};
    for (Elf_Scn* scn = elf_nextscn(e, nullptr); scn != nullptr; scn = elf_nextscn(e, scn)) {
      GElf_Shdr sh;
      if (gelf_getshdr(scn, &sh) == nullptr || sh.sh_type == SHT_NOBITS) continue;
      const char* n = elf_strptr(e, shstrndx, sh.sh_name);
      if (n == nullptr || (std::strcmp(n, name) != 0 && (alt == nullptr || std::strcmp(n, alt) != 0))) continue;
      // libdw decompresses the sections it knows when it opens the file; one
      // still compressed would be read as DWARF (fail open).
      const Elf_Data* data = elf_getdata(scn, nullptr);
      const bool gnu_z = data != nullptr && data->d_size >= 4 && std::memcmp(data->d_buf, "ZLIB", 4) == 0 &&
                         n[1] == 'z';
      if ((sh.sh_flags & SHF_COMPRESSED) != 0 || gnu_z)
        throw InputError(path_, std::string(n) + " is compressed and libdw did not inflate it; run `objcopy "
                                                 "--decompress-debug-sections` on the file");
      if (data == nullptr || data->d_buf == nullptr) return {};
      return {static_cast<const uint8_t*>(data->d_buf), data->d_size};
    }
    return {};
  }

  void find_sections() {
    sections_.big_endian = facts_.big_endian;
    sections_.info = section(".debug_info", ".zdebug_info");
    sections_.abbrev = section(".debug_abbrev", ".zdebug_abbrev");
    sections_.str = section(".debug_str", ".zdebug_str");
    sections_.line_str = section(".debug_line_str", ".zdebug_line_str");
    sections_.str_offsets = section(".debug_str_offsets", ".zdebug_str_offsets");
    if (sections_.info.size == 0) throw InputError(path_, "no DWARF compilation units in .debug_info; build with -g");
  }

  void open_handle() {
    elf_version(EV_CURRENT);
    if (facts_.relocatable) {
      dwfl_ = dwfl_begin(&kOfflineCallbacks);
      if (dwfl_ == nullptr) throw InputError(path_, std::string("libdwfl: ") + msg(dwfl_errmsg(-1)));
      Dwfl_Module* mod = dwfl_report_offline(dwfl_, path_.c_str(), path_.c_str(), -1);
      if (mod == nullptr)
        throw InputError(path_, std::string("cannot load object (") + msg(dwfl_errmsg(-1)) + "); rebuild it");
      dwfl_report_end(dwfl_, nullptr, nullptr);
      Dwarf_Addr bias = 0;
      dwarf_ = dwfl_module_getdwarf(mod, &bias);
      // libdwfl relocates through a backend per machine (libebl); elfutils
      // 0.188 has none for MIPS, for one. libdwarf relocates by itself.
      const char* why = dwfl_errmsg(-1);
      if (dwarf_ == nullptr && why != nullptr && std::strcmp(why, "no support library found for machine") == 0)
        throw LibdwCannotRelocate(path_, fmt::format("libdw {} cannot relocate objects of this machine (e_machine {}: "
                                                     "{}); read it with --backend libdwarf",
                                                     dwfl_version(nullptr), facts_.machine, why));
      if (dwarf_ == nullptr)
        throw InputError(path_, std::string("cannot read DWARF (") + msg(dwfl_errmsg(-1)) +
                                    "); build with -g or check the file is not truncated");
      return;
    }
    shared_ = std::make_shared<SharedElf>();
    shared_->fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (shared_->fd < 0) throw InputError(path_, "cannot open");
    shared_->elf = elf_begin(shared_->fd, ELF_C_READ_MMAP, nullptr);
    if (shared_->elf == nullptr) throw InputError(path_, std::string("libelf: ") + msg(elf_errmsg(-1)));
    dwarf_ = dwarf_begin_elf(shared_->elf, DWARF_C_READ, nullptr);
    if (dwarf_ == nullptr)
      throw InputError(path_, std::string("cannot read DWARF (") + msg(dwarf_errmsg(-1)) +
                                  "); build with -g or check the file is not truncated");
  }

  // Reads unit headers until unit `index` is known; false when the file has
  // no such unit. Throws InputError for a corrupt header before it, or for
  // a unit whose types are elsewhere (split DWARF, type units). Called with
  // table_->mu held.
  bool read_headers_locked(size_t index) {
    UnitTable& t = *table_;
    while (t.units.size() <= index && !t.done && t.error.empty()) {
      try {
        const std::optional<dwarf::UnitHeader> h = dwarf::read_unit_header(sections_, t.next);
        if (!h) {
          t.done = true;
        } else if (const char* refused = dwarf::refused_unit_type(h->unit_type)) {
          t.error = refused;
        } else {
          t.units.push_back(*h);
          t.next = h->end;
        }
      } catch (const dwarf::DwarfError& e) {
        t.error = e.what();
      }
    }
    if (t.units.size() > index) return true;
    if (!t.error.empty()) throw InputError(path_, t.error);
    return false;
  }

  std::string path_;
  ElfFacts facts_;
  std::shared_ptr<SharedElf> shared_;  // linked files; ET_REL goes through dwfl_
  Dwfl* dwfl_ = nullptr;
  Dwarf* dwarf_ = nullptr;
  dwarf::Sections sections_;  // bytes owned by the Elf (shared_ or dwfl_'s)
  std::shared_ptr<UnitTable> table_;
  // Per handle: the abbreviations of the unit being read, and of the last
  // other unit a reference led to.
  dwarf::AbbrevTable unit_abbrevs_, other_abbrevs_;
};

}  // namespace

std::unique_ptr<DwarfSource> open_libdw(const std::string& path) {
  return std::make_unique<LibdwSource>(path);
}

}  // namespace padguard
