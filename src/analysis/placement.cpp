// Field placement by C's layout rules (placement.hpp).
#include "padguard/placement.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "padguard/diff.hpp"
#include "padguard/layout.hpp"

namespace padguard {

namespace {

uint64_t align_up(uint64_t v, uint64_t a) { return a <= 1 ? v : (v + a - 1) / a * a; }

// The record a type names, through typedefs, qualifiers and arrays.
const Record* record_of(const Type* t, const RecordLookup& find) {
  for (int depth = 0; t && depth < 64; ++depth) {
    switch (t->kind) {
      case TypeKind::Typedef:
      case TypeKind::Qualified:
      case TypeKind::Array:
        t = t->target.get();
        continue;
      case TypeKind::Record:
        if (t->record) return t->record.get();
        return find && !t->name.empty() ? find(t->name) : nullptr;
      default:
        return nullptr;
    }
  }
  return nullptr;
}

// One member as the layout sees it.
struct Slot {
  std::string name;
  uint64_t size = 0;
  uint32_t align = 1;
  uint32_t explicit_align = 0;  // DW_AT_alignment: kept in a packed struct
  uint32_t bit_size = 0;
  uint64_t unit_size = 0;
  std::optional<uint64_t> dwarf_bits;  // the compiler's offset (existing members)
  bool is_new = false;
  const Member* member = nullptr;  // the existing member it stands for
  // An unnamed zero-width bitfield (`unsigned :0;`, which DWARF does not
  // list) before this bitfield: it starts at the next unit of its type.
  bool zero_break = false;
  uint64_t bits = 0;  // computed
  uint64_t begin() const { return bits / 8; }
  uint64_t end() const { return bit_size ? (bits + bit_size + 7) / 8 : bits / 8 + size; }
};

struct Laid {
  uint64_t size = 0, end = 0;
};

Laid lay_out(std::vector<Slot>& slots, uint32_t record_align, bool packed) {
  uint64_t bit = 0;
  uint64_t max_align = std::max<uint32_t>(1, record_align);
  for (Slot& s : slots) {
    const uint64_t a = packed ? std::max<uint32_t>(1, s.explicit_align) : s.align;
    if (s.bit_size) {
      // GCC's place_field / excess_unit_span: a bitfield may not span more
      // units of its type's alignment than a field of the type's size
      // needs; if it would, it starts at the next such unit. (A == S on
      // x86_64 and AAPCS; i386 aligns long long to 4: a u64 field may
      // straddle a 64-bit boundary there.)
      const uint64_t abits = 8 * std::max<uint64_t>(1, s.align);
      const uint64_t sbits = 8 * std::max<uint64_t>(1, s.unit_size);
      if (s.zero_break) bit = align_up(bit, abits);
      if (!packed && ((bit % abits) + s.bit_size + abits - 1) / abits > std::max<uint64_t>(1, sbits / abits))
        bit = align_up(bit, abits);
      s.bits = bit;
      bit += s.bit_size;
    } else {
      const uint64_t off = align_up((bit + 7) / 8, a);
      s.bits = off * 8;
      bit = (off + s.size) * 8;
    }
    max_align = std::max(max_align, a);
  }
  Laid l;
  l.end = (bit + 7) / 8;
  l.size = align_up(l.end, max_align);
  return l;
}

std::vector<std::string> anonymous_names(const Record& r) {
  std::vector<std::string> out;
  unsigned unions = 0, structs = 0;
  for (const Member& m : r.members) {
    if (!m.name.empty()) {
      out.push_back(m.name);
      continue;
    }
    const Record* in = m.embedded_record();
    const bool u = in && in->is_union();
    out.push_back(fmt::format("<anon {} #{}>", u ? "union" : "struct", u ? ++unions : ++structs));
  }
  return out;
}

bool packed_record(const Record& r) { return infer_packed(r, compute_layout(r)); }

// Marks the bitfields that DWARF places at the next unit of their type
// where the rules alone would pack them on: the trace of `unsigned :0;`.
void find_zero_breaks(std::vector<Slot>& slots, uint32_t record_align, bool packed) {
  for (size_t i = 0; i < slots.size(); ++i) {
    Slot& s = slots[i];
    if (!s.bit_size || !s.dwarf_bits) continue;
    std::vector<Slot> prefix(slots.begin(), slots.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    lay_out(prefix, record_align, packed);
    const uint64_t at = prefix.back().bits;
    const uint64_t unit = 8 * std::max<uint64_t>(1, s.align);
    if (*s.dwarf_bits != at && *s.dwarf_bits == align_up(at, unit)) s.zero_break = true;
  }
}

Slot slot_of(const Member& m, const std::string& name, const RecordLookup& find) {
  Slot s;
  s.name = name;
  s.size = m.byte_size;
  s.align = member_alignment(m, find);
  s.explicit_align = m.alignment;
  s.bit_size = m.bit_size;
  s.unit_size = m.unit_size;
  s.dwarf_bits = m.bit_offset;
  s.member = &m;
  return s;
}

// The record as laid out here, for pahole's accounting of holes and tail
// padding (record_stats), the same figures diff and check print.
Record synthesize(const Record& r, const std::vector<Slot>& slots, uint64_t size) {
  Record out = r;
  out.members.clear();
  out.nested_types.clear();
  out.byte_size = size;
  for (const Slot& s : slots) {
    Member m;
    if (s.member) m = *s.member;
    m.name = s.is_new ? s.name : m.name;
    m.bit_offset = s.bits;
    m.byte_size = s.size;
    if (s.is_new) {
      m.natural_alignment = s.align;
      m.alignment = 0;
    }
    out.members.push_back(std::move(m));
  }
  return out;
}

bool straddles(const Slot& s, uint32_t cl) {
  const uint64_t e = s.end();
  return e > s.begin() + 1 && s.begin() / cl != (e - 1) / cl;
}

}  // namespace

uint32_t record_alignment(const Record& r, const RecordLookup& find) {
  uint32_t a = std::max<uint32_t>(1, r.alignment);
  for (const Member& m : r.members) a = std::max(a, member_alignment(m, find));
  return a;
}

uint32_t member_alignment(const Member& m, const RecordLookup& find) {
  uint32_t a = std::max<uint32_t>({1, m.alignment, m.natural_alignment});
  if (const Record* rec = record_of(m.type.get(), find); rec && rec->alignment) a = std::max(a, rec->alignment);
  if (const Record* rec = record_of(m.type.get(), find))
    for (const Member& in : rec->members) a = std::max(a, in.alignment);
  return a;
}

std::string reproduces(const Record& r, const RecordLookup& find) {
  if (r.is_union()) return "it is a union: fit places fields in structs";
  const std::vector<std::string> names = anonymous_names(r);
  std::vector<Slot> slots;
  for (size_t i = 0; i < r.members.size(); ++i) slots.push_back(slot_of(r.members[i], names[i], find));
  const bool packed = packed_record(r);
  find_zero_breaks(slots, r.alignment, packed);
  const Laid l = lay_out(slots, r.alignment, packed);
  for (const Slot& s : slots)
    if (s.bits != *s.dwarf_bits)
      return fmt::format("member {} is at bit {} in the debug info, C's rules as padguard applies them give {}", s.name,
                         *s.dwarf_bits, s.bits);
  if (l.size != r.byte_size)
    return fmt::format("its size is {} in the debug info, C's rules as padguard applies them give {}", r.byte_size, l.size);
  return "";
}

PointInConfig place(const ConfigPlan& plan, const std::optional<std::string>& after, uint32_t cl,
                    const RecordLookup& find, const std::optional<std::string>& near) {
  PointInConfig p;
  const Record& r = *plan.record;
  const std::vector<std::string> names = anonymous_names(r);
  std::vector<Slot> before, slots;
  bool found = !after;
  auto insert = [&] {
    for (const NewField& f : plan.fields) {
      Slot s;
      s.name = f.name;
      s.size = f.size;
      s.align = s.explicit_align = f.align;
      s.is_new = true;
      slots.push_back(s);
    }
  };
  if (!after) insert();
  for (size_t i = 0; i < r.members.size(); ++i) {
    const Member& m = r.members[i];
    Slot s = slot_of(m, names[i], find);
    s.bits = m.bit_offset;
    before.push_back(s);
    const bool gone = std::find(plan.removed.begin(), plan.removed.end(), names[i]) != plan.removed.end();
    if (!gone) {
      // An anonymous union some of whose members leave keeps the others.
      if (const Record* u = m.embedded_record(); u && u->is_union() && m.name.empty()) {
        uint64_t size = 0;
        uint32_t align = 1;
        bool changed = false;
        for (const Member& um : u->members) {
          if (std::find(plan.removed.begin(), plan.removed.end(), um.name) != plan.removed.end()) {
            changed = true;
            continue;
          }
          size = std::max(size, um.byte_size);
          align = std::max(align, member_alignment(um, find));
        }
        if (changed) {
          s.size = align_up(size, std::max(align, u->alignment ? u->alignment : 1u));
          s.align = std::max(align, std::max<uint32_t>(1, u->alignment));
        }
      }
      slots.push_back(s);
    }
    if (after && names[i] == *after) {
      found = true;
      insert();
    }
  }
  {
    std::vector<Slot> orig = before;
    find_zero_breaks(orig, r.alignment, packed_record(r));
    for (Slot& s : slots)
      for (const Slot& b : orig)
        if (!s.is_new && b.name == s.name) s.zero_break = b.zero_break;
  }
  if (!found) {
    p.applicable = false;
    p.why_not = "member " + *after + " is not in this config";
    return p;
  }
  const Laid l = lay_out(slots, r.alignment, packed_record(r));
  const RecordStats was = record_stats(r, cl);
  const RecordStats now = record_stats(synthesize(r, slots, l.size), cl);
  p.old_size = r.byte_size;
  p.size = l.size;
  p.delta = static_cast<int64_t>(l.size) - static_cast<int64_t>(r.byte_size);
  p.old_tail_padding = was.padding;
  p.tail_padding = now.padding;
  p.old_holes = was.sum_holes;
  p.holes = now.sum_holes;
  for (const Slot& s : slots) {
    if (s.is_new) continue;
    if (s.dwarf_bits && s.bits != *s.dwarf_bits) ++p.shifted;
  }
  const Slot* first_new = nullptr;
  for (const Slot& s : slots)
    if (s.is_new && !first_new) first_new = &s;
  if (first_new) {
    p.field_offset = first_new->begin();
    p.field_cacheline = static_cast<uint32_t>(first_new->begin() / cl);
  }
  for (const Slot& s : slots) {
    if (!straddles(s, cl)) continue;
    if (s.is_new) p.straddles = true;
    for (const Slot& b : before)
      if (b.name == s.name && !straddles(b, cl)) p.straddles = true;
  }
  if (near && first_new)
    for (const Slot& s : slots)
      if (s.name == *near) {
        const uint32_t c = static_cast<uint32_t>(s.begin() / cl);
        p.near_distance = c > p.field_cacheline ? c - p.field_cacheline : p.field_cacheline - c;
      }
  return p;
}

}  // namespace padguard
