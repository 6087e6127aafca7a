// Human-readable renderings of analysis results: the diff report and the
// check verdict (one line per rule, or a table across configs), as text and
// as GitHub-flavoured markdown. Pure: they return text, the CLI writes it.
#pragma once

#include <string>
#include <vector>

#include "padguard/diff.hpp"
#include "padguard/rules.hpp"

namespace padguard {

// The root causes first (records changed on their own that reach others by
// embedding), then a summary line per struct, details indented (one line for
// a record that changed only because an embedded record did); a count line
// at the end. With `color`, verdict words and change lines carry ANSI SGR
// colours (and nothing else changes: without the escapes the text is
// byte-identical). `leaf_only`: records that changed only through embedded
// records are counted, not listed.
struct DiffTextOptions {
  bool color = false;
  bool leaf_only = false;
  // Every name of every list (member sharing, containers, root causes);
  // by default a list shows a few names, then "... and N more", so no line
  // runs past ~200 characters.
  bool verbose = false;
};
std::string render_diff_text(const DiffResult& d, const DiffTextOptions& o = {});

// `diff --stat`: one line per changed, added or removed record (name, old ->
// new size, delta, and whether it changed on its own, is a root cause or
// changed only through one), in the DiffResult's order, then a summary.
std::string render_diff_stat(const DiffResult& d, bool color = false);

// One line per rule with PASS/FAIL and its numbers; with several configs (or
// labelled ones) a table first. Ends with the overall verdict line.
std::string render_check_text(const CheckResult& r, bool color = false);

// The check as a markdown table (one row per config and struct), the rules
// that did not pass as a list, and the verdict; every name escaped.
std::string render_check_markdown(const CheckResult& r);

// The diff as a markdown table, one row per changed struct.
std::string render_diff_markdown(const DiffResult& d);

// Column headers for the rules: the rule name, "#2" etc. when repeated.
std::vector<std::string> rule_headers(const std::vector<Rule>& rules);

// One line (no newline, escaped for a terminal) on why a config was not
// checked, for stderr: "[riscv] BUILD-FAILED: ..." or, unlabelled, the error.
std::string config_status_line(const ConfigResult& c);

// For stderr, one line without a newline or "" when none applies: which of
// `records` hold members of unknown size, their declaration-only types (with
// why the input's definitions did not stand in, from `unresolved`) and the
// fix; names escaped for a terminal.
std::string unknown_sizes_note(const std::string& source, const std::vector<const Record*>& records,
                               const std::vector<UnresolvedDeclaration>& unresolved);

}  // namespace padguard
