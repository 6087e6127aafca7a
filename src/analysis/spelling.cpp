// Nearest names by Levenshtein distance; see spelling.hpp.
#include "padguard/spelling.hpp"

#include <algorithm>

#include "padguard/pairing.hpp"

namespace padguard {

namespace {

// Levenshtein distance, or limit + 1 once it must exceed `limit`.
size_t distance(std::string_view a, std::string_view b, size_t limit) {
  if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit) return limit + 1;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0], best = row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::string> nearest_words(std::string_view word, const std::vector<std::string>& candidates) {
  const size_t limit = std::max<size_t>(2, word.size() / 4);
  std::vector<std::pair<size_t, std::string>> near;
  for (const std::string& c : candidates) {
    const size_t d = distance(word, c, limit);
    if (d <= limit && d > 0) near.emplace_back(d, c);
  }
  std::sort(near.begin(), near.end());
  near.erase(std::unique(near.begin(), near.end()), near.end());
  // The closest only, as git does: "--formt" is "--format", not also "--sort".
  std::vector<std::string> out;
  for (auto& [d, n] : near)
    if (out.size() < 3 && d == near.front().first) out.push_back(n);
  return out;
}

std::vector<std::string> nearest_names(const RecordSet& s, std::string_view name) {
  std::vector<std::string> names;
  names.reserve(s.records.size());
  for (const auto& r : s.records)
    if (!r->name.empty()) names.push_back(r->name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return nearest_words(parse_subject(name).name, names);
}

std::string did_you_mean(const std::vector<std::string>& names) {
  if (names.empty()) return "";
  std::string s = "; did you mean ";
  for (size_t i = 0; i < names.size(); ++i)
    s += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + ("'" + names[i] + "'");
  return s + "?";
}

}  // namespace padguard
