// BTF as a DwarfSource: each BTF type becomes the DIE the model builder
// already interprets (docs/BTF.md has the table). Type id N is DIE offset
// N << 17, its members N << 17 | 1.., so offsets are unique and in preorder.
// BTF has no alignment attributes: pahole 1.24 infers them from offsets
// (btf_loader.c, class__infer_alignment); the same inference is done here and
// handed to the builder as DW_AT_alignment, so pahole_text prints what pahole
// prints.
#include "padguard/btf_source.hpp"

#include <dwarf.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "btf_file.hpp"
#include "padguard/error.hpp"

namespace padguard {

namespace btf {
std::shared_ptr<const BtfFile> load_btf_file(const std::string& path, const std::string& base, unsigned cacheline);
}

namespace {

using btf::BtfFile;

constexpr uint32_t kChildBits = 17;  // vlen < 2^16 children per type

uint64_t die_offset(uint32_t id, uint32_t child = 0) { return (uint64_t{id} << kChildBits) | child; }

class BtfSource final : public DwarfSource {
 public:
  explicit BtfSource(std::shared_ptr<const BtfFile> f) : f_(std::move(f)), natural_(f_->type_cnt, 0) {}

  const std::string& path() const override { return f_->path; }
  size_t unit_count() override { return f_->unit_begin.size() - 1; }

  UnitDies read_unit(size_t index, const RecordNameFilter* only) override {
    UnitDies u = header();
    u.dies = take_spare();
    RawDie cu;
    cu.tag = DW_TAG_compile_unit;
    cu.name = f_->path.c_str();
    u.dies.push_back(cu);
    uint32_t prev = kNoIndex;
    for (size_t r = f_->unit_begin[index]; r < f_->unit_begin[index + 1]; ++r) {
      const uint32_t id = f_->record_ids[r];
      if (only && (*only)(name(btf__type_by_id(f_->btf, id)->name_off)) == RecordRead::Skip) continue;
      const uint32_t at = emit(id, u.dies);
      if (prev == kNoIndex)
        u.dies[0].first_child = at;
      else
        u.dies[prev].next_sibling = at;
      prev = at;
    }
    return u;
  }

  UnitDies read_subtree(uint64_t offset) override {
    UnitDies u = header();
    const uint64_t id = offset >> kChildBits;
    if ((offset & ((uint64_t{1} << kChildBits) - 1)) != 0 || id == 0 || id >= f_->type_cnt) return u;
    const struct btf_type* t = type(static_cast<uint32_t>(id));
    u.dies.reserve(1 + (btf_kind(t) == BTF_KIND_ARRAY ? 1 : btf_vlen(t)));
    emit(static_cast<uint32_t>(id), u.dies);
    return u;
  }

  std::unique_ptr<DwarfSource> clone() const override { return std::make_unique<BtfSource>(f_); }

 private:
  UnitDies header() const {
    UnitDies u;
    u.address_size = f_->address_size;
    u.big_endian = f_->big_endian;
    u.machine = f_->machine;
    return u;
  }

  const char* name(uint32_t off) const {
    const char* s = btf__name_by_offset(f_->btf, off);
    return s != nullptr && *s != 0 ? s : nullptr;
  }
  const struct btf_type* type(uint32_t id) const { return btf__type_by_id(f_->btf, id); }

  std::optional<uint64_t> ref(uint32_t id) const {
    id = f_->skip_tags(id);
    if (id == 0) return std::nullopt;
    return die_offset(id);
  }

  // Appends the DIE of type `id` and its children; returns its index.
  uint32_t emit(uint32_t id, std::vector<RawDie>& out) const {
    const struct btf_type* t = type(id);
    const auto at = static_cast<uint32_t>(out.size());
    RawDie d;
    d.offset = die_offset(id);
    d.name = name(t->name_off);
    switch (btf_kind(t)) {
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT:
        d.tag = DW_TAG_base_type;
        d.byte_size = t->size;
        break;
      case BTF_KIND_PTR:
        d.tag = DW_TAG_pointer_type;
        d.byte_size = f_->address_size;
        d.type = ref(t->type);
        break;
      case BTF_KIND_CONST: d.tag = DW_TAG_const_type; d.type = ref(t->type); break;
      case BTF_KIND_VOLATILE: d.tag = DW_TAG_volatile_type; d.type = ref(t->type); break;
      case BTF_KIND_RESTRICT: d.tag = DW_TAG_restrict_type; d.type = ref(t->type); break;
      case BTF_KIND_TYPEDEF: d.tag = DW_TAG_typedef; d.type = ref(t->type); break;
      case BTF_KIND_TYPE_TAG:  // reached only through read_subtree of a raw id
        d.tag = DW_TAG_typedef;
        d.name = nullptr;
        d.type = ref(t->type);
        break;
      case BTF_KIND_FWD:
        d.tag = btf_kflag(t) ? DW_TAG_union_type : DW_TAG_structure_type;
        d.declaration = true;
        break;
      case BTF_KIND_ARRAY:
        out.push_back(d);
        return emit_array(t, at, out);
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        out.push_back(d);
        return emit_record(id, t, at, out);
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        out.push_back(d);
        return emit_enum(t, at, out);
      case BTF_KIND_FUNC_PROTO:
        out.push_back(d);
        return emit_proto(id, t, at, out);
      default:  // FUNC, VAR, DATASEC, DECL_TAG: never a member's type
        d.tag = DW_TAG_unspecified_type;
        break;
    }
    out.push_back(d);
    return at;
  }

