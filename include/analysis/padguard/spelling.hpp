// "Did you mean": the nearest names by edit distance, for a misspelt
// command, -C name or rule target.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "padguard/model.hpp"

namespace padguard {

// Candidates within a few edits of `word`: those at the smallest distance (at most 3).
std::vector<std::string> nearest_words(std::string_view word, const std::vector<std::string>& candidates);
// The record names of `s` nearest to `name` (a subject's qualifier ignored).
std::vector<std::string> nearest_names(const RecordSet& s, std::string_view name);
// "; did you mean 'a' or 'b'?", or "" when there is nothing near.
std::string did_you_mean(const std::vector<std::string>& names);

}  // namespace padguard
