// What a picture of one record shows (report/svg_map draws it): the record's
// flat view, holes, summary figures and cacheline groups, each as the
// analysis computes it for every other output (flatten, find_holes,
// record_stats, cacheline_groups). Nothing here is computed another way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "padguard/diff.hpp"
#include "padguard/groups.hpp"
#include "padguard/model.hpp"

namespace padguard {

struct LayoutMap {
  std::string name;
  RecordKind kind = RecordKind::Struct;
  uint32_t cacheline_size = 64;
  RecordStats stats;
  uint32_t alignment = 0;          // the record's DW_AT_alignment (a forced alignment); 0 when absent
  FlatRecord flat;                 // leaves at absolute offsets, inline records
  std::vector<Hole> holes;         // find_holes: byte holes, inline structs' too
  std::vector<CacheGroup> groups;  // __cacheline_group_begin/_end spans
};

LayoutMap layout_map(const Record& r, uint32_t cacheline_size);

}  // namespace padguard
