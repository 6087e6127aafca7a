// Human-readable renderings of analysis results: the diff report and the
// check verdict (one line per rule, or a table across configs). Pure: they
// return text, the CLI writes it.
#pragma once

#include <string>

#include "padguard/diff.hpp"
#include "padguard/rules.hpp"

namespace padguard {

// A summary line per struct, details indented; a count line at the end.
std::string render_diff_text(const DiffResult& d);

// One line per rule with PASS/FAIL and its numbers; with several configs (or
// labelled ones) a table first. Ends with the overall verdict line.
std::string render_check_text(const CheckResult& r);

}  // namespace padguard
