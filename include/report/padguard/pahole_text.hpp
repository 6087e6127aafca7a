// pahole-compatible text rendering of one record.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "padguard/model.hpp"
namespace padguard {
struct PaholeOptions {
  uint32_t cacheline_size = 64;
  // pahole -F btf never prints "Force padding" (BTF has no alignment info).
  bool force_paddings = true;
};
// The record as `pahole -F dwarf -c N -C NAME` prints it, ending in "};\n".
std::string render_pahole(const Record& r, const PaholeOptions& opts);
// The records one after another, rendered by up to `threads` threads (0: all
// cores); the text is the same whatever the thread count.
std::string render_pahole(const std::vector<const Record*>& records, const PaholeOptions& opts, unsigned threads);
}  // namespace padguard
