// Interprets RawDie values into model Records and Types: member offsets,
// bitfields, array dimensions, sizes and pahole's natural alignment. Types are
// structure here; report/type_name.cpp spells them (docs/pahole-notes.md).
#include "padguard/model_builder.hpp"

#include <dwarf.h>
#include <elf.h>

#include <algorithm>
#include <deque>
#include <numeric>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "dwarf/die_filter.hpp"
#include "dwarf/location_expr.hpp"
#include "padguard/error.hpp"

namespace padguard {

namespace {

constexpr int kMaxTypeDepth = 256;  // deeper chains are refused as implausible
// What a chain past kMaxTypeDepth is called: it may be a loop padguard did
// not see as one, or just deep, so neither is claimed.
constexpr const char* kTooDeep = "type reference chain deeper than 256 (a loop, or nesting no compiler emits)";
// Bounds that only hostile input reaches (found by fuzzing, issue 7): sizes
// and offsets under 2^40 bytes keep every bit computation downstream far from
// overflow; the other two stop type graphs that share a node per level from
// growing a name or an inline expansion exponentially.
constexpr uint64_t kMaxBytes = uint64_t{1} << 40;
constexpr uint64_t kMaxExpandedMembers = uint64_t{1} << 16;
// With expand_types (pahole -E) every record held by value prints inline, so
// real structs print more lines (Debian's 6.12 vmlinux's largest, struct
// lsm_static_calls_table: 1886); the bound is for DWARF that shares one
// record per level, whose expansion doubles with each.
constexpr uint64_t kMaxExpandedLines = uint64_t{1} << 20;
constexpr uint64_t kMaxNameSteps = uint64_t{1} << 16;

struct DieRef {
  const std::vector<RawDie>* vec = nullptr;
  uint32_t idx = kNoIndex;
  const RawDie& die() const { return (*vec)[idx]; }
  explicit operator bool() const { return vec != nullptr; }
};

// FNV-1a over a NUL-terminated name in one pass (no strlen first): a
// vmlinux hashes some seven million member names for layout identities.
uint64_t name_hash(const char* s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  if (s != nullptr)
    for (; *s != 0; ++s) h = (h ^ static_cast<uint8_t>(*s)) * 0x100000001b3ULL;
  return h;
}

bool is_modifier(uint32_t tag) {
  return tag == DW_TAG_const_type || tag == DW_TAG_volatile_type ||
         tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type ||
         tag == DW_TAG_typedef;
}

bool is_record_tag(uint32_t tag) {
  return tag == DW_TAG_structure_type || tag == DW_TAG_class_type ||
         tag == DW_TAG_union_type;
}

bool is_struct_tag(uint32_t tag) {
  return tag == DW_TAG_structure_type || tag == DW_TAG_class_type;
}

class UnitModel {
 public:
  UnitModel(const UnitDies& unit, DwarfSource& source, bool expand_types)
      : unit_(unit), source_(source), expand_(expand_types) {
    // DIEs come in preorder, which is offset order: look them up by binary
    // search. Only an out-of-order unit (never seen) needs the hash index.
    for (size_t i = 1; i < unit_.dies.size() && sorted_; ++i)
      sorted_ = unit_.dies[i - 1].offset < unit_.dies[i].offset;
    if (!sorted_) index(unit_.dies);
  }

  // The type a member of the DIE's type would have (anonymous records in
  // full); an enumeration with its enumerators even when named (pahole -C
  // ENUM prints its body).
  TypeRef type_at(uint32_t index) {
    const DieRef t = get(unit_.dies.at(index).offset);
    TypeRef ty = type_of(t, 0, Reach::Layout);
    if (ty->kind == TypeKind::Enum && !ty->enumeration) {
      auto named = std::make_shared<Type>(*ty);
      named->enumeration = enumeration(t);
      ty = named;
    }
    return ty;
  }

  std::vector<BuiltRecord> build(const NameFilter& want, const BuildGate& gate) {
    std::vector<BuiltRecord> out;
    if (unit_.dies.empty()) return out;
    collect_top_level(DieRef{&unit_.dies, 0}, want, gate, out);
    return out;
  }

