// elfutils libdw backend: adapts DIEs to RawDie and nothing else.
// Relocatable objects (.o, .ko) are opened through libdwfl, which applies
// their relocations to .debug_info; other files through dwarf_begin_elf.
// Hot paths (a vmlinux has ~20M DIEs) step through a DIE's bytes by plans of
// the unit's abbreviations learnt from libdw itself, and fall back to libdw's
// own iteration for anything the plans do not cover; `padguard crosscheck
// --dies` compares the result with libdwarf DIE for DIE.
#include "padguard/backend_libdw.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "../die_filter.hpp"
#include "form_size.hpp"
#include "../raw_die_attrs.hpp"
#include "padguard/elf_check.hpp"
#include "padguard/error.hpp"

namespace padguard {

namespace {

constexpr int kMaxDieDepth = 512;

const Dwfl_Callbacks kOfflineCallbacks = {
    .find_elf = nullptr,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = nullptr,
};

// The *_errmsg(-1) functions return NULL when the library recorded no error
// (dwfl_module_getdwarf on a file without usable DWARF); found by fuzzing.
const char* msg(const char* m) { return m != nullptr ? m : "no details"; }

bool is_constant_form(unsigned form) {
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

std::optional<uint64_t> udata(Dwarf_Attribute* a) {
  Dwarf_Word w;
  if (dwarf_formudata(a, &w) != 0) return std::nullopt;
  return w;
}

std::optional<int64_t> bound(Dwarf_Attribute* a, bool* unknown) {
  const unsigned form = dwarf_whatform(a);
  if (!is_constant_form(form)) {
    *unknown = true;
    return std::nullopt;
  }
  if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
    Dwarf_Sword s;
    if (dwarf_formsdata(a, &s) != 0) return std::nullopt;
    return s;
  }
  auto u = udata(a);
  if (!u) return std::nullopt;
  return static_cast<int64_t>(*u);
}

struct AttrSink {
  RawDie* die;
  bool shallow = false;  // identity attributes only: no DW_AT_type, no decl_file
  uint64_t decl_file_index = UINT64_MAX;
  // Set when an attribute the model needs cannot be decoded: reading on
  // would print a member as `void` or drop a name (fail open).
  const char* bad = nullptr;
};

int collect_attr(Dwarf_Attribute* a, void* arg) {
  auto* sink = static_cast<AttrSink*>(arg);
  RawDie& d = *sink->die;
  // An abbreviation whose (attribute, form) list lost its (0, 0) terminator
  // runs into the next one; libdw then reads garbage as attributes and can
  // report no children at all (exit 0 with nothing printed; test_malformed).
  if (dwarf_whatattr(a) == 0 || dwarf_whatform(a) == 0) {
    sink->bad = "malformed abbreviation (attribute or form 0) in .debug_abbrev";
    return DWARF_CB_ABORT;
  }
  switch (dwarf_whatattr(a)) {
    case DW_AT_name:
      d.name = dwarf_formstring(a);
      if (d.name == nullptr) {
        sink->bad = "unreadable DW_AT_name";
        return DWARF_CB_ABORT;
      }
      break;
    case DW_AT_type: {
      if (sink->shallow) break;
      Dwarf_Die t;
      if (dwarf_formref_die(a, &t) == nullptr) {
        sink->bad = "DW_AT_type refers to no DIE";
        return DWARF_CB_ABORT;
      }
      d.type = dwarf_dieoffset(&t);
      break;
    }
    case DW_AT_data_member_location: {
      if (is_constant_form(dwarf_whatform(a))) {
        d.member_location = udata(a);
      } else {
        Dwarf_Op* ops = nullptr;
        size_t nops = 0;
        if (dwarf_getlocation(a, &ops, &nops) == 0 && nops == 1 &&
            (ops[0].atom == DW_OP_plus_uconst || ops[0].atom == DW_OP_constu))
          d.member_location = ops[0].number;
      }
      break;
    }
    case DW_AT_decl_file:
      if (sink->shallow) break;
      if (auto v = udata(a)) sink->decl_file_index = *v;
      break;
    default: {
      const auto at = static_cast<uint32_t>(dwarf_whatattr(a));
      AttrValue v;
      switch (attr_kind(at)) {
        case AttrKind::Unsigned: v.u = udata(a); break;
        case AttrKind::Bound: v.s = bound(a, &v.unknown); break;
        case AttrKind::Flag: dwarf_formflag(a, &v.flag); break;
        default: break;
      }
      store_attr(d, at, v);
      break;
    }
  }
  return DWARF_CB_OK;
}

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

class LibdwSource final : public DwarfSource {
 public:
  explicit LibdwSource(std::string path) : path_(std::move(path)) {
    facts_ = check_elf_file(path_);
    try {
      open_handle();
      table_ = std::make_shared<UnitTable>();
      table_->info_size = debug_info_size();
      if (!has_unit(0)) throw InputError(path_, "no DWARF compilation units in .debug_info; build with -g");
    } catch (...) {
      release();  // the destructor does not run when a constructor throws
      throw;
    }
  }

