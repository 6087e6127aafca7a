// libdwarf backend: adapts DIEs to RawDie and nothing else, held equal to the
// libdw backend (same kept DIEs, same preorder, same global offsets, same
// attribute decoding, same decl_file strings) so that `padguard crosscheck`
// can compare two independent parsers. All libdwarf calls go through
// compat.hpp.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "compat.hpp"
#include "../dwarf/die_filter.hpp"
#include "../dwarf/location_expr.hpp"
#include "../dwarf/raw_die_attrs.hpp"
#include "../dwarf/unit_kinds.hpp"
#include "inflate.hpp"
#include "padguard/dwarf_source.hpp"
#include "padguard/elf_check.hpp"
#include "padguard/error.hpp"

namespace padguard {

namespace {

constexpr int kMaxDieDepth = 512;  // as the libdw backend

bool is_constant_form(uint32_t form) {
  switch (form) {
    case DW_FORM_data1:
    case DW_FORM_data2:
    case DW_FORM_data4:
    case DW_FORM_data8:
    case DW_FORM_udata:
    case DW_FORM_sdata:
    case DW_FORM_implicit_const:
    case DW_FORM_data16:
      return true;
    default:
      return false;
  }
}

// A DIE that frees itself.
class DieHandle {
 public:
  DieHandle() = default;
  explicit DieHandle(ldw::Die d) : die_(d) {}
  ~DieHandle() { ldw::free_die(die_); }
  DieHandle(const DieHandle&) = delete;
  DieHandle& operator=(const DieHandle&) = delete;
  DieHandle(DieHandle&& o) noexcept : die_(o.die_) { o.die_ = nullptr; }
  DieHandle& operator=(DieHandle&& o) noexcept {
    std::swap(die_, o.die_);
    return *this;
  }
  ldw::Die get() const { return die_; }
  ldw::Die* out() {
    ldw::free_die(die_);
    die_ = nullptr;
    return &die_;
  }

 private:
  ldw::Die die_ = nullptr;
};

class LibdwarfSource final : public DwarfSource {
 public:
  explicit LibdwarfSource(std::string path) : path_(std::move(path)) {
    facts_ = check_elf_file(path_, /*list_headers=*/true);
    try {
      open_handle();
      enumerate_units();
    } catch (...) {
      release();  // the destructor does not run when a constructor throws
      throw;
    }
  }

  ~LibdwarfSource() override { release(); }

  const std::string& path() const override { return path_; }
  size_t unit_count() override { return units_.size(); }

  // libdwarf reads every DIE: `only` is an optimisation it does not need.
  UnitDies read_unit(size_t index, const RecordNameFilter* /*only*/) override {
    const UnitInfo& u = units_.at(index);
    UnitDies out;
    out.address_size = u.address_size;
    out.version = u.version;
    out.big_endian = facts_.big_endian;
    out.machine = facts_.machine;
    DieHandle cu;
    if (ldw::offdie(dbg_, u.die_offset, cu.out(), err_) != ldw::Res::Ok) fail_dwarf("cannot read unit DIE");
    files_ = source_locations_ ? &file_table(cu.get(), u.die_offset) : nullptr;
    walk(cu.get(), out.dies, 0);
    return out;
  }

  UnitDies read_subtree(uint64_t offset) override {
    UnitDies out;
    out.address_size = facts_.is_64 ? 8 : 4;
    out.big_endian = facts_.big_endian;
    out.machine = facts_.machine;
    DieHandle die;
    if (ldw::offdie(dbg_, offset, die.out(), err_) != ldw::Res::Ok) return out;
    uint8_t asize = 0;
    if (ldw::address_size(dbg_, die.get(), asize, err_) == ldw::Res::Ok && asize != 0)
      out.address_size = asize;
    files_ = nullptr;
    uint64_t cu_offset = 0;
    DieHandle cu;
    if (source_locations_ && ldw::cu_die_offset(dbg_, die.get(), cu_offset, err_) == ldw::Res::Ok &&
        ldw::offdie(dbg_, cu_offset, cu.out(), err_) == ldw::Res::Ok)
      files_ = &file_table(cu.get(), cu_offset);
    walk(die.get(), out.dies, 0);
    return out;
  }

  std::unique_ptr<DwarfSource> clone() const override { return std::make_unique<LibdwarfSource>(path_); }

 private:
  struct UnitInfo {
    uint64_t die_offset;
    uint8_t address_size;
    uint16_t version;
  };
  using FileTable = std::vector<const char*>;

