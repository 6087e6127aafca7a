// How a record fits: its flat view (leaves at absolute offsets, anonymous
// records transparent as in C), holes with their offsets, and the summary
// figures diff and check compare. Pure.
#include <fmt/format.h>

#include <algorithm>

#include "padguard/diff.hpp"
#include "padguard/error.hpp"
#include "padguard/layout.hpp"

namespace padguard {

namespace {

class Flattener {
 public:
  explicit Flattener(FlatRecord& out) : out_(out) {}

  void walk(const Record& r, uint64_t base_bits, const std::string& key_prefix,
            const std::string& path_prefix) {
    unsigned anon = 0;
    for (const Member& m : r.members) {
      const uint64_t abs = base_bits + m.bit_offset;
      if (const Record* ir = m.embedded_record()) {
        container(m, *ir, abs, key_prefix, path_prefix, anon);
        continue;
      }
      FlatMember f;
      const std::string name = m.name.empty() ? fmt::format("<anon #{}>", ++anon) : m.name;
      f.key = key_prefix + name;
      f.path = path_prefix + name;
      f.type = m.type;
      f.bit_offset = abs;
      f.bit_size = m.bit_size;
      f.byte_size = m.byte_size;
      if (m.is_bitfield()) {
        f.unit_offset = base_bits / 8 + place_member(m).byte_offset;
        f.unit_size = m.unit_size;
      }
      f.alignment = m.alignment;
      f.unions = unions_;
      f.decl = m.decl;
      f.size_unknown = !m.is_bitfield() && m.size_unknown();
      out_.members.push_back(std::move(f));
    }
  }

 private:
  void container(const Member& m, const Record& ir, uint64_t abs, const std::string& key_prefix,
                 const std::string& path_prefix, unsigned& anon) {
    const std::string label =
        m.name.empty() ? fmt::format("<anon {} #{}>", kind_keyword(ir.kind), ++anon) : m.name;
    const std::string path = path_prefix + label;
    const size_t first_leaf = out_.members.size();
    const size_t slot = out_.containers.size();
    out_.containers.push_back({path, ir.kind, abs / 8, m.byte_size, {}, m.alignment});
    if (ir.is_union()) unions_.push_back(path);
    walk(ir, abs, m.name.empty() ? key_prefix : key_prefix + m.name + ".", path + ".");
    if (ir.is_union()) unions_.pop_back();
    std::vector<std::string> keys;
    for (size_t i = first_leaf; i < out_.members.size(); ++i) keys.push_back(out_.members[i].key);
    std::sort(keys.begin(), keys.end());
    out_.containers[slot].keys = std::move(keys);
  }

