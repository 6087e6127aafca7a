// Pure comparison of record layouts between two builds: a flat view of a
// record (leaf members at absolute offsets, anonymous records transparent),
// summary figures (fit.cpp), and the per-struct diff (diff.cpp). No I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "padguard/groups.hpp"
#include "padguard/model.hpp"

namespace padguard {

struct LayoutMap;  // layout_map.hpp

// ---- flat view (fit.cpp) ------------------------------------------------

// A leaf member with its absolute position. Inline (anonymous or unnamed-type)
// records are flattened: their members become leaves with a path.
struct FlatMember {
  // C access path: anonymous records are transparent, as in C
  // ("rcu_users", "u.bar"); what members are matched by across builds.
  std::string key;
  // Display path naming the enclosing inline records
  // ("<anon union #1>.rcu_users").
  std::string path;
  TypeRef type = void_type();  // the member's type (report/ spells it)
  uint64_t bit_offset = 0;  // absolute, from the start of the top-level record
  uint32_t bit_size = 0;    // bitfield width, 0 when not a bitfield
  uint64_t byte_size = 0;   // sizeof the member's type
  // Bitfields: pahole's storage unit (layout.hpp place_member), its first
  // byte (absolute) and size (sizeof the declared type); 0 otherwise.
  uint64_t unit_offset = 0;
  uint64_t unit_size = 0;
  uint32_t alignment = 0;   // DW_AT_alignment of the member (a forced alignment); 0 when absent
  // Display paths of the enclosing inline unions, outermost first.
  std::vector<std::string> unions;
  SourceLoc decl;
  // Its type is declaration-only (Member::size_unknown): byte_size 0 is no
  // fact, and its end is unknown (end_byte() is its start).
  bool size_unknown = false;

  bool is_bitfield() const { return bit_size != 0; }
  uint64_t begin_byte() const { return bit_offset / 8; }
  // One past the last byte the member touches.
  uint64_t end_byte() const {
    return is_bitfield() ? (bit_offset + bit_size + 7) / 8 : bit_offset / 8 + byte_size;
  }
};

// An inline record (anonymous struct/union or a struct {...} member).
struct FlatContainer {
  std::string path;  // display path, e.g. "<anon union #1>"
  RecordKind kind = RecordKind::Struct;
  uint64_t offset = 0;  // bytes, absolute
  uint64_t size = 0;
  std::vector<std::string> keys;  // keys of its leaves, sorted
  uint32_t alignment = 0;  // DW_AT_alignment of the member holding it; 0 when absent
};

struct FlatRecord {
  std::vector<FlatMember> members;  // in DWARF (depth-first) order
  std::vector<FlatContainer> containers;
};

FlatRecord flatten(const Record& r);

// A leaf member of unknown size (reduced debug info: its type is only a
// declaration), and that type.
struct UnknownSize {
  std::string key;  // FlatMember::key
  RecordKind kind = RecordKind::Struct;
  std::string type;  // the declaration-only record's name
  bool operator==(const UnknownSize&) const = default;
};

// Every member of `r` (inline records included) of unknown size, in order;
// how many there are, without flattening.
std::vector<UnknownSize> unknown_sizes(const Record& r);
std::vector<UnknownSize> unknown_sizes(const FlatRecord& f);
uint32_t count_unknown_sizes(const Record& r);

// For each member of `f`, the keys of the other members it shares a byte with.
std::vector<std::vector<std::string>> byte_sharing(const FlatRecord& f);

// A byte hole (pahole's accounting), at its absolute offset.
struct Hole {
  uint64_t offset = 0;
  uint64_t size = 0;
  std::string in;  // display path of the inline record holding it; "" top level
  bool operator==(const Hole&) const = default;
};

// Holes of the record and of its inline structs, sorted by offset.
std::vector<Hole> find_holes(const Record& r);

// Where members of unknown size lie, each from its start to the next
// member (or the end of its record): bytes no hole is claimed in. Sorted.
std::vector<Hole> unknown_spans(const Record& r);

// The figures a layout review starts from (pahole's summary, plus alignment).
struct RecordStats {
  uint64_t size = 0;
  uint32_t alignment = 1;   // effective: DW_AT_alignment, else natural
  uint64_t cachelines = 0;  // ceil(size / cacheline)
  uint32_t nr_holes = 0;    // top level, as pahole counts them
  uint64_t sum_holes = 0;
  uint32_t nr_bit_holes = 0;
  uint64_t sum_bit_holes = 0;
  uint64_t padding = 0;     // tail padding, bytes
  uint64_t end_byte = 0;    // where the last member ends
  // Members of unknown size (declaration-only types), inline records
  // included: holes, padding, end and alignment then hold only what is
  // known (nothing next to those members), and slack_loss() claims none.
  uint32_t unknown_sizes = 0;
  bool operator==(const RecordStats&) const = default;
};

RecordStats record_stats(const Record& r, uint32_t cacheline_size);

// Tail padding consumed while sizeof stayed the same: growth hidden by the
// alignment round-up. Filling holes is not slack loss. 0 when sizes differ
// or a side has members of unknown size.
uint64_t slack_loss(const RecordStats& old_s, const RecordStats& new_s);

// ---- diff (diff.cpp) --------------------------------------------------------

enum class Change {
  Added,
  Removed,
  Moved,          // relative order among the other members changed
  Shifted,        // offset changed with its neighbours (something before it changed)
  Resized,
  Retyped,
  Bitfield,       // bit width or bit position changed
  LeftUnion,      // was inside an inline union, is not any more
  EnteredUnion,
  SharingChanged, // the set of members it shares bytes with changed
  Straddles,      // now crosses a cacheline boundary
  Unstraddles,
};

const char* change_name(Change c);

struct MemberDiff {
  std::string key;
  std::optional<FlatMember> old_m, new_m;
  std::vector<Change> changes;  // in enum order
  std::vector<std::string> old_shares, new_shares;  // keys sharing bytes

