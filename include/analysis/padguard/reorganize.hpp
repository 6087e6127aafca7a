// pahole 1.24's struct reorganisation (`pahole -P` / `-R`): the greedy
// procedure of dwarves_reorganize.c's class__reorganize as Debian builds it
// (the bitfield algorithms compiled out, so bitfields never move). It moves
// members into holes, moves the last member into a hole to cut the tail
// padding, and re-derives the tail padding from the largest "aligned size";
// every step uses pahole's own integer widths (16-bit holes and offsets,
// 8-bit hole counters), so the sizes it reaches are pahole's, not the
// compiler's. Pure: no I/O. See docs/pahole-notes.md §13.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "padguard/layout.hpp"
#include "padguard/model.hpp"

namespace padguard {

// One member of the reorganised struct, in its new order.
struct ReorgMember {
  size_t index = 0;         // into the original Record::members
  uint64_t byte_offset = 0;  // pahole's (a bitfield's storage unit start)
  uint64_t bit_offset = 0;   // from the start of the struct
  uint32_t bitfield_offset = 0;
  uint64_t hole = 0;      // pahole's state after the last step (a 16-bit field)
  uint32_t bit_hole = 0;  // (8-bit)
};

struct Reorganization {
  std::vector<ReorgMember> members;
  uint64_t original_size = 0;
  uint64_t byte_size = 0;  // the size pahole reaches (may exceed the original)
  // pahole's hole accounting as it stands after the last step.
  uint64_t padding = 0;
  uint32_t bit_padding = 0;
  uint64_t pre_hole = 0;
  uint32_t pre_bit_hole = 0;
  uint32_t nr_holes = 0;  // pahole's 8-bit counters: 256 holes count as 0
  uint32_t nr_bit_holes = 0;
  uint64_t savings() const { return original_size - byte_size; }
};

// pahole's reorganisation of `r` (a struct with members; a union or an
// empty struct comes back unchanged).
Reorganization reorganize(const Record& r);

// What `pahole -P` lists: a struct with holes or bit holes (as pahole counts
// them) whose reorganisation is smaller; nullopt otherwise.
std::optional<Reorganization> packable(const Record& r);

// `r` with its members in the reorganised order and the new size: the
// record `pahole -R` prints, with reorganized_layout as its accounting.
Record reorganized_record(const Record& r, const Reorganization& g);

// pahole's hole accounting of its reorganised clone, parallel to
// reorganized_record's members. Not always what compute_layout would say of
// that record: pahole keeps a moved member's offset in 16 bits (a struct
// over 64 KiB gets offsets no compiler could produce), shifts bitfields off
// their storage units, and truncates negative holes into its 16-bit field.
Layout reorganized_layout(const Record& r, const Reorganization& g);

// Whether pahole's footer sums of the clone add up to its size. When they do
// not, pahole prints a "BRAIN FART ALERT!" line, which padguard's printer
// does not reproduce (never seen in a vmlinux).
bool reorganized_sums_agree(const Record& r, const Reorganization& g);

}  // namespace padguard