  FlatRecord& out_;
  std::vector<std::string> unions_;
};

// Byte holes of one record level, then of its inline structs; with
// `spans`, where its members of unknown size lie instead.
void holes_into(const Record& r, uint64_t base, const std::string& in, std::vector<Hole>& out, bool spans = false) {
  const Layout l = compute_layout(r);
  if (spans) {
    for (const MemberLayout& ml : l.members)
      if (ml.size_unknown) out.push_back({base + ml.byte_offset, ml.unknown_span, in});
  } else if (!r.is_union() && !r.members.empty()) {
    if (l.pre_hole) out.push_back({base + l.members[0].byte_offset - l.pre_hole, l.pre_hole, in});
    for (size_t i = 0; i + 1 < r.members.size(); ++i) {
      const uint64_t h = l.members[i].hole;
      if (h) out.push_back({base + l.members[i + 1].byte_offset - h, h, in});
    }
  }
  unsigned anon = 0;
  for (const Member& m : r.members) {
    const Record* embedded = m.embedded_record();
    if (!embedded) {
      if (m.name.empty()) ++anon;
      continue;
    }
    const Record& ir = *embedded;
    const std::string label =
        m.name.empty() ? fmt::format("<anon {} #{}>", kind_keyword(ir.kind), ++anon) : m.name;
    holes_into(ir, base + m.bit_offset / 8, in.empty() ? label : in + "." + label, out, spans);
  }
}

}  // namespace

FlatRecord flatten(const Record& r) {
  FlatRecord f;
  Flattener(f).walk(r, 0, "", "");
  return f;
}

namespace {

uint32_t count_unknown(const Record& r, int depth) {
  uint32_t n = 0;
  for (const Member& m : r.members) {
    if (const Record* ir = m.embedded_record(); ir && depth < 512)
      n += count_unknown(*ir, depth + 1);
    else
      n += !m.is_bitfield() && m.size_unknown();
  }
  return n;
}

}  // namespace

uint32_t count_unknown_sizes(const Record& r) { return count_unknown(r, 0); }

std::vector<UnknownSize> unknown_sizes(const FlatRecord& f) {
  std::vector<UnknownSize> out;
  for (const FlatMember& m : f.members)
    if (m.size_unknown)
      if (const Type* t = declaration_held(*m.type)) out.push_back({m.key, t->record_kind, t->name});
  return out;
}

std::vector<UnknownSize> unknown_sizes(const Record& r) {
  if (count_unknown_sizes(r) == 0) return {};  // the common case, without flattening
  return unknown_sizes(flatten(r));
}

std::vector<std::vector<std::string>> byte_sharing(const FlatRecord& f) {
  const auto& ms = f.members;
  std::vector<size_t> order(ms.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ms[a].begin_byte() < ms[b].begin_byte(); });
  std::vector<std::vector<std::string>> shares(ms.size());
  // Real records share bytes between a handful of union members; nested
  // unions built to explode (fuzzing: 12 levels, 4096 overlapping members)
  // would take minutes and gigabytes. Refuse them instead of stalling a gate.
  constexpr uint64_t kMaxPairs = uint64_t{1} << 22;
  // Sweep by start byte: only members starting before this one ends can
  // overlap. Counted first, without a string, so a bomb is refused in
  // milliseconds rather than after millions of copied keys.
  auto sweep = [&](auto&& pair) {
    for (size_t x = 0; x < order.size(); ++x) {
      const FlatMember& a = ms[order[x]];
      for (size_t y = x + 1; y < order.size(); ++y) {
        const FlatMember& b = ms[order[y]];
        if (b.begin_byte() >= a.end_byte()) break;
        if (!pair(x, y)) return;
      }
    }
  };
  uint64_t pairs = 0;
  sweep([&](size_t, size_t) { return ++pairs <= kMaxPairs; });
  if (pairs > kMaxPairs)
    throw InputError("", fmt::format("a record has more than {} pairs of members sharing bytes "
                                     "(nested unions); the input is implausible, rebuild it", kMaxPairs));
  sweep([&](size_t x, size_t y) {
    const FlatMember& a = ms[order[x]];
    const FlatMember& b = ms[order[y]];
    if (a.end_byte() != a.begin_byte() && b.end_byte() != b.begin_byte()) {
      shares[order[x]].push_back(b.key);
      shares[order[y]].push_back(a.key);
    }
    return true;
  });
  for (auto& s : shares) std::sort(s.begin(), s.end());
  return shares;
}

std::vector<Hole> find_holes(const Record& r) {
  std::vector<Hole> out;
  holes_into(r, 0, "", out);
  std::stable_sort(out.begin(), out.end(), [](const Hole& a, const Hole& b) { return a.offset < b.offset; });
  return out;
}

std::vector<Hole> unknown_spans(const Record& r) {
  std::vector<Hole> out;
  holes_into(r, 0, "", out, true);
  std::stable_sort(out.begin(), out.end(), [](const Hole& a, const Hole& b) { return a.offset < b.offset; });
  return out;
}

RecordStats record_stats(const Record& r, uint32_t cacheline_size) {
  const Layout l = compute_layout(r);
  RecordStats s;
  s.unknown_sizes = count_unknown_sizes(r);
  s.size = r.byte_size;
  s.alignment = r.alignment ? r.alignment : natural_alignment(r);
  s.cachelines = cacheline_size ? (r.byte_size + cacheline_size - 1) / cacheline_size : 0;
  s.nr_holes = l.nr_holes;
  s.sum_holes = l.sum_holes;
  s.nr_bit_holes = l.nr_bit_holes;
  s.sum_bit_holes = l.sum_bit_holes;
  if (r.is_union()) {
    uint64_t end = 0;
    for (const Member& m : r.members) end = std::max(end, m.bit_offset / 8 + m.byte_size);
    s.end_byte = end;
    s.padding = r.byte_size > end ? r.byte_size - end : 0;
  } else {
    s.end_byte = (l.end_bit + 7) / 8;
    s.padding = l.padding;
  }
  return s;
}

uint64_t slack_loss(const RecordStats& old_s, const RecordStats& new_s) {
  if (old_s.unknown_sizes || new_s.unknown_sizes) return 0;
  if (old_s.size != new_s.size || new_s.padding >= old_s.padding) return 0;
  return old_s.padding - new_s.padding;
}

}  // namespace padguard