  void release() noexcept {
    ldw::close(dbg_);
    if (fd_ >= 0) ::close(fd_);
    dbg_ = nullptr, fd_ = -1;
  }

  [[noreturn]] void fail_dwarf(const std::string& what) {
    // Not damage: libdwarf 20210528 applies no relocation of a type it does
    // not know (RISC-V's ADD/SUB pairs), libdw does.
    if (err_.message.find("DW_DLE_RELOC_SECTION_RELOC_TARGET_SIZE_UNKNOWN") != std::string::npos)
      throw InputError(path_, "libdwarf " + std::string(ldw::package_version()) +
                                  " cannot apply this machine's relocations (e_machine " +
                                  std::to_string(facts_.machine) + "); use --backend libdw");
    throw InputError(path_, "corrupt DWARF (" + what + (err_.message.empty() ? "" : ": " + err_.message) +
                                "); rebuild the file or try --backend libdw");
  }
  // The same, naming the DIE at fault.
  [[noreturn]] void fail_dwarf_at(const std::string& what, uint64_t die) {
    char at[40];
    snprintf(at, sizeof at, " at DIE 0x%llx", static_cast<unsigned long long>(die));
    fail_dwarf(what + at);
  }

  void open_handle() {
    if (!ldw::api().load_error.empty()) throw InputError(path_, ldw::api().load_error);
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw InputError(path_, "cannot open");
    if (const int inflated = libdwarf_readable_copy(path_, fd_); inflated >= 0) {
      ::close(fd_);
      fd_ = inflated;
    }
    const ldw::Res r = ldw::open_fd(fd_, &dbg_, err_);
    if (r == ldw::Res::NoEntry)
      throw InputError(path_, "libdwarf finds no DWARF sections; build with -g or try --backend libdw");
    if (r == ldw::Res::Error) {
      // .zdebug sections (gcc -gz=zlib-gnu) are still inflated by libdwarf,
      // which needs zlib for it; name the way out should that fail.
      throw InputError(path_, "libdwarf " + std::string(ldw::package_version()) + " cannot read its DWARF (" +
                                  err_.message +
                                  "); if the debug sections are compressed run `objcopy "
                                  "--decompress-debug-sections` on it, or use --backend libdw");
    }
  }

  void enumerate_units() {
    ldw::CuHeader h;
    ldw::Res r;
    while ((r = ldw::next_cu(dbg_, h, err_)) == ldw::Res::Ok) {
      if (h.version < 2 || h.version > 5)
        throw InputError(path_, "unsupported DWARF version " + std::to_string(h.version) +
                                    " (padguard reads DWARF 2 to 5); rebuild with -gdwarf-4 or -gdwarf-5");
      if (h.address_size != 4 && h.address_size != 8 && h.address_size != 2)
        throw InputError(path_, "corrupt DWARF unit header (address size " + std::to_string(h.address_size) +
                                    "); rebuild the file");
      if (const char* refused = dwarf::refused_unit_type(h.unit_type)) throw InputError(path_, refused);
      DieHandle cu;
      uint64_t off = 0;
      if (ldw::current_cu_die(dbg_, cu.out(), err_) != ldw::Res::Ok ||
          ldw::die_offset(dbg_, cu.get(), off, err_) != ldw::Res::Ok)
        fail_dwarf("cannot read unit DIE");
      refuse_split_unit(cu.get());
      units_.push_back({off, static_cast<uint8_t>(h.address_size), h.version});
    }
    if (r == ldw::Res::Error) fail_dwarf("bad unit header");
    if (units_.empty()) throw InputError(path_, "no DWARF compilation units in .debug_info; build with -g");
  }

  // A unit whose types live elsewhere: a split-DWARF skeleton (section
  // 3.1.2) or a DWARF 4 GNU one, or a type unit.
  void refuse_split_unit(ldw::Die cu) {
    const uint32_t tag = tag_of(cu);
    if (tag == DW_TAG_skeleton_unit) throw InputError(path_, dwarf::kSplitDwarf);
    if (tag == DW_TAG_type_unit) throw InputError(path_, dwarf::kTypeUnits);
    ldw::Error ignored;
    ldw::AttrList attrs(dbg_, cu, ignored);
    for (size_t i = 0; i < attrs.size(); ++i) {
      const auto at = ldw::attr_name(dbg_, attrs[i]);
      if (at == DW_AT_dwo_name || at == DW_AT_GNU_dwo_name) throw InputError(path_, dwarf::kSplitDwarf);
    }
  }

