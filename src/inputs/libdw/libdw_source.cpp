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
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>
#include <unordered_set>

#include "../dwarf/die_walk.hpp"
#include "../dwarf/reader.hpp"
#include "../dwarf/unit_kinds.hpp"
#include "debug_files.hpp"
#include "../debuginfo_lookup.hpp"
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

// Sections read from another file than the one named: a split unit's .dwo,
// one unit's contribution in a .dwp, or dwz's supplementary file.
struct ExtraSet {
  std::shared_ptr<debug_files::MappedElf> file;  // keeps the bytes mapped (a .dwp's rows share one)
  dwarf::Sections s;
  std::vector<dwarf::UnitHeader> units;  // every unit, in order
  bool alt = false;                      // dwz's file: line tables through its own Dwarf handle
  uint64_t skeleton = UINT64_MAX;        // split: the skeleton unit DIE whose line table names files
};

// One unit in reading order: where its bytes are and which line table names
// its DW_AT_decl_file values.
struct UnitEntry {
  dwarf::UnitHeader h;
  const ExtraSet* set = nullptr;  // null: the file's own sections
  uint64_t line_cu = 0;           // the unit DIE (in its file) that holds DW_AT_stmt_list
  bool checked = false;           // the file's own units: known not to be a skeleton
  // dwz: the file's unit that first imports this supplementary unit; its
  // name is the records' unit name, as in the file before dwz.
  std::optional<dwarf::UnitHeader> importer;
};

