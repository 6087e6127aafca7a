// padguard's DWARF reader: headers, abbreviations, values (see reader.hpp).
#include "reader.hpp"

#include <cstring>

#include "unit_kinds.hpp"

namespace padguard::dwarf {

namespace {

constexpr uint64_t kDense = 1u << 16;  // abbreviation codes kept in a vector
constexpr int kMaxDieDepth = 512;      // as the backends' walks

std::string hex(uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  do s.insert(s.begin(), digits[v & 15]), v >>= 4;
  while (v != 0);
  return "0x" + s;
}

[[noreturn]] void fail(const std::string& message) { throw DwarfError(message); }

}  // namespace

void corrupt(const std::string& what, uint64_t offset) {
  fail("corrupt DWARF (" + what + " at .debug_info offset " + std::to_string(offset) +
       "); rebuild the file or try --backend libdwarf");
}

// DWARF 5 section 7.5.1 (and 7.5.1.1 for DWARF 2-4's shorter header).
std::optional<UnitHeader> read_unit_header(const Sections& s, uint64_t offset) {
  const uint64_t size = s.info.size;
  // libdw ends the units where no header fits (trailing bytes are ignored).
  if (offset >= size || size - offset < 11) return std::nullopt;
  const uint8_t* base = s.info.data;
  const bool be = s.big_endian;
  UnitHeader h;
  h.offset = offset;
  uint64_t pos = offset, length = read_fixed(base + pos, 4, be);
  pos += 4;
  if (length == 0xffffffff) {
    if (size - pos < 8 + 2) fail("corrupt DWARF (truncated unit header at .debug_info offset " +
                                 std::to_string(offset) + "); re-copy or rebuild the file");
    length = read_fixed(base + pos, 8, be), pos += 8, h.offset_size = 8;
  } else if (length >= 0xfffffff0) {
    fail("corrupt DWARF (reserved unit length at .debug_info offset " + std::to_string(offset) +
         "); re-copy or rebuild the file");
  }
  if (length > size - pos)
    fail("corrupt DWARF: the unit at .debug_info offset " + std::to_string(offset) +
         " ends past the section; re-copy or rebuild the file");
  h.end = pos + length;
  h.version = static_cast<uint16_t>(read_fixed(base + pos, 2, be));
  // 0 or past any DWARF to come is damage, not a version (issue 12: "26996").
  if (h.version == 0 || h.version > 15)
    corrupt("unit header version " + std::to_string(h.version), offset);
  if (h.version < 2 || h.version > 5)
    fail("unsupported DWARF version " + std::to_string(h.version) +
         " (padguard reads DWARF 2 to 5); rebuild with -gdwarf-4 or -gdwarf-5");
  pos += 2;
  const uint64_t rest = h.version >= 5 ? 2u + h.offset_size : h.offset_size + 1u;
  if (h.end - pos < rest) corrupt("truncated unit header", offset);
  if (h.version >= 5) {
    h.unit_type = base[pos], h.address_size = base[pos + 1], pos += 2;
    h.abbrev_offset = read_fixed(base + pos, h.offset_size, be), pos += h.offset_size;
    if (h.unit_type < kUtCompile || h.unit_type > kUtSplitType) corrupt("unknown unit type " + hex(h.unit_type), offset);
    if (h.unit_type == kUtSkeleton || h.unit_type == kUtSplitCompile) {
      if (h.end - pos < 8) corrupt("truncated unit header", offset);
      h.dwo_id = read_fixed(base + pos, 8, be), pos += 8;
    }
    if (h.unit_type == kUtType || h.unit_type == kUtSplitType) pos += 8 + h.offset_size;  // signature, type_offset
  } else {
    h.abbrev_offset = read_fixed(base + pos, h.offset_size, be), pos += h.offset_size;
    h.address_size = base[pos++];
  }
  if (h.address_size != 2 && h.address_size != 4 && h.address_size != 8)
    fail("corrupt DWARF unit header (address size " + std::to_string(h.address_size) + "); rebuild the file");
  if (pos >= h.end) corrupt("unit without DIEs", offset);
  if (h.abbrev_offset >= s.abbrev.size) corrupt("abbreviation offset past .debug_abbrev", offset);
  h.die_offset = pos;
  return h;
}

void AbbrevTable::parse(const Bytes& abbrev, uint64_t offset, const UnitShape& shape) {
  if (offset == offset_ && abbrev.data == data_ && shape.address_size == shape_.address_size && shape.offset_size == shape_.offset_size &&
      shape.version == shape_.version)
    return;
  offset_ = UINT64_MAX;
  dense_.clear(), sparse_.clear(), specs_.clear();
  const uint8_t* p = abbrev.data + offset;
  const uint8_t* end = abbrev.data + abbrev.size;
  auto bad = [&](const char* what) {
    fail(std::string("corrupt DWARF (") + what + " at .debug_abbrev offset " +
         std::to_string(p - abbrev.data) + "); rebuild the file or try --backend libdwarf");
  };
  auto uleb = [&](uint64_t& v) {
    if (!read_uleb(p, end, v)) bad("abbreviation table runs past .debug_abbrev");
  };
  while (true) {
    Abbrev a;
    uint64_t tag = 0;
    uleb(a.code);
    if (a.code == 0) break;
    uleb(tag);
    if (tag == 0 || tag > UINT32_MAX) bad("abbreviation with tag 0");
    if (p >= end) bad("abbreviation table runs past .debug_abbrev");
    a.tag = static_cast<uint32_t>(tag);
    a.children = *p++ != 0;
    a.first = static_cast<uint32_t>(specs_.size());
    int32_t at = 0;  // byte offset of the next value while all before are fixed
    while (true) {
      uint64_t name = 0, form = 0;
      uleb(name), uleb(form);
      if (name == 0 && form == 0) break;
      if (name == 0 || form == 0 || name > UINT32_MAX || form > UINT32_MAX)
        bad("malformed abbreviation (attribute or form 0) in .debug_abbrev");
      AttrSpec s{static_cast<uint32_t>(name), static_cast<uint32_t>(form), 0, -1};
      if (form == DW_FORM_implicit_const && !read_sleb(p, end, s.implicit))
        bad("abbreviation table runs past .debug_abbrev");
      s.fixed = fixed_form_size(s.form, shape);
      const auto idx = static_cast<int32_t>(specs_.size() - a.first);
      if (name == DW_AT_name) a.name_idx = idx, a.name_at = at;
      if (name == DW_AT_sibling) a.sibling_idx = idx, a.sibling_at = at;
      at = at >= 0 && s.fixed >= 0 ? at + s.fixed : -1;
      specs_.push_back(s);
    }
    a.count = static_cast<uint32_t>(specs_.size() - a.first);
    a.fixed_total = at;
    if (a.code < kDense) {
      if (a.code >= dense_.size()) dense_.resize(a.code + 1);
      if (dense_[a.code].code == 0) dense_[a.code] = a;
    } else {
      sparse_.emplace(a.code, a);
    }
  }
  offset_ = offset, shape_ = shape, data_ = abbrev.data;
}

Unit::Unit(const Sections& s, const UnitHeader& h, const AbbrevTable& t)
    : s_(&s), h_(h), t_(&t), base_(s.info.data), end_(s.info.data + h.end), shape_(h.shape(s.big_endian)) {
  str_nul_ = s.str.size > 0 && s.str.data[s.str.size - 1] == 0;
  line_str_nul_ = s.line_str.size > 0 && s.line_str.data[s.line_str.size - 1] == 0;
  // DWARF 5 section 7.26: without DW_AT_str_offsets_base the offsets start
  // after the table's header.
  str_offsets_base_ = s.str_offsets_start >= 0 ? static_cast<uint64_t>(s.str_offsets_start)
                     : s.str_offsets.size >= 8 ? 8 : 0;
}

Die Unit::die(const uint8_t* p) const {
  const auto offset = static_cast<uint64_t>(p - base_) + s_->bias;
  if (p < base_ + h_.die_offset || p >= end_) corrupt("DIE outside its unit", offset);
  uint64_t code = 0;
  if (!read_uleb(p, end_, code)) corrupt("DIE past the end of its unit", offset);
  if (code == 0) return Die{offset, nullptr, p};
  const Abbrev* a = t_->find(code);
  if (a == nullptr) corrupt("DIE with an unknown abbreviation (code " + std::to_string(code) + ")", offset);
  return Die{offset, a, p};
}

uint64_t Unit::value_size(uint32_t form, const uint8_t* p) const {
  const uint64_t n = form_size(form, p, end_, shape_);
  if (n == kUnknownSize) corrupt("attribute of unknown form " + hex(form) + " or past the unit", p - base_);
  return n;
}

const uint8_t* Unit::skip_values(const Die& d) const {
  if (d.abbrev->fixed_total >= 0) {
    if (static_cast<uint64_t>(d.abbrev->fixed_total) > static_cast<uint64_t>(end_ - d.values))
      corrupt("attribute value past the unit", d.offset);
    return d.values + d.abbrev->fixed_total;
  }
  return each_attr(d, [](const Attr&) {});
}

const uint8_t* Unit::sibling_of(const Die& d) const {
  if (d.abbrev->sibling_idx < 0) return nullptr;
  std::optional<uint64_t> to;
  const AttrSpec& spec = t_->attrs(*d.abbrev)[static_cast<size_t>(d.abbrev->sibling_idx)];
  if (d.abbrev->sibling_at >= 0 && spec.form != DW_FORM_indirect) {
    to = reference(Attr{DW_AT_sibling, spec.form, d.values + d.abbrev->sibling_at, 0});
  } else {
    each_attr(d, [&](const Attr& a) {
      if (a.name == DW_AT_sibling) to = reference(a);
    });
  }
  if (!to) return nullptr;
  // A sibling that is not after the DIE would loop forever.
  if (*to <= d.offset) corrupt("sibling reference goes backwards", d.offset);
  if (*to - s_->bias >= h_.end) corrupt("sibling reference past its unit", d.offset);
  return at(*to);
}

const uint8_t* Unit::after_subtree(const Die& d, const uint8_t* values_end) const {
  if (!d.abbrev->children) return values_end;
  if (const uint8_t* next = sibling_of(d)) return next;
  // No DW_AT_sibling: step over the children, iteratively, by their own
  // DW_AT_sibling where they have one.
  const uint8_t* p = values_end;
  for (int depth = 1; depth > 0;) {
    const Die c = die(p);
    if (c.abbrev == nullptr) {
      --depth, p = c.values;
      continue;
    }
    p = skip_values(c);
    if (!c.abbrev->children) continue;
    if (const uint8_t* next = sibling_of(c)) {
      p = next;
    } else if (++depth > kMaxDieDepth) {
      fail("corrupt DWARF: DIEs nested deeper than " + std::to_string(kMaxDieDepth) + "; rebuild the file");
    }
  }
  return p;
}

const char* Unit::name_of(const Die& d) const {
  if (d.abbrev->name_idx < 0) return nullptr;
  const AttrSpec& spec = t_->attrs(*d.abbrev)[static_cast<size_t>(d.abbrev->name_idx)];
  const char* name = nullptr;
  if (d.abbrev->name_at >= 0 && spec.form != DW_FORM_indirect) {
    name = string(Attr{DW_AT_name, spec.form, d.values + d.abbrev->name_at, spec.implicit});
  } else {
    each_attr(d, [&](const Attr& a) {
      if (a.name == DW_AT_name) name = string(a);
    });
  }
  if (name == nullptr) corrupt("unreadable DW_AT_name", d.offset);
  return name;
}

std::optional<uint64_t> Unit::constant(const Attr& a) const {
  const bool be = shape_.big_endian;
  switch (a.form) {
    case DW_FORM_data1: return a.value[0];
    case DW_FORM_data2: return read_fixed(a.value, 2, be);
    case DW_FORM_data4: return read_fixed(a.value, 4, be);
    case DW_FORM_data8: return read_fixed(a.value, 8, be);
    case DW_FORM_implicit_const: return static_cast<uint64_t>(a.implicit);
    case DW_FORM_udata: {
      uint64_t v = 0;
      const uint8_t* p = a.value;
      return read_uleb(p, end_, v) ? std::optional<uint64_t>(v) : std::nullopt;
    }
    case DW_FORM_sdata: {
      int64_t v = 0;
      const uint8_t* p = a.value;
      return read_sleb(p, end_, v) ? std::optional<uint64_t>(static_cast<uint64_t>(v)) : std::nullopt;
    }
    default: return std::nullopt;
  }
}

std::optional<int64_t> Unit::signed_constant(const Attr& a) const {
  const std::optional<uint64_t> v = constant(a);
  return v ? std::optional<int64_t>(static_cast<int64_t>(*v)) : std::nullopt;
}

bool Unit::flag(const Attr& a) const {
  if (a.form == DW_FORM_flag_present) return true;
  return a.form == DW_FORM_flag && a.value[0] != 0;
}

const char* Unit::str_at(const Bytes& sec, uint64_t off, bool nul_terminated) const {
  if (off >= sec.size) return nullptr;
  const auto* s = reinterpret_cast<const char*>(sec.data + off);
  if (nul_terminated || std::memchr(s, 0, sec.size - off) != nullptr) return s;
  return nullptr;
}

std::optional<uint64_t> Unit::strx(uint64_t index) const {
  const uint64_t n = shape_.offset_size;
  if (index > (UINT64_MAX - str_offsets_base_) / n) return std::nullopt;
  const uint64_t at = str_offsets_base_ + index * n;
  if (at > s_->str_offsets.size || s_->str_offsets.size - at < n) return std::nullopt;
  return read_fixed(s_->str_offsets.data + at, static_cast<int>(n), shape_.big_endian);
}

const char* Unit::string(const Attr& a) const {
  const bool be = shape_.big_endian;
  const int osize = shape_.offset_size;
  std::optional<uint64_t> index;
  switch (a.form) {
    case DW_FORM_string: return reinterpret_cast<const char*>(a.value);  // NUL inside the unit (value_size)
    case DW_FORM_strp: return str_at(s_->str, read_fixed(a.value, osize, be), str_nul_);
    case DW_FORM_line_strp: return str_at(s_->line_str, read_fixed(a.value, osize, be), line_str_nul_);
    case DW_FORM_strx1: index = a.value[0]; break;
    case DW_FORM_strx2: index = read_fixed(a.value, 2, be); break;
    case DW_FORM_strx3: index = read_fixed(a.value, 3, be); break;
    case DW_FORM_strx4: index = read_fixed(a.value, 4, be); break;
    case DW_FORM_strx:
    case DW_FORM_GNU_str_index: {
      uint64_t v = 0;
      const uint8_t* p = a.value;
      if (read_uleb(p, end_, v)) index = v;
      break;
    }
    case DW_FORM_GNU_strp_alt:
    case DW_FORM_strp_sup:  // DWARF 5's spelling of the same (.debug_sup)
      if (s_->alt == nullptr) fail(kSupplementaryFile);
      return str_at(s_->alt->str, read_fixed(a.value, osize, be), false);
    default: return nullptr;
  }
  if (!index) return nullptr;
  const std::optional<uint64_t> off = strx(*index);
  return off ? str_at(s_->str, *off, str_nul_) : nullptr;
}

std::optional<uint64_t> Unit::reference(const Attr& a) const {
  const bool be = shape_.big_endian;
  uint64_t rel = 0;
  switch (a.form) {
    case DW_FORM_ref1: rel = a.value[0]; break;
    case DW_FORM_ref2: rel = read_fixed(a.value, 2, be); break;
    case DW_FORM_ref4: rel = read_fixed(a.value, 4, be); break;
    case DW_FORM_ref8: rel = read_fixed(a.value, 8, be); break;
    case DW_FORM_ref_udata: {
      const uint8_t* p = a.value;
      if (!read_uleb(p, end_, rel)) corrupt("unreadable reference", a.value - base_);
      break;
    }
    case DW_FORM_ref_addr: {
      const uint64_t off = read_fixed(a.value, shape_.version <= 2 ? shape_.address_size : shape_.offset_size, be);
      if (off >= s_->info.size) corrupt("reference past .debug_info", a.value - base_);
      return off + s_->bias;
    }
    case DW_FORM_ref_sig8: fail(kTypeUnits);
    case DW_FORM_GNU_ref_alt:
    case DW_FORM_ref_sup4:  // DWARF 5 (.debug_sup): fixed sizes, not the offset size
    case DW_FORM_ref_sup8: {
      if (s_->alt == nullptr) fail(kSupplementaryFile);
      const unsigned size = a.form == DW_FORM_ref_sup4 ? 4 : a.form == DW_FORM_ref_sup8 ? 8 : shape_.offset_size;
      const uint64_t off = read_fixed(a.value, size, be);
      if (off >= s_->alt->info.size) corrupt("reference past the supplementary file's .debug_info", a.value - base_);
      return off + s_->alt->bias;
    }
    default: return std::nullopt;
  }
  // Section 7.5.5: relative to the unit header; it must name a DIE of the unit.
  if (rel >= h_.end - h_.offset || h_.offset + rel < h_.die_offset)
    corrupt("reference outside its unit", a.value - base_);
  return h_.offset + rel + s_->bias;
}

MemberLocation Unit::member_location(const Attr& a) const {
  uint64_t len = 0;
  const uint8_t* p = a.value;
  const bool be = shape_.big_endian;
  switch (a.form) {
    case DW_FORM_block1: len = p[0], p += 1; break;
    case DW_FORM_block2: len = read_fixed(p, 2, be), p += 2; break;
    case DW_FORM_block4: len = read_fixed(p, 4, be), p += 4; break;
    case DW_FORM_block:
    case DW_FORM_exprloc:
      if (!read_uleb(p, end_, len)) return location_of_form(a.form);
      break;
    case DW_FORM_data1: case DW_FORM_data2: case DW_FORM_data4: case DW_FORM_data8:
    case DW_FORM_udata: case DW_FORM_sdata: case DW_FORM_implicit_const: {
      MemberLocation m;
      m.offset = constant(a);
      return m.offset ? m : location_of_form(a.form);
    }
    default: return location_of_form(a.form);  // data16, location lists, ...
  }
  // value_size already bounded the block by the unit.
  if (len > static_cast<uint64_t>(end_ - p)) return location_of_form(a.form);
  return evaluate_member_location(p, static_cast<size_t>(len), be);
}

}  // namespace padguard::dwarf