  // A clone of a linked file: a second Dwarf handle on the same Elf (libdw
  // reads the section data libelf mapped; it does not change the Elf).
  LibdwSource(const LibdwSource& first, std::shared_ptr<SharedElf> shared)
      : path_(first.path_), facts_(first.facts_), shared_(std::move(shared)), table_(first.table_) {
    dwarf_ = dwarf_begin_elf(shared_->elf, DWARF_C_READ, nullptr);
    if (dwarf_ == nullptr)
      throw InputError(path_, std::string("cannot read DWARF (") + msg(dwarf_errmsg(-1)) +
                                  "); build with -g or check the file is not truncated");
    find_debug_str();
  }

  ~LibdwSource() override { release(); }

  const std::string& path() const override { return path_; }
  size_t unit_count() const override {
    std::lock_guard<std::mutex> lock(table_->mu);
    read_headers_locked(SIZE_MAX);
    return table_->units.size();
  }

  bool has_unit(size_t index) const override {
    std::lock_guard<std::mutex> lock(table_->mu);
    return read_headers_locked(index);
  }

  UnitDies read_unit(size_t index, const RecordNameFilter* only) const override {
    {
      std::lock_guard<std::mutex> lock(table_->mu);
      if (!read_headers_locked(index)) throw std::out_of_range("no such unit");
      current_ = table_->units[index];
    }
    have_current_ = true;
    const UnitInfo& u = current_;
    UnitDies out;
    out.address_size = u.address_size;
    out.version = u.version;
    out.big_endian = facts_.big_endian;
    out.machine = facts_.machine;
    Dwarf_Die cu;
    if (dwarf_offdie(dwarf_, u.die_offset, &cu) == nullptr) fail_dwarf("cannot read unit DIE");
    unit_end_ = static_cast<const uint8_t*>(cu.addr) - u.die_offset + u.end_offset;
    unit_start_ = unit_end_ - u.end_offset + u.unit_offset;
    out.dies = take_spare();
    out.dies.reserve(1024);
    start_unit(cu);
    walk(&cu, out.dies, 0, only);
    return out;
  }

  UnitDies read_subtree(uint64_t offset) const override {
    UnitDies out;
    out.address_size = facts_.is_64 ? 8 : 4;
    out.big_endian = facts_.big_endian;
    out.machine = facts_.machine;
    Dwarf_Die die;
    if (dwarf_offdie(dwarf_, offset, &die) == nullptr) return out;
    Dwarf_Die cudie;
    uint8_t asize = 0, osize = 0;
    if (dwarf_diecu(&die, &cudie, &asize, &osize) != nullptr && asize != 0) out.address_size = asize;
    // The unit holding `offset`: the last one starting at or before it.
    have_current_ = false;
    {
      std::lock_guard<std::mutex> lock(table_->mu);
      const std::vector<UnitInfo>& units = table_->units;
      while ((units.empty() || units.back().end_offset <= offset) && read_headers_locked(units.size())) {
      }
      auto it = std::upper_bound(units.begin(), units.end(), offset,
                                 [](uint64_t o, const UnitInfo& u) { return o < u.die_offset; });
      if (it != units.begin()) current_ = *(it - 1), have_current_ = true;
    }
    if (have_current_) {
      unit_end_ = static_cast<const uint8_t*>(die.addr) - offset + current_.end_offset;
      unit_start_ = unit_end_ - current_.end_offset + current_.unit_offset;
    }
    start_unit(cudie);
    walk(&die, out.dies, 0);
    return out;
  }

  std::unique_ptr<DwarfSource> clone() const override {
    if (shared_ != nullptr) return std::make_unique<LibdwSource>(*this, shared_);
    return std::make_unique<LibdwSource>(path_);
  }

 private:
  struct UnitInfo {
    uint64_t unit_offset;  // of the header
    uint64_t die_offset;
    uint64_t end_offset;  // of the unit, in .debug_info
    uint8_t address_size;
    uint8_t offset_size;
    uint16_t version;
  };

  // The units' headers, read lazily in file order and shared by a source's
  // clones: a -C search that ends in the first units never touches the
  // others (each header a page fault in a vmlinux's 164 MB of .debug_info).
  struct UnitTable {
    std::mutex mu;
    std::vector<UnitInfo> units;
    uint64_t info_size = 0;  // .debug_info as libdw reads it; 0: unknown
    Dwarf_Off next = 0;      // where the next header starts
    bool done = false;
    std::string error;  // why the header after `units` cannot be read
  };

