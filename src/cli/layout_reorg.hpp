// `layout -P/--packable` and `-R/--reorganize`: pahole's reorganisation
// flags, registered and run apart from the rest of `layout`.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <vector>

#include "padguard/model.hpp"

namespace padguard::cli {

struct LayoutOptions;

struct ReorgFlags {
  bool packable = false;    // -P
  bool reorganize = false;  // -R
};

// -P and -R on `layout` (`o.reorg`); with --format other than text, a usage
// error once parsing is complete.
void add_layout_reorg(CLI::App& sub, LayoutOptions& o);

// Prints what -P/-R print for the selected `records` and returns the exit
// code; nullopt when the flags leave `layout`'s own output (none given, or
// pahole's combinations that ignore them: -P with -C, -R without -C).
std::optional<int> run_layout_reorg(const LayoutOptions& o, const RecordSet& set,
                                    const std::vector<const Record*>& records);

}  // namespace padguard::cli
