// -C patterns, --only and --sort over a DiffResult (diff_select.hpp).
#include "padguard/diff_select.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cstdlib>
#include <set>

namespace padguard {

namespace {

// "task_struct@kernel/fork.c" and "task_struct#2" are subjects of one name.
std::string base_name(const std::string& subject) {
  const size_t at = subject.find_first_of("@#");
  return at == std::string::npos ? subject : subject.substr(0, at);
}

bool matches(const std::string& pattern, const std::string& name) {
  return fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

unsigned classes_of(const RecordDiff& d) {
  switch (d.status) {
    case RecordStatus::Added: return static_cast<unsigned>(DiffClass::Added);
    case RecordStatus::Removed: return static_cast<unsigned>(DiffClass::Removed);
    case RecordStatus::Changed: {
      unsigned c = static_cast<unsigned>(DiffClass::Changed);
      if (d.size_delta() > 0) c |= static_cast<unsigned>(DiffClass::Grown);
      if (d.size_delta() < 0) c |= static_cast<unsigned>(DiffClass::Shrunk);
      return c;
    }
    default: return 0;
  }
}

}  // namespace

bool parse_diff_class(const std::string& w, DiffClass& out) {
  static const std::pair<const char*, DiffClass> kWords[] = {{"grown", DiffClass::Grown},
                                                             {"shrunk", DiffClass::Shrunk},
                                                             {"changed", DiffClass::Changed},
                                                             {"added", DiffClass::Added},
                                                             {"removed", DiffClass::Removed}};
  for (const auto& [word, c] : kWords)
    if (w == word) {
      out = c;
      return true;
    }
  return false;
}

bool is_pattern(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

int64_t stat_delta(const RecordDiff& d) {
  if (d.status == RecordStatus::Added && d.new_stats) return static_cast<int64_t>(d.new_stats->size);
  if (d.status == RecordStatus::Removed && d.old_stats) return -static_cast<int64_t>(d.old_stats->size);
  return d.status == RecordStatus::Changed ? d.size_delta() : 0;
}

std::vector<std::string> select_records(DiffResult& d, const DiffSelection& s) {
  std::vector<bool> hit(s.patterns.size(), false);
  std::vector<RecordDiff> kept;
  kept.reserve(d.records.size());
  for (RecordDiff& r : d.records) {
    const bool always = r.status == RecordStatus::Missing || r.status == RecordStatus::Ambiguous;
    if (!s.patterns.empty() && !always) {
      bool any = false;
      const std::string name = base_name(r.name);
      for (size_t i = 0; i < s.patterns.size(); ++i)
        if (matches(s.patterns[i], name)) any = hit[i] = true;
      if (!any) continue;
    }
    if (s.only && !always && r.status != RecordStatus::Unchanged && !(classes_of(r) & s.only)) {
      ++d.hidden;
      continue;
    }
    kept.push_back(std::move(r));
  }
  d.records = std::move(kept);
  if (!s.patterns.empty() || s.only) {
    std::set<std::string> names;
    for (const RecordDiff& r : d.records)
      if (r.status != RecordStatus::Unchanged) names.insert(r.name);
    std::erase_if(d.root_causes, [&](const RootCause& c) {
      if (names.count(c.name)) return false;
      return std::none_of(c.affected.begin(), c.affected.end(), [&](const std::string& a) { return names.count(a) > 0; });
    });
  }
  if (s.sort == DiffSort::Delta)
    std::stable_sort(d.records.begin(), d.records.end(), [](const RecordDiff& a, const RecordDiff& b) {
      return std::llabs(stat_delta(a)) > std::llabs(stat_delta(b));
    });
  std::vector<std::string> unmatched;
  for (size_t i = 0; i < s.patterns.size(); ++i)
    if (!hit[i]) unmatched.push_back(s.patterns[i]);
  return unmatched;
}

}  // namespace padguard