  // pahole 1.24 compares a new definition with an earlier one by pairing the
  // earlier one's data members with the new one's children in DIE order,
  // whatever their kind (type__compare_members); a type defined among the
  // new one's members (clang's anonymous unions, C++ nested types) is paired
  // with a member and compares unequal, so such a definition is printed again
  // even when identical. The earlier side skips its nested types.
  static bool type_before_member(DieRef rd) {
    bool type_seen = false, member_after = false;
    for_children(rd, [&](DieRef c) {
      // A record's kept children are members, inheritance and types.
      if (is_data_member(c.die()))
        member_after = member_after || type_seen;
      else if (c.die().tag != DW_TAG_member && c.die().tag != DW_TAG_inheritance)
        type_seen = true;
    });
    return member_after;
  }

  // pahole's identity of a definition: size and each member's name, offset
  // and bit size (not its type or byte size: pahole prints `struct q { int a;
  // char c; }` and `{ int a; short c; }` from two units once); computed from
  // the DIEs without resolving any type.
  uint64_t identity(DieRef rd) {
    uint64_t h = 0;
    auto mix = [&h](uint64_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
    mix(rd.die().byte_size.value_or(0));
    for_children(rd, [&](DieRef c) {
      const RawDie& d = c.die();
      if (!is_data_member(d)) return;
      mix(name_hash(d.name));
      // A location that gave no offset is a layout of its own (building it
      // refuses it), not a copy of one with the member at 0.
      mix(d.location_problem == LocationProblem::None ? d.member_location.value_or(0)
                                                       : (uint64_t{0xbad} << 48) | d.location_detail);
      mix(d.data_bit_offset.value_or(UINT64_MAX));
      mix(d.bit_offset.value_or(UINT64_MAX));
      mix(d.bit_size.value_or(0));
    });
    return h;
  }

 private:
  // Shallow records are never indexed: a reference to one reads it in full.
  void index(const std::vector<RawDie>& dies) {
    for (uint32_t i = 0; i < dies.size(); ++i)
      if (!dies[i].shallow) by_offset_.emplace(dies[i].offset, DieRef{&dies, i});
  }

  [[noreturn]] void fail(const std::string& what, uint64_t off) const {
    char buf[32];
    snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(off));
    throw InputError(source_.path(), "corrupt DWARF: " + what + " at DIE " + buf +
                                         "; rebuild the file or report a toolchain bug");
  }

  static std::string hex(uint64_t v) {
    char buf[32];
    snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
  }

  // A DW_AT_data_member_location that gave no offset (location_expr.hpp).
  [[noreturn]] void fail_location(const RawDie& m, const std::string& record_name) const {
    const uint16_t detail = m.location_detail;
    const std::string op = dwarf::op_name(static_cast<uint8_t>(detail));
    const std::string at = " at DIE " + hex(m.offset);
    std::string what;
    switch (m.location_problem) {
      case LocationProblem::Unsupported:
        what = "unsupported member location expression (" + op + ")" + at;
        if (m.tag == DW_TAG_inheritance && m.virtuality)
          what += ": a virtual base class of '" + record_name +
                  "', whose offset is known only at run time; padguard does not lay out classes with "
                  "virtual bases (pahole 1.24 prints such a base at offset 4294967295)";
        else
          what += "; padguard evaluates constant expressions only (DW_OP_plus_uconst, DW_OP_constu/consts, "
                  "DW_OP_litN, DW_OP_constNu/s, DW_OP_plus, DW_OP_minus and stack operations)";
        throw InputError(source_.path(), what);
      case LocationProblem::NotConstant:
        throw InputError(source_.path(), "unsupported member location form (DW_FORM " + hex(detail) +
                                             ", neither a constant nor an expression)" + at +
                                             "; padguard reads constants and constant expressions only");
      case LocationProblem::Truncated: fail("member location expression truncated in " + op, m.offset);
      case LocationProblem::Underflow: fail("member location expression pops an empty stack at " + op, m.offset);
      case LocationProblem::TooDeep: fail("member location expression stack too deep at " + op, m.offset);
      case LocationProblem::Empty: fail("empty member location expression", m.offset);
      case LocationProblem::None: break;
    }
    fail("member location", m.offset);
  }

