// Subcommand wiring: one options struct and one run function per command.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "padguard/dwarf_source.hpp"
#include "padguard/input.hpp"
#include "padguard/render.hpp"
#include "layout_reorg.hpp"

namespace padguard::cli {

// Exit codes, a contract for CI: see README "Exit status".
inline constexpr int kExitOk = 0;
inline constexpr int kExitChanged = 1;  // diff: layouts differ; check: a rule failed
inline constexpr int kExitError = 2;    // usage or input error; never a pass

struct CommonOptions {
  std::string backend;  // --backend; empty: libdw, libdwarf for what libdw cannot relocate
  unsigned threads = 0;
  std::string input_format = "auto";  // -F btf|dwarf|auto
  std::string btf_base;               // --btf_base
  std::vector<std::string> build_ids; // --build-id: never filled (with_build_ids makes them FILEs)
  BackendKind backend_kind() const;
  InputChoice input_choice() const;
  // LoadOptions with the backend, input choice and threads these flags give.
  LoadOptions load_options() const;
};

struct LayoutOptions {
  CommonOptions common;
  std::vector<std::string> names;
  unsigned cacheline = 64;
  std::string format = "text";
  std::string file;
  ReorgFlags reorg;  // -P, -R (layout_reorg.cpp)
  // pahole's presentation flags (layout_flags.cpp)
  bool sizes = false;   // -s
  bool hex = false;     // --hex
  bool groups = false;  // --groups: a cacheline-group summary after the text
  bool expand = false;  // -E/--expand_types
  std::optional<std::string> holes;  // -H N, validated by validate_layout_flags
  std::optional<std::string> contains;  // -i NAME
};

void add_common(CLI::App& sub, CommonOptions& o);

// argv with each `--build-id HEX` (or --build-id=HEX) after the command
// turned into the FILE argument "build-id:HEX" at its place.
std::vector<std::string> with_build_ids(int argc, char** argv);

// diff and check: --ignore-member PATTERN[,...] and --no-default-suppressions
// (reserved members and struct_group() unions, on by default).
struct SuppressFlags {
  std::vector<std::string> ignore_members;
  bool no_defaults = false;
  // `base` (a policy's [suppress], else the defaults) with the flags applied.
  Suppressions apply(Suppressions base = {}) const;
};
void add_suppress_flags(CLI::App& sub, SuppressFlags& o);

// --format for a command: allowed values and help from the format registry.
void add_format(CLI::App& sub, std::string& value, ResultKind kind);
// The registered format `value` names (add_format already validated it).
Format format_of(const std::string& value, ResultKind kind);
// --color=auto|always|never (diff, check), and whether to colour format `f`
// on stdout: text only; auto means a terminal, NO_COLOR unset, TERM not dumb.
void add_color(CLI::App& sub, std::string& value);
bool use_color(const std::string& when, Format f);
void add_layout(CLI::App& app, LayoutOptions& o);
int run_layout(const LayoutOptions& o);
// layout_flags.cpp: -s, --hex, -E, -H, -i. validate_layout_flags throws InputError
// for a bad -H or a text-only flag (also -P/-R) with another format; filter_by_holes
// keeps pahole's -H selection (not applied with -C, as in pahole).
void add_layout_flags(CLI::App& sub, LayoutOptions& o);
void validate_layout_flags(const LayoutOptions& o, Format format);
std::vector<const Record*> filter_by_holes(const LayoutOptions& o, std::vector<const Record*> records);
// -i NAME: pahole's container list, printed; InputError when no unit defines NAME.
int run_contains(const LayoutOptions& o, const LoadOptions& lo, const std::string& file);

// `crosscheck`: both backends on one file; exit 1 if any record differs.
struct CrosscheckOptions {
  std::vector<std::string> names;
  unsigned threads = 0;
  bool dies = false;
  std::string file;
};
void add_crosscheck(CLI::App& app, CrosscheckOptions& o);
int run_crosscheck(const CrosscheckOptions& o);

// `diff`: layout changes between two builds; exit 1 when anything changed.
struct FitCmdOptions {
  CommonOptions common;
  std::string structure;
  std::vector<std::string> files, fields, move, pairs;
  std::optional<uint64_t> size;
  uint32_t align = 1;
  std::string near, manifest;
  unsigned cacheline = 64;
  std::string format = "text";
  bool all = false;
};
void add_fit(CLI::App& app, FitCmdOptions& o);
int run_fit(const FitCmdOptions& o);

struct GroupsCmdOptions {
  CommonOptions common;
  std::vector<std::string> names;
  unsigned cacheline = 64;
  std::string format = "text";
  std::vector<std::string> pairs, limits, allow_skip;
  std::string manifest;
  bool verbose = false;
  std::string file;
};
void add_groups(CLI::App& app, GroupsCmdOptions& o);
int run_groups(const GroupsCmdOptions& o);

// A labelled pair, or (status != Checked) a config the producer of a
// manifest could not build: it becomes a row of its own (check, groups).
struct PairSpec {
  std::string label, old_file, new_file;
  ConfigStatus status = ConfigStatus::Checked;
  std::string message, log;
  SourceLoc where;     // "!STATUS@FILE:LINE": where it failed (file "" when not given)
  std::string origin;  // "--pair" or "MANIFEST:LINE", for duplicate-label errors
};
// "LABEL=OLD:NEW" (InputError naming `origin` otherwise).
PairSpec parse_pair(const std::string& spec, const std::string& origin);
// A manifest: "LABEL OLD NEW", "LABEL=OLD:NEW" or "LABEL !STATUS[@FILE[:LINE]]
// MESSAGE" lines (FILE percent-encoded; docs/JSON.md "Manifests").
std::vector<PairSpec> read_manifest(const std::string& path);
// --allow-skip LABEL[,...]|all into `co`; an unknown label is an InputError.
void set_allow_skip(const std::vector<std::string>& given, const std::vector<PairSpec>& pairs, CheckOptions& co);

struct DiffCmdOptions {
  CommonOptions common;
  std::vector<std::string> names;
  unsigned cacheline = 64;
  std::string format = "text";
  std::string color = "auto";
  bool allow_cross_arch = false;
  bool leaf_changes_only = false;
  bool stat = false, verbose = false;
  std::vector<std::string> only;  // grown, shrunk, changed, added, removed
  std::string sort;               // name | delta ("" = name, delta with --stat)
  SuppressFlags suppress;
  std::string old_file, new_file;
};
void add_diff(CLI::App& app, DiffCmdOptions& o);
int run_diff(const DiffCmdOptions& o);

// Two inputs of different architectures are an input error (exit 2) unless
// the user asked for the comparison (--allow-cross-arch).
void refuse_cross_arch(const RecordSet& old_s, const RecordSet& new_s, bool allowed);
inline constexpr const char* kCrossArchHelp =
    "compare inputs of different architectures (ELF machine, address size, byte order); refused by default";

// `check`: rules over one pair or labelled pairs; exit 1 when one fails.
struct CheckCmdOptions {
  CommonOptions common;
  std::string policy;
  // One list of flag values per rule, parallel to rule_table().
  std::vector<std::vector<std::string>> rule_values;
  std::vector<std::string> names;
  std::vector<std::string> pairs;  // LABEL=OLD:NEW
  std::string manifest;
  std::vector<std::string> allow_skip;  // labels, or "all"
  bool allow_cross_arch = false;
  unsigned cacheline = 64;
  std::string format = "text";
  std::string color = "auto";
  std::string junit;
  std::string source_root = ".";
  SuppressFlags suppress;
  std::string baseline;         // --baseline FILE: a facts file as OLD
  bool all = false;  // --all: nothing capped in the table or rule lines
  bool update_baseline = false;  // rewrite it from NEW instead of checking
  std::vector<std::string> files;  // OLD NEW, or NEW with --baseline
};
void add_check(CLI::App& app, CheckCmdOptions& o);
int run_check(const CheckCmdOptions& o);
// baseline.cpp: --baseline FILE and --update-baseline; the pair a baseline
// check compares (the facts file against NEW), validated.
void add_baseline_flags(CLI::App& sub, CheckCmdOptions& o);
std::string baseline_old_side(const CheckCmdOptions& o);
int update_baseline(const CheckCmdOptions& o, const LoadOptions& lo);

// Writes the records of `set` as a facts file at `path` ('-': stdout),
// indented with `pretty`; replaced whole (written beside it, then renamed).
void write_facts(const RecordSet& set, const std::vector<const Record*>& records, const std::string& path,
                 bool pretty);

// `extract`: write a facts file (records as JSON) for later diff/check.
struct ExtractCmdOptions {
  CommonOptions common;
  std::vector<std::string> names;
  std::string file;
  std::string output = "-";
  bool pretty = false;
};
void add_extract(CLI::App& app, ExtractCmdOptions& o);
int run_extract(const ExtractCmdOptions& o);

// The first of `args` that names no option of `sub`, as a sentence with the
// nearest options ("unknown option '--no-grwoth'; did you mean
// '--no-growth'?"), or "" (hints.cpp). Before "--" only.
std::string unknown_option(const CLI::App& sub, int argc, const char* const* args);

// "a, b, c" (hints.cpp).
std::string join(const std::vector<std::string>& v);

// Names of `file` nearest to a missing `name` (hints.cpp), and the phrase:
// "; did you mean 'task_struct'?" or "; check the spelling".
std::vector<std::string> spelling_suggestions(const std::string& file, const std::string& name, LoadOptions lo);
std::string spelling_hint(const std::string& file, const std::string& name, const LoadOptions& lo);

}  // namespace padguard::cli
