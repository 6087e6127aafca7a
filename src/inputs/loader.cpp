// Parallel, deterministic loading: workers take units by index, each with its
// own backend handle; results are merged in unit order.
#include "padguard/loader.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "flat_key_map.hpp"
#include "padguard/model_builder.hpp"

namespace padguard {

RecordSet load_records(const std::string& path, const LoadOptions& opts) {
  std::unique_ptr<DwarfSource> first = open_source(path, opts.backend, opts.input);
  first->set_source_locations(opts.source_locations);
  unsigned threads = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  // No more threads than units (found lazily: a -C search may end early).
  unsigned units_seen = 1;
  while (units_seen < threads && first->has_unit(units_seen)) ++units_seen;
  threads = units_seen;

  std::unordered_set<std::string> wanted(opts.names.begin(), opts.names.end());
  NameFilter filter;
  if (!wanted.empty()) filter = [&wanted](std::string_view n) { return wanted.count(std::string(n)) != 0; };

  // Each worker's (unit, records), merged in unit order after the join.
  using UnitRecords = std::pair<size_t, std::vector<BuiltRecord>>;
  std::vector<std::vector<UnitRecords>> per_worker(threads);

  // (name, identity) -> lowest unit that builds it. A unit skips a record a
  // lower unit already built; the merge below keeps the lowest unit's, so the
  // result does not depend on which thread got there first.
  std::mutex registry_mu;
  // Keys view names in the sources' mapped string sections: alive until return.
  std::unordered_map<std::string_view, std::unordered_map<uint64_t, size_t>> registry;
  const bool variants = opts.keep_layout_variants;
  std::atomic<size_t> next{0};

  // -C: pahole prints the first definition of a name, in unit order. Once
  // every wanted name has been found, units above the highest of those
  // first units cannot change the result and are skipped.
  std::atomic<size_t> stop_after{SIZE_MAX};
  std::mutex found_mu;
  std::unordered_map<std::string, size_t> first_found;
  auto note_found = [&](size_t unit, const std::vector<BuiltRecord>& built) {
    std::lock_guard<std::mutex> lock(found_mu);
    for (const BuiltRecord& b : built) {
      auto [it, fresh] = first_found.emplace(b.record->name, unit);
      if (!fresh) it->second = std::min(it->second, unit);
    }
    if (first_found.size() < wanted.size()) return;
    size_t highest = 0;
    for (const auto& [name, u] : first_found) highest = std::max(highest, u);
    stop_after.store(highest);
  };
  std::exception_ptr error;
  size_t error_unit = SIZE_MAX;
  std::mutex error_mu;

  // Takes units until none are left or `limit` were taken.
  auto work = [&](DwarfSource& src, std::vector<UnitRecords>& results, size_t limit) {
    // Per worker: (name pointer, identity) -> a unit that builds it. Names in
    // .debug_str are shared across units, so the same pointer means the same
    // name; a hit spares the locked, string-hashed registry. Units arrive in
    // increasing order, so a known builder below `i` stays below later units.
    FlatKeyMap<size_t> known;
    // Per worker: name pointer -> lowest unit known to build some layout of it.
    FlatKeyMap<size_t> lowest;
    auto lowest_builder = [&](const char* name) -> size_t {
      if (const size_t* k = lowest.find(name, 0)) return *k;
      size_t builder = SIZE_MAX;
      {
        std::lock_guard<std::mutex> lock(registry_mu);
        auto it = registry.find(name);
        if (it == registry.end()) return SIZE_MAX;  // not cached: may change
        for (const auto& [id, u] : it->second) builder = std::min(builder, u);
      }
      lowest.get(name, 0, builder);
      return builder;
    };
    for (size_t taken = 0, i = 0; taken < limit; ++taken) {
      i = next++;
      try {
        // Every wanted name found below: later units (this worker's are
        // increasing) cannot change the result.
        if (i > stop_after.load() || !src.has_unit(i)) break;
        // Only named records start a build; every other unit-level type is
        // read lazily when a record refers to it. A name a lower unit built
        // cannot be printed from this one (one record per name); with layout
        // variants, a name seen before is read shallow for its identity and
        // in full only if that is new.
        const RecordNameFilter read = [&, i](const char* name) {
          if (filter && !filter(name)) return RecordRead::Skip;
          const size_t builder = lowest_builder(name);
          if (!variants) return builder < i ? RecordRead::Skip : RecordRead::Full;
          return builder == SIZE_MAX ? RecordRead::Full : RecordRead::Shallow;
        };
        UnitDies unit = src.read_unit(i, &read);
        BuildGate gate = [&, i](std::string_view name, uint64_t id, bool never_equal) {
          const uint64_t key = variants ? id : 0;
          if (const size_t* k = known.find(name.data(), key); k != nullptr && *k < i && !(variants && never_equal))
            return false;
          size_t builder;
          {
            std::lock_guard<std::mutex> lock(registry_mu);
            auto& ids = registry[name];
            auto it = ids.find(key);
            builder = it == ids.end() ? i : std::min(it->second, i);
            ids[key] = builder;
          }
          known.get(name.data(), key, builder) = builder;
          if (size_t* l = lowest.find(name.data(), 0)) *l = std::min(*l, builder);
          return builder == i || (variants && never_equal);
        };
        std::vector<BuiltRecord> built = build_unit_records(unit, src, filter, gate);
        src.recycle(std::move(unit.dies));
        if (built.empty()) continue;
        if (!wanted.empty() && !variants) note_found(i, built);
        results.emplace_back(i, std::move(built));
      } catch (...) {
        // Keep the error of the lowest unit so the message is deterministic.
        std::lock_guard<std::mutex> lock(error_mu);
        if (i < error_unit) error_unit = i, error = std::current_exception();
        break;  // a corrupt unit header ends the units for this worker
      }
    }
  };

  // A -C search often ends in the first units (a vmlinux's task_struct is in
  // its second, after head_64.S): look there before starting threads.
  constexpr size_t kUnitsBeforeThreads = 8;
  if (threads > 1 && !wanted.empty() && !variants) {
    for (size_t k = 0; k < kUnitsBeforeThreads && !error && next.load() <= stop_after.load(); ++k)
      work(*first, per_worker[0], 1);
  }
  if (error || next.load() > stop_after.load()) {
    // found (or failed) already
  } else if (threads <= 1) {
    work(*first, per_worker[0], SIZE_MAX);
  } else {
    std::vector<std::unique_ptr<DwarfSource>> clones;
    for (unsigned t = 1; t < threads; ++t) {
      clones.push_back(first->clone());
      clones.back()->set_source_locations(opts.source_locations);
    }
    std::vector<std::thread> pool;
    for (size_t t = 0; t < clones.size(); ++t)
      pool.emplace_back(work, std::ref(*clones[t]), std::ref(per_worker[t + 1]), SIZE_MAX);
    work(*first, per_worker[0], SIZE_MAX);
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);

  std::vector<UnitRecords> per_unit;
  for (auto& w : per_worker)
    for (auto& u : w) per_unit.push_back(std::move(u));
  std::sort(per_unit.begin(), per_unit.end(),
            [](const UnitRecords& a, const UnitRecords& b) { return a.first < b.first; });

  RecordSet set;
  set.source = path;
  std::unordered_map<std::string, std::vector<uint64_t>> seen;
  for (auto& [index, unit] : per_unit) {
    for (auto& b : unit) {
      auto& prints = seen[b.record->name];
      if (!prints.empty() && !variants) continue;
      bool dup = false;
      for (uint64_t p : prints) dup = dup || p == b.identity;
      if (dup && !b.never_equal) continue;
      prints.push_back(b.identity);
      set.records.push_back(std::move(b.record));
    }
    unit.clear();
  }
  return set;
}

}  // namespace padguard