  // An abbreviation's (attribute, form) list as libdw parsed it, so that a
  // DIE's attributes are stepped through without libdw re-reading the list
  // per call (dwarf_getattrs, then dwarf_siblingof, scan it for each DIE).
  struct AttrSpec {
    uint32_t name;
    uint32_t form;
    // DW_FORM_implicit_const: where libdw reads the value (in the
    // abbreviation); while the plan is learnt, the value's address.
    const unsigned char* implicit;
    int fixed;  // bytes when every value of this form has the same size, else -1
    bool identity = false;  // kept by a shallow read (identity_attr)
  };
  struct AbbrevPlan {
    std::vector<AttrSpec> attrs;
    bool children = false;
    bool usable = false;  // false: leave this abbreviation to libdw
    bool learnt = false;
    Dwarf_Abbrev* abbrev = nullptr;  // libdw's, for this unit and code
    uint32_t tag = 0;
    // When every form has a fixed size: the attributes' total size, and the
    // offsets of DW_AT_name and DW_AT_sibling from their start (-1: none).
    bool all_fixed = false;
    uint32_t fixed_total = 0;
    int name_at = -1, sibling_at = -1;
    int name_idx = -1, sibling_idx = -1;
  };
  static constexpr unsigned kMaxPlannedCode = 1u << 14;

  void release() noexcept {
    if (dwfl_ != nullptr) dwfl_end(dwfl_);
    if (dwarf_ != nullptr && dwfl_ == nullptr) dwarf_end(dwarf_);
    dwfl_ = nullptr, dwarf_ = nullptr;
    shared_.reset();
  }

  [[noreturn]] void fail_dwarf(const std::string& what) const {
    throw InputError(path_, "corrupt DWARF (" + what + ": " + msg(dwarf_errmsg(-1)) +
                                "); rebuild the file or try --backend libdwarf");
  }

  // .debug_str as libdw reads it (after decompression and relocation), for
  // DW_FORM_strp names without a library call; left null unless it is the
  // very buffer libdw uses and ends in a NUL, as libdw requires.
  void find_debug_str() {
    const char* first = dwarf_getstring(dwarf_, 0, nullptr);
    const Elf_Data* data = first != nullptr ? section_data(".debug_str") : nullptr;
    if (data != nullptr && data->d_buf == first && data->d_size > 0 &&
        static_cast<const char*>(data->d_buf)[data->d_size - 1] == '\0')
      str_base_ = first, str_size_ = data->d_size;
  }

  // The data of the first section named `name` (or `alt`) in the Elf libdw
  // reads, as libdw sees it (decompressed, relocated); null when none.
  Elf_Data* section_data(const char* name, const char* alt = nullptr) const {
    Elf* e = dwarf_getelf(dwarf_);
    size_t shstrndx = 0;
    if (e == nullptr || elf_getshdrstrndx(e, &shstrndx) != 0) return nullptr;
    for (Elf_Scn* scn = elf_nextscn(e, nullptr); scn != nullptr; scn = elf_nextscn(e, scn)) {
      GElf_Shdr sh;
      if (gelf_getshdr(scn, &sh) == nullptr) continue;
      const char* n = elf_strptr(e, shstrndx, sh.sh_name);
      if (n != nullptr && (std::strcmp(n, name) == 0 || (alt != nullptr && std::strcmp(n, alt) == 0)))
        return elf_getdata(scn, nullptr);
    }
    return nullptr;
  }

  // A string attribute's value: inline and .debug_str strings read here,
  // other forms by libdw. Null when unreadable (as dwarf_formstring).
  const char* attr_string(Dwarf_Attribute* attr) const {
    if (attr->form == DW_FORM_string) return reinterpret_cast<const char*>(attr->valp);
    if (attr->form == DW_FORM_strp && str_base_ != nullptr) {
      const uint64_t off = libdw_detail::read_fixed(attr->valp, current_.offset_size, facts_.big_endian);
      return off < str_size_ ? str_base_ + off : nullptr;
    }
    return dwarf_formstring(attr);
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
      if (dwarf_ == nullptr)
        throw InputError(path_, std::string("cannot read DWARF (") + msg(dwfl_errmsg(-1)) +
                                    "); build with -g or check the file is not truncated");
      find_debug_str();
      return;
    }
    shared_ = std::make_shared<SharedElf>();
    shared_->fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (shared_->fd < 0) throw InputError(path_, "cannot open");
    shared_->elf = elf_begin(shared_->fd, ELF_C_READ_MMAP, nullptr);
    if (shared_->elf == nullptr) throw InputError(path_, std::string("libelf: ") + msg(elf_errmsg(-1)));
    dwarf_ = dwarf_begin_elf(shared_->elf, DWARF_C_READ, nullptr);
    if (dwarf_ == nullptr)
      throw InputError(path_, std::string("cannot read DWARF (") + msg(dwarf_errmsg(-1)) +
                                  "); build with -g or check the file is not truncated");
    find_debug_str();
  }

  // Size of .debug_info as libdw reads it (decompressed); 0 when not found.
  uint64_t debug_info_size() const {
    const Elf_Data* data = section_data(".debug_info", ".zdebug_info");
    return data != nullptr ? data->d_size : 0;
  }

