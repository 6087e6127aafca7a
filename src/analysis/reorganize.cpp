// pahole 1.24's class__reorganize, reimplemented over a copy of a struct's
// members in pahole's own field widths: the procedure is greedy and its
// result depends on them (a hole is 16 bits, a hole count 8 bits, a moved
// member's offset is computed in 16 bits). Bitfields are never moved (the
// bitfield algorithms are compiled out of Debian's pahole), but they shift
// with the members around them.
#include "padguard/reorganize.hpp"

#include <algorithm>

#include "padguard/layout.hpp"

namespace padguard {

namespace {

// One member as pahole's struct class_member holds it.
struct Slot {
  size_t index = 0;
  uint32_t byte_offset = 0;
  uint32_t bit_offset = 0;
  uint64_t byte_size = 0;
  uint8_t bitfield_size = 0;
  int8_t bitfield_offset = 0;
  uint32_t bit_size = 0;  // byte_size * 8
  uint16_t hole = 0;
  uint8_t bit_hole = 0;
};

// The struct as pahole's struct class holds it.
struct Clone {
  std::vector<Slot> m;
  uint32_t size = 0;
  uint8_t addr_size = 8;
  uint16_t padding = 0;
  uint16_t pre_hole = 0;
  uint8_t nr_holes = 0;
  uint8_t nr_bit_holes = 0;
  uint8_t bit_padding = 0;
  uint8_t pre_bit_hole = 0;
};

// pahole's class__find_holes over the clone: the walk of layout.cpp, in
// pahole's unsigned 32-bit bit cursor, results truncated to its fields.
void find_holes(Clone& c) {
  uint32_t cur_end = c.size * 8, cur_size = 0, last_seen = 0;
  bool in_bitfield = false;
  c.nr_holes = c.nr_bit_holes = 0;
  Slot* last = nullptr;
  for (Slot& s : c.m) {
    s.hole = 0;
    s.bit_hole = 0;
    const uint32_t bit_start = s.bit_offset;
    const uint32_t bit_end = bit_start + (s.bitfield_size ? s.bitfield_size : static_cast<uint32_t>(s.byte_size * 8));
    uint32_t bit_holes = 0, byte_holes = 0;
    if (in_bitfield) {
      const uint32_t end = std::min(bit_start, cur_end);
      bit_holes = end - last_seen;
      last_seen = end;
    }
    if (s.bitfield_size) {
      const uint32_t aligned_start = s.byte_offset * 8;
      if (last_seen < aligned_start && aligned_start <= bit_start) {
        byte_holes = s.byte_offset - last_seen / 8;
        last_seen = aligned_start;
      }
      bit_holes += bit_start - last_seen;
    } else {
      byte_holes = bit_start / 8 - last_seen / 8;
    }
    last_seen = bit_end;
    if (s.bitfield_size) {
      in_bitfield = true;
      if (bit_end > cur_end || s.bit_size > cur_size) {
        cur_size = s.bit_size;
        cur_end = s.byte_offset * 8 + cur_size;
        if (bit_end > cur_end) cur_end += cur_size;
      }
    } else {
      in_bitfield = false;
      cur_size = 0;
      cur_end = bit_end;
    }
    if (last) {
      last->hole = static_cast<uint16_t>(byte_holes);
      last->bit_hole = static_cast<uint8_t>(bit_holes);
    } else {
      c.pre_hole = static_cast<uint16_t>(byte_holes);
      c.pre_bit_hole = static_cast<uint8_t>(bit_holes);
    }
    if (bit_holes) ++c.nr_bit_holes;
    if (byte_holes) ++c.nr_holes;
    last = &s;
  }
  if (in_bitfield) {
    const uint32_t end = std::min(c.size * 8, cur_end);
    c.bit_padding = static_cast<uint8_t>(end - last_seen);
    last_seen = end;
  } else {
    c.bit_padding = 0;
  }
  c.padding = static_cast<uint16_t>(c.size - last_seen / 8);
}

Clone clone_of(const Record& r) {
  Clone c;
  c.size = static_cast<uint32_t>(r.byte_size);
  c.addr_size = r.address_size;
  const Layout l = compute_layout(r);
  c.m.reserve(r.members.size());
  for (size_t i = 0; i < r.members.size(); ++i) {
    const Member& m = r.members[i];
    Slot s;
    s.index = i;
    s.byte_offset = static_cast<uint32_t>(l.members[i].byte_offset);
    s.bit_offset = static_cast<uint32_t>(m.bit_offset);
    s.byte_size = m.byte_size;
    s.bitfield_size = static_cast<uint8_t>(m.bit_size);
    s.bitfield_offset = m.is_bitfield() ? static_cast<int8_t>(l.members[i].bitfield_offset) : 0;
    s.bit_size = static_cast<uint32_t>(m.byte_size * 8);
    c.m.push_back(s);
  }
  find_holes(c);
  return c;
}

// The first member after `from` with a hole after it and no larger than
// `size`; for a bitfield, the first of its run.
std::optional<size_t> next_hole_of_size(const Clone& c, size_t from, size_t size) {
  std::optional<size_t> bitfield_head;
  for (size_t i = from + 1; i < c.m.size(); ++i) {
    const Slot& s = c.m[i];
    if (s.bitfield_size == 0)
      bitfield_head.reset();
    else if (!bitfield_head)
      bitfield_head = i;
    if (s.hole != 0 && s.byte_size != 0 && s.byte_size <= size) return bitfield_head ? bitfield_head : i;
  }
  return std::nullopt;
}

// The last member after `to` no larger than `size`, skipping bitfields
// that follow another bitfield.
std::optional<size_t> last_member_of_size(const Clone& c, size_t to, size_t size) {
  for (size_t i = c.m.size(); i-- > to + 1;) {
    const Slot& s = c.m[i];
    if (s.bitfield_size != 0 && s.byte_offset != 0 && c.m[i - 1].bitfield_size != 0) continue;
    if (s.byte_size != 0 && s.byte_size <= size) return i;
  }
  return std::nullopt;
}

// Every member after index `after` moves `by` bytes towards the start.
void subtract_offsets(Clone& c, size_t after, uint16_t by) {
  for (size_t i = after + 1; i < c.m.size(); ++i) {
    c.m[i].byte_offset -= by;
    c.m[i].bit_offset -= by * 8u;
  }
}

// pahole's class__move_member: `from` (after `dest`) goes right after
// `dest`, aligned in its hole; the struct shrinks as pahole estimates.
bool move_member(Clone& c, size_t dest, size_t from, bool from_padding) {
  if (c.m[from].bitfield_size != 0) return false;
  const uint64_t from_size = c.m[from].byte_size;
  const bool from_was_last = from + 1 == c.m.size();
  const uint16_t orig_tail_from_hole = c.m[from].hole;
  const auto orig_from_offset = static_cast<uint16_t>(c.m[from].byte_offset);
  const Slot& d = c.m[dest];
  const auto offset = static_cast<uint16_t>(d.hole % std::min<uint64_t>(from_size, c.addr_size));
  const auto new_from_offset = static_cast<uint16_t>(d.byte_offset + d.byte_size + offset);

  Slot moved = c.m[from];
  moved.byte_offset = new_from_offset;
  moved.bit_offset = new_from_offset * 8u + static_cast<uint32_t>(moved.bitfield_offset);
  c.m.erase(c.m.begin() + static_cast<std::ptrdiff_t>(from));
  c.m.insert(c.m.begin() + static_cast<std::ptrdiff_t>(dest) + 1, moved);
  // The member that preceded `from` now sits one further, unless it is `dest`.
  const size_t from_prev = from - 1 == dest ? dest : from;

  if (from_padding) {
    if (orig_from_offset % c.addr_size == 0) c.size -= static_cast<uint32_t>(from_size + c.padding);
  } else if (from_was_last) {
    c.size -= static_cast<uint32_t>(from_size + c.padding);
  } else if (orig_tail_from_hole + from_size >= c.addr_size) {
    c.size -= c.addr_size;
    subtract_offsets(c, from_prev, c.addr_size);
  }
  find_holes(c);  // also re-derives the padding subtract_offsets would adjust
  return true;
}

// The tail padding re-derived from the largest member-plus-hole that fits a
// word (rounded up to even), padding up to a word, as pahole does.
void realign_tail(Clone& c) {
  uint64_t alignment = 0;
  for (const Slot& s : c.m) {
    const uint64_t aligned = s.byte_size + s.hole;
    if (aligned <= c.addr_size && aligned > alignment) alignment = aligned;
  }
  if (alignment == 0) return;
  if (alignment > 1) alignment = (alignment + 1) / 2 * 2;
  const Slot& last = c.m.back();
  const uint64_t end = last.byte_offset + last.byte_size;
  const uint64_t modulo = end % alignment;
  const auto new_padding = static_cast<uint16_t>(modulo ? c.addr_size - modulo : 0);
  if (new_padding != c.padding) {
    c.padding = new_padding;
    c.size = static_cast<uint32_t>(end + new_padding);
  }
}

// One pass of class__reorganize up to its first successful move.
bool one_move(Clone& c) {
  realign_tail(c);
  const size_t last = c.m.size() - 1;
  for (size_t i = 0; i < c.m.size(); ++i) {
    if (c.m[i].hole == 0) continue;
    const std::optional<size_t> brother = next_hole_of_size(c, i, c.m[i].hole);
    if (brother && *brother - 1 != i && move_member(c, i, *brother, false)) return true;
    if (c.padding > 0 && i != last && c.m[last].byte_size != 0 && c.m[last].byte_size <= c.m[i].hole &&
        move_member(c, i, last, true))
      return true;
  }
  if (c.nr_holes == 0) return false;
  for (size_t i = 0; i < c.m.size(); ++i) {
    if (c.m[i].hole == 0) continue;
    const std::optional<size_t> brother = last_member_of_size(c, i, c.m[i].hole);
    if (brother && *brother - 1 != i && move_member(c, i, *brother, false)) return true;
  }
  return false;
}

Reorganization result_of(const Record& r, const Clone& c) {
  Reorganization g;
  g.original_size = static_cast<uint32_t>(r.byte_size);
  g.byte_size = c.size;
  g.padding = c.padding;
  g.bit_padding = c.bit_padding;
  g.pre_hole = c.pre_hole;
  g.pre_bit_hole = c.pre_bit_hole;
  g.nr_holes = c.nr_holes;
  g.nr_bit_holes = c.nr_bit_holes;
  for (const Slot& s : c.m)
    g.members.push_back({s.index, s.byte_offset, s.bit_offset, static_cast<uint32_t>(static_cast<uint8_t>(s.bitfield_offset)),
                         s.hole, s.bit_hole});
  return g;
}

// Each move shrinks the struct or fills a hole; pahole has no bound, so a
// cycle would hang it. padguard stops after this many moves.
constexpr size_t kMaxMoves = 1u << 20;

}  // namespace

Reorganization reorganize(const Record& r) {
  Clone c = clone_of(r);
  if (!r.is_union() && !c.m.empty())
    for (size_t moves = 0; moves < kMaxMoves && one_move(c); ++moves) {
    }
  return result_of(r, c);
}

std::optional<Reorganization> packable(const Record& r) {
  if (r.is_union() || r.members.empty()) return std::nullopt;
  const Clone c = clone_of(r);
  if (c.nr_holes == 0 && c.nr_bit_holes == 0) return std::nullopt;
  Reorganization g = reorganize(r);
  if (g.byte_size >= g.original_size) return std::nullopt;
  return g;
}

Record reorganized_record(const Record& r, const Reorganization& g) {
  Record out = r;
  out.byte_size = g.byte_size;
  out.members.clear();
  out.nested_types.clear();  // pahole's clone holds members only
  for (const ReorgMember& rm : g.members) {
    Member m = r.members[rm.index];
    m.bit_offset = rm.bit_offset;
    out.members.push_back(std::move(m));
  }
  return out;
}

Layout reorganized_layout(const Record& r, const Reorganization& g) {
  Layout l;
  l.pre_hole = g.pre_hole;
  l.pre_bit_hole = g.pre_bit_hole;
  l.padding = g.padding;
  l.bit_padding = g.bit_padding;
  l.nr_holes = g.nr_holes;
  l.nr_bit_holes = g.nr_bit_holes;
  l.sum_holes = g.pre_hole;
  l.sum_bit_holes = g.pre_bit_hole;
  for (const ReorgMember& rm : g.members) {
    const Member& m = r.members[rm.index];
    l.members.push_back({rm.byte_offset, rm.bitfield_offset, rm.hole, rm.bit_hole});
    l.sum_holes += rm.hole;
    l.sum_bit_holes += rm.bit_hole;
    if (m.is_bitfield())
      l.sum_bitfield_bits += m.bit_size;
    else
      l.sum_member_bytes += m.byte_size;
  }
  l.end_bit = g.byte_size * 8 - l.padding * 8 - l.bit_padding;
  return l;
}

bool reorganized_sums_agree(const Record& r, const Reorganization& g) {
  const Layout l = reorganized_layout(r, g);
  // pahole's size_diff, in its 32-bit sums.
  const auto parts = static_cast<uint32_t>(l.sum_member_bytes * 8 + l.sum_bitfield_bits + l.sum_holes * 8 +
                                           l.sum_bit_holes + l.padding * 8 + l.bit_padding);
  return static_cast<uint32_t>(g.byte_size * 8) == parts;
}

}  // namespace padguard
