// pahole's identity rules for definitions found in many units: which unit
// builds a record of a name (the lowest), when a later unit reads a known
// name shallow or skips it, and the deterministic merge of all units'
// records in unit order (one record per name; with layout variants one per
// (name, identity), and a never_equal definition always).
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "flat_key_map.hpp"
#include "padguard/dwarf_source.hpp"
#include "padguard/model_builder.hpp"

namespace padguard {

// Shared by all workers: (name, identity) -> lowest unit that builds it.
class DefinitionRegistry {
 public:
  explicit DefinitionRegistry(bool layout_variants) : variants_(layout_variants) {}
  bool variants() const { return variants_; }
  // Lowest unit known to build some layout of `name`; SIZE_MAX if none yet.
  size_t lowest_builder(std::string_view name);
  // Notes that `unit` builds (name, identity) (identity ignored without
  // variants); returns the lowest unit that builds it.
  size_t claim(std::string_view name, uint64_t identity, size_t unit);

 private:
  std::mutex mu_;
  // Keys view names in the sources' mapped string sections: they outlive
  // the load.
  std::unordered_map<std::string_view, std::unordered_map<uint64_t, size_t>> by_name_;
  bool variants_;
};

// One worker's view of the registry, with caches keyed by the name's
// pointer: names in .debug_str are shared across units, so the same pointer
// means the same name and a hit spares the lock and the string hash. A
// worker's units must arrive in increasing order.
class RegistryView {
 public:
  explicit RegistryView(DefinitionRegistry& r) : r_(r) {}
  // How `unit` reads a unit-level record named `name`: a name a lower unit
  // built is skipped (one record per name); with variants a known name is
  // read shallow for its identity, in full only if that is new.
  RecordRead read_as(const char* name, size_t unit);
  // The BuildGate for `unit`: whether it builds this definition.
  bool gate(std::string_view name, uint64_t identity, bool never_equal, size_t unit);

 private:
  size_t lowest_builder(const char* name);
  DefinitionRegistry& r_;
  FlatKeyMap<size_t> known_;   // (name pointer, identity) -> a unit that builds it
  FlatKeyMap<size_t> lowest_;  // name pointer -> lowest unit known to build it
};

using UnitRecords = std::pair<size_t, std::vector<BuiltRecord>>;

// All units' records in unit order, by the rules above: the result does not
// depend on which worker read which unit.
RecordSet merge_units(std::vector<UnitRecords> per_unit, bool layout_variants, const std::string& source);

}  // namespace padguard