  // decl_file names as libdw's dwarf_filesrc gives them (elfutils
  // read_srcfiles): a relative file name is joined to its directory with
  // '/', where directory 0 before DWARF 5 is the unit's DW_AT_comp_dir (none:
  // the name stays relative) and index 0 before DWARF 5 is "???". Cached per
  // unit; the strings are interned so they live as long as this source.
  const FileTable& file_table(ldw::Die cu, uint64_t cu_offset) {
    if (auto it = file_tables_.find(cu_offset); it != file_tables_.end()) return it->second;
    FileTable& table = file_tables_[cu_offset];
    ldw::LineTable lt;
    ldw::Error ignored;
    if (ldw::line_table(dbg_, cu, lt, ignored) != ldw::Res::Ok) return table;
    const char* comp_dir = nullptr;
    if (lt.version < 5) {
      ldw::AttrList attrs(dbg_, cu, ignored);
      for (size_t i = 0; i < attrs.size(); ++i)
        if (ldw::attr_name(dbg_, attrs[i]) == DW_AT_comp_dir) comp_dir = ldw::form_string(dbg_, attrs[i]);
      if (lt.dirs.empty()) lt.dirs.push_back(nullptr);
      lt.dirs[0] = comp_dir;
    }
    FileTable names;
    if (lt.version < 5 || lt.files.empty()) names.push_back(intern("???"));
    for (const ldw::LineTable::File& f : lt.files) {
      if (f.name == nullptr || f.dir >= lt.dirs.size()) return table;  // libdw: whole table invalid
      const char* dir = lt.dirs[f.dir];
      if (f.name[0] == '/' || dir == nullptr)
        names.push_back(intern(f.name));
      else
        names.push_back(intern(std::string(dir) + "/" + f.name));
    }
    table = std::move(names);
    return table;
  }

  const char* intern(std::string s) { return strings_.insert(std::move(s)).first->c_str(); }

  std::optional<uint64_t> udata(ldw::Attr a) {
    // libdw's dwarf_formudata also reads signed forms, as two's complement.
    const uint32_t form = ldw::attr_form(dbg_, a);
    if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
      int64_t s = 0;
      if (!ldw::form_sdata(dbg_, a, s)) return std::nullopt;
      return static_cast<uint64_t>(s);
    }
    if (form == DW_FORM_data16) return std::nullopt;
    uint64_t v = 0;
    if (!ldw::form_udata(dbg_, a, v)) return std::nullopt;
    return v;
  }

  std::optional<int64_t> bound(ldw::Attr a, bool* unknown) {
    const uint32_t form = ldw::attr_form(dbg_, a);
    if (!is_constant_form(form)) {
      *unknown = true;
      return std::nullopt;
    }
    if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
      int64_t s = 0;
      if (!ldw::form_sdata(dbg_, a, s)) return std::nullopt;
      return s;
    }
    auto u = udata(a);
    if (!u) return std::nullopt;
    return static_cast<int64_t>(*u);
  }

  bool flag(ldw::Attr a) {
    bool f = false;
    ldw::form_flag(dbg_, a, f);
    return f;
  }

  // DW_AT_data_member_location: a constant, or an expression evaluated by
  // the evaluator the libdw backend uses (DWARF 5 section 2.5).
  dwarf::MemberLocation member_location(ldw::Attr a) {
    const uint32_t form = ldw::attr_form(dbg_, a);
    if (is_constant_form(form)) {
      dwarf::MemberLocation m;
      m.offset = udata(a);
      return m.offset ? m : dwarf::location_of_form(form);
    }
    std::vector<uint8_t> expr;
    if (!ldw::form_block(dbg_, a, expr)) return dwarf::location_of_form(form);
    return dwarf::evaluate_member_location(expr.data(), expr.size(), facts_.big_endian);
  }