  // Whether a DIE can be what DW_AT_type names: the types padguard reads,
  // DWARF's other type entries (read as unknown types, spelled by name), and
  // vendor tags. A unit, a member or a variable is not a type.
  static bool can_be_type(uint32_t tag) {
    if (is_type_tag(tag) || tag >= 0x4080) return true;  // DW_TAG_lo_user
    switch (tag) {
      case DW_TAG_string_type:
      case DW_TAG_set_type:
      case DW_TAG_subrange_type:
      case DW_TAG_file_type:
      case DW_TAG_packed_type:
      case DW_TAG_interface_type:
      case DW_TAG_shared_type:
      case DW_TAG_template_alias:
      case DW_TAG_coarray_type:
      case DW_TAG_dynamic_type:
      case DW_TAG_immutable_type:
        return true;
      default:
        return false;
    }
  }

  static std::string tag_text(uint32_t tag) {
    switch (tag) {
      case DW_TAG_compile_unit: return "DW_TAG_compile_unit";
      case DW_TAG_partial_unit: return "DW_TAG_partial_unit";
      case DW_TAG_type_unit: return "DW_TAG_type_unit";
      case DW_TAG_skeleton_unit: return "DW_TAG_skeleton_unit";
      case DW_TAG_member: return "DW_TAG_member";
      case DW_TAG_variable: return "DW_TAG_variable";
      case DW_TAG_subprogram: return "DW_TAG_subprogram";
      case DW_TAG_namespace: return "DW_TAG_namespace";
      default: return "tag " + hex(tag);
    }
  }

  DieRef get(uint64_t off) {
    if (sorted_) {
      const auto& dies = unit_.dies;
      auto it = std::lower_bound(dies.begin(), dies.end(), off,
                                 [](const RawDie& d, uint64_t o) { return d.offset < o; });
      if (it != dies.end() && it->offset == off && !it->shallow)
        return DieRef{&dies, static_cast<uint32_t>(it - dies.begin())};
    }
    if (auto it = by_offset_.find(off); it != by_offset_.end()) return it->second;
    UnitDies more = source_.read_subtree(off);
    if (more.dies.empty()) fail("dangling type reference", off);
    extra_.push_back(std::move(more.dies));
    index(extra_.back());
    return by_offset_.at(off);
  }

  std::optional<DieRef> target(const RawDie& d) {
    if (!d.type) return std::nullopt;
    const DieRef t = get(*d.type);
    if (!can_be_type(t.die().tag))
      fail("DW_AT_type refers to a " + tag_text(t.die().tag) + " (DIE " + hex(*d.type) + "), not to a type,",
           d.offset);
    return t;
  }

  template <typename F>
  static void for_children(DieRef parent, F&& f) {
    for (uint32_t i = parent.die().first_child; i != kNoIndex; i = (*parent.vec)[i].next_sibling)
      f(DieRef{parent.vec, i});
  }

  void collect_top_level(DieRef unit, const NameFilter& want, const BuildGate& gate,
                         std::vector<BuiltRecord>& out) {
    for_children(unit, [&](DieRef c) {
      const RawDie& d = c.die();
      if (d.tag == DW_TAG_namespace) {
        collect_top_level(c, want, gate, out);
        return;
      }
      if (!is_record_tag(d.tag) || d.declaration || d.name == nullptr || !d.byte_size) return;
      if (want && !want(d.name)) return;
      const uint64_t id = identity(c);
      const bool never_equal = type_before_member(c);
      if (gate && !gate(d.name, id, never_equal)) return;
      out.push_back({record(d.shallow ? get(d.offset) : c, 0), id, never_equal});
    });
  }

  // ---- sizes and alignment -------------------------------------------------

  std::optional<DieRef> strip(std::optional<DieRef> t) {
    for (int depth = 0; t && is_modifier(t->die().tag); ++depth) {
      if (depth > kMaxTypeDepth) fail(kTooDeep, t->die().offset);
      t = target(t->die());
    }
    return t;
  }

