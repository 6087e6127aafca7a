// Self-contained HTML pages (inline CSS and SVG, no script, no external
// asset) for diff and check results: the summary or verdict table, then the
// cacheline maps before and after of each struct drawn (svg_map.hpp), with
// the changes coloured by kind. Pure: they return the page.
#pragma once

#include <string>

#include "padguard/diff.hpp"
#include "padguard/rules.hpp"

namespace padguard {

// Records diffed with DiffOptions::maps draw their maps; others list their changes only.
std::string render_diff_html(const DiffResult& d);
// Struct rows evaluated with CheckOptions::maps draw their maps.
std::string render_check_html(const CheckResult& r);

}  // namespace padguard