  void collect_attr(ldw::Attr a, RawDie& d, uint64_t& decl_file_index) {
    switch (ldw::attr_form(dbg_, a)) {
      case DW_FORM_GNU_strp_alt:
      case DW_FORM_GNU_ref_alt:
      case DW_FORM_strp_sup:
      case DW_FORM_ref_sup4:
      case DW_FORM_ref_sup8: {
        char at[40];
        snprintf(at, sizeof at, " (at DIE 0x%llx)", static_cast<unsigned long long>(d.offset));
        throw InputError(path_, std::string(dwarf::kSupplementaryFile) + at);
      }
      default:
        break;
    }
    switch (ldw::attr_name(dbg_, a)) {
      case DW_AT_name:
        d.name = ldw::form_string(dbg_, a);
        // Reading on would drop a name and print garbage with exit 0.
        if (d.name == nullptr) fail_dwarf_at("unreadable DW_AT_name", d.offset);
        break;
      case DW_AT_type: {
        uint64_t off = 0;
        if (!ldw::form_ref(dbg_, a, off)) fail_dwarf_at("unreadable DW_AT_type", d.offset);
        d.type = off;
        break;
      }
      case DW_AT_data_member_location:
        dwarf::store_member_location(d, member_location(a));
        break;
      case DW_AT_decl_file:
        if (auto v = udata(a)) decl_file_index = *v;
        break;
      default: {
        const auto at = static_cast<uint32_t>(ldw::attr_name(dbg_, a));
        AttrValue v;
        switch (attr_kind(at)) {
          case AttrKind::Unsigned: v.u = udata(a); break;
          case AttrKind::Bound: v.s = bound(a, &v.unknown); break;
          case AttrKind::Flag: v.flag = flag(a); break;
          default: break;
        }
        store_attr(d, at, v);
        break;
      }
    }
  }

  void read_die(ldw::Die die, uint32_t tag, RawDie& d) {
    if (ldw::die_offset(dbg_, die, d.offset, err_) != ldw::Res::Ok) fail_dwarf("bad DIE offset");
    d.tag = tag;
    ldw::AttrList attrs(dbg_, die, err_);
    if (attrs.result() == ldw::Res::Error) fail_dwarf_at("bad attributes", d.offset);
    uint64_t decl_file_index = UINT64_MAX;
    for (size_t i = 0; i < attrs.size(); ++i) collect_attr(attrs[i], d, decl_file_index);
    if (decl_file_index != UINT64_MAX && files_ != nullptr && decl_file_index < files_->size())
      d.decl_file = (*files_)[decl_file_index];
  }

  uint32_t tag_of(ldw::Die die) {
    uint32_t tag = 0;
    if (ldw::tag(dbg_, die, tag, err_) != ldw::Res::Ok) fail_dwarf("bad DIE tag");
    return tag;
  }

  // Appends `die` and its kept descendants in preorder. Returns its index.
  uint32_t walk(ldw::Die die, std::vector<RawDie>& out, int depth) {
    if (depth > kMaxDieDepth)
      throw InputError(path_, "corrupt DWARF: DIEs nested deeper than " + std::to_string(kMaxDieDepth) +
                                  "; rebuild the file");
    const auto self = static_cast<uint32_t>(out.size());
    const uint32_t tag = tag_of(die);
    out.emplace_back();
    read_die(die, tag, out.back());
    DieHandle child;
    ldw::Res r = ldw::child(dbg_, die, child.out(), err_);
    if (r == ldw::Res::Error) fail_dwarf("bad child DIE");
    uint32_t last = kNoIndex;
    while (r == ldw::Res::Ok) {
      const uint32_t ctag = tag_of(child.get());
      if (keep_child(tag, ctag)) {
        const uint32_t ci = walk(child.get(), out, depth + 1);
        if (last == kNoIndex)
          out[self].first_child = ci;
        else
          out[last].next_sibling = ci;
        last = ci;
      }
      uint64_t prev = 0, next = 0;
      if (ldw::die_offset(dbg_, child.get(), prev, err_) != ldw::Res::Ok) fail_dwarf("bad DIE offset");
      DieHandle sib;
      r = ldw::sibling(dbg_, child.get(), sib.out(), err_);
      if (r == ldw::Res::Error) fail_dwarf("bad sibling DIE");
      if (r == ldw::Res::Ok) {
        // A DW_AT_sibling that points backwards would loop forever.
        if (ldw::die_offset(dbg_, sib.get(), next, err_) != ldw::Res::Ok) fail_dwarf("bad DIE offset");
        if (next <= prev) {
          err_.message = "sibling reference goes backwards";
          fail_dwarf("bad sibling DIE");
        }
      }
      child = std::move(sib);
    }
    return self;
  }

  std::string path_;
  ElfFacts facts_;
  int fd_ = -1;
  ldw::Debug dbg_ = nullptr;
  std::vector<UnitInfo> units_;
  ldw::Error err_;
  const FileTable* files_ = nullptr;
  std::unordered_map<uint64_t, FileTable> file_tables_;
  std::unordered_set<std::string> strings_;
};

}  // namespace

std::unique_ptr<DwarfSource> open_libdwarf(const std::string& path) {
  return std::make_unique<LibdwarfSource>(path);
}

}  // namespace padguard
