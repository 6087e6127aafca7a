// Pure layout analysis of one record: holes, bit holes, padding, sums and
// pahole's inferred __packed__. No I/O. Follows pahole 1.24's accounting
// (class__find_holes) so that printed figures match it; see docs/pahole-notes.md.
#pragma once

#include <cstdint>
#include <vector>

#include "padguard/model.hpp"

namespace padguard {

struct MemberLayout {
  uint64_t byte_offset = 0;      // pahole's: a bitfield's storage unit start
  uint32_t bitfield_offset = 0;  // bits from byte_offset (bitfields only)
  uint64_t hole = 0;             // bytes after this member before the next
  uint32_t bit_hole = 0;         // bits after this member before the next
  // Member::size_unknown (a declaration-only type, reduced debug info): its
  // end is unknown, so no hole after it is claimed (hole 0); the bytes up
  // to the next member, or the record's end, are `unknown_span`.
  bool size_unknown = false;
  uint64_t unknown_span = 0;
};

struct Layout {
  std::vector<MemberLayout> members;  // parallel to Record::members
  uint64_t pre_hole = 0;
  uint32_t pre_bit_hole = 0;
  uint64_t padding = 0;       // tail padding in bytes
  uint32_t bit_padding = 0;   // unused bits at the end of a trailing bitfield run
  uint32_t nr_holes = 0;
  uint32_t nr_bit_holes = 0;
  uint64_t sum_holes = 0;
  uint64_t sum_bit_holes = 0;
  uint64_t sum_member_bytes = 0;  // non-bitfield members
  uint64_t sum_bitfield_bits = 0;
  uint64_t end_bit = 0;           // where the last member ends (bits)
  uint32_t nr_unknown_sizes = 0;  // members of unknown size (not in sum_member_bytes)
  // The last member's size is unknown: so is the tail padding (padding 0).
  bool padding_unknown = false;
};

// Where pahole places one member (no cursor needed): a bitfield at the start
// of its storage unit (bit_offset / unit bits * unit size) and its bits from
// there; any other member at its byte. compute_layout's members are these.
MemberLayout place_member(const Member& m);

// Holes are computed for structs and classes; a union has none. Next to a
// member of unknown size nothing is claimed: pahole counts its 0 bytes and
// reports the rest as a hole (docs/REDUCED-DEBUG-INFO.md).
Layout compute_layout(const Record& r);

// pahole's natural alignment of a record: max over its members, at least 1.
uint32_t natural_alignment(const Record& r);

// pahole's __packed__ inference (class__infer_packed_attributes).
bool infer_packed(const Record& r, const Layout& l);

// Members of `r` whose inline struct type sits at an offset that breaks its
// natural alignment, which pahole then prints as __packed__. With
// `expand_types` (pahole -E, where named structs print inline too) the
// struct is found as pahole finds it, behind typedefs and qualifiers (not
// arrays), named or not; it needs the named definitions (Type::record).
std::vector<bool> members_forced_packed(const Record& r, const Layout& l, bool expand_types = false);

}  // namespace padguard