  uint32_t natural_alignment(std::optional<DieRef> t, int depth = 0) {
    if (depth > kMaxTypeDepth) fail(kTooDeep, t ? t->die().offset : 0);
    t = strip(t);
    if (!t) return 1;
    const RawDie& d = t->die();
    uint64_t a = 1;
    switch (d.tag) {
      case DW_TAG_pointer_type:
      case DW_TAG_reference_type:
      case DW_TAG_rvalue_reference_type:
        a = unit_.address_size;
        break;
      case DW_TAG_base_type:
      case DW_TAG_enumeration_type:
        a = d.byte_size.value_or(0);
        // The i386 System V ABI aligns 8-byte scalars (long long, double) to 4
        // inside structs; pahole assumes their size and then wrongly infers
        // __packed__ (docs/pahole-differences.md).
        if (unit_.machine == EM_386 && a > 4) a = 4;
        break;
      case DW_TAG_structure_type:
      case DW_TAG_class_type:
      case DW_TAG_union_type: {
        if (auto it = natural_.find(d.offset); it != natural_.end()) return it->second;
        a = 0;
        for_children(*t, [&](DieRef m) {
          if (!is_data_member(m.die())) return;
          a = std::max<uint64_t>(a, natural_alignment(target(m.die()), depth + 1));
        });
        natural_[d.offset] = a ? static_cast<uint32_t>(a) : 1;
        break;
      }
      case DW_TAG_array_type:
        a = natural_alignment(target(d), depth + 1);
        break;
      default:
        break;
    }
    return a ? static_cast<uint32_t>(a) : 1;
  }

  std::vector<uint64_t> array_dims(DieRef arr) {
    std::vector<uint64_t> dims;
    for_children(arr, [&](DieRef c) {
      const RawDie& s = c.die();
      if (s.tag != DW_TAG_subrange_type && s.tag != DW_TAG_enumeration_type) return;
      uint64_t n = 0;
      if (s.count) {
        n = *s.count;
      } else if (s.upper_bound && !s.upper_bound_unknown) {
        const int64_t lo = s.lower_bound.value_or(0);
        const int64_t hi = *s.upper_bound;
        // In uint64: hi - lo overflows int64 for hostile bounds.
        const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
        if (hi >= lo && span == UINT64_MAX) fail("implausible array bounds", s.offset);
        n = hi >= lo ? span + 1 : 0;
      }
      dims.push_back(n);
    });
    return dims;
  }

  // A struct/union DIE that only declares the type (DW_AT_declaration, no
  // DW_AT_byte_size): gcc's -femit-struct-debug-baseonly/-reduced, clang's
  // -fno-standalone-debug.
  static bool is_size_unknown_declaration(const RawDie& d) {
    return is_record_tag(d.tag) && d.declaration && !d.byte_size;
  }

  static bool is_data_member(const RawDie& m) {
    if (m.tag != DW_TAG_member && m.tag != DW_TAG_inheritance) return false;
    // DWARF 4 C++ static data members: external declarations.
    return !(m.tag == DW_TAG_member && m.declaration && m.external);
  }

  // ---- types ---------------------------------------------------------------

  // The model type of a DIE, built once per unit and reach. A chain that
  // comes back to a DIE still being built is a reference loop (DWARF types
  // form a DAG once named records are referred to by name).
  // Reach::Layout is a member's own type; Reach::Reference what a pointer,
  // parameter or return type names. A typedef reached only by reference
  // keeps no target: reading it would read, for every pointer to a typedef,
  // the record behind it, which neither spelling nor layout needs.
  enum class Reach : uint8_t { Layout, Reference };

  TypeRef type_of(std::optional<DieRef> t, int depth, Reach reach) {
    if (!t) return void_type();
    const RawDie& d = t->die();
    // One node per DIE for both reaches (a Layout type serves references too).
    BuiltType& b = types_[d.offset];
    if (b.layout) return b.layout;
    if (reach == Reach::Reference && b.reference) return b.reference;
    // Busy per reach: with -E a named record's Layout node holds its
    // definition, whose pointer members may name it again by Reference.
    const uint8_t busy_bit = reach == Reach::Layout ? 1 : 2;
    if (b.busy & busy_bit) fail("type reference loop", d.offset);
    if (depth > kMaxTypeDepth) fail(kTooDeep, d.offset);
    b.busy |= busy_bit;
    auto ty = std::make_shared<Type>();
    const uint64_t steps = fill_type(*ty, *t, depth, reach);
    BuiltType& done = types_[d.offset];  // `b` may have moved: the map grew
    done.busy &= static_cast<uint8_t>(~busy_bit);
    done.steps = steps;
    (reach == Reach::Layout ? done.layout : done.reference) = ty;
    return ty;
  }

