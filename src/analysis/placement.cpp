// Field placement by C's layout rules (placement.hpp).
#include "padguard/placement.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

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
  uint64_t old_size = 0;  // before an anonymous record it stands for was laid out again
  uint32_t align = 1;
  uint32_t explicit_align = 0;  // DW_AT_alignment: kept in a packed struct
  uint32_t bit_size = 0;
  uint64_t unit_size = 0;
  std::optional<uint64_t> dwarf_bits;  // the compiler's offset in its record (existing members)
  bool is_new = false;
  const Member* member = nullptr;  // the existing member it stands for
  const Record* anon = nullptr;    // the anonymous record it is (C's anonymous member)
  int kid = -1;                    // that record laid out again: Level::kids[kid]
  // An unnamed zero-width bitfield (`unsigned :0;`, which DWARF does not
  // list) before this bitfield: it starts at the next unit of its type.
  bool zero_break = false;
  uint64_t bits = 0;  // computed
  uint64_t begin() const { return bits / 8; }
  uint64_t end() const { return bit_size ? (bits + bit_size + 7) / 8 : bits / 8 + size; }
};

struct Laid {
  uint64_t size = 0, end = 0;
  uint32_t align = 1;
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
  l.align = static_cast<uint32_t>(max_align);
  return l;
}

