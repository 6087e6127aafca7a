// pahole 1.24's text for `-P/--packable` and `-R/--reorganize`, from
// analysis/reorganize's result (docs/pahole-notes.md §13).
#pragma once

#include <string>

#include "padguard/pahole_text.hpp"
#include "padguard/reorganize.hpp"

namespace padguard {

// `pahole -P`'s line for a packable struct: "NAME\tSIZE\tNEW_SIZE\tSAVINGS\n".
std::string render_packable(const Record& r, const Reorganization& g);

// `pahole -R -C NAME`: the reorganised struct as -C prints it, its closing
// line followed by "   /* saved N bytes[ and M cachelines]! */" when the
// size changed.
std::string render_reorganized(const Record& r, const Reorganization& g, const PaholeOptions& opts);

}  // namespace padguard