  // How much text spelling the type takes, in pahole's name-building steps
  // (saturating): a type graph that shares nodes per level would otherwise
  // spell exponentially long names (found by fuzzing, issue 7).
  uint64_t steps_of(std::optional<DieRef> t) const {
    if (!t) return 1;
    auto it = types_.find(t->die().offset);
    return it == types_.end() ? 1 : it->second.steps;
  }

  static uint64_t add_steps(uint64_t a, uint64_t b) { return a + b > kMaxNameSteps ? kMaxNameSteps + 1 : a + b; }

  static Qualifier qualifier_of(uint32_t tag) {
    switch (tag) {
      case DW_TAG_const_type: return Qualifier::Const;
      case DW_TAG_volatile_type: return Qualifier::Volatile;
      case DW_TAG_atomic_type: return Qualifier::Atomic;
      default: return Qualifier::Restrict;
    }
  }

  static RecordKind record_kind_of(uint32_t tag) {
    return tag == DW_TAG_union_type ? RecordKind::Union
           : tag == DW_TAG_class_type ? RecordKind::Class
                                      : RecordKind::Struct;
  }

  // Fills `ty` from the DIE; returns its spelling steps.
  uint64_t fill_type(Type& ty, DieRef t, int depth, Reach reach) {
    const RawDie& d = t.die();
    if (d.name) ty.name = d.name;
    const std::optional<DieRef> target_die = target(d);
    auto with_target = [&](Reach r) {
      ty.target = type_of(target_die, depth + 1, r);
      return add_steps(1, steps_of(target_die));
    };
    uint64_t steps = 1;
    switch (d.tag) {
      case DW_TAG_base_type:
        ty.kind = TypeKind::Base;
        break;
      case DW_TAG_pointer_type:
      case DW_TAG_reference_type:
        ty.kind = TypeKind::Pointer;
        ty.reference = d.tag == DW_TAG_reference_type;
        steps = with_target(Reach::Reference);
        break;
      case DW_TAG_const_type:
      case DW_TAG_volatile_type:
      case DW_TAG_restrict_type:
      case DW_TAG_atomic_type:
        ty.kind = TypeKind::Qualified;
        ty.qualifier = qualifier_of(d.tag);
        steps = with_target(reach);
        break;
      case DW_TAG_unspecified_type:
        ty.kind = TypeKind::Unspecified;
        steps = with_target(reach);
        break;
      case DW_TAG_typedef:
        ty.kind = TypeKind::Typedef;
        if (reach == Reach::Layout) with_target(reach);  // spelled by its own name
        break;
      case DW_TAG_array_type:
        ty.kind = TypeKind::Array;
        ty.dims = array_dims(t);
        steps = with_target(reach);
        break;
      case DW_TAG_subroutine_type:
        ty.kind = TypeKind::Function;
        steps = function(ty, t, with_target(Reach::Reference), depth);
        break;
      case DW_TAG_structure_type:
      case DW_TAG_class_type:
      case DW_TAG_union_type:
        ty.kind = TypeKind::Record;
        ty.record_kind = record_kind_of(d.tag);
        // -E: a named record reached by value carries its definition.
        if (!d.name || (expand_ && reach == Reach::Layout && !d.declaration)) ty.record = record(t, depth + 1);
        // Held by value with only a declaration here (reduced debug info):
        // its size is unknown until the loader finds the definition
        // elsewhere (complete_types.hpp). A pointer needs no size.
        ty.declaration = is_size_unknown_declaration(d) && reach == Reach::Layout;
        break;
      case DW_TAG_enumeration_type:
        ty.kind = TypeKind::Enum;
        if (!d.name) ty.enumeration = enumeration(t);
        break;
      default:  // rvalue references, pointers to members: spelled by name
        ty.kind = TypeKind::Unknown;
        if (d.type) ty.target = type_of(target_die, depth + 1, reach);
        break;
    }
    ty.byte_size = byte_size(ty, d);
    ty.alignment = alignment(ty, d);
    return steps;
  }

