// One render call per result type (check, diff, layout) and the format
// registry behind it: the Format enum, its names and help, and which
// formats each result type supports. Commands never compare format names.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "padguard/diff.hpp"
#include "padguard/model.hpp"
#include "padguard/rules.hpp"

namespace padguard {

enum class Format { Text, Json, Github, Junit, Markdown, Svg, Html };

// What a command renders; a format registers the kinds it supports.
enum class ResultKind { Check, Diff, Layout };

struct RenderOptions {
  // Declaration paths under this directory are made relative to it (GitHub
  // resolves annotation paths from the repository root). Empty: as is.
  std::string source_root;
  bool color = false;    // check/diff text: ANSI colours (the CLI decides: --color, a terminal, NO_COLOR)
  // diff text: leave out the records that changed only because a record
  // they embed changed (the root causes stay; the count line says how many).
  bool leaf_changes_only = false;
  bool verbose = false;  // diff text: whole lists, no "... and N more"
  bool stat = false;     // diff text: --stat, one line per record
  unsigned threads = 0;  // layout text: worker threads, output identical for any count
  // Layout text: when set, the text is handed here piece by piece, in order,
  // as it is rendered, and render() returns ""; only one piece is held.
  std::function<void(std::string_view)> sink;
};

// The records `layout` prints, in order.
struct LayoutView {
  std::string source;
  std::vector<const Record*> records;
  uint32_t cacheline_size = 64;
  bool force_paddings = true;  // pahole_text: false for inputs without alignment info (BTF)
  // Text only (pahole's presentation flags): --hex offsets and sizes; -s one
  // "NAME SIZE HOLES" line per record instead of its layout.
  bool hex = false;
  bool sizes_only = false;
  bool expand_types = false;  // -E: named records held by value print inline (pahole_text.hpp)
};

struct FormatInfo {
  Format format;
  const char* name;  // the --format value
  const char* help;  // a few words for --help
  std::string (*check)(const CheckResult&, const RenderOptions&);  // nullptr: not for check
  std::string (*diff)(const DiffResult&, const RenderOptions&);
  std::string (*layout)(const LayoutView&, const RenderOptions&);
  // It draws layout maps: the command asks the analysis to keep them
  // (DiffOptions::maps, CheckOptions::maps).
  bool maps = false;
  // It draws one record: `layout` refuses any other count of records.
  bool one_record = false;
};

std::span<const FormatInfo> format_registry();
const FormatInfo& format_info(Format f);
// The format named `name` if it supports `kind`.
std::optional<Format> parse_format(std::string_view name, ResultKind kind);
std::vector<std::string> format_names(ResultKind kind);  // for --format's allowed values
std::string format_help(ResultKind kind);                // "text (default), json, ..."

// Throws std::logic_error if `f` does not support the result type (the CLI
// only offers formats that do).
std::string render(const CheckResult& r, Format f, const RenderOptions& o);
std::string render(const DiffResult& r, Format f, const RenderOptions& o);
std::string render(const LayoutView& r, Format f, const RenderOptions& o);

}  // namespace padguard
