// DIEs to RawDie (see die_walk.hpp).
#include "die_walk.hpp"

#include <string>

#include "die_filter.hpp"
#include "raw_die_attrs.hpp"
#include "unit_kinds.hpp"

namespace padguard::dwarf {

namespace {

constexpr int kMaxDieDepth = 512;

bool is_constant_form(uint32_t form) {
  switch (form) {
    case DW_FORM_data1: case DW_FORM_data2: case DW_FORM_data4: case DW_FORM_data8:
    case DW_FORM_udata: case DW_FORM_sdata: case DW_FORM_implicit_const: case DW_FORM_data16:
      return true;
    default:
      return false;
  }
}

// What a shallow read keeps (RecordRead::Shallow): a record's identity.
bool identity_attr(uint32_t at) {
  switch (at) {
    case DW_AT_name: case DW_AT_byte_size: case DW_AT_declaration: case DW_AT_external:
    case DW_AT_data_member_location: case DW_AT_data_bit_offset: case DW_AT_bit_offset: case DW_AT_bit_size:
      return true;
    default:
      return false;
  }
}

void link(std::vector<RawDie>& out, uint32_t parent, uint32_t& last, uint32_t child) {
  (last == kNoIndex ? out[parent].first_child : out[last].next_sibling) = child;
  last = child;
}

}  // namespace

void prepare_unit(Unit& u, bool split_unit) {
  const Die cu = u.die(u.first_die());
  if (cu.abbrev == nullptr) corrupt("unit without a unit DIE", cu.offset);
  if (cu.tag() == DW_TAG_skeleton_unit) throw DwarfError(kSplitDwarf);
  if (cu.tag() == DW_TAG_type_unit) throw DwarfError(kTypeUnits);
  bool split = false;
  std::optional<uint64_t> base;
  u.each_attr(cu, [&](const Attr& a) {
    if (a.name == DW_AT_dwo_name || a.name == DW_AT_GNU_dwo_name) split = true;
    if (a.name == DW_AT_str_offsets_base && a.form == DW_FORM_sec_offset)
      base = read_fixed(a.value, u.header().offset_size, u.shape().big_endian);
  });
  if (split && !split_unit) throw DwarfError(kSplitDwarf);
  if (base) u.set_str_offsets_base(*base);
}

std::optional<SkeletonLink> skeleton_link(Unit& u) {
  const Die cu = u.die(u.first_die());
  if (cu.abbrev == nullptr) corrupt("unit without a unit DIE", cu.offset);
  SkeletonLink k;
  bool skeleton = cu.tag() == DW_TAG_skeleton_unit;
  if (u.header().unit_type == kUtSkeleton) skeleton = true, k.dwo_id = u.header().dwo_id;
  std::optional<Attr> name, dir;
  u.each_attr(cu, [&](const Attr& a) {
    switch (a.name) {
      case DW_AT_dwo_name:
      case DW_AT_GNU_dwo_name:
        skeleton = true, name = a;
        break;
      case DW_AT_comp_dir: dir = a; break;
      case DW_AT_GNU_dwo_id:
        if (!k.dwo_id) k.dwo_id = u.constant(a);
        break;
      case DW_AT_str_offsets_base:
        if (a.form == DW_FORM_sec_offset)
          u.set_str_offsets_base(read_fixed(a.value, u.header().offset_size, u.shape().big_endian));
        break;
      default: break;
    }
  });
  if (!skeleton) return std::nullopt;
  // Strings after the base: clang names them by DW_FORM_strx.
  if (name) k.dwo_name = u.string(*name);
  if (dir) k.comp_dir = u.string(*dir);
  return k;
}

std::optional<uint64_t> split_dwo_id(const Unit& u) {
  if (u.header().unit_type == kUtSplitCompile) return u.header().dwo_id;
  const Die cu = u.die(u.first_die());
  if (cu.abbrev == nullptr) return std::nullopt;
  std::optional<uint64_t> id;
  u.each_attr(cu, [&](const Attr& a) {
    if (a.name == DW_AT_GNU_dwo_id) id = u.constant(a);
  });
  return id;
}

std::vector<uint64_t> imported_units(const Unit& u) {
  std::vector<uint64_t> out;
  const Die cu = u.die(u.first_die());
  if (cu.abbrev == nullptr || !cu.abbrev->children) return out;
  const uint8_t* p = u.skip_values(cu);
  while (true) {
    const Die c = u.die(p);
    if (c.abbrev == nullptr) break;
    const uint8_t* end = nullptr;
    if (c.tag() == DW_TAG_imported_unit) {
      end = u.each_attr(c, [&](const Attr& a) {
        if (a.name == DW_AT_import)
          if (const std::optional<uint64_t> to = u.reference(a)) out.push_back(*to);
      });
    } else {
      end = u.skip_values(c);
    }
    p = u.after_subtree(c, end);
  }
  return out;
}

bool uses_supplementary_forms(const Bytes& abbrev) {
  const uint8_t* p = abbrev.data;
  const uint8_t* const end = abbrev.data + abbrev.size;
  uint64_t code = 0, tag = 0, at = 0, form = 0;
  int64_t implicit = 0;
  while (p < end) {
    if (!read_uleb(p, end, code)) return false;
    if (code == 0) continue;  // the end of one unit's table
    if (!read_uleb(p, end, tag) || p >= end) return false;
    ++p;  // DW_CHILDREN_yes/no
    while (true) {
      if (!read_uleb(p, end, at) || !read_uleb(p, end, form)) return false;
      if (at == 0 && form == 0) break;
      if (form == DW_FORM_implicit_const && !read_sleb(p, end, implicit)) return false;
      if (form == DW_FORM_GNU_ref_alt || form == DW_FORM_GNU_strp_alt || form == DW_FORM_ref_sup4 ||
          form == DW_FORM_ref_sup8 || form == DW_FORM_strp_sup)
        return true;
    }
  }
  return false;
}

void DieWalker::walk_unit(std::vector<RawDie>& out, const RecordNameFilter* only) {
  uint32_t self = 0;
  walk(u_.die(u_.first_die()), out, 0, only, self);
}

void DieWalker::walk_subtree(uint64_t offset, std::vector<RawDie>& out) {
  const Die d = u_.die(u_.at(offset));
  if (d.abbrev == nullptr) return;  // a null entry: no DIE here
  uint32_t self = 0;
  walk(d, out, 0, nullptr, self);
}

const uint8_t* DieWalker::read_die(const Die& d, RawDie& r, bool shallow) {
  r.offset = d.offset;
  r.tag = d.tag();
  uint64_t file = UINT64_MAX;
  const uint8_t* end = u_.each_attr(d, [&](const Attr& a) {
    switch (a.name) {
      case DW_AT_name:
        r.name = u_.string(a);
        // Reading on would drop a name and print garbage with exit 0.
        if (r.name == nullptr) corrupt("unreadable DW_AT_name", d.offset);
        return;
      case DW_AT_type: {
        if (shallow) return;
        const std::optional<uint64_t> t = u_.reference(a);
        if (!t) corrupt("DW_AT_type refers to no DIE", d.offset);
        r.type = *t;
        return;
      }
      case DW_AT_data_member_location:
        store_member_location(r, u_.member_location(a));
        return;
      case DW_AT_decl_file:
        if (!shallow)
          if (const std::optional<uint64_t> v = u_.constant(a)) file = *v;
        return;
      default:
        break;
    }
    if (shallow && !identity_attr(a.name)) return;
    AttrValue v;
    switch (attr_kind(a.name)) {
      case AttrKind::Unsigned: v.u = u_.constant(a); break;
      case AttrKind::Bound:
        if (is_constant_form(a.form))
          v.s = u_.signed_constant(a);
        else
          v.unknown = true;
        break;
      case AttrKind::Flag: v.flag = u_.flag(a); break;
      default: return;
    }
    store_attr(r, a.name, v);
  });
  if (file != UINT64_MAX && files_ != nullptr) r.decl_file = files_->name(file);
  return end;
}

// With `only` (unit level), records it rejects and all other unit-level
// types are skipped undecoded; the builder reads what it needs lazily.
RecordRead DieWalker::child_read(const Die& c, const RecordNameFilter* only) const {
  const uint32_t tag = c.tag();
  if (only == nullptr || tag == DW_TAG_namespace) return RecordRead::Full;
  if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type && tag != DW_TAG_class_type)
    return RecordRead::Skip;
  // name_of throws for a name that is there but unreadable: it must not look
  // like an anonymous record (skipped: empty output, exit 0).
  const char* name = u_.name_of(c);
  return name == nullptr ? RecordRead::Skip : (*only)(name);
}