  // Parameters of a subroutine type; returns the spelling steps.
  uint64_t function(Type& ty, DieRef fn, uint64_t steps, int depth) {
    ty.prototyped = fn.die().prototyped;
    for_children(fn, [&](DieRef c) {
      const RawDie& p = c.die();
      if (p.tag == DW_TAG_unspecified_parameters) ty.variadic = true;
      if (p.tag != DW_TAG_formal_parameter) return;
      const std::optional<DieRef> pt = target(p);
      ty.params.push_back(Param{p.name ? p.name : "", type_of(pt, depth + 1, Reach::Reference)});
      steps = add_steps(steps, steps_of(pt));
    });
    return steps;
  }

  // pahole's natural alignment from the built parts; a named record's is its
  // definition's (0 here: computing it would read every struct a pointer
  // reaches). Member::natural_alignment is always exact.
  uint32_t alignment(const Type& ty, const RawDie& d) const {
    switch (ty.kind) {
      case TypeKind::Pointer:
        return unit_.address_size;
      case TypeKind::Base:
      case TypeKind::Enum: {
        uint64_t a = d.byte_size.value_or(0);
        if (unit_.machine == EM_386 && a > 4) a = 4;  // see natural_alignment()
        return a ? static_cast<uint32_t>(a) : 1;
      }
      case TypeKind::Typedef:
      case TypeKind::Qualified:
      case TypeKind::Array:
        return ty.target ? ty.target->alignment : 0;
      case TypeKind::Record: {
        if (!ty.record || !ty.name.empty()) return 0;  // named: as without -E
        uint32_t a = 1;
        for (const Member& m : ty.record->members) a = std::max(a, m.natural_alignment);
        return a;
      }
      case TypeKind::Unknown:
        return d.tag == DW_TAG_rvalue_reference_type ? unit_.address_size : 1;
      default:
        return 1;
    }
  }

  // sizeof, from the DIE and its already built target.
  uint64_t byte_size(const Type& ty, const RawDie& d) {
    switch (d.tag) {
      case DW_TAG_pointer_type:
      case DW_TAG_reference_type:
      case DW_TAG_rvalue_reference_type:
      case DW_TAG_ptr_to_member_type:
        return d.byte_size.value_or(unit_.address_size);
      case DW_TAG_array_type: {
        uint64_t n = ty.target->byte_size;
        for (uint64_t dim : ty.dims)
          if (__builtin_mul_overflow(n, dim, &n) || n > kMaxBytes) fail("implausible array size", d.offset);
        return n;
      }
      case DW_TAG_subroutine_type:
        return 0;
      default:
        if (d.byte_size) return *d.byte_size;
        return ty.target ? ty.target->byte_size : 0;
    }
  }

  // ---- members -------------------------------------------------------------

  std::shared_ptr<const EnumType> enumeration(DieRef e) {
    auto out = std::make_shared<EnumType>();
    const RawDie& d = e.die();
    if (d.name) out->name = d.name;
    out->byte_size = d.byte_size.value_or(4);
    for_children(e, [&](DieRef c) {
      const RawDie& en = c.die();
      if (en.tag != DW_TAG_enumerator) return;
      out->enumerators.emplace_back(en.name ? en.name : "", en.const_value.value_or(0));
    });
    return out;
  }

  static SourceLoc loc(const RawDie& d) {
    SourceLoc l;
    if (d.decl_file) l.file = d.decl_file;
    l.line = d.decl_line;
    return l;
  }

