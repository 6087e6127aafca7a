// Subcommand wiring: one options struct and one run function per command.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "padguard/dwarf_source.hpp"

namespace padguard::cli {

// Exit codes, a contract for CI: see README "Exit status".
inline constexpr int kExitOk = 0;
inline constexpr int kExitChanged = 1;  // diff: layouts differ; check: a rule failed
inline constexpr int kExitError = 2;    // usage or input error; never a pass

struct CommonOptions {
  std::string backend = "libdw";
  unsigned threads = 0;
  BackendKind backend_kind() const;
};

struct LayoutOptions {
  CommonOptions common;
  std::vector<std::string> names;
  unsigned cacheline = 64;
  std::string format = "text";
  std::string file;
};

void add_common(CLI::App& sub, CommonOptions& o);
void add_layout(CLI::App& app, LayoutOptions& o);
int run_layout(const LayoutOptions& o);

}  // namespace padguard::cli