// A union: every arm at 0, the size its largest arm rounded up to the
// largest alignment.
Laid lay_out_union(std::vector<Slot>& slots, uint32_t record_align) {
  Laid l;
  l.align = std::max<uint32_t>(1, record_align);
  for (Slot& s : slots) {
    s.bits = 0;
    l.end = std::max(l.end, s.end());
    l.align = std::max(l.align, s.align);
  }
  l.size = align_up(l.end, l.align);
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

// The anonymous record a member is, as C's anonymous struct or union.
const Record* anonymous(const Member& m) { return m.name.empty() ? m.embedded_record() : nullptr; }

bool packed_record(const Record& r) { return !r.is_union() && infer_packed(r, compute_layout(r)); }

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

uint32_t anonymous_alignment(const Record& r, const RecordLookup& find);

Slot slot_of(const Member& m, const std::string& name, const RecordLookup& find) {
  Slot s;
  s.name = name;
  s.size = s.old_size = m.byte_size;
  s.explicit_align = m.alignment;
  s.bit_size = m.bit_size;
  s.unit_size = m.unit_size;
  s.dwarf_bits = m.bit_offset;
  s.member = &m;
  s.anon = anonymous(m);
  // An anonymous record's alignment is computed from its members, at any
  // depth (a forced alignment two levels down counts; a packed one's
  // members do not); member_alignment looks one level into a type.
  s.align = s.anon ? std::max<uint32_t>({1, m.alignment, anonymous_alignment(*s.anon, find)})
                   : member_alignment(m, find);
  return s;
}

// The slots of one record level as the compiler laid them out, with the
// trace of ':0' marked.
std::vector<Slot> original_slots(const Record& r, const std::vector<std::string>& names, const RecordLookup& find) {
  std::vector<Slot> slots;
  for (size_t i = 0; i < r.members.size(); ++i) slots.push_back(slot_of(r.members[i], names[i], find));
  if (!r.is_union()) find_zero_breaks(slots, r.alignment, packed_record(r));
  return slots;
}

uint32_t anonymous_alignment(const Record& r, const RecordLookup& find) {
  const bool packed = packed_record(r);
  uint32_t a = std::max<uint32_t>(1, r.alignment);
  for (const Member& m : r.members) {
    const Record* in = anonymous(m);
    const uint32_t ma = in ? std::max<uint32_t>({1, m.alignment, anonymous_alignment(*in, find)}) : member_alignment(m, find);
    a = std::max(a, packed ? std::max<uint32_t>(1, m.alignment) : ma);
  }
  return a;
}

// "" when the rules give the compiler's offsets and size for this level.
std::string reproduce_level(const Record& r, std::vector<Slot> slots) {
  const Laid l = r.is_union() ? lay_out_union(slots, r.alignment) : lay_out(slots, r.alignment, packed_record(r));
  for (const Slot& s : slots)
    if (s.bits != *s.dwarf_bits)
      return fmt::format("member {} is at bit {} in the debug info, C's rules as padguard applies them give {}", s.name,
                         *s.dwarf_bits, s.bits);
  if (l.size != r.byte_size)
    return fmt::format("its size is {} in the debug info, C's rules as padguard applies them give {}", r.byte_size, l.size);
  return "";
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

bool crosses(uint64_t bits, uint64_t size, uint32_t bit_size, uint32_t cl) {
  const uint64_t b = bits / 8, e = bit_size ? (bits + bit_size + 7) / 8 : b + size;
  return e > b + 1 && b / cl != (e - 1) / cl;
}

bool listed(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// The named members of an anonymous record, through the anonymous records in it.
void named_leaves(const Record& r, std::vector<std::string>& out) {
  for (const Member& m : r.members) {
    if (!m.name.empty()) out.push_back(m.name);
    else if (const Record* in = anonymous(m)) named_leaves(*in, out);
  }
}

std::vector<std::string> named_leaves(const Record& r) {
  std::vector<std::string> out;
  named_leaves(r, out);
  return out;
}

// Some member survives --move (a record without members stays as it is).
bool survives(const Record& r, const std::vector<std::string>& removed) {
  if (r.members.empty()) return true;
  for (const Member& m : r.members) {
    const Record* in = anonymous(m);
    if (in ? survives(*in, removed) : m.name.empty() || !listed(removed, m.name)) return true;
  }
  return false;
}

bool holds_removed(const Record& r, const std::vector<std::string>& removed) {
  for (const Member& m : r.members) {
    const Record* in = anonymous(m);
    if (in ? holds_removed(*in, removed) : !m.name.empty() && listed(removed, m.name)) return true;
  }
  return false;
}

// The record under this label is the one the point was found in: it holds
// one of the members found there.
bool anchored(const Record& r, const std::vector<std::string>& anchors) {
  if (anchors.empty()) return true;
  for (const std::string& n : named_leaves(r))
    if (listed(anchors, n)) return true;
  return false;
}

// One record level laid out again: its slots (the removed members gone, the
// new fields in) and the anonymous records among them that the change
// reaches, laid out again themselves.
struct Level {
  const Record* rec = nullptr;
  std::vector<Slot> slots;
  std::vector<Level> kids;
  bool changed = false;
  uint64_t size = 0;
  uint32_t align = 1;
};

// Builds the Level tree of one insertion in one config, from the struct
// down the anonymous records of the point and of the removed members.
class Relayout {
 public:
  Relayout(const ConfigPlan& plan, const InsertionPoint& at, const RecordLookup& find)
      : plan_(plan), at_(at), find_(find) {}

  // nullopt: the record was emptied by --move (it goes), or why_not is set.
  std::optional<Level> level(const Record& r, size_t depth, bool on_path, const std::string& where) {
    const std::vector<std::string> names = anonymous_names(r);
    const bool target = on_path && depth == at_.inside.size();
    if (on_path) reached_ = std::max(reached_, depth);
    const std::vector<Slot> orig = original_slots(r, names, find_);
    // The anonymous record the point is in, and the member it follows.
    int next_index = -1, after_index = -1;
    if (on_path && depth < at_.inside.size()) {
      next_index = pick(r, names, at_.inside[depth], depth < at_.anchors.size() ? &at_.anchors[depth] : nullptr);
      if (next_index < 0 && !why_not_.empty()) return std::nullopt;
    }
    if (target && at_.after) {
      const bool label = at_.anchors.size() > at_.inside.size();
      after_index = pick(r, names, *at_.after, label ? &at_.anchors.back() : nullptr);
      if (after_index < 0 && !why_not_.empty()) return std::nullopt;
    }
    Level out;
    out.rec = &r;
    auto insert = [&] {
      for (const NewField& f : plan_.fields) {
        Slot s;
        s.name = f.name;
        s.size = s.old_size = f.size;
        s.align = f.align;
        s.explicit_align = f.explicit_align;
        s.is_new = true;
        out.slots.push_back(s);
      }
      inserted_ = out.changed = true;
    };
    if (target && !at_.after) insert();
    for (size_t i = 0; i < r.members.size(); ++i) {
      Slot s = orig[i];
      if (!s.anon && !s.member->name.empty() && listed(plan_.removed, s.name)) {
        out.changed = true;
        continue;
      }
      if (s.anon) {
        const bool next = static_cast<int>(i) == next_index;
        if (next || holds_removed(*s.anon, plan_.removed)) {
          std::optional<Level> kid = level(*s.anon, depth + 1, next, where + names[i] + ".");
          if (!why_not_.empty()) return std::nullopt;
          if (!kid) {  // emptied: it goes, as in the seed patch
            out.changed = true;
            continue;
          }
          if (kid->changed) {
            s.size = kid->size;
            s.align = std::max<uint32_t>({1, kid->align, s.explicit_align});
            s.kid = static_cast<int>(out.kids.size());
            out.kids.push_back(std::move(*kid));
            out.changed = true;
          }
        }
      }
      out.slots.push_back(s);
      if (static_cast<int>(i) == after_index) insert();
    }
    if (!out.changed) return out;
    if (out.slots.empty() && depth > 0) return std::nullopt;
    // The changed layout is only worth what the unchanged one is: the same
    // rules must give the compiler's offsets at this level first.
    if (const std::string why = reproduce_level(r, orig); !why.empty()) {
      const std::string in = where.empty() ? "the struct" : where.substr(0, where.size() - 1);
      why_not_ = fmt::format("in {}: {}; fit cannot lay it out again", in, why);
      return std::nullopt;
    }
    const Laid l =
        r.is_union() ? lay_out_union(out.slots, r.alignment) : lay_out(out.slots, r.alignment, packed_record(r));
    out.size = l.size;
    out.align = l.align;
    return out;
  }

  // The member `label` names here: by name; an anonymous record by its
  // label if it holds one of `anchors`, else the first of its kind that
  // does (an anonymous record missing in this config renumbers the rest).
  int pick(const Record& r, const std::vector<std::string>& names, const std::string& label,
           const std::vector<std::string>* anchors) {
    const auto at = std::find(names.begin(), names.end(), label);
    const int by_label = at == names.end() ? -1 : static_cast<int>(at - names.begin());
    if (!anchors) return by_label;
    if (by_label >= 0)
      if (const Record* in = anonymous(r.members[static_cast<size_t>(by_label)]); !in || anchored(*in, *anchors))
        return by_label;
    const bool want_union = label.rfind("<anon union", 0) == 0;
    for (size_t i = 0; i < r.members.size(); ++i)
      if (const Record* in = anonymous(r.members[i]); in && in->is_union() == want_union && anchored(*in, *anchors))
        return static_cast<int>(i);
    if (by_label >= 0)
      why_not_ = fmt::format("no anonymous {} here holds any of the members of {} where the point was found ({})",
                             want_union ? "union" : "struct", label, fmt::join(*anchors, ", "));
    return -1;
  }

  bool inserted() const { return inserted_; }
  size_t reached() const { return reached_; }
  const std::string& why_not() const { return why_not_; }

 private:
  const ConfigPlan& plan_;
  const InsertionPoint& at_;
  const RecordLookup& find_;
  bool inserted_ = false;
  size_t reached_ = 0;  // the depth of `inside` found
  std::string why_not_;
};

// Hole bytes between members of the anonymous structs in `r`, at any depth
// (pahole's accounting, per struct), as the compiler laid them out.
uint64_t inner_holes(const Record& r) {
  uint64_t n = 0;
  for (const Member& m : r.members)
    if (const Record* in = anonymous(m)) n += (in->is_union() ? 0 : record_stats(*in, 64).sum_holes) + inner_holes(*in);
  return n;
}

// The same after the change: the levels laid out again, the others as they were.
uint64_t inner_holes(const Level& l) {
  uint64_t n = 0;
  for (const Slot& s : l.slots) {
    if (!s.anon) continue;
    if (s.kid < 0) {
      n += (s.anon->is_union() ? 0 : record_stats(*s.anon, 64).sum_holes) + inner_holes(*s.anon);
      continue;
    }
    const Level& k = l.kids[static_cast<size_t>(s.kid)];
    if (!k.rec->is_union()) n += record_stats(synthesize(*k.rec, k.slots, k.size), 64).sum_holes;
    n += inner_holes(k);
  }
  return n;
}

// What each level laid out again says, its members at absolute bit offsets.
struct Tally {
  uint32_t cl;
  const std::optional<std::string>& near;
  size_t shifted = 0;
  bool straddles = false;
  std::optional<uint64_t> first_new;  // bits
  std::optional<uint64_t> near_at;    // bits

  void walk(const Level& l, uint64_t old_base, uint64_t new_base) {
    for (const Slot& s : l.slots) {
      const uint64_t now = new_base + s.bits;
      if (near && !near_at && s.name == *near) near_at = now;
      if (s.is_new) {
        if (!first_new) first_new = now;
        straddles = straddles || crosses(now, s.size, s.bit_size, cl);
        continue;
      }
      const uint64_t was = old_base + *s.dwarf_bits;
      if (s.bits != *s.dwarf_bits) ++shifted;
      if (crosses(now, s.size, s.bit_size, cl) && !crosses(was, s.old_size, s.bit_size, cl)) straddles = true;
      if (s.kid >= 0) walk(l.kids[static_cast<size_t>(s.kid)], was, now);
      else if (s.anon && near && !near_at) near_at = find_near(*s.anon, now);
    }
  }

  // In an anonymous record that only moved: its members' own offsets.
  std::optional<uint64_t> find_near(const Record& r, uint64_t base) const {
    const std::vector<std::string> names = anonymous_names(r);
    for (size_t i = 0; i < r.members.size(); ++i) {
      const Member& m = r.members[i];
      if (names[i] == *near) return base + m.bit_offset;
      if (const Record* in = anonymous(m))
        if (auto at = find_near(*in, base + m.bit_offset)) return at;
    }
    return std::nullopt;
  }
};

void points_in(const Record& r, const ConfigPlan& plan, bool offer, InsertionPoint& here,
               std::vector<InsertionPoint>& out) {
  const std::vector<std::string> names = anonymous_names(r);
  if (offer) out.push_back({here.inside, std::nullopt, here.anchors});
  for (size_t i = 0; i < r.members.size(); ++i) {
    const Member& m = r.members[i];
    const Record* in = anonymous(m);
    if (in ? !survives(*in, plan.removed) : !m.name.empty() && listed(plan.removed, m.name)) continue;
    if (in) {
      here.inside.push_back(names[i]);
      here.anchors.push_back(named_leaves(*in));
      // A union's arms: none gets a point after it (the field would be an
      // arm of its own), but an anonymous struct arm has points inside.
      points_in(*in, plan, !in->is_union(), here, out);
      here.inside.pop_back();
      here.anchors.pop_back();
    }
    if (!offer) continue;
    InsertionPoint p{here.inside, names[i], here.anchors};
    if (in) p.anchors.push_back(named_leaves(*in));
    out.push_back(std::move(p));
  }
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
  return reproduce_level(r, original_slots(r, anonymous_names(r), find));
}

std::string InsertionPoint::inside_label() const {
  std::string s;
  for (const std::string& l : inside) s += (s.empty() ? "" : ".") + l;
  return s;
}

std::string InsertionPoint::label() const {
  const std::string in = inside_label();
  return (in.empty() ? "" : in + ".") + (after ? *after : "(start)");
}

namespace {

// Canonical labels of anonymous records over configs: a record keeps the
// label of the first config that has it (one of a kind holding a common
// member is the same record); one only later configs have gets its own
// label, or the next number of its kind there when that label is taken.
class Labels {
 public:
  std::string canonical(const std::string& parent, const std::string& label, const std::vector<std::string>& anchors) {
    const bool u = label.rfind("<anon union", 0) == 0;
    std::vector<Entry>& kin = kinds_[parent + (u ? "|union" : "|struct")];
    for (Entry& e : kin) {
      auto common = [&](const std::string& n) { return listed(e.anchors, n); };
      const bool same = e.anchors.empty() && anchors.empty() ? e.first_label == label
                                                             : std::any_of(anchors.begin(), anchors.end(), common);
      if (!same) continue;
      for (const std::string& n : anchors)
        if (!listed(e.anchors, n)) e.anchors.push_back(n);
      return e.label;
    }
    std::string mine = label;
    auto taken = [&] { return std::any_of(kin.begin(), kin.end(), [&](const Entry& e) { return e.label == mine; }); };
    for (size_t n = kin.size() + 1; taken(); ++n) mine = fmt::format("<anon {} #{}>", u ? "union" : "struct", n);
    kin.push_back({mine, label, anchors});
    return mine;
  }

  const std::vector<std::string>& anchors(const std::string& parent, const std::string& label) const {
    const bool u = label.rfind("<anon union", 0) == 0;
    const std::vector<Entry>& kin = kinds_.at(parent + (u ? "|union" : "|struct"));
    return std::find_if(kin.begin(), kin.end(), [&](const Entry& e) { return e.label == label; })->anchors;
  }

 private:
  struct Entry {
    std::string label, first_label;
    std::vector<std::string> anchors;
  };
  std::map<std::string, std::vector<Entry>> kinds_;
};

}  // namespace

std::vector<InsertionPoint> merge_points(const std::vector<std::vector<InsertionPoint>>& per_config) {
  Labels labels;
  std::vector<InsertionPoint> out;
  for (const std::vector<InsertionPoint>& points : per_config)
    for (const InsertionPoint& p : points) {
      InsertionPoint c;
      std::string parent;
      for (size_t d = 0; d < p.inside.size(); ++d) {
        c.inside.push_back(labels.canonical(parent, p.inside[d], p.anchors[d]));
        parent += "." + c.inside.back();
      }
      c.after = p.anchors.size() > p.inside.size() ? labels.canonical(parent, *p.after, p.anchors.back()) : p.after;
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(std::move(c));
    }
  // Every label carries the members any config found in its record.
  for (InsertionPoint& c : out) {
    std::string parent;
    for (const std::string& l : c.inside) {
      c.anchors.push_back(labels.anchors(parent, l));
      parent += "." + l;
    }
    if (c.after && c.after->rfind("<anon ", 0) == 0) c.anchors.push_back(labels.anchors(parent, *c.after));
  }
  return out;
}

std::vector<InsertionPoint> insertion_points(const ConfigPlan& plan) {
  std::vector<InsertionPoint> out;
  InsertionPoint here;
  points_in(*plan.record, plan, true, here, out);
  return out;
}

const Member* find_member(const Record& r, const std::string& name) {
  for (const Member& m : r.members) {
    if (!m.name.empty() && m.name == name) return &m;
    if (const Record* in = anonymous(m))
      if (const Member* found = find_member(*in, name)) return found;
  }
  return nullptr;
}

PointInConfig place(const ConfigPlan& plan, const InsertionPoint& at, uint32_t cl, const RecordLookup& find,
                    const std::optional<std::string>& near) {
  PointInConfig p;
  const Record& r = *plan.record;
  Relayout relayout(plan, at, find);
  const std::optional<Level> top = relayout.level(r, 0, true, "");
  if (!relayout.why_not().empty() || !relayout.inserted() || !top) {
    p.applicable = false;
    if (!relayout.why_not().empty()) {
      p.why_not = relayout.why_not();
    } else if (relayout.reached() < at.inside.size()) {
      const auto end = at.inside.begin() + static_cast<std::ptrdiff_t>(relayout.reached()) + 1;
      InsertionPoint missing{{at.inside.begin(), end}, {}, {}};
      p.why_not = missing.inside_label() + " is not in this config";
    } else {
      p.why_not = "member " + (at.inside.empty() ? "" : at.inside_label() + ".") + at.after.value_or("") +
                  " is not in this config";
    }
    return p;
  }
  const RecordStats was = record_stats(r, cl);
  const RecordStats now = record_stats(synthesize(r, top->slots, top->size), cl);
  p.old_size = r.byte_size;
  p.size = top->size;
  p.delta = static_cast<int64_t>(top->size) - static_cast<int64_t>(r.byte_size);
  p.old_tail_padding = was.padding;
  p.tail_padding = now.padding;
  p.old_holes = was.sum_holes;
  p.holes = now.sum_holes;
  p.old_inner_holes = inner_holes(r);
  p.inner_holes = inner_holes(*top);
  Tally t{cl, near, 0, false, std::nullopt, std::nullopt};
  t.walk(*top, 0, 0);
  p.shifted = t.shifted;
  p.straddles = t.straddles;
  if (t.first_new) {
    p.field_offset = *t.first_new / 8;
    p.field_cacheline = static_cast<uint32_t>(p.field_offset / cl);
    if (t.near_at) {
      const uint32_t c = static_cast<uint32_t>(*t.near_at / 8 / cl);
      p.near_distance = c > p.field_cacheline ? c - p.field_cacheline : p.field_cacheline - c;
    }
  }
  return p;
}

}  // namespace padguard
