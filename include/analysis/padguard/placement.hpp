// `padguard fit`: where new or moved fields go for free. The struct is laid
// out again by C's rules (each member at the next offset its alignment
// allows, bitfields packed into units of their declared type as the SysV
// and AAPCS ABIs do, the size rounded up to the largest alignment), first
// as it is — the result must equal what the compiler laid out, member for
// member, or the config is refused — then with the fields inserted at every
// insertion point: the start and after each member of the struct and of
// every anonymous struct in it (also one that is an arm of an anonymous
// union, at any depth); never directly in a union, where a field would be
// a new arm, not something after a member. Each anonymous record on the
// way is laid out again (its size, alignment and padding, a union's size
// over its arms), then the struct.
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
  // A member's own aligned attribute (DW_AT_alignment; --move keeps it):
  // the one alignment a packed struct keeps. A type's alignment, forced or
  // not, does not hold there: a new field in a packed struct is packed.
  uint32_t explicit_align = 0;
};

// The alignment a record type has where it is a member: its own attribute
// and its members', recursively. Looks named records up by name.
using RecordLookup = std::function<const Record*(const std::string& name)>;
uint32_t record_alignment(const Record& r, const RecordLookup& find);

// The member's alignment in its struct (DW_AT_alignment, the type's natural
// alignment, a struct type's own and its members' forced alignments).
uint32_t member_alignment(const Member& m, const RecordLookup& find);

// Where the fields go: after member `after` of the record that `inside`
// names (nullopt: at its start). `inside` is the path of anonymous records
// from the struct, each by its label in its parent ("<anon union #1>",
// "<anon struct #2>": counted per kind, in member order); empty: the struct
// itself. Labels of anonymous records (in `inside`, or `after` naming one)
// carry the named members found in them (`anchors`, one list per label,
// the last for `after` when it is a label). In a config a label means the
// anonymous record of that kind which holds one of them, whatever its
// number there (an anonymous record under #ifdef renumbers the ones after
// it); where none does, the point does not apply there, rather than being
// guessed onto a different record.
struct InsertionPoint {
  std::vector<std::string> inside;
  std::optional<std::string> after;
  std::vector<std::vector<std::string>> anchors;
  bool operator==(const InsertionPoint& o) const { return inside == o.inside && after == o.after; }
  // "x", "(start)", "<anon union #1>.<anon struct #1>.x", "<anon struct #1>.(start)".
  std::string label() const;
  std::string inside_label() const;  // "" at the top level
};

// One insertion point in one config.
struct PointInConfig {
  bool applicable = true;
  std::string why_not;  // e.g. "member foo is not in this config"
  uint64_t old_size = 0, size = 0;
  int64_t delta = 0;
  uint64_t old_tail_padding = 0, tail_padding = 0;
  uint64_t old_holes = 0, holes = 0;  // hole bytes between the struct's own members (pahole's sum holes)
  uint64_t old_inner_holes = 0, inner_holes = 0;  // hole bytes between members of its anonymous structs
  size_t shifted = 0;  // members whose offset in their record changed (a record that moves counts once)
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
  // Named members --move takes out, at the top level or in anonymous
  // records at any depth; an anonymous record they leave empty goes too.
  std::vector<std::string> removed;
  std::string refused;               // non-empty: the config cannot be predicted, and why
};

// The insertion points of `plan.record` with `removed` taken out, in
// member order, depth first (an anonymous struct's points after the point
// before it and before the point after it).
std::vector<InsertionPoint> insertion_points(const ConfigPlan& plan);

// The points of every config, each once, in the first config's order, then
// the points only later configs have. An anonymous record's label is the
// one of the first config that has it: in another config an anonymous
// record of the same kind holding one of its members is the same record,
// whatever its number there; one that only later configs have gets the
// next free number of its kind. `anchors` then list the members of the
// record found in any config.
std::vector<InsertionPoint> merge_points(const std::vector<std::vector<InsertionPoint>>& per_config);

// Lays `plan.record` out after removing `removed` and inserting the fields
// at `at`. Not applicable (with the reason) when the member or anonymous
// record `at` names is not in this config, or when an anonymous record the
// change reaches is not laid out by these rules as the compiler did.
PointInConfig place(const ConfigPlan& plan, const InsertionPoint& at, uint32_t cacheline_size,
                    const RecordLookup& find, const std::optional<std::string>& near);

// Where `name` sits: a top-level member or one of an anonymous record at
// any depth (what --move may take out); null when none.
const Member* find_member(const Record& r, const std::string& name);

// "" when re-laying `r` out as it is gives the compiler's offsets and size;
// otherwise the first member that differs, for the refusal.
std::string reproduces(const Record& r, const RecordLookup& find);

}  // namespace padguard
