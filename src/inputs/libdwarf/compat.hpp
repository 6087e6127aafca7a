// The only file that calls libdwarf. It targets the pre-0.x API of Debian's
// libdwarf-dev 20210528 (dwarf_init_b, dwarf_next_cu_header_d,
// dwarf_siblingof_b, DW_DLA_* deallocation); supporting libdwarf 0.x means
// rewriting these wrappers (dwarf_init_b lost its access argument,
// dwarf_siblingof_c / dwarf_next_cu_header_e appeared, dwarf_dealloc_* became
// the rule, the soname changed) and nothing else. Every wrapper takes an
// Error that receives the libdwarf message: no Dwarf_Error escapes, and none
// is ever left to libdwarf's default handler, which aborts.
//
// libdwarf and elfutils libdw export 34 functions under the same names with
// different signatures (dwarf_tag, dwarf_child, dwarf_formudata,
// dwarf_dieoffset, dwarf_errmsg, ...), and libdwarf calls several of them
// internally through its PLT. In one process linked to both, those calls
// bind to libdw and fail or crash. So libdwarf is loaded into a link-map
// namespace of its own with dlmopen(LM_ID_NEWLM) and called only through the
// function table below; nothing here may call a dwarf_* symbol directly.
#pragma once

#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>

#include <dlfcn.h>

#include <cstdint>
#include <string>
#include <vector>

