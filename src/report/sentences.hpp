// The English of check results, composed from their data: one sentence per
// finding, per rule result and per not-checked config. Unescaped: each
// renderer escapes the sentence for its format.
#pragma once

#include <string>

#include "padguard/rules.hpp"

namespace padguard::sentences {

// "568 -> 576 bytes (+8), limit +4", "struct 'x' not found in a.o", ...
std::string finding(const Finding& f, const Rule& r, const ConfigResult& c);

// "struct 'x' not found in a.o [nor in b.o]" for MissingOld/New/Both.
std::string missing_struct(const std::string& name, Problem p, const ConfigResult& c);

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