  // Links `child` after `prev` (or as the first child of `parent`).
  static void link(std::vector<RawDie>& out, uint32_t parent, uint32_t& prev, uint32_t child) {
    if (prev == kNoIndex)
      out[parent].first_child = child;
    else
      out[prev].next_sibling = child;
    prev = child;
  }

  uint32_t emit_array(const struct btf_type* t, uint32_t at, std::vector<RawDie>& out) const {
    const struct btf_array* a = btf_array(t);
    out[at].tag = DW_TAG_array_type;
    out[at].name = nullptr;
    out[at].type = ref(a->type);
    RawDie sub;
    sub.offset = out[at].offset + 1;
    sub.tag = DW_TAG_subrange_type;
    sub.count = a->nelems;
    out.push_back(sub);
    out[at].first_child = at + 1;
    return at;
  }

  uint32_t emit_enum(const struct btf_type* t, uint32_t at, std::vector<RawDie>& out) const {
    out[at].tag = DW_TAG_enumeration_type;
    out[at].byte_size = t->size ? t->size : 4;
    const bool is64 = btf_kind(t) == BTF_KIND_ENUM64;
    uint32_t prev = kNoIndex;
    for (uint16_t i = 0; i < btf_vlen(t); ++i) {
      RawDie e;
      e.offset = out[at].offset + 1 + i;
      e.tag = DW_TAG_enumerator;
      if (is64) {
        e.name = name(btf_enum64(t)[i].name_off);
        e.const_value = static_cast<int64_t>(btf_enum64_value(&btf_enum64(t)[i]));
      } else {
        e.name = name(btf_enum(t)[i].name_off);
        // pahole 1.24 keeps an ENUM value as its unsigned 32 bits, whatever
        // the sign flag (docs/pahole-differences.md: -1 prints 4294967295).
        e.const_value = static_cast<uint32_t>(btf_enum(t)[i].val);
      }
      out.push_back(e);
      link(out, at, prev, static_cast<uint32_t>(out.size() - 1));
    }
    return at;
  }

  uint32_t emit_proto(uint32_t id, const struct btf_type* t, uint32_t at, std::vector<RawDie>& out) const {
    out[at].tag = DW_TAG_subroutine_type;
    out[at].name = nullptr;
    out[at].prototyped = true;
    out[at].type = ref(t->type);
    uint32_t prev = kNoIndex;
    const uint16_t n = btf_vlen(t);
    for (uint16_t i = 0; i < n; ++i) {
      const struct btf_param& p = btf_params(t)[i];
      RawDie d;
      d.offset = die_offset(id, 1 + i);
      // A last parameter of type void is "...".
      const bool variadic = i + 1 == n && p.type == 0;
      d.tag = variadic ? DW_TAG_unspecified_parameters : DW_TAG_formal_parameter;
      d.name = name(p.name_off);
      if (!variadic) d.type = ref(p.type);
      out.push_back(d);
      link(out, at, prev, static_cast<uint32_t>(out.size() - 1));
    }
    return at;
  }

  uint32_t emit_record(uint32_t id, const struct btf_type* t, uint32_t at, std::vector<RawDie>& out) const {
    out[at].tag = btf_kind(t) == BTF_KIND_UNION ? DW_TAG_union_type : DW_TAG_structure_type;
    out[at].byte_size = t->size;
    uint32_t prev = kNoIndex;
    uint64_t smallest = 0;  // pahole's smallest_offset: end of the previous member
    for (uint16_t i = 0; i < btf_vlen(t); ++i) {
      RawDie m;
      m.offset = die_offset(id, 1 + i);
      m.tag = DW_TAG_member;
      m.name = name(btf_members(t)[i].name_off);
      m.type = ref(btf_members(t)[i].type);
      const uint32_t bits = btf_member_bit_offset(t, i);
      const uint32_t width = btf_member_bitfield_size(t, i);
      if (width != 0) {
        m.bit_size = width;
        m.data_bit_offset = bits;
      } else {
        m.member_location = bits / 8;
      }
      infer_member_alignment(m, btf_members(t)[i].type, bits, width, smallest);
      out.push_back(m);
      link(out, at, prev, static_cast<uint32_t>(out.size() - 1));
    }
    if (uint32_t a = infer_alignment(t->size, natural_alignment(id), smallest)) out[at].alignment = a;
    return at;
  }