// The units, read lazily in file order and shared by a source's clones: a -C
// search that ends in the first units never touches the others (each header
// a page fault in a vmlinux's 164 MB of .debug_info). Split DWARF: a
// skeleton's place in the order is taken by its split unit when first read.
// dwz: the supplementary file's partial units a unit imports come just
// before it, each once.
struct UnitTable {
  std::mutex mu;
  std::vector<UnitEntry> order;           // the units to read
  std::vector<dwarf::UnitHeader> own;     // the file's own units, in file order
  uint64_t next = 0;  // where the next header starts
  bool done = false;
  std::string error;  // why the header after `own` cannot be read
  std::deque<std::unique_ptr<ExtraSet>> extras;
  std::map<uint64_t, const ExtraSet*> by_bias;  // extras by their first global offset
  uint64_t next_bias = 0;
  ExtraSet* alt = nullptr;
  std::unordered_set<uint64_t> alt_queued;  // local offsets of alt units already in `order`
  dwarf::AbbrevTable scan_abbrevs;          // for reading imports and dwo_ids under `mu`
  // .dwp beside the file: tried once.
  bool dwp_tried = false;
  std::shared_ptr<debug_files::MappedElf> dwp;
  std::unique_ptr<debug_files::DwpIndex> dwp_index;
  dwarf::Sections dwp_sections;
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
      table_->next_bias = align(sections_.info.size);
      open_alt();
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
    open_alt_lines();
  }

  ~LibdwSource() override { release(); }

  const std::string& path() const override { return path_; }
  size_t unit_count() override {
    std::lock_guard<std::mutex> lock(table_->mu);
    read_headers_locked(SIZE_MAX);
    return table_->order.size();
  }

  bool has_unit(size_t index) override {
    std::lock_guard<std::mutex> lock(table_->mu);
    return read_headers_locked(index);
  }

  UnitDies read_unit(size_t index, const RecordNameFilter* only) override {
    UnitEntry e;
    {
      std::lock_guard<std::mutex> lock(table_->mu);
      if (!read_headers_locked(index)) throw std::out_of_range("no such unit");
      e = table_->order[index];
    }
    if (!e.checked) e = check_split(index, e);
    UnitDies out = empty_unit(e.h);
    out.dies = take_spare();
    out.dies.reserve(1024);
    guarded([&] {
      with_walker(e, unit_abbrevs_, [&](dwarf::DieWalker& w) { w.walk_unit(out.dies, only); });
      if (e.importer && !out.dies.empty() && out.dies[0].name == nullptr) {
        dwarf::AbbrevTable& t = other_abbrevs_;
        t.parse(sections_.abbrev, e.importer->abbrev_offset, e.importer->shape(facts_.big_endian));
        dwarf::Unit importer(sections_, *e.importer, t);
        dwarf::prepare_unit(importer);
        out.dies[0].name = importer.name_of(importer.die(importer.first_die()));
      }
    });
    return out;
  }

  UnitDies read_subtree(uint64_t offset) override {
    std::optional<UnitEntry> e = unit_holding(offset);
    if (!e) {
      UnitDies none;
      none.address_size = facts_.is_64 ? 8 : 4;
      none.big_endian = facts_.big_endian;
      none.machine = facts_.machine;
      return none;
    }
    UnitDies out = empty_unit(e->h);
    guarded([&] {
      // Most references stay in the unit being read: its table is kept.
      dwarf::AbbrevTable& t = unit_abbrevs_.offset() == e->h.abbrev_offset ? unit_abbrevs_ : other_abbrevs_;
      with_walker(*e, t, [&](dwarf::DieWalker& w) { w.walk_subtree(offset, out.dies); });
    });
    return out;
  }

  std::unique_ptr<DwarfSource> clone() const override {
    if (shared_ != nullptr) return std::make_unique<LibdwSource>(*this, shared_);
    return std::make_unique<LibdwSource>(path_);
  }

 private:
  static uint64_t align(uint64_t v) { return (v + 31) & ~uint64_t{15}; }

  // The unit of `units` (in file order) whose DIEs hold local `offset`.
  static const dwarf::UnitHeader* unit_at(const std::vector<dwarf::UnitHeader>& units, uint64_t offset) {
    auto it = std::upper_bound(units.begin(), units.end(), offset,
                               [](uint64_t o, const dwarf::UnitHeader& u) { return o < u.die_offset; });
    if (it == units.begin() || offset >= (it - 1)->end) return nullptr;
    return &*(it - 1);
  }

  void release() noexcept {
    if (alt_dwarf_ != nullptr) dwarf_end(alt_dwarf_);
    alt_dwarf_ = nullptr;
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

  const dwarf::Sections& sections_of(const UnitEntry& e) const { return e.set != nullptr ? e.set->s : sections_; }

  // Calls f(DieWalker&) on unit `e`, read with abbreviation table `t`, its
  // file names from the line table that names them.
  template <class F>
  void with_walker(const UnitEntry& e, dwarf::AbbrevTable& t, F&& f) {
    const dwarf::Sections& s = sections_of(e);
    t.parse(s.abbrev, e.h.abbrev_offset, e.h.shape(facts_.big_endian));
    dwarf::Unit u(s, e.h, t);
    dwarf::prepare_unit(u, e.set != nullptr && !e.set->alt);  // a split unit may name its own .dwo
    LineFiles files(lines_of(e), e.line_cu);
    dwarf::DieWalker w(u, source_locations_ && lines_of(e) != nullptr ? &files : nullptr);
    f(w);
  }
  Dwarf* lines_of(const UnitEntry& e) const {
    if (e.set != nullptr && e.set->alt) return alt_dwarf_;
    return dwarf_;
  }

  UnitDies empty_unit(const dwarf::UnitHeader& h) const {
    UnitDies out;
    out.address_size = h.address_size;
    out.version = h.version;
    out.big_endian = facts_.big_endian;
    out.machine = facts_.machine;
    return out;
  }

  // The unit whose DIEs hold the global `offset`; none when no unit does.
  std::optional<UnitEntry> unit_holding(uint64_t offset) {
    std::lock_guard<std::mutex> lock(table_->mu);
    UnitTable& t = *table_;
    if (sections_.holds(offset)) {
      while ((t.own.empty() || t.own.back().end <= offset) && read_next_locked()) {
      }
      const dwarf::UnitHeader* h = unit_at(t.own, offset);
      if (h == nullptr) return std::nullopt;
      return UnitEntry{*h, nullptr, h->die_offset, true, std::nullopt};
    }
    auto it = t.by_bias.upper_bound(offset);
    if (it == t.by_bias.begin()) return std::nullopt;
    const ExtraSet* set = std::prev(it)->second;
    if (!set->s.holds(offset)) return std::nullopt;
    const dwarf::UnitHeader* h = unit_at(set->units, offset - set->s.bias);
    if (h == nullptr) return std::nullopt;
    return UnitEntry{*h, set, set->alt ? h->die_offset : set->skeleton, true, std::nullopt};
  }

  // The data of a section of the Elf libdw reads, as libdw left it:
  // decompressed, relocated (debug_files::section_data).
  dwarf::Bytes section(const char* name, const char* alt = nullptr) const {
    return debug_files::section_data(dwarf_getelf(dwarf_), path_, name, alt != nullptr ? alt : "");
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

  // A new set of sections from another file, given the next free offsets.
  ExtraSet& add_set_locked(std::shared_ptr<debug_files::MappedElf> file, dwarf::Sections s) {
    UnitTable& t = *table_;
    s.big_endian = facts_.big_endian;
    s.bias = t.next_bias;
    t.next_bias += align(s.info.size);
    auto set = std::make_unique<ExtraSet>();
    set->file = std::move(file);
    set->s = s;
    ExtraSet& ref = *set;
    t.extras.push_back(std::move(set));
    t.by_bias.emplace(ref.s.bias, &ref);
    // Every header now: these files are small next to the one named.
    try {
      for (uint64_t at = 0;;) {
        const std::optional<dwarf::UnitHeader> h = dwarf::read_unit_header(ref.s, at);
        if (!h) break;
        ref.units.push_back(*h);
        at = h->end;
      }
    } catch (const dwarf::DwarfError& e) {
      throw InputError(ref.file->path(), e.what());
    }
    return ref;
  }

  // dwz: the supplementary file .gnu_debugaltlink (or DWARF 5's .debug_sup)
  // names, found where dwz, gdb and libdw look and checked by build-id (or
  // .debug_sup's checksum). Not found: the file cannot
  // be read (its shared types are there), so an error now.
  void open_alt() {
    Elf* e = dwarf_getelf(dwarf_);
    const std::optional<debug_files::AltLink> link = e != nullptr ? debug_files::read_altlink(e) : std::nullopt;
    if (!link) {
      // References into a file nothing names: its units would read as empty.
      if (dwarf::uses_supplementary_forms(sections_.abbrev))
        throw InputError(path_, "DWARF compressed by dwz refers to a supplementary file, but neither "
                                ".gnu_debugaltlink nor .debug_sup names it; pass the file before dwz or rebuild it");
      return;
    }
    // Nothing to check a candidate by (a damaged link section): any file at
    // that path would be taken for it.
    if (link->build_id.empty())
      throw InputError(path_, fmt::format("DWARF compressed by dwz: its {} names '{}' but no {} to check it by "
                                          "(damaged); rebuild the file or pass it before dwz",
                                          link->section(), link->path, link->dwarf5 ? "checksum" : "build-id"));
    std::string tried;
    std::vector<std::string> candidates = debug_files::alt_candidates(path_, *link);
    const auto open_candidate = [&](const std::string& c) -> std::shared_ptr<debug_files::MappedElf> {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(c, ec)) {
        tried += (tried.empty() ? "" : ", ") + c;
        return nullptr;
      }
      auto file = std::make_shared<debug_files::MappedElf>(c);
      if (debug_files::alt_identity(file->elf(), *link) != link->build_id) {
        tried += (tried.empty() ? "" : ", ") + c + (link->dwarf5 ? " (another checksum)" : " (another build-id)");
        return nullptr;
      }
      return file;
    };
    std::shared_ptr<debug_files::MappedElf> file;
    for (const std::string& c : candidates)
      if ((file = open_candidate(c))) break;
    // Not on this machine: the debuginfod servers, by the link's build-id
    // (servers index files by their build-id note, which dwz -5's
    // supplementary file lacks: .debug_sup is looked for locally only).
    if (!file && !link->dwarf5 && link->build_id.size() >= 2 && link->build_id.size() <= 128 &&
        !debuginfo::debuginfod_urls().empty()) {
      try {
        if (const std::optional<std::string> fetched = debuginfo::find_debuginfo(link->build_id, ""))
          file = open_candidate(*fetched);
      } catch (const InputError& err) {
        throw InputError(path_, fmt::format("DWARF compressed by dwz: its supplementary file '{}' is not on this "
                                            "machine (looked in: {}), and {}",
                                            link->path, tried, err.what()));
      }
    }
    if (file) {
      dwarf::Sections s;
      s.info = file->section(".debug_info");
      s.abbrev = file->section(".debug_abbrev");
      s.str = file->section(".debug_str");
      s.line_str = file->section(".debug_line_str");
      s.str_offsets = file->section(".debug_str_offsets");
      std::lock_guard<std::mutex> lock(table_->mu);
      ExtraSet& set = add_set_locked(std::move(file), s);
      set.alt = true;
      table_->alt = &set;
      sections_.alt = &set.s;
      open_alt_lines();
      return;
    }
    throw InputError(path_, fmt::format("DWARF compressed by dwz: its supplementary file '{}' ({} {}, {}) was not "
                                        "found (looked in: {}); put it there, install the debug package that "
                                        "ships it{}",
                                        link->path, link->dwarf5 ? "checksum" : "build-id",
                                        link->build_id, link->section(), tried,
                                        link->dwarf5 ? "" : ", or set DEBUGINFOD_URLS"));
  }

  void open_alt_lines() {
    if (table_->alt == nullptr) return;
    alt_dwarf_ = dwarf_begin_elf(table_->alt->file->elf(), DWARF_C_READ, nullptr);  // null: no file names
  }

  // Split DWARF: the split unit a skeleton names, from FILE.dwp or its .dwo,
  // takes the skeleton's place in the order (once, for every clone).
  UnitEntry check_split(size_t index, const UnitEntry& e) {
    std::optional<dwarf::SkeletonLink> k;
    guarded([&] {
      unit_abbrevs_.parse(sections_.abbrev, e.h.abbrev_offset, e.h.shape(facts_.big_endian));
      dwarf::Unit u(sections_, e.h, unit_abbrevs_);
      k = dwarf::skeleton_link(u);
    });
    std::lock_guard<std::mutex> lock(table_->mu);
    UnitEntry& slot = table_->order[index];
    if (slot.checked) return slot;
    if (k) slot = split_unit_locked(e, *k);
    slot.checked = true;
    return slot;
  }

  UnitEntry split_unit_locked(const UnitEntry& skeleton, const dwarf::SkeletonLink& k) {
    const std::string dwo = k.dwo_name != nullptr ? k.dwo_name : "";
    if (!k.dwo_id)
      throw InputError(path_, "split DWARF: the skeleton unit for '" + dwo + "' has no dwo_id; rebuild the file");
    if (const std::optional<UnitEntry> packed = from_dwp_locked(skeleton, *k.dwo_id)) return *packed;
    std::string tried;
    for (const std::string& c : debug_files::dwo_candidates(path_, k.dwo_name, k.comp_dir)) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(c, ec)) {
        tried += (tried.empty() ? "" : ", ") + c;
        continue;
      }
      auto file = std::make_shared<debug_files::MappedElf>(c);
      dwarf::Sections s;
      s.info = file->section(".debug_info.dwo");
      s.abbrev = file->section(".debug_abbrev.dwo");
      s.str = file->section(".debug_str.dwo");
      s.str_offsets = file->section(".debug_str_offsets.dwo");
      if (s.info.size == 0) throw InputError(c, "no .debug_info.dwo: not a split-DWARF .dwo file; rebuild it");
      ExtraSet& set = add_set_locked(std::move(file), s);
      if (std::optional<UnitEntry> found = split_in_set_locked(set, skeleton, *k.dwo_id)) return *found;
      throw InputError(c, fmt::format("no split unit with dwo_id {} (the one {} needs): the .dwo is from another "
                                      "build; rebuild both",
                                      debug_files::hex64(*k.dwo_id), path_));
    }
    throw InputError(path_, fmt::format("split DWARF: '{}' (dwo_id {}) was not found (looked in: {}{}); keep the "
                                        ".dwo files where the build left them, or pack them with `llvm-dwp -e {} -o "
                                        "{}.dwp`",
                                        dwo, debug_files::hex64(*k.dwo_id), path_ + ".dwp, ", tried, path_, path_));
  }

  // The split unit of `dwo_id` among a set's units; its string offsets start
  // as its version says.
  std::optional<UnitEntry> split_in_set_locked(ExtraSet& set, const UnitEntry& skeleton, uint64_t dwo_id) {
    for (const dwarf::UnitHeader& h : set.units) {
      if (h.unit_type == dwarf::kUtSplitType || h.unit_type == dwarf::kUtType) continue;
      std::optional<uint64_t> id;
      try {
        table_->scan_abbrevs.parse(set.s.abbrev, h.abbrev_offset, h.shape(facts_.big_endian));
        id = dwarf::split_dwo_id(dwarf::Unit(set.s, h, table_->scan_abbrevs));
      } catch (const dwarf::DwarfError& e) {
        throw InputError(set.file->path(), e.what());
      }
      if (id != dwo_id) continue;
      if (h.version < 5) set.s.str_offsets_start = 0;  // GNU split DWARF 4: no table header
      set.skeleton = skeleton.h.die_offset;
      return UnitEntry{h, &set, skeleton.h.die_offset, true, std::nullopt};
    }
    return std::nullopt;
  }

  // FILE.dwp, as gdb looks for it: the unit of `dwo_id` when the package
  // holds it.
  std::optional<UnitEntry> from_dwp_locked(const UnitEntry& skeleton, uint64_t dwo_id) {
    UnitTable& t = *table_;
    if (!t.dwp_tried) {
      t.dwp_tried = true;
      const std::string p = path_ + ".dwp";
      std::error_code ec;
      if (std::filesystem::is_regular_file(p, ec)) {
        t.dwp = std::make_shared<debug_files::MappedElf>(p);
        dwarf::Sections& s = t.dwp_sections;
        s.info = t.dwp->section(".debug_info.dwo");
        s.abbrev = t.dwp->section(".debug_abbrev.dwo");
        s.str = t.dwp->section(".debug_str.dwo");
        s.str_offsets = t.dwp->section(".debug_str_offsets.dwo");
        const dwarf::Bytes index = t.dwp->section(".debug_cu_index");
        if (index.size == 0) throw InputError(p, "no .debug_cu_index: not a .dwp package; make it with llvm-dwp");
        try {
          t.dwp_index = std::make_unique<debug_files::DwpIndex>(index, facts_.big_endian, s.info.size,
                                                                 s.abbrev.size, s.str_offsets.size);
        } catch (const dwarf::DwarfError& e) {
          throw InputError(p, e.what());
        }
      }
    }
    if (t.dwp_index == nullptr) return std::nullopt;
    const debug_files::DwpRow* row = t.dwp_index->find(dwo_id);
    if (row == nullptr)
      throw InputError(t.dwp->path(), fmt::format("no unit with dwo_id {} (which {} needs): the package is from "
                                                  "another build; make it again with llvm-dwp",
                                                  debug_files::hex64(dwo_id), path_));
    const dwarf::Sections& whole = t.dwp_sections;
    dwarf::Sections s = whole;
    s.info = {whole.info.data + row->info_off, row->info_size};
    s.abbrev = {whole.abbrev.data + row->abbrev_off, row->abbrev_size};
    s.str_offsets = {whole.str_offsets.data + row->str_offsets_off, row->str_offsets_size};
    if (t.dwp_index->version() < 5) s.str_offsets_start = 0;
    ExtraSet& set = add_set_locked(t.dwp, s);
    if (std::optional<UnitEntry> found = split_in_set_locked(set, skeleton, dwo_id)) return found;
    throw InputError(t.dwp->path(), fmt::format("corrupt package: the row of dwo_id {} holds no such unit; make it "
                                                "again with llvm-dwp",
                                                debug_files::hex64(dwo_id)));
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

  // Reads the file's next unit header into the order (after the
  // supplementary file's units it imports, not yet there); false at the end
  // or on an error (kept in `error`). Called with table_->mu held.
  bool read_next_locked() {
    UnitTable& t = *table_;
    if (t.done || !t.error.empty()) return false;
    try {
      const std::optional<dwarf::UnitHeader> h = dwarf::read_unit_header(sections_, t.next);
      if (!h) {
        t.done = true;
        return false;
      }
      if (h->unit_type != dwarf::kUtSkeleton)
        if (const char* refused = dwarf::refused_unit_type(h->unit_type)) {
          t.error = refused;
          return false;
        }
      t.own.push_back(*h);
      t.next = h->end;
      if (t.alt != nullptr) queue_imports_locked(sections_, *h, *h, 0);
      t.order.push_back(UnitEntry{*h, nullptr, h->die_offset, false, std::nullopt});
    } catch (const dwarf::DwarfError& e) {
      t.error = e.what();
      return false;
    }
    return true;
  }

  // dwz: the supplementary file's units that unit `h` imports, each before
  // the first unit importing it, after those it imports itself.
  void queue_imports_locked(const dwarf::Sections& s, const dwarf::UnitHeader& h, const dwarf::UnitHeader& importer,
                            int depth) {
    UnitTable& t = *table_;
    if (depth > 64) throw dwarf::DwarfError("corrupt DWARF: partial units imported deeper than 64; rebuild the file");
    t.scan_abbrevs.parse(s.abbrev, h.abbrev_offset, h.shape(facts_.big_endian));
    const std::vector<uint64_t> imports = dwarf::imported_units(dwarf::Unit(s, h, t.scan_abbrevs));
    ExtraSet& alt = *t.alt;
    for (uint64_t target : imports) {
      if (!alt.s.holds(target)) continue;  // a unit of the file itself: read in file order
      const uint64_t local = target - alt.s.bias;
      const dwarf::UnitHeader* it = unit_at(alt.units, local);
      if (it == nullptr || it->die_offset != local)
        throw dwarf::DwarfError("corrupt DWARF: DW_AT_import names no unit of the supplementary file " +
                                alt.file->path() + "; rebuild the file");
      if (!t.alt_queued.insert(local).second) continue;
      const dwarf::UnitHeader pu = *it;
      queue_imports_locked(alt.s, pu, importer, depth + 1);
      t.order.push_back(UnitEntry{pu, &alt, pu.die_offset, true, importer});
    }
  }

  // Reads unit headers until unit `index` of the order is known; false when
  // the file has no such unit. Throws InputError for a corrupt header before
  // it, or for a unit whose types are elsewhere (type units). Called with
  // table_->mu held.
  bool read_headers_locked(size_t index) {
    UnitTable& t = *table_;
    while (t.order.size() <= index && read_next_locked()) {
    }
    if (t.order.size() > index) return true;
    if (!t.error.empty()) throw InputError(path_, t.error);
    return false;
  }

  std::string path_;
  ElfFacts facts_;
  std::shared_ptr<SharedElf> shared_;  // linked files; ET_REL goes through dwfl_
  Dwfl* dwfl_ = nullptr;
  Dwarf* dwarf_ = nullptr;
  Dwarf* alt_dwarf_ = nullptr;  // dwz's supplementary file, for its units' line tables
  dwarf::Sections sections_;    // bytes owned by the Elf (shared_ or dwfl_'s)
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
