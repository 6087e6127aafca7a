// The facts a layout picture draws (layout_map.hpp), gathered once per record.
#include "padguard/layout_map.hpp"

namespace padguard {

LayoutMap layout_map(const Record& r, uint32_t cacheline_size) {
  LayoutMap m;
  m.name = r.name;
  m.kind = r.kind;
  m.cacheline_size = cacheline_size;
  m.stats = record_stats(r, cacheline_size);
  m.alignment = r.alignment;
  m.flat = flatten(r);
  m.holes = find_holes(r);
  if (has_cacheline_groups(r)) m.groups = cacheline_groups(r, cacheline_size);
  return m;
}

}  // namespace padguard