  // Reads unit headers until unit `index` is known; false when the file has
  // no such unit. Throws InputError for a corrupt header before it. Called
  // with table_->mu held.
  bool read_headers_locked(size_t index) const {
    UnitTable& t = *table_;
    while (t.units.size() <= index && !t.done && t.error.empty()) {
      const Dwarf_Off off = t.next;
      Dwarf_Off next = 0;
      size_t header_size = 0;
      Dwarf_Half version = 0;
      Dwarf_Off abbrev = 0;
      uint8_t address_size = 0, offset_size = 0;
      const int rc = dwarf_next_unit(dwarf_, off, &next, &header_size, &version, &abbrev, &address_size,
                                     &offset_size, nullptr, nullptr);
      if (rc > 0) {
        t.done = true;
      } else if (rc < 0) {
        t.error = std::string("corrupt DWARF (bad unit header: ") + msg(dwarf_errmsg(-1)) +
                  "); rebuild the file or try --backend libdwarf";
      } else if (version < 2 || version > 5) {
        t.error = "unsupported DWARF version " + std::to_string(version) +
                  " (padguard reads DWARF 2 to 5); rebuild with -gdwarf-4 or -gdwarf-5";
      } else if (address_size != 4 && address_size != 8 && address_size != 2) {
        t.error = "corrupt DWARF unit header (address size " + std::to_string(address_size) + "); rebuild the file";
      } else if (t.info_size != 0 && next > t.info_size) {
        // libdw accepts a unit length that runs past the section (reading
        // the DIEs that fit); such a header is corrupt (fail closed).
        t.error = "corrupt DWARF: the unit at .debug_info offset " + std::to_string(off) +
                  " ends past the section; re-copy or rebuild the file";
      } else {
        t.units.push_back({off, off + header_size, next, address_size, offset_size, version});
        t.next = next;
        if (next <= off) t.done = true;
      }
    }
    if (t.units.size() > index) return true;
    if (!t.error.empty()) throw InputError(path_, t.error);
    return false;
  }

  // The plan of `die`'s abbreviation, learnt from libdw's own iteration of
  // its first DIE (libdw 0.188's dwarf_getattrcnt miscounts lists with
  // DW_FORM_implicit_const). The values must lie back to back as the form
  // sizes say; otherwise (DW_FORM_indirect, a form unknown here) libdw
  // keeps reading DIEs of this abbreviation itself.
  const AbbrevPlan& plan(Dwarf_Die* die) const {
    static const AbbrevPlan kLeaveToLibdw;
    if (!have_current_) return kLeaveToLibdw;
    if (plans_unit_ != current_.die_offset) plans_.clear(), plans_unit_ = current_.die_offset;
    const auto* at = static_cast<const uint8_t*>(die->addr);
    const uint8_t* end = unit_end_;
    uint64_t code = 0;
    if (at >= end || !libdw_detail::read_uleb(at, end, code) || code >= kMaxPlannedCode) return kLeaveToLibdw;
    if (code >= plans_.size()) plans_.resize(code + 1);
    AbbrevPlan& p = plans_[code];
    if (p.learnt) return p;
    p.learnt = true;
    const int children = dwarf_abbrevhaschildren(die->abbrev);
    if (children < 0) return p;
    std::vector<AttrSpec> attrs;
    auto record = [](Dwarf_Attribute* a, void* arg) {
      static_cast<std::vector<AttrSpec>*>(arg)->push_back({a->code, a->form, a->valp, -1});
      return static_cast<int>(DWARF_CB_OK);
    };
    if (dwarf_getattrs(die, record, &attrs, 0) != 1) return p;
    const libdw_detail::UnitShape shape = unit_shape();
    const uint8_t* first = at;
    p.all_fixed = true;
    for (size_t i = 0; i < attrs.size(); ++i) {
      AttrSpec& a = attrs[i];
      if (a.name == 0 || a.form == 0) return p;
      a.fixed = libdw_detail::fixed_form_size(a.form, shape);
      a.identity = identity_attr(a.name);
      if (a.fixed < 0) p.all_fixed = false;
      if (a.name == DW_AT_name) p.name_idx = static_cast<int>(i), p.name_at = static_cast<int>(at - first);
      if (a.name == DW_AT_sibling) p.sibling_idx = static_cast<int>(i), p.sibling_at = static_cast<int>(at - first);
      if (a.form == DW_FORM_implicit_const) continue;
      if (a.implicit != at) return p;
      const uint64_t size = libdw_detail::form_size(a.form, at, end, shape);
      if (size == libdw_detail::kUnknownSize) return p;
      at += size;
    }
    p.fixed_total = static_cast<uint32_t>(at - first);
    p.attrs = std::move(attrs);
    p.children = children != 0;
    p.abbrev = die->abbrev;
    p.tag = dwarf_getabbrevtag(die->abbrev);
    p.usable = true;
    return p;
  }

