// The English of check results, composed from their data: one sentence per
// finding, per rule result and per not-checked config. Unescaped: each
// renderer escapes the sentence for its format.
#pragma once

#include <string>
#include <vector>

#include "padguard/rules.hpp"

namespace padguard::sentences {

// "568 -> 576 bytes (+8), limit +4", "struct 'x' not found in a.o", ...
std::string finding(const Finding& f, const Rule& r, const ConfigResult& c);

// "struct 'x' not found in a.o [nor in b.o]" for MissingOld/New/Both.
std::string missing_struct(const std::string& name, Problem p, const ConfigResult& c);

// A table row's problem: missing_struct() or ambiguous().
std::string struct_problem(const StructRow& s, const ConfigResult& c);

// "defined 2 ways in a.o (s@x.c, s@y.c), which padguard cannot pair with
// b.o's; name one: s@x.c" for a subject naming several layouts.
std::string ambiguous(const std::string& name, const std::vector<std::string>& old_choices,
                      const std::vector<std::string>& new_choices, const std::string& old_source,
                      const std::string& new_source);

// The finding for one struct, "N structs checked", or "K of N structs: ...".
std::string rule_detail(const RuleResult& rr, const ConfigResult& c);

// "BUILD-FAILED: message (log: path) (allowed by --allow-skip)".
std::string status(const ConfigResult& c);

// status() without the title.
std::string status_message(const ConfigResult& c);

// Why a config was not checked, without the status title.
std::string not_checked_reason(const ConfigResult& c);

// "no struct or union named 'x' in a.o nor in b.o; check the spelling".
std::string unknown_name(const ConfigResult& c, const std::string& name);

// "hidden growth, tail padding 8 -> 0 with sizeof 512 unchanged (...)".
std::string hidden_growth(const StructRow& s);

}  // namespace padguard::sentences
