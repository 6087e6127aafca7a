// Narrowing and ordering a diff for people reading it at kernel scale:
// `-C` glob patterns, `--only grown,shrunk,...` and `--sort name|delta`.
// Applied to the DiffResult itself, so every format (text, JSON, markdown)
// and the exit status see the same selection.
#pragma once

#include <string>
#include <vector>

#include "padguard/diff.hpp"

namespace padguard {

// What --only keeps; a record in none of the chosen classes is hidden.
enum class DiffClass : unsigned { Grown = 1, Shrunk = 2, Changed = 4, Added = 8, Removed = 16 };
// "grown" etc. -> the class; unknown -> false.
bool parse_diff_class(const std::string& word, DiffClass& out);

enum class DiffSort { Name, Delta };

struct DiffSelection {
  // fnmatch(3) patterns over record names (NAME@FILE and NAME#K subjects
  // match by NAME); empty: every record.
  std::vector<std::string> patterns;
  unsigned only = 0;  // OR of DiffClass; 0: every status
  DiffSort sort = DiffSort::Name;
};

// A -C entry with a glob character (* ? [) is a pattern, not a name.
bool is_pattern(const std::string& s);

// The signed size change used for sorting and --stat: new - old for
// changed records, +size for added, -size for removed, 0 otherwise.
int64_t stat_delta(const RecordDiff& d);

// Keeps the records that match: a pattern-miss is dropped (the selection
// narrows what was compared); an --only miss that changed is dropped and
// counted in DiffResult::hidden. Missing and Ambiguous records are never
// dropped (fail closed), unchanged ones stay for the tally. Root causes stay
// when they or a record they reach are kept. Sort: by |stat_delta|, largest
// first, then by name. Returns the patterns that matched no record in
// either input (an error for the caller: a gate over nothing).
std::vector<std::string> select_records(DiffResult& d, const DiffSelection& s);

}  // namespace padguard