  libdw_detail::UnitShape unit_shape() const {
    return {current_.address_size, current_.offset_size, current_.version, facts_.big_endian};
  }

  // A DIE at `addr` in `cu`, made as dwarf_child makes one (address and
  // unit), with its abbreviation when this unit's plans know its code.
  Dwarf_Die die_at(const uint8_t* addr, Dwarf_CU* cu) const {
    Dwarf_Die die{};
    die.addr = const_cast<uint8_t*>(addr);
    die.cu = cu;
    adopt_planned_abbrev(&die);
    return die;
  }

  // What stepping through a DIE's attributes found: where they end, and its
  // DW_AT_name and DW_AT_sibling values (form and address), if any.
  struct AttrScan {
    const uint8_t* end = nullptr;  // null: not known (libdw iterates instead)
    bool children = false;  // the abbreviation's children flag
    Dwarf_Attribute name{};        // code 0: none
    Dwarf_Attribute sibling{};     // code 0: none
  };

  // What a shallow read keeps (RecordRead::Shallow): a record's identity.
  static bool identity_attr(unsigned at) {
    switch (at) {
      case DW_AT_name:
      case DW_AT_byte_size:
      case DW_AT_declaration:
      case DW_AT_external:
      case DW_AT_data_member_location:
      case DW_AT_data_bit_offset:
      case DW_AT_bit_offset:
      case DW_AT_bit_size:
        return true;
      default:
        return false;
    }
  }

  // data1, data2 and udata are plain unsigned constants for every attribute
  // (dwarf_formudata reads them so): stored here without the library calls.
  // False when the attribute is not such a constant; collect_attr does it.
  bool store_plain_constant(const AttrSpec& a, const uint8_t* p, AttrSink& sink) const {
    uint64_t v = 0;
    switch (a.form) {
      case DW_FORM_data1: v = p[0]; break;
      case DW_FORM_data2: v = libdw_detail::read_fixed(p, 2, facts_.big_endian); break;
      case DW_FORM_udata: {
        const uint8_t* q = p;
        if (!libdw_detail::read_uleb(q, unit_end_, v)) return false;
        break;
      }
      default: return false;
    }
    if (a.name == DW_AT_data_member_location) {
      sink.die->member_location = v;
      return true;
    }
    if (attr_kind(a.name) != AttrKind::Unsigned) return false;
    AttrValue value;
    value.u = v;
    store_attr(*sink.die, a.name, value);
    return true;
  }

  // Steps through the attributes of `die` (dwarf_tag already called), giving
  // each to `sink` as dwarf_getattrs would (sink null: only step).
  AttrScan scan_attrs(Dwarf_Die* die, AttrSink* sink) const {
    AttrScan out;
    if (!have_current_ || die->abbrev == nullptr || die->abbrev == DWARF_END_ABBREV) return out;
    const AbbrevPlan& pl = plan(die);
    if (!pl.usable) return out;
    const auto* p = static_cast<const uint8_t*>(die->addr);
    const uint8_t* end = unit_end_;
    if (p >= end) return out;
    uint64_t code = 0;
    if (!libdw_detail::read_uleb(p, end, code)) return out;
    out.children = pl.children;
    if (sink == nullptr && pl.all_fixed) {
      if (pl.fixed_total > static_cast<uint64_t>(end - p)) return AttrScan{};
      auto attr_at = [&](int idx, int at) {
        const AttrSpec& a = pl.attrs[static_cast<size_t>(idx)];
        return Dwarf_Attribute{a.name, a.form,
                               const_cast<unsigned char*>(a.form == DW_FORM_implicit_const ? a.implicit : p + at),
                               die->cu};
      };
      if (pl.name_idx >= 0) out.name = attr_at(pl.name_idx, pl.name_at);
      if (pl.sibling_idx >= 0) out.sibling = attr_at(pl.sibling_idx, pl.sibling_at);
      out.end = p + pl.fixed_total;
      return out;
    }
    const libdw_detail::UnitShape shape = unit_shape();
    const bool shallow = sink != nullptr && sink->shallow;
    for (const AttrSpec& a : pl.attrs) {
      const uint64_t size = a.fixed >= 0 ? (static_cast<uint64_t>(a.fixed) <= static_cast<uint64_t>(end - p)
                                                ? static_cast<uint64_t>(a.fixed)
                                                : libdw_detail::kUnknownSize)
                                         : libdw_detail::form_size(a.form, p, end, shape);
      if (size == libdw_detail::kUnknownSize) return AttrScan{};
      const bool decode = sink != nullptr && (a.identity || !shallow);
      if (decode || a.name == DW_AT_name || a.name == DW_AT_sibling) {
        Dwarf_Attribute attr{a.name, a.form,
                             const_cast<unsigned char*>(a.form == DW_FORM_implicit_const ? a.implicit : p), die->cu};
        if (a.name == DW_AT_name) out.name = attr;
        if (a.name == DW_AT_sibling) out.sibling = attr;
        if (decode && !store_plain_constant(a, p, *sink) && collect_attr(&attr, sink) != DWARF_CB_OK)
          return AttrScan{};  // sink->bad says why
      }
      p += size;
    }
    out.end = p;
    return out;
  }