  bool has(Change c) const;
  const FlatMember& current() const { return new_m ? *new_m : *old_m; }
};

// An inline (anonymous) record present on both sides whose size or members
// changed: matched by its members (most shared keys, then nearest offset),
// not reported as one removed and another added.
struct ContainerChange {
  FlatContainer old_c, new_c;
  std::vector<std::string> keys_entered, keys_left;  // sorted
};

// A member that changed size only because its type (through typedefs,
// qualifiers and arrays) is a named record that itself changed in this diff.
struct EmbeddedChange {
  std::string member;  // the member's key
  std::string type;    // the embedded record's name (a RecordDiff of the result)
  RecordKind kind = RecordKind::Struct;
  int64_t delta = 0;   // that record's size delta
};

// Member changes the user (or a default) declared harmless (suppress.cpp):
// names matching an ignore pattern; members added into the bytes of a
// reserved member (pad*, reserved*, ...) with sizeof unchanged; members
// entering or leaving a struct_group() union (an anonymous union of an
// anonymous struct and a struct with the same members), which changes no
// storage. A real union exit is never one.
struct Suppressions {
  std::vector<std::string> ignore_members;  // shell patterns on "key" or "STRUCT.key"
  std::vector<std::string> reserved{"pad*", "__pad*", "reserved*", "__reserved*", "rsvd*", "__rsvd*", "__unused*",
                                    "unused*", "kabi_reserved*", "__kabi_reserved*"};  // on the last path component
  bool struct_group = true;
};

enum class SuppressReason { Ignored, Reserved, StructGroup };
const char* suppress_reason_name(SuppressReason r);  // "ignored", "reserved", "struct_group"

// One suppression that fired: which member (or inline record, by path) and
// what it hid, so the report can list it.
struct SuppressedChange {
  std::string key;
  SuppressReason reason = SuppressReason::Ignored;
  std::string pattern;           // Ignored/Reserved: the pattern that matched; StructGroup: the union's path
  std::vector<Change> changes;   // what was hidden (empty for an inline record)
};

// Ambiguous: the name has several layouts on a side that padguard cannot
// pair (analysis/pairing.hpp); old_choices/new_choices list them.
// Suppressed: changed, but every change was suppressed and the figures held.
enum class RecordStatus { Unchanged, Changed, Added, Removed, Missing, Ambiguous, Suppressed };

const char* status_name(RecordStatus s);

struct RecordDiff {
  std::string name;  // the subject: the name, or NAME@FILE / NAME#K (pairing.hpp)
  RecordKind kind = RecordKind::Struct;
  RecordStatus status = RecordStatus::Unchanged;
  std::optional<RecordStats> old_stats, new_stats;
  SourceLoc decl;
  std::vector<MemberDiff> members;  // by new offset, removed ones by old offset
  std::vector<Hole> holes_filled, holes_opened;
  std::vector<FlatContainer> containers_removed, containers_added;
  std::vector<ContainerChange> containers_changed;
  std::vector<std::string> now_straddling;  // keys, for the summary
  std::vector<std::string> old_choices, new_choices;  // Ambiguous: the subjects to pick from
  std::vector<SuppressedChange> suppressed;  // every suppression that fired, in member order
  // Root causes (root_causes.cpp), Changed records only: the members whose
  // change an embedded record's change explains; `derived` when nothing
  // else changed (the record changed only because of those); the records
  // with changes of their own that reach this one through embedding,
  // transitively, sorted.
  std::vector<EmbeddedChange> because;
  bool derived = false;
  // Cacheline groups (groups.hpp) that changed: size, offsets, members.
  std::vector<GroupChange> groups;
  std::vector<std::string> root_causes;
  // DiffOptions::maps: what a picture of each side draws (null for a side
  // without the record, and always without the option).
  std::shared_ptr<const LayoutMap> old_map, new_map;
  // Members of unknown size (declaration-only types, reduced debug info) on
  // each side: their sizes, holes and tail padding next to them and the
  // figures that depend on them (holes, padding, alignment) are not compared,
  // so no change is claimed from them, and none is ruled out.
  std::vector<UnknownSize> old_unknown, new_unknown;