const uint8_t* DieWalker::walk(const Die& d, std::vector<RawDie>& out, int depth, const RecordNameFilter* only,
                               uint32_t& self) {
  if (depth > kMaxDieDepth)
    throw DwarfError("corrupt DWARF: DIEs nested deeper than " + std::to_string(kMaxDieDepth) +
                     "; rebuild the file");
  self = static_cast<uint32_t>(out.size());
  out.emplace_back();
  const uint8_t* p = read_die(d, out.back(), false);
  if (!d.abbrev->children) return p;
  const uint32_t tag = d.tag(), parent = self;
  uint32_t last = kNoIndex;
  while (true) {
    const Die c = u_.die(p);
    if (c.abbrev == nullptr) return c.values;  // the null entry that ends the children
    const RecordRead how = keep_child(tag, c.tag()) ? child_read(c, only) : RecordRead::Skip;
    if (how == RecordRead::Skip) {
      p = u_.after_subtree(c, u_.skip_values(c));
      continue;
    }
    uint32_t ci = 0;
    p = how == RecordRead::Shallow ? walk_shallow(c, out, ci) : walk(c, out, depth + 1, nullptr, ci);
    link(out, parent, last, ci);
  }
}

// RecordRead::Shallow: the record and its data members, identity only;
// nested types as tag and place. Every copy of a known struct in every unit
// is read so (about five million members in a vmlinux).
const uint8_t* DieWalker::walk_shallow(const Die& d, std::vector<RawDie>& out, uint32_t& self) {
  self = static_cast<uint32_t>(out.size());
  out.emplace_back();
  const uint8_t* p = read_die(d, out.back(), true);
  out.back().shallow = true;
  if (!d.abbrev->children) return p;
  const uint32_t tag = d.tag(), parent = self;
  uint32_t last = kNoIndex;
  while (true) {
    const Die c = u_.die(p);
    if (c.abbrev == nullptr) return c.values;
    const uint32_t ctag = c.tag();
    const uint8_t* end = nullptr;
    if (ctag == DW_TAG_member || ctag == DW_TAG_inheritance || keep_child(tag, ctag)) {
      const auto ci = static_cast<uint32_t>(out.size());
      RawDie& r = out.emplace_back();
      if (ctag == DW_TAG_member || ctag == DW_TAG_inheritance) {
        end = read_die(c, r, true);
      } else {  // a nested type: its place among the members, nothing more
        r.offset = c.offset, r.tag = ctag;
        end = u_.skip_values(c);
      }
      out[ci].shallow = true;
      link(out, parent, last, ci);
    } else {
      end = u_.skip_values(c);
    }
    p = u_.after_subtree(c, end);
  }
}

}  // namespace padguard::dwarf
