// `padguard fit`: where new or moved fields go for free. The struct is laid
// out again by C's rules (each member at the next offset its alignment
// allows, bitfields packed into units of their declared type as the SysV
// and AAPCS ABIs do, the size rounded up to the largest alignment), first
// as it is — the result must equal what the compiler laid out, member for
// member, or the config is refused — then with the fields inserted at every
// top-level position.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "padguard/model.hpp"

namespace padguard {

// A field to place, as one config lays it out.
struct NewField {
  std::string name;
  uint64_t size = 0;
  uint32_t align = 1;
};

// The alignment a record type has where it is a member: its own attribute
// and its members', recursively. Looks named records up by name.
using RecordLookup = std::function<const Record*(const std::string& name)>;
uint32_t record_alignment(const Record& r, const RecordLookup& find);

// The member's alignment in its struct (DW_AT_alignment, the type's natural
// alignment, a struct type's own and its members' forced alignments).
uint32_t member_alignment(const Member& m, const RecordLookup& find);

// One insertion point in one config.
struct PointInConfig {
  bool applicable = true;
  std::string why_not;  // e.g. "member foo is not in this config"
  uint64_t old_size = 0, size = 0;
  int64_t delta = 0;
  uint64_t old_tail_padding = 0, tail_padding = 0;
  uint64_t old_holes = 0, holes = 0;  // hole bytes between members
  size_t shifted = 0;                 // members whose offset changed
  uint64_t field_offset = 0;          // of the first new field
  uint32_t field_cacheline = 0;
  bool straddles = false;  // a new field, or a member that did not before, now crosses a cacheline boundary
  std::optional<uint32_t> near_distance;  // cachelines between the first field and --near MEMBER
  bool free() const { return applicable && delta <= 0 && tail_padding >= old_tail_padding; }
};

// The layout a config allows: why not, when its struct cannot be
// reproduced by these rules (then no point applies there).
struct ConfigPlan {
  std::string label;
  const Record* record = nullptr;
  std::vector<NewField> fields;      // as this config sizes them
  std::vector<std::string> removed;  // top-level members --move takes out (an emptied anonymous union too)
  std::string refused;               // non-empty: the config cannot be predicted, and why
};

// Lays `plan.record` out after removing `removed` and inserting the fields
// after top-level member `after` (nullopt: at the start).
PointInConfig place(const ConfigPlan& plan, const std::optional<std::string>& after, uint32_t cacheline_size,
                    const RecordLookup& find, const std::optional<std::string>& near);

// "" when re-laying `r` out as it is gives the compiler's offsets and size;
// otherwise the first member that differs, for the refusal.
std::string reproduces(const Record& r, const RecordLookup& find);

}  // namespace padguard