  Member member(DieRef md, int depth, const std::string& record_name) {
    const RawDie& d = md.die();
    if (d.location_problem != LocationProblem::None) fail_location(d, record_name);
    Member m;
    if (d.name) m.name = d.name;
    m.decl = loc(d);
    m.alignment = static_cast<uint32_t>(d.alignment.value_or(0));
    std::optional<DieRef> t = target(d);
    m.type = type_of(t, depth + 1, Reach::Layout);
    if (steps_of(t) > kMaxNameSteps) fail("type name too complex", d.offset);
    m.byte_size = m.type->byte_size;
    m.natural_alignment = natural_alignment(t);
    if (d.bit_size && *d.bit_size > 0) {
      m.bit_size = static_cast<uint32_t>(*d.bit_size);
      m.unit_size = m.byte_size;
      if (d.data_bit_offset) {
        m.bit_offset = *d.data_bit_offset;
      } else if (d.bit_offset) {
        uint64_t storage = d.byte_size.value_or(m.byte_size);
        m.bit_offset = bit_offset_from_msb(d.member_location.value_or(0), storage, *d.bit_offset,
                                           m.bit_size, unit_.big_endian);
      } else {
        m.bit_offset = d.member_location.value_or(0) * 8;
      }
    } else {
      m.bit_offset = d.member_location.value_or(0) * 8;
    }
    if (m.byte_size > kMaxBytes || d.member_location.value_or(0) > kMaxBytes ||
        m.bit_offset > kMaxBytes * 8 || d.bit_size.value_or(0) > UINT32_MAX)
      fail("implausible member size or offset", d.offset);
    // A declaration has no tail padding to speak of: the loader links the
    // definition it finds (complete_types.hpp).
    if (t && is_struct_tag(t->die().tag) && !is_size_unknown_declaration(t->die()))
      m.direct_struct = record(*t, depth + 1);
    return m;
  }

  std::shared_ptr<const Record> record(DieRef rd, int depth) {
    const RawDie& d = rd.die();
    if (depth > kMaxTypeDepth) fail("record nesting deeper than 256 (a loop, or nesting no compiler emits)", d.offset);
    if (auto it = records_.find(d.offset); it != records_.end()) return it->second;
    if (!building_.insert(d.offset).second) fail("record contains itself", d.offset);
    auto r = std::make_shared<Record>();
    r->kind = record_kind_of(d.tag);
    if (d.name) r->name = d.name;
    r->byte_size = d.byte_size.value_or(0);
    if (r->byte_size > kMaxBytes) fail("implausible record size", d.offset);
    r->alignment = static_cast<uint32_t>(d.alignment.value_or(0));
    r->decl = loc(d);
    if (d.name && !unit_.dies.empty() && unit_.dies[0].name) r->unit = unit_.dies[0].name;
    r->address_size = unit_.address_size;
    size_t data_members = 0;  // reserved exactly: records hold most of the model's memory
    for_children(rd, [&](DieRef c) { data_members += is_data_member(c.die()); });
    r->members.reserve(data_members);
    for_children(rd, [&](DieRef c) {
      const RawDie& cd = c.die();
      if (is_data_member(cd)) {
        r->members.push_back(member(c, depth + 1, r->name));
      } else if ((is_record_tag(cd.tag) || cd.tag == DW_TAG_enumeration_type) && !cd.declaration) {
        NestedType n;
        n.after_members = r->members.size();
        if (cd.tag == DW_TAG_enumeration_type)
          n.enumeration = enumeration(c);
        else
          n.record = record(c, depth + 1);
        r->nested_types.push_back(std::move(n));
      }
    });
    sort_by_offset(*r);
    // Lines the record prints with its inline types expanded.
    uint64_t lines = r->members.size() + r->nested_types.size();
    for (const Member& m : r->members)
      if (const Record* ir = expand_ ? expanded_record(*m.type) : m.inline_record()) lines += expanded_[ir];
    for (const NestedType& n : r->nested_types)
      if (n.record) lines += expanded_[n.record.get()];
    if (!expand_ && lines > kMaxExpandedMembers) fail("anonymous types nested too often", d.offset);
    if (expand_ && lines > kMaxExpandedLines)
      fail("records held by value nested too often for -E (over 2^20 lines inline)", d.offset);
    if (const std::string bad = record_violation(*r); !bad.empty()) fail(bad, d.offset);
    expanded_[r.get()] = lines;
    building_.erase(d.offset);
    records_.emplace(d.offset, r);
    return r;
  }