  int64_t size_delta() const;
  // Both sides compared, one with members of unknown size.
  bool incomplete() const;
};

// A record with changes of its own that reach other records by embedding.
struct RootCause {
  std::string name;
  RecordKind kind = RecordKind::Struct;
  int64_t delta = 0;
  std::vector<std::string> affected;  // every record it reaches, transitively, sorted
};

struct DiffOptions {
  uint32_t cacheline_size = 64;
  // A side read from BTF (RecordSet::states_alignment false): BTF keeps no
  // alignment attributes and pahole's encoder flattens T[a][b] to T[a*b], so
  // alignment is not compared and arrays compare by element and count. BTF
  // also holds types DWARF keeps local to functions or that the BTF tooling
  // generates: a record only on a BTF side is listed, not counted a change.
  bool old_is_btf = false;
  bool new_is_btf = false;
  Suppressions suppress;
  // Keep each compared record's layout map (layout_map.hpp) in its
  // RecordDiff, for the formats that draw them (report/ FormatInfo::maps).
  bool maps = false;
};

struct DiffResult {
  std::string old_source, new_source;
  uint32_t cacheline_size = 64;
  std::vector<RecordDiff> records;
  // Most affected first, then by name; only those reaching another record.
  std::vector<RootCause> root_causes;
  bool explicit_names = false;  // records were requested by name
  // Changed/added/removed records --only left out (diff_select.hpp), and
  // the selection in words for the report ("--only grown"); 0 and "" unless.
  size_t hidden = 0;
  std::string selection;
  bool old_is_btf = false, new_is_btf = false;  // DiffOptions'
  bool changed() const;  // any record not Unchanged (except one only on a BTF side against DWARF)
  bool ambiguous() const;  // any record Ambiguous: the diff could not tell what changed
  size_t incomplete() const;  // records compared without some member sizes (RecordDiff::incomplete)
  // A record only on a BTF side, the other being DWARF (see DiffOptions).
  bool only_in_btf(const RecordDiff& d) const;
  std::vector<std::string> missing() const;  // requested names absent on a side (explicit_names only)
};

// Moves the member changes `s` declares harmless from d.members (and the
// inline records they imply from d.containers_*) to d.suppressed
// (suppress.cpp); diff_records calls it with DiffOptions::suppress.
void apply_suppressions(RecordDiff& d, const FlatRecord& fo, const FlatRecord& fn, const Suppressions& s);

// Fills RecordDiff::because/derived/root_causes and DiffResult::root_causes
// from the records' member changes (root_causes.cpp); diff_sets calls it.
void attribute_root_causes(DiffResult& res);

RecordDiff diff_records(const Record& old_r, const Record& new_r, const DiffOptions& o = {});

// `names` empty: every name in either set, sorted, a name with several
// layouts paired by pairing.hpp's rules. Otherwise those subjects (a name,
// NAME@FILE, NAME#K), in that order; one absent from a side is
// Added/Removed, from both Missing, one naming several layouts Ambiguous.
DiffResult diff_sets(const RecordSet& old_s, const RecordSet& new_s,
                     const std::vector<std::string>& names, const DiffOptions& o = {});

}  // namespace padguard
