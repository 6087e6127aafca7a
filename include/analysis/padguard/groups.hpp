// Cacheline groups: the kernel's __cacheline_group_begin(G) /
// __cacheline_group_end(G) markers (include/linux/cache.h, Linux 6.8+),
// zero-length `__u8 __cacheline_group_begin__G[0]` members, and the
// `struct { } __cacheline_group_pad__G` that __cacheline_group_end_aligned()
// adds. A group's size is the kernel macro's own arithmetic
// (CACHELINE_ASSERT_GROUP_SIZE: offsetof(end marker) - offsetofend(begin
// marker)); its members are those CACHELINE_ASSERT_GROUP_MEMBER accepts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "padguard/model.hpp"

namespace padguard {

struct CacheGroup {
  std::string name;        // G
  uint64_t begin = 0;      // offset of the begin marker, bytes from the start of the struct
  uint64_t end = 0;        // offset of the end marker
  uint64_t size = 0;       // end - begin (0 when the markers are out of order: see problem)
  uint32_t first_cacheline = 0;  // begin / cacheline size
  uint32_t cachelines = 0;       // cachelines the bytes [begin, end) touch (0 for an empty group)
  std::optional<uint64_t> pad_end;  // __cacheline_group_pad__G: where the padding ends (its offset)
  // C access paths (anonymous records transparent, as offsetof takes them)
  // of the members inside [begin, end), in offset order; the markers are not members.
  std::vector<std::string> members;
  // A marker without its twin, or an end before its begin: not a group the
  // kernel could assert, reported as such ("" when sound).
  std::string problem;
  SourceLoc decl;  // of the begin marker: where the group is declared
};

// Whether `r` (or an inline record in it) has a begin marker: cheap, no flattening.
bool has_cacheline_groups(const Record& r);

// Every group of `r`, markers at any depth of its inline records, in the
// order of their begin markers (a lone end marker last).
std::vector<CacheGroup> cacheline_groups(const Record& r, uint32_t cacheline_size = 64);

// The group named `name`, or nullptr.
const CacheGroup* find_group(const std::vector<CacheGroup>& groups, const std::string& name);

// What a patch did to a struct's groups: present on both sides and changed,
// or present on one side only.
struct GroupChange {
  std::string name;
  std::optional<CacheGroup> old_g, new_g;  // absent: the group was added / removed
  std::vector<std::string> entered, left;  // members, by C access path
};

// Groups of `old_r` and `new_r` that differ (size, offsets, cachelines,
// members, padding), by name, in the new struct's order then removed ones.
std::vector<GroupChange> group_changes(const Record& old_r, const Record& new_r, uint32_t cacheline_size = 64);

}  // namespace padguard

namespace padguard {

// The groups of one struct of one input.
struct StructGroups {
  std::string name;
  uint64_t size = 0;
  std::vector<CacheGroup> groups;
};

// The structs of `records` that have groups, in the records' order.
std::vector<StructGroups> structs_with_groups(const std::vector<const Record*>& records, uint32_t cacheline_size);

// A limit to hold each group to across configs (CACHELINE_ASSERT_GROUP_SIZE).
struct GroupLimit {
  std::string structure, group;
  uint64_t limit = 0;
};

// One config of `padguard groups --pair/--manifest`: its groups before and
// after, or why it was not read (a row that makes the run an error unless allowed).
struct GroupsConfig {
  std::string label;
  bool checked = true;
  bool allowed = false;  // --allow-skip named it
  std::string status;    // "build-failed", "skipped", "error" when not checked
  std::string detail;
  std::vector<StructGroups> old_structs, new_structs;
};

// One STRUCT.GROUP across the configs: its size on each side per config
// (nullopt where the config lacks it or was not read), the size every
// config needs (the maximum after the change: what CACHELINE_ASSERT_GROUP_SIZE
// must allow), and the configs whose size after the change exceeds `limit`.
struct GroupRow {
  std::string structure, group;
  std::vector<std::optional<uint64_t>> old_size, new_size;  // parallel to the configs
  uint64_t needed = 0;
  std::optional<uint64_t> limit;
  std::vector<std::string> over;
};

// Rows in first-seen order (config order, then struct and group order); a
// limit naming a group no config has is a row with no sizes (an error).
std::vector<GroupRow> group_matrix(const std::vector<GroupsConfig>& configs, const std::vector<GroupLimit>& limits);

}  // namespace padguard