  AttrScan read_die(Dwarf_Die* die, RawDie& d, bool shallow = false) const {
    d.offset = dwarf_dieoffset(die);
    // DW_TAG_invalid (0): the DIE's abbreviation code is missing from
    // .debug_abbrev; libdw then reports no attributes and no children.
    const int tag = dwarf_tag(die);
    if (tag <= 0) fail_dwarf("DIE with an unknown abbreviation");
    d.tag = static_cast<uint32_t>(tag);
    AttrSink sink{&d, shallow, UINT64_MAX};
    AttrScan scan = scan_attrs(die, &sink);
    if (sink.bad != nullptr) fail_dwarf(sink.bad);
    if (scan.end == nullptr) {
      sink = AttrSink{&d, shallow, UINT64_MAX};
      const ptrdiff_t rc = dwarf_getattrs(die, collect_attr, &sink, 0);
      if (sink.bad != nullptr) fail_dwarf(sink.bad);
      // dwarf_getattrs returns 1 after the last attribute; anything else is
      // an error inside the abbreviation or attribute data.
      if (rc != 1) fail_dwarf("bad attributes");
    }
    if (sink.decl_file_index != UINT64_MAX && source_locations_) {
      Dwarf_Files* files = unit_files();
      if (files != nullptr && sink.decl_file_index < nfiles_)
        d.decl_file = dwarf_filesrc(files, sink.decl_file_index, nullptr, nullptr);
    }
    return scan;
  }

  // The unit's file table is parsed (libdw 0.188 decodes the whole line
  // program for it) only when a DIE names a decl_file and source locations
  // are wanted: a -C scan of a vmlinux touches few of its 2172 units.
  void start_unit(const Dwarf_Die& cu) const {
    unit_die_ = cu;
    files_loaded_ = false;
    files_ = nullptr;
    nfiles_ = 0;
  }

  Dwarf_Files* unit_files() const {
    if (!files_loaded_) {
      files_loaded_ = true;
      if (dwarf_getsrcfiles(&unit_die_, &files_, &nfiles_) != 0) {
        files_ = nullptr;
        nfiles_ = 0;
      }
    }
    return files_;
  }

  // With `only` (unit level), records it rejects and all other unit-level
  // types are skipped undecoded; the builder reads what it needs lazily.
  RecordRead unit_child_read(int ctag, Dwarf_Die* child, const AttrScan& scan,
                             const RecordNameFilter* only) const {
    if (only == nullptr || ctag == DW_TAG_namespace) return RecordRead::Full;
    if (ctag != DW_TAG_structure_type && ctag != DW_TAG_union_type && ctag != DW_TAG_class_type)
      return RecordRead::Skip;
    Dwarf_Attribute name_attr = scan.name;
    const char* name = scan.end == nullptr     ? dwarf_diename(child)
                       : name_attr.code != 0 ? attr_string(&name_attr)
                                               : nullptr;
    // A name that is there but cannot be read must not look like an
    // anonymous record (skipped: empty output, exit 0).
    if (name == nullptr && dwarf_hasattr(child, DW_AT_name)) fail_dwarf("unreadable DW_AT_name");
    return name == nullptr ? RecordRead::Skip : (*only)(name);
  }

  // A code already planned in this unit names the abbreviation libdw would
  // look up (under a lock) for a DIE that has none yet.
  void adopt_planned_abbrev(Dwarf_Die* die) const {
    if (die->abbrev != nullptr || !have_current_ || plans_unit_ != current_.die_offset) return;
    const auto* at = static_cast<const uint8_t*>(die->addr);
    uint64_t code = 0;
    if (libdw_detail::read_uleb(at, unit_end_, code) && code < plans_.size() && plans_[code].usable)
      die->abbrev = plans_[code].abbrev;
  }

  // Steps to the next sibling; false after the last. A childless DIE's
  // sibling starts where its attributes end (`scan`), or its parent's list
  // ends there with a null entry; a DIE with children names its sibling in
  // DW_AT_sibling, or libdw walks the children. A sibling that is not after
  // the DIE would loop forever.
  bool next_sibling(Dwarf_Die* child, const AttrScan& scan) const {
    const uint8_t* attrs_end = scan.end;
    if (attrs_end != nullptr && scan.sibling.code != 0 && scan.children) {
      const uint8_t* next = cu_reference(scan.sibling.form, scan.sibling.valp);
      if (next != nullptr && next > static_cast<const uint8_t*>(child->addr) && next < unit_end_) {
        if (*next == 0) return false;
        *child = die_at(next, child->cu);
        return true;
      }
    }
    if (attrs_end != nullptr && attrs_end < unit_end_ && !scan.children) {
      if (*attrs_end == 0) return false;
      *child = die_at(attrs_end, child->cu);
      return true;
    }
    const Dwarf_Off prev = dwarf_dieoffset(child);
    const int rc = dwarf_siblingof(child, child);
    if (rc < 0) fail_dwarf("bad sibling DIE");
    if (rc == 0 && dwarf_dieoffset(child) <= prev) fail_dwarf("sibling reference goes backwards");
    return rc == 0;
  }

