// Hole and padding accounting, reproducing pahole's class__find_holes walk:
// a bit cursor over the members in DWARF order, where bitfield runs are
// measured against their storage unit.
#include "padguard/layout.hpp"

#include <algorithm>

namespace padguard {

MemberLayout place_member(const Member& m) {
  MemberLayout ml;
  if (m.is_bitfield() && m.unit_size > 0) {
    const uint64_t unit_bits = m.unit_size * 8;
    ml.byte_offset = m.bit_offset / unit_bits * m.unit_size;
    ml.bitfield_offset = static_cast<uint32_t>(m.bit_offset - ml.byte_offset * 8);
  } else {
    ml.byte_offset = m.bit_offset / 8;
    ml.bitfield_offset = static_cast<uint32_t>(m.bit_offset % 8);
  }
  return ml;
}

Layout compute_layout(const Record& r) {
  Layout l;
  l.members.reserve(r.members.size());
  for (const Member& m : r.members) {
    l.members.push_back(place_member(m));
    l.members.back().size_unknown = !m.is_bitfield() && m.size_unknown();
    if (m.is_bitfield())
      l.sum_bitfield_bits += m.bit_size;
    else if (l.members.back().size_unknown)
      ++l.nr_unknown_sizes;
    else
      l.sum_member_bytes += m.byte_size;
  }
  if (r.is_union()) {
    for (MemberLayout& ml : l.members)
      if (ml.size_unknown) ml.unknown_span = r.byte_size - std::min(r.byte_size, ml.byte_offset);
    return l;
  }

  const int64_t size_bits = static_cast<int64_t>(r.byte_size) * 8;
  int64_t cur_bitfield_end = size_bits;
  int64_t cur_bitfield_size = 0;
  int64_t last_seen_bit = 0;
  bool in_bitfield = false;
  MemberLayout* last = nullptr;

  for (size_t i = 0; i < r.members.size(); ++i) {
    const Member& m = r.members[i];
    MemberLayout& ml = l.members[i];
    const auto bit_start = static_cast<int64_t>(m.bit_offset);
    const int64_t bit_end =
        bit_start + (m.is_bitfield() ? m.bit_size : static_cast<int64_t>(m.byte_size) * 8);
    int64_t bit_holes = 0;
    int64_t byte_holes = 0;
    // After a member of unknown size: it may reach this one; claim no gap.
    if (last != nullptr && last->size_unknown) {
      const int64_t from = static_cast<int64_t>(last->byte_offset) * 8;
      last->unknown_span = bit_start > from ? static_cast<uint64_t>(bit_start - from) / 8 : 0;
      last_seen_bit = std::max(last_seen_bit, bit_start);
    }
    if (in_bitfield) {
      const int64_t bitfield_end = std::min(bit_start, cur_bitfield_end);
      bit_holes = bitfield_end - last_seen_bit;
      last_seen_bit = bitfield_end;
    }
    if (m.is_bitfield()) {
      const auto aligned_start = static_cast<int64_t>(ml.byte_offset) * 8;
      if (last_seen_bit < aligned_start && aligned_start <= bit_start) {
        byte_holes = static_cast<int64_t>(ml.byte_offset) - last_seen_bit / 8;
        last_seen_bit = aligned_start;
      }
      bit_holes += bit_start - last_seen_bit;
    } else {
      byte_holes = bit_start / 8 - last_seen_bit / 8;
    }
    last_seen_bit = bit_end;

    if (m.is_bitfield()) {
      in_bitfield = true;
      const auto unit_bits = static_cast<int64_t>(m.unit_size) * 8;
      if (bit_end > cur_bitfield_end || unit_bits > cur_bitfield_size) {
        cur_bitfield_size = unit_bits;
        cur_bitfield_end = static_cast<int64_t>(ml.byte_offset) * 8 + cur_bitfield_size;
        // A field that borrowed bits from the previous unit ends in the next one.
        if (bit_end > cur_bitfield_end) cur_bitfield_end += cur_bitfield_size;
      }
    } else {
      in_bitfield = false;
      cur_bitfield_size = 0;
      cur_bitfield_end = bit_end;
    }

    // Overlapping members (negative gaps) are not holes.
    const uint64_t bytes = byte_holes > 0 ? static_cast<uint64_t>(byte_holes) : 0;
    const uint32_t bits = bit_holes > 0 ? static_cast<uint32_t>(bit_holes) : 0;
    if (last != nullptr) {
      last->hole = bytes;
      last->bit_hole = bits;
    } else {
      l.pre_hole = bytes;
      l.pre_bit_hole = bits;
    }
    if (bits) ++l.nr_bit_holes, l.sum_bit_holes += bits;
    if (bytes) ++l.nr_holes, l.sum_holes += bytes;
    last = &ml;
  }

  if (last != nullptr && last->size_unknown) {
    l.padding_unknown = true;
    last->unknown_span = r.byte_size - std::min(r.byte_size, last->byte_offset);
    last_seen_bit = std::max(last_seen_bit, size_bits);
  }
  if (in_bitfield) {
    const int64_t bitfield_end = std::min(size_bits, cur_bitfield_end);
    l.bit_padding = bitfield_end > last_seen_bit ? static_cast<uint32_t>(bitfield_end - last_seen_bit) : 0;
    last_seen_bit = bitfield_end;
  }
  const int64_t pad = static_cast<int64_t>(r.byte_size) - last_seen_bit / 8;
  l.padding = pad > 0 ? static_cast<uint64_t>(pad) : 0;
  l.end_bit = static_cast<uint64_t>(std::max<int64_t>(last_seen_bit, 0));
  return l;
}

uint32_t natural_alignment(const Record& r) {
  uint32_t a = 0;
  for (const Member& m : r.members) a = std::max(a, m.natural_alignment);
  return a ? a : 1;
}

bool infer_packed(const Record& r, const Layout& l) {
  if (r.is_union()) return false;
  if (l.padding != 0 || l.nr_holes != 0) return false;
  uint32_t max_natural = 1;
  for (size_t i = 0; i < r.members.size(); ++i) {
    const uint32_t nat = r.members[i].natural_alignment;
    if (nat <= 1) continue;
    max_natural = std::max(max_natural, nat);
    if (l.members[i].byte_offset % nat != 0) return true;
  }
  return (max_natural != 1 && r.alignment == 1) || (r.byte_size % max_natural) != 0;
}

namespace {

// An anonymous struct the member prints inline, not as an array (pahole
// checks such a struct's placement against its natural alignment).
const Record* inline_struct(const Member& m) {
  const MemberShape s = member_shape(*m.type);
  return s.inline_record && !s.inline_record->is_union() && s.dims.empty() ? s.inline_record : nullptr;
}

// pahole's tag__strip_typedefs_and_modifiers, then "is it a struct": the
// struct -E prints inline for the member (not through an array or pointer).
const Record* held_struct(const Member& m) {
  const Type* t = m.type.get();
  for (size_t steps = 0; t && (t->kind == TypeKind::Typedef || t->kind == TypeKind::Qualified); ++steps) {
    if (steps > 4096) return nullptr;  // the builder bounds chains far below this
    t = t->target.get();
  }
  if (!t || t->kind != TypeKind::Record || !t->record || t->record->is_union()) return nullptr;
  return t->record.get();
}

}  // namespace

std::vector<bool> members_forced_packed(const Record& r, const Layout& l, bool expand_types) {
  std::vector<bool> forced(r.members.size(), false);
  const auto printed_inline = [expand_types](const Member& m) {
    return expand_types ? held_struct(m) : inline_struct(m);
  };
  if (r.is_union()) {
    for (size_t i = 0; i < r.members.size(); ++i) {
      if (const Record* ir = printed_inline(r.members[i]))
        forced[i] = r.byte_size % natural_alignment(*ir) != 0;
    }
    return forced;
  }
  if (l.padding == 0 && l.nr_holes == 0) return forced;
  for (size_t i = 0; i < r.members.size(); ++i) {
    if (const Record* ir = printed_inline(r.members[i]))
      forced[i] = l.members[i].byte_offset % natural_alignment(*ir) != 0;
  }
  return forced;
}

}  // namespace padguard