  // ---- pahole 1.24's alignment inference (btf_loader.c) ----------------------

  uint32_t strip(uint32_t id) const {
    for (;;) {
      id = f_->skip_tags(id);
      if (id == 0) return 0;
      const struct btf_type* t = type(id);
      if (!btf_is_mod(t) && !btf_is_typedef(t)) return id;
      id = t->type;
    }
  }

  // pahole's tag__size of a stripped type.
  uint64_t size_of(uint32_t id, int depth = 0) const {
    if (id == 0 || depth > 64) return 0;
    const struct btf_type* t = type(id);
    switch (btf_kind(t)) {
      case BTF_KIND_PTR: return f_->address_size;
      case BTF_KIND_ARRAY: return uint64_t{btf_array(t)->nelems} * size_of(strip(btf_array(t)->type), depth + 1);
      case BTF_KIND_INT: case BTF_KIND_FLOAT: case BTF_KIND_STRUCT: case BTF_KIND_UNION:
      case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
        return t->size;
      default: return 0;
    }
  }

  // pahole's tag__natural_alignment (memoized per handle).
  uint32_t natural_alignment(uint32_t id, int depth = 0) const {
    id = strip(id);
    if (id == 0 || depth > 64) return 1;
    if (natural_[id] != 0) return natural_[id];
    const struct btf_type* t = type(id);
    uint64_t a = 1;
    switch (btf_kind(t)) {
      case BTF_KIND_PTR: a = f_->address_size; break;
      case BTF_KIND_INT: case BTF_KIND_FLOAT: case BTF_KIND_ENUM: case BTF_KIND_ENUM64: a = t->size; break;
      case BTF_KIND_ARRAY: a = natural_alignment(btf_array(t)->type, depth + 1); break;
      case BTF_KIND_STRUCT: case BTF_KIND_UNION:
        a = 0;
        for (uint16_t i = 0; i < btf_vlen(t); ++i)
          if (strip(btf_members(t)[i].type) != 0)
            a = std::max<uint64_t>(a, natural_alignment(btf_members(t)[i].type, depth + 1));
        break;
      default: break;
    }
    natural_[id] = a ? static_cast<uint32_t>(std::min<uint64_t>(a, UINT32_MAX)) : 1;
    return natural_[id];
  }

  uint32_t infer_alignment(uint64_t byte_offset, uint32_t natural, uint64_t smallest) const {
    const uint64_t delta = byte_offset - smallest;  // pahole: uint32_t arithmetic
    const auto d32 = static_cast<uint32_t>(delta);
    uint64_t a = 0;
    // pahole shifts a 32-bit int by 32 - clz: a shift by 32 (an overlapping
    // member, delta "negative") comes out as 1 on x86, so no alignment.
    if (d32 != 0 && byte_offset % 2 == 0) a = uint64_t{1} << ((32 - __builtin_clz(d32)) & 31);
    if (a <= natural || a == 1) return 0;
    const unsigned cl = f_->cacheline_size;
    if (a < cl && cl % a == 0 && byte_offset % cl == 0) a = cl;
    return static_cast<uint32_t>(std::min<uint64_t>(a, UINT32_MAX));
  }

  void infer_member_alignment(RawDie& m, uint32_t type_id, uint32_t bits, uint32_t width, uint64_t& smallest) const {
    const uint32_t st = strip(type_id);
    if (st == 0) return;
    const uint64_t size = size_of(st);
    if (size == 0) return;
    uint64_t byte_offset = bits / 8;
    const uint16_t kind = btf_kind(type(st));
    const bool scalar = kind == BTF_KIND_INT || kind == BTF_KIND_ENUM || kind == BTF_KIND_ENUM64;
    if (scalar && width != 0) {
      // pahole: "bitfields seem to be always aligned, no matter the packing".
      const uint64_t unit_bits = size * 8;
      int64_t off = static_cast<int64_t>(bits / unit_bits * unit_bits / 8);
      if (static_cast<int64_t>(bits) - off * 8 < 0) off -= static_cast<int64_t>(size);
      byte_offset = static_cast<uint64_t>(std::max<int64_t>(off, 0));
    }
    if (uint32_t a = infer_alignment(byte_offset, natural_alignment(st), smallest)) m.alignment = a;
    smallest = byte_offset + size;
  }

  std::shared_ptr<const BtfFile> f_;
  mutable std::vector<uint32_t> natural_;
};

}  // namespace

std::unique_ptr<DwarfSource> open_btf(const std::string& path, const std::string& base, unsigned cacheline_size) {
  return std::make_unique<BtfSource>(btf::load_btf_file(path, base, cacheline_size));
}

}  // namespace padguard
