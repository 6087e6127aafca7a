// Reads every unit of a file through a backend, in parallel, and merges the
// records in unit order so the result does not depend on the thread count.
#pragma once

#include <string>
#include <vector>

#include "padguard/dwarf_source.hpp"
#include "padguard/model.hpp"

namespace padguard {

struct LoadOptions {
  BackendKind backend = BackendKind::Libdw;
  InputChoice input;  // -F, --btf_base
  std::vector<std::string> names;  // empty: every named record
  unsigned threads = 0;            // 0: all cores
  // Keep a later record whose name was seen but whose layout differs (pahole
  // prints both); otherwise one record per name, the first.
  bool keep_layout_variants = false;
  // Off: members carry no source file (decl line only); spares each unit's
  // line table, for output that never prints files (pahole's text).
  bool source_locations = true;
};

// Throws InputError on unreadable input.
RecordSet load_records(const std::string& path, const LoadOptions& opts);


}  // namespace padguard