  // As dwarf_child (0: `child` set; 1: no children); children start where
  // the attributes end (`scan`), unless the list is empty (a null entry).
  int first_child(Dwarf_Die* die, const AttrScan& scan, Dwarf_Die* child) const {
    if (scan.end != nullptr && scan.end < unit_end_) {
      if (!scan.children || *scan.end == 0) return 1;
      *child = die_at(scan.end, die->cu);
      return 0;
    }
    const int rc = dwarf_child(die, child);
    if (rc < 0) fail_dwarf("bad child DIE");
    return rc;
  }

  // The data members of a shallow record whose children start at `p`, read
  // straight from the bytes by the unit's plans: every copy of a known struct
  // in every unit is read so (about five million members in a vmlinux).
  // False, with nothing added, when some DIE needs libdw's own reading.
  bool shallow_members(const uint8_t* p, Dwarf_CU* cu, uint32_t self, std::vector<RawDie>& out) const {
    const size_t mark = out.size();
    auto give_up = [&] {
      out.resize(mark);
      out[self].first_child = kNoIndex;
      return false;
    };
    const uint8_t* base = unit_end_ - current_.end_offset;
    const libdw_detail::UnitShape shape = unit_shape();
    uint32_t last = kNoIndex;
    while (true) {
      if (p >= unit_end_) return give_up();
      if (*p == 0) return true;  // the null entry that ends the children
      const uint8_t* q = p;
      uint64_t code = 0;
      if (!libdw_detail::read_uleb(q, unit_end_, code)) return give_up();
      if (code >= plans_.size() || !plans_[code].learnt) {
        Dwarf_Die die{};
        die.addr = const_cast<uint8_t*>(p);
        die.cu = cu;
        if (dwarf_tag(&die) <= 0) return give_up();
        plan(&die);
      }
      if (code >= plans_.size() || !plans_[code].usable) return give_up();
      const AbbrevPlan& pl = plans_[code];
      RawDie* d = nullptr;
      const bool member = pl.tag == DW_TAG_member || pl.tag == DW_TAG_inheritance;
      if (member || keep_child(out[self].tag, pl.tag)) {  // nested types: tag and place only
        const auto ci = static_cast<uint32_t>(out.size());
        d = &out.emplace_back();
        d->offset = static_cast<uint64_t>(p - base);
        d->tag = pl.tag;
        d->shallow = true;
        (last == kNoIndex ? out[self].first_child : out[last].next_sibling) = ci;
        last = ci;
      }
      const uint8_t* sibling = nullptr;
      for (const AttrSpec& a : pl.attrs) {
        const uint64_t size = a.fixed >= 0 ? (static_cast<uint64_t>(a.fixed) <= static_cast<uint64_t>(unit_end_ - q)
                                                  ? static_cast<uint64_t>(a.fixed)
                                                  : libdw_detail::kUnknownSize)
                                           : libdw_detail::form_size(a.form, q, unit_end_, shape);
        if (size == libdw_detail::kUnknownSize) return give_up();
        if (d != nullptr && member && a.identity) {
          Dwarf_Attribute attr{a.name, a.form,
                               const_cast<unsigned char*>(a.form == DW_FORM_implicit_const ? a.implicit : q), cu};
          AttrSink sink{d, true, UINT64_MAX};
          if (a.name == DW_AT_name) {
            d->name = attr_string(&attr);
            if (d->name == nullptr) fail_dwarf("unreadable DW_AT_name");
          } else if (!store_plain_constant(a, q, sink) && collect_attr(&attr, &sink) != DWARF_CB_OK) {
            fail_dwarf(sink.bad != nullptr ? sink.bad : "bad attributes");
          }
        }
        if (a.name == DW_AT_sibling) sibling = cu_reference(a.form, q);
        q += size;
      }
      if (!pl.children) {
        p = q;
      } else if (sibling != nullptr && sibling > p && sibling < unit_end_) {
        p = sibling;
      } else {
        return give_up();
      }
    }
  }