namespace padguard::ldw {

using Debug = Dwarf_Debug;
using Die = Dwarf_Die;
using Attr = Dwarf_Attribute;


// Every libdwarf function the backend uses, resolved in the private namespace.
#define PADGUARD_LIBDWARF_FUNCTIONS(X)                                                       \
  X(dwarf_set_de_alloc_flag) X(dwarf_init_b) X(dwarf_finish) X(dwarf_package_version)        \
  X(dwarf_errmsg) X(dwarf_dealloc) X(dwarf_dealloc_die) X(dwarf_next_cu_header_d)            \
  X(dwarf_siblingof_b) X(dwarf_offdie_b) X(dwarf_child) X(dwarf_tag) X(dwarf_dieoffset)      \
  X(dwarf_CU_dieoffset_given_die) X(dwarf_get_die_address_size) X(dwarf_attrlist)           \
  X(dwarf_whatattr) X(dwarf_whatform) X(dwarf_formudata) X(dwarf_formsdata)                  \
  X(dwarf_formstring) X(dwarf_formflag) X(dwarf_formsig8) X(dwarf_find_die_given_sig8)       \
  X(dwarf_global_formref) X(dwarf_formexprloc) X(dwarf_formblock) X(dwarf_srclines_b)        \
  X(dwarf_srclines_files_indexes) X(dwarf_srclines_files_data_b)                            \
  X(dwarf_srclines_include_dir_count) X(dwarf_srclines_include_dir_data)                    \
  X(dwarf_srclines_dealloc_b)

struct Api {
#define PADGUARD_LIBDWARF_POINTER(name) decltype(&::name) name = nullptr;
  PADGUARD_LIBDWARF_FUNCTIONS(PADGUARD_LIBDWARF_POINTER)
#undef PADGUARD_LIBDWARF_POINTER
  std::string load_error;  // non-empty: libdwarf is unusable, and why
};

inline constexpr const char* kSoname = "libdwarf.so.1";

// Loads libdwarf once per process.
inline const Api& api() {
  static const Api table = [] {
    Api a;
    void* h = dlmopen(LM_ID_NEWLM, kSoname, RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      const char* why = dlerror();
      a.load_error = std::string("cannot load ") + kSoname + ": " + (why ? why : "unknown error") +
                     "; install libdwarf1 (Debian: apt-get install libdwarf1) or use --backend libdw";
      return a;
    }
#define PADGUARD_LIBDWARF_RESOLVE(name)                                                     \
    a.name = reinterpret_cast<decltype(&::name)>(dlsym(h, #name));                          \
    if (a.name == nullptr && a.load_error.empty())                                          \
      a.load_error = std::string(kSoname) + " lacks " #name "; padguard needs libdwarf 20210528 or a compatible release";
    PADGUARD_LIBDWARF_FUNCTIONS(PADGUARD_LIBDWARF_RESOLVE)
#undef PADGUARD_LIBDWARF_RESOLVE
    // Do not record every allocation in a search tree for dwarf_finish to
    // sweep: the backend frees what it allocates, and the tree costs a lot
    // of time on a vmlinux. Process-wide, hence here.
    if (a.load_error.empty()) a.dwarf_set_de_alloc_flag(0);
    return a;
  }();
  return table;
}

enum class Res { Ok, NoEntry, Error };

// The message of the last failed call; empty when none failed.
struct Error {
  std::string message;
};

namespace detail {

inline Res take(int rc, Debug dbg, Dwarf_Error& err, Error& out) {
  if (rc == DW_DLV_OK) return Res::Ok;
  if (rc == DW_DLV_NO_ENTRY) return Res::NoEntry;
  const char* msg = err != nullptr ? api().dwarf_errmsg(err) : nullptr;
  out.message = msg != nullptr ? msg : "unknown libdwarf error";
  if (err != nullptr) api().dwarf_dealloc(dbg, err, DW_DLA_ERROR);
  err = nullptr;
  return Res::Error;
}

// Installed as the error handler so that a call that somehow reaches
// libdwarf's handler does not abort the process.
inline void ignore_error(Dwarf_Error, Dwarf_Ptr) {}

}  // namespace detail

// Opens DWARF on an open file descriptor (which the caller keeps open until
// close()). libdwarf's own ELF reader applies .rela/.rel sections to the
// debug sections of relocatable objects and inflates SHF_COMPRESSED and
// .zdebug sections (it links zlib).
inline Res open_fd(int fd, Debug* dbg, Error& e) {
  *dbg = nullptr;
  if (!api().load_error.empty()) {
    e.message = api().load_error;
    return Res::Error;
  }
  Dwarf_Error err = nullptr;
  const int rc = api().dwarf_init_b(fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, detail::ignore_error, nullptr,
                                    dbg, &err);
  return detail::take(rc, nullptr, err, e);
}

inline void close(Debug dbg) {
  if (dbg == nullptr) return;
  Dwarf_Error err = nullptr;
  if (api().dwarf_finish(dbg, &err) == DW_DLV_ERROR && err != nullptr) api().dwarf_dealloc(nullptr, err, DW_DLA_ERROR);
}

inline const char* package_version() { return api().dwarf_package_version(); }

struct CuHeader {
  uint16_t version = 0;
  uint16_t address_size = 0;
  uint64_t next_offset = 0;
  uint16_t unit_type = 0;  // DW_UT_* (DWARF 5; libdwarf gives DW_UT_compile before)
};

// Advances libdwarf's unit cursor over .debug_info. NoEntry after the last.
inline Res next_cu(Debug dbg, CuHeader& h, Error& e) {
  Dwarf_Unsigned length = 0, type_offset = 0, next = 0;
  Dwarf_Half version = 0, address_size = 0, offset_size = 0, extension_size = 0, unit_type = 0;
  Dwarf_Off abbrev = 0;
  Dwarf_Sig8 signature;
  Dwarf_Error err = nullptr;
  const int rc = api().dwarf_next_cu_header_d(dbg, true, &length, &version, &abbrev, &address_size,
                                        &offset_size, &extension_size, &signature, &type_offset,
                                        &next, &unit_type, &err);
  h.version = version;
  h.address_size = address_size;
  h.next_offset = next;
  h.unit_type = unit_type;
  return detail::take(rc, dbg, err, e);
}

// The unit DIE of the unit next_cu() just visited.
inline Res current_cu_die(Debug dbg, Die* out, Error& e) {
  Dwarf_Error err = nullptr;
  return detail::take(api().dwarf_siblingof_b(dbg, nullptr, true, out, &err), dbg, err, e);
}

inline Res offdie(Debug dbg, uint64_t offset, Die* out, Error& e) {
  Dwarf_Error err = nullptr;
  return detail::take(api().dwarf_offdie_b(dbg, offset, true, out, &err), dbg, err, e);
}

inline Res child(Debug dbg, Die die, Die* out, Error& e) {
  Dwarf_Error err = nullptr;
  return detail::take(api().dwarf_child(die, out, &err), dbg, err, e);
}

inline Res sibling(Debug dbg, Die die, Die* out, Error& e) {
  Dwarf_Error err = nullptr;
  return detail::take(api().dwarf_siblingof_b(dbg, die, true, out, &err), dbg, err, e);
}

inline void free_die(Die die) {
  if (die != nullptr) api().dwarf_dealloc_die(die);
}

inline Res tag(Debug dbg, Die die, uint32_t& out, Error& e) {
  Dwarf_Half t = 0;
  Dwarf_Error err = nullptr;
  const Res r = detail::take(api().dwarf_tag(die, &t, &err), dbg, err, e);
  out = t;
  return r;
}

inline Res die_offset(Debug dbg, Die die, uint64_t& out, Error& e) {
  Dwarf_Off off = 0;
  Dwarf_Error err = nullptr;
  const Res r = detail::take(api().dwarf_dieoffset(die, &off, &err), dbg, err, e);
  out = off;
  return r;
}

// Global offset of the unit DIE of the unit that holds `die`.
inline Res cu_die_offset(Debug dbg, Die die, uint64_t& out, Error& e) {
  Dwarf_Off off = 0;
  Dwarf_Error err = nullptr;
  const Res r = detail::take(api().dwarf_CU_dieoffset_given_die(die, &off, &err), dbg, err, e);
  out = off;
  return r;
}

inline Res address_size(Debug dbg, Die die, uint8_t& out, Error& e) {
  Dwarf_Half size = 0;
  Dwarf_Error err = nullptr;
  const Res r = detail::take(api().dwarf_get_die_address_size(die, &size, &err), dbg, err, e);
  out = static_cast<uint8_t>(size);
  return r;
}

// The attributes of one DIE; frees them (and the list) when it goes.
class AttrList {
 public:
  AttrList(Debug dbg, Die die, Error& e) : dbg_(dbg) {
    Dwarf_Error err = nullptr;
    res_ = detail::take(api().dwarf_attrlist(die, &attrs_, &count_, &err), dbg, err, e);
    if (res_ != Res::Ok) attrs_ = nullptr, count_ = 0;
  }
  ~AttrList() {
    for (Dwarf_Signed i = 0; i < count_; ++i) api().dwarf_dealloc(dbg_, attrs_[i], DW_DLA_ATTR);
    if (attrs_ != nullptr) api().dwarf_dealloc(dbg_, attrs_, DW_DLA_LIST);
  }
  AttrList(const AttrList&) = delete;
  AttrList& operator=(const AttrList&) = delete;
  Res result() const { return res_; }
  size_t size() const { return static_cast<size_t>(count_); }
  Attr operator[](size_t i) const { return attrs_[i]; }

 private:
  Debug dbg_;
  Dwarf_Attribute* attrs_ = nullptr;
  Dwarf_Signed count_ = 0;
  Res res_ = Res::NoEntry;
};

// Attribute queries: on failure they return false and leave `out` alone;
// the caller treats a value it cannot read as absent, as libdw does.
inline uint32_t attr_name(Debug dbg, Attr a) {
  Dwarf_Half v = 0;
  Dwarf_Error err = nullptr;
  Error ignored;
  return detail::take(api().dwarf_whatattr(a, &v, &err), dbg, err, ignored) == Res::Ok ? v : 0;
}

inline uint32_t attr_form(Debug dbg, Attr a) {
  Dwarf_Half v = 0;
  Dwarf_Error err = nullptr;
  Error ignored;
  return detail::take(api().dwarf_whatform(a, &v, &err), dbg, err, ignored) == Res::Ok ? v : 0;
}

inline bool form_udata(Debug dbg, Attr a, uint64_t& out) {
  Dwarf_Unsigned v = 0;
  Dwarf_Error err = nullptr;
  Error ignored;
  if (detail::take(api().dwarf_formudata(a, &v, &err), dbg, err, ignored) != Res::Ok) return false;
  out = v;
  return true;
}

inline bool form_sdata(Debug dbg, Attr a, int64_t& out) {
  Dwarf_Signed v = 0;
  Dwarf_Error err = nullptr;
  Error ignored;
  if (detail::take(api().dwarf_formsdata(a, &v, &err), dbg, err, ignored) != Res::Ok) return false;
  out = v;
  return true;
}

// Points into libdwarf's copy of the string section: valid until close().
inline const char* form_string(Debug dbg, Attr a) {
  char* s = nullptr;
  Dwarf_Error err = nullptr;
  Error ignored;
  return detail::take(api().dwarf_formstring(a, &s, &err), dbg, err, ignored) == Res::Ok ? s : nullptr;
}

inline bool form_flag(Debug dbg, Attr a, bool& out) {
  Dwarf_Bool v = 0;
  Dwarf_Error err = nullptr;
  Error ignored;
  if (detail::take(api().dwarf_formflag(a, &v, &err), dbg, err, ignored) != Res::Ok) return false;
  out = v != 0;
  return true;
}

// A reference as a global .debug_info offset. DW_FORM_ref_sig8 is followed
// to its type unit when that unit lives in .debug_info (DWARF 5).
inline bool form_ref(Debug dbg, Attr a, uint64_t& out) {
  Dwarf_Error err = nullptr;
  Error ignored;
  if (attr_form(dbg, a) == DW_FORM_ref_sig8) {
    Dwarf_Sig8 sig;
    if (detail::take(api().dwarf_formsig8(a, &sig, &err), dbg, err, ignored) != Res::Ok) return false;
    Dwarf_Die target = nullptr;
    Dwarf_Bool is_info = false;
    if (detail::take(api().dwarf_find_die_given_sig8(dbg, &sig, &target, &is_info, &err), dbg, err,
                     ignored) != Res::Ok)
      return false;
    Dwarf_Off off = 0;
    const bool ok = is_info && detail::take(api().dwarf_dieoffset(target, &off, &err), dbg, err, ignored) == Res::Ok;
    api().dwarf_dealloc_die(target);
    if (ok) out = off;
    return ok;
  }
  Dwarf_Off off = 0;
  if (detail::take(api().dwarf_global_formref(a, &off, &err), dbg, err, ignored) != Res::Ok) return false;
  out = off;
  return true;
}

// The bytes of a DW_FORM_exprloc or DW_FORM_block* value.
inline bool form_block(Debug dbg, Attr a, std::vector<uint8_t>& out) {
  Dwarf_Error err = nullptr;
  Error ignored;
  const uint32_t form = attr_form(dbg, a);
  if (form == DW_FORM_exprloc) {
    Dwarf_Unsigned len = 0;
    Dwarf_Ptr data = nullptr;
    if (detail::take(api().dwarf_formexprloc(a, &len, &data, &err), dbg, err, ignored) != Res::Ok) return false;
    const auto* p = static_cast<const uint8_t*>(data);
    out.assign(p, p + len);
    return true;
  }
  if (form != DW_FORM_block1 && form != DW_FORM_block2 && form != DW_FORM_block4 && form != DW_FORM_block)
    return false;
  Dwarf_Block* block = nullptr;
  if (detail::take(api().dwarf_formblock(a, &block, &err), dbg, err, ignored) != Res::Ok) return false;
  const auto* p = static_cast<const uint8_t*>(block->bl_data);
  out.assign(p, p + block->bl_len);
  api().dwarf_dealloc(dbg, block, DW_DLA_BLOCK);
  return true;
}

// The raw file and directory tables of a unit's line table header, indexed
// as DWARF indexes them (files from 1 before DWARF 5, from 0 in DWARF 5;
// include directories from 1 before DWARF 5, from 0 in DWARF 5). Strings
// point into libdwarf's section copies: valid until close().
struct LineTable {
  uint64_t version = 0;
  int64_t file_base = 1;
  struct File {
    const char* name;
    uint64_t dir;
  };
  std::vector<File> files;        // files[i] has DWARF index file_base + i
  std::vector<const char*> dirs;  // dirs[i] has DWARF index i; dirs[0] unset before DWARF 5
};

inline Res line_table(Debug dbg, Die cu, LineTable& out, Error& e) {
  Dwarf_Unsigned version = 0;
  Dwarf_Small table_count = 0;
  Dwarf_Line_Context ctx = nullptr;
  Dwarf_Error err = nullptr;
  Res r = detail::take(api().dwarf_srclines_b(cu, &version, &table_count, &ctx, &err), dbg, err, e);
  if (r != Res::Ok) return r;
  out.version = version;
  Dwarf_Signed base = 0, count = 0, end = 0, ndirs = 0;
  r = detail::take(api().dwarf_srclines_files_indexes(ctx, &base, &count, &end, &err), dbg, err, e);
  if (r == Res::Ok) {
    out.file_base = base;
    for (Dwarf_Signed i = base; i < end && r == Res::Ok; ++i) {
      const char* name = nullptr;
      Dwarf_Unsigned dir = 0, mtime = 0, length = 0;
      Dwarf_Form_Data16* md5 = nullptr;
      r = detail::take(api().dwarf_srclines_files_data_b(ctx, i, &name, &dir, &mtime, &length, &md5, &err), dbg,
                       err, e);
      out.files.push_back({name, dir});
    }
  }
  if (r == Res::Ok) r = detail::take(api().dwarf_srclines_include_dir_count(ctx, &ndirs, &err), dbg, err, e);
  if (r == Res::Ok) {
    // libdwarf 20210528 numbers include directories as DWARF does: from 1
    // before DWARF 5 (0 is the unit's comp_dir, not in the table), from 0 in
    // DWARF 5, where `ndirs` counts entry 0.
    const Dwarf_Signed first = version >= 5 ? 0 : 1;
    const Dwarf_Signed last = version >= 5 ? ndirs - 1 : ndirs;
    out.dirs.assign(static_cast<size_t>(last + 1 > 0 ? last + 1 : 1), nullptr);
    for (Dwarf_Signed i = first; i <= last && r == Res::Ok; ++i) {
      const char* name = nullptr;
      r = detail::take(api().dwarf_srclines_include_dir_data(ctx, i, &name, &err), dbg, err, e);
      out.dirs[static_cast<size_t>(i)] = name;
    }
  }
  api().dwarf_srclines_dealloc_b(ctx);
  return r;
}

}  // namespace padguard::ldw
