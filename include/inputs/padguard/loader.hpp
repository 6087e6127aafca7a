// The DWARF input: reads every unit of a file through a backend, in
// parallel, and merges the records in unit order so the result does not
// depend on the thread count.
#pragma once

#include <string>
#include <vector>

#include "padguard/dwarf_source.hpp"
#include "padguard/input.hpp"  // LoadOptions, load_input
#include "padguard/model.hpp"

namespace padguard {

// Throws InputError on unreadable input.
RecordSet load_records(const std::string& path, const LoadOptions& opts);
}  // namespace padguard