  // Where a CU-relative reference (DW_FORM_ref1/2/4/8/udata) at `v` points;
  // null for other forms.
  const uint8_t* cu_reference(unsigned form, const uint8_t* v) const {
    uint64_t off = 0;
    switch (form) {
      case DW_FORM_ref1: off = v[0]; break;
      case DW_FORM_ref2: off = libdw_detail::read_fixed(v, 2, facts_.big_endian); break;
      case DW_FORM_ref4: off = libdw_detail::read_fixed(v, 4, facts_.big_endian); break;
      case DW_FORM_ref8: off = libdw_detail::read_fixed(v, 8, facts_.big_endian); break;
      case DW_FORM_ref_udata:
        if (!libdw_detail::read_uleb(v, unit_end_, off)) return nullptr;
        break;
      default: return nullptr;
    }
    return off < static_cast<uint64_t>(unit_end_ - unit_start_) ? unit_start_ + off : nullptr;
  }

  // RecordRead::Shallow: the record and its data members, identity only.
  uint32_t walk_shallow(Dwarf_Die* die, std::vector<RawDie>& out) const {
    const auto self = static_cast<uint32_t>(out.size());
    out.emplace_back();
    const AttrScan own = read_die(die, out.back(), true);
    out[self].shallow = true;
    if (own.end != nullptr && own.end < unit_end_ && (!own.children || *own.end == 0)) return self;
    if (own.end != nullptr && shallow_members(own.end, die->cu, self, out)) return self;
    Dwarf_Die child;
    const int rc = first_child(die, own, &child);
    uint32_t last = kNoIndex;
    AttrScan scan;
    for (bool more = rc == 0; more; more = next_sibling(&child, scan)) {
      const int ctag = dwarf_tag(&child);
      if (ctag <= 0) fail_dwarf("bad DIE tag");
      const bool member = ctag == DW_TAG_member || ctag == DW_TAG_inheritance;
      if (!member && !keep_child(out[self].tag, static_cast<uint32_t>(ctag))) {
        scan = scan_attrs(&child, nullptr);
        continue;
      }
      const auto ci = static_cast<uint32_t>(out.size());
      out.emplace_back();
      if (member) {
        scan = read_die(&child, out.back(), true);
      } else {  // a nested type: its place among the members, nothing more
        out.back().offset = dwarf_dieoffset(&child);
        out.back().tag = static_cast<uint32_t>(ctag);
        scan = scan_attrs(&child, nullptr);
      }
      out.back().shallow = true;
      if (last == kNoIndex)
        out[self].first_child = ci;
      else
        out[last].next_sibling = ci;
      last = ci;
    }
    return self;
  }

  uint32_t walk(Dwarf_Die* die, std::vector<RawDie>& out, int depth,
                const RecordNameFilter* only = nullptr) const {
    if (depth > kMaxDieDepth)
      throw InputError(path_, "corrupt DWARF: DIEs nested deeper than " + std::to_string(kMaxDieDepth) +
                                  "; rebuild the file");
    const auto self = static_cast<uint32_t>(out.size());
    out.emplace_back();
    const AttrScan own = read_die(die, out.back());
    const int tag = static_cast<int>(out[self].tag);
    Dwarf_Die child;
    const int rc = first_child(die, own, &child);
    uint32_t last = kNoIndex;
    AttrScan scan;
    for (bool more = rc == 0; more; more = next_sibling(&child, scan)) {
      const int ctag = dwarf_tag(&child);
      if (ctag <= 0) fail_dwarf("bad DIE tag");
      scan = scan_attrs(&child, nullptr);
      if (!keep_child(static_cast<uint32_t>(tag), static_cast<uint32_t>(ctag))) continue;
      const RecordRead how = unit_child_read(ctag, &child, scan, only);
      if (how == RecordRead::Skip) continue;
      const uint32_t ci = how == RecordRead::Shallow ? walk_shallow(&child, out) : walk(&child, out, depth + 1);
      if (last == kNoIndex)
        out[self].first_child = ci;
      else
        out[last].next_sibling = ci;
      last = ci;
    }
    return self;
  }

  std::string path_;
  ElfFacts facts_;
  std::shared_ptr<SharedElf> shared_;  // linked files; ET_REL goes through dwfl_
  Dwfl* dwfl_ = nullptr;
  Dwarf* dwarf_ = nullptr;
  std::shared_ptr<UnitTable> table_;
  mutable UnitInfo current_{};  // the unit being read
  mutable bool have_current_ = false;
  mutable const uint8_t* unit_end_ = nullptr;  // its end in libdw's .debug_info data
  mutable const uint8_t* unit_start_ = nullptr;  // its header; CU-relative references count from here
  const char* str_base_ = nullptr;  // find_debug_str
  uint64_t str_size_ = 0;
  // Plans of the current unit's abbreviations, by code.
  mutable std::vector<AbbrevPlan> plans_;
  mutable uint64_t plans_unit_ = UINT64_MAX;  // die_offset of their unit
  mutable Dwarf_Die unit_die_{};
  mutable bool files_loaded_ = false;
  mutable Dwarf_Files* files_ = nullptr;
  mutable size_t nfiles_ = 0;
};

}  // namespace

std::unique_ptr<DwarfSource> open_libdw(const std::string& path) {
  return std::make_unique<LibdwSource>(path);
}

}  // namespace padguard
