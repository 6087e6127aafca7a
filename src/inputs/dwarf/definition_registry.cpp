// pahole's identity rules across units (see definition_registry.hpp).
#include "definition_registry.hpp"

#include <algorithm>

namespace padguard {

size_t DefinitionRegistry::lowest_builder(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return SIZE_MAX;
  size_t builder = SIZE_MAX;
  for (const auto& [id, u] : it->second) builder = std::min(builder, u);
  return builder;
}

size_t DefinitionRegistry::claim(std::string_view name, uint64_t identity, size_t unit) {
  const uint64_t key = variants_ ? identity : 0;
  std::lock_guard<std::mutex> lock(mu_);
  auto& ids = by_name_[name];
  auto it = ids.find(key);
  const size_t builder = it == ids.end() ? unit : std::min(it->second, unit);
  ids[key] = builder;
  return builder;
}

size_t RegistryView::lowest_builder(const char* name) {
  if (const size_t* k = lowest_.find(name, 0)) return *k;
  const size_t builder = r_.lowest_builder(name);
  if (builder == SIZE_MAX) return SIZE_MAX;  // not cached: may change
  lowest_.get(name, 0, builder);
  return builder;
}

RecordRead RegistryView::read_as(const char* name, size_t unit) {
  const size_t builder = lowest_builder(name);
  if (!r_.variants()) return builder < unit ? RecordRead::Skip : RecordRead::Full;
  return builder == SIZE_MAX ? RecordRead::Full : RecordRead::Shallow;
}

bool RegistryView::gate(std::string_view name, uint64_t identity, bool never_equal, size_t unit) {
  const bool variants = r_.variants();
  const uint64_t key = variants ? identity : 0;
  // A known builder below `unit` stays below this worker's later units.
  if (const size_t* k = known_.find(name.data(), key); k != nullptr && *k < unit && !(variants && never_equal))
    return false;
  const size_t builder = r_.claim(name, identity, unit);
  known_.get(name.data(), key, builder) = builder;
  if (size_t* l = lowest_.find(name.data(), 0)) *l = std::min(*l, builder);
  return builder == unit || (variants && never_equal);
}

RecordSet merge_units(std::vector<UnitRecords> per_unit, bool layout_variants, const std::string& source) {
  std::sort(per_unit.begin(), per_unit.end(),
            [](const UnitRecords& a, const UnitRecords& b) { return a.first < b.first; });
  RecordSet set;
  set.source = source;
  std::unordered_map<std::string, std::vector<uint64_t>> seen;  // name -> identities printed
  for (auto& [index, unit] : per_unit) {
    for (BuiltRecord& b : unit) {
      std::vector<uint64_t>& prints = seen[b.record->name];
      if (!prints.empty() && !layout_variants) continue;
      const bool dup = std::find(prints.begin(), prints.end(), b.identity) != prints.end();
      if (dup && !b.never_equal) continue;
      prints.push_back(b.identity);
      set.records.push_back(std::move(b.record));
    }
    unit.clear();
  }
  return set;
}

}  // namespace padguard