  // Members in offset order, as pahole >= 1.25 lays them out (rustc emits
  // fields in declaration order, not in the order it placed them): a stable
  // sort by bit offset, so DIE order stays wherever it is already ascending
  // (all of C, where pahole 1.24's output is the oracle). A nested type keeps
  // its place before the first member, in the new order, of those that came
  // after it in DIE order.
  static void sort_by_offset(Record& r) {
    auto& ms = r.members;
    const auto by_offset = [](const Member& a, const Member& b) { return a.bit_offset < b.bit_offset; };
    if (std::is_sorted(ms.begin(), ms.end(), by_offset)) return;
    const size_t n = ms.size();
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return ms[a].bit_offset < ms[b].bit_offset; });
    std::vector<size_t> first_from(n + 1, n);  // first_from[k]: least new place of DIE members k..n-1
    for (size_t p = 0; p < n; ++p) first_from[order[p]] = p;
    for (size_t k = n; k-- > 0;) first_from[k] = std::min(first_from[k], first_from[k + 1]);
    for (NestedType& t : r.nested_types) t.after_members = first_from[std::min(t.after_members, n)];
    std::vector<Member> sorted;
    sorted.reserve(n);
    for (size_t i : order) sorted.push_back(std::move(ms[i]));
    ms = std::move(sorted);
  }

  // The record pahole -E prints inline for a member of type `t`: behind
  // typedefs, qualifiers and arrays, or one pointer to an anonymous record.
  static const Record* expanded_record(const Type& type) {
    const Type* t = &type;
    for (int i = 0; i <= kMaxTypeDepth && t; ++i) {
      switch (t->kind) {
        case TypeKind::Typedef:
        case TypeKind::Qualified:
        case TypeKind::Array:
          t = t->target.get();
          continue;
        case TypeKind::Pointer:
          return t->target && t->target->is_anonymous_record() ? t->target->record.get() : nullptr;
        case TypeKind::Record:
          return t->record.get();
        default:
          return nullptr;
      }
    }
    return nullptr;
  }

  const UnitDies& unit_;
  DwarfSource& source_;
  bool expand_ = false;  // build_unit_records' expand_types
  bool sorted_ = true;
  std::unordered_map<uint64_t, DieRef> by_offset_;  // lazily read subtrees
  std::deque<std::vector<RawDie>> extra_;
  std::unordered_map<uint64_t, std::shared_ptr<const Record>> records_;
  std::unordered_map<uint64_t, uint32_t> natural_;
  std::unordered_set<uint64_t> building_;
  std::unordered_map<const Record*, uint64_t> expanded_;
  struct BuiltType {
    TypeRef layout, reference;  // by Reach
    uint64_t steps = 1;         // spelling steps (equal for both), saturating past kMaxNameSteps
    uint8_t busy = 0;           // being built, per reach (1 Layout, 2 Reference): reaching it again is a loop
  };
  std::unordered_map<uint64_t, BuiltType> types_;
};

}  // namespace

uint64_t bit_offset_from_msb(uint64_t byte_location, uint64_t storage_bytes,
                             uint64_t msb_bit_offset, uint64_t bit_size, bool big_endian) {
  if (big_endian) return byte_location * 8 + msb_bit_offset;
  const uint64_t bits = storage_bytes * 8;
  // Corrupt input can claim a field wider than its storage: clamp to 0.
  const uint64_t from_lsb = msb_bit_offset + bit_size <= bits ? bits - msb_bit_offset - bit_size : 0;
  return byte_location * 8 + from_lsb;
}

std::vector<BuiltRecord> build_unit_records(const UnitDies& unit, DwarfSource& source,
                                            const NameFilter& want, const BuildGate& gate, bool expand_types) {
  UnitModel model(unit, source, expand_types);
  return model.build(want, gate);
}

TypeRef build_unit_type(const UnitDies& unit, DwarfSource& source, uint32_t index, bool expand_types) {
  UnitModel model(unit, source, expand_types);
  return model.type_at(index);
}

}  // namespace padguard
