// pahole-compatible text rendering of one record.
#pragma once
#include <cstdint>
#include <string>
#include "padguard/model.hpp"
namespace padguard {
struct PaholeOptions {
  uint32_t cacheline_size = 64;
};
// The record as `pahole -F dwarf -c N -C NAME` prints it, ending in "};\n".
std::string render_pahole(const Record& r, const PaholeOptions& opts);
}  // namespace padguard
