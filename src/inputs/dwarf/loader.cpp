// The DWARF input's loader, in steps: a parallel-for over units
// (parallel_units.hpp), the definition registry deciding per record
// (definition_registry.hpp), an early stop for -C, the merge in unit order,
// and the completion of declaration-only members (complete_types.hpp).
#include "padguard/loader.hpp"

#include <algorithm>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "definition_registry.hpp"
#include "padguard/complete_types.hpp"
#include "padguard/model_builder.hpp"
#include "parallel_units.hpp"

namespace padguard {

namespace {

// -C: pahole prints the first definition of a name, in unit order. Once
// every wanted name has been found, units above the highest of those first
// units cannot change the result.
class FirstFound {
 public:
  explicit FirstFound(size_t wanted) : wanted_(wanted) {}
  // The unit after which loading may stop, or SIZE_MAX.
  size_t note(size_t unit, const std::vector<BuiltRecord>& built) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const BuiltRecord& b : built) {
      auto [it, fresh] = first_.emplace(b.record->name, unit);
      if (!fresh) it->second = std::min(it->second, unit);
    }
    if (first_.size() < wanted_) return SIZE_MAX;
    size_t highest = 0;
    for (const auto& [name, u] : first_) highest = std::max(highest, u);
    return highest;
  }

 private:
  size_t wanted_;
  std::mutex mu_;
  std::unordered_map<std::string, size_t> first_;
};

// No more workers than units (found lazily: a -C search may end early).
unsigned worker_count(DwarfSource& first, unsigned requested) {
  const unsigned threads = requested ? requested : std::max(1u, std::thread::hardware_concurrency());
  unsigned units_seen = 1;
  while (units_seen < threads && first.has_unit(units_seen)) ++units_seen;
  return units_seen;
}

// Every unit's records, merged; declarations held by value left as they are.
RecordSet load_units(const std::string& path, const LoadOptions& opts) {
  std::unique_ptr<DwarfSource> first = open_source(path, opts.backend, opts.input);
  first->set_source_locations(opts.source_locations);
  const unsigned workers = worker_count(*first, opts.threads);

  const std::unordered_set<std::string> wanted(opts.names.begin(), opts.names.end());
  NameFilter filter;
  if (!wanted.empty() || opts.name_filter)
    filter = [&wanted, &opts](std::string_view n) {
      return wanted.count(std::string(n)) != 0 || (opts.name_filter && opts.name_filter(n));
    };
  const bool variants = opts.keep_layout_variants;
  const bool stop_early = !wanted.empty() && !variants && !opts.name_filter;

  DefinitionRegistry registry(variants);
  std::vector<RegistryView> views;
  views.reserve(workers);
  for (unsigned w = 0; w < workers; ++w) views.emplace_back(registry);
  std::vector<std::vector<UnitRecords>> per_worker(workers);  // (unit, records), merged below
  FirstFound found(wanted.size());

  UnitPool* pool_ptr = nullptr;
  UnitPool pool(*first, workers, [&](DwarfSource& src, size_t w, size_t i) {
    RegistryView& view = views[w];
    // Only named records start a build; every other unit-level type is read
    // lazily when a record refers to it.
    const RecordNameFilter read = [&, i](const char* name) {
      if (filter && !filter(name)) return RecordRead::Skip;
      return view.read_as(name, i);
    };
    UnitDies unit = src.read_unit(i, &read);
    const BuildGate gate = [&, i](std::string_view name, uint64_t id, bool never_equal) {
      return view.gate(name, id, never_equal, i);
    };
    std::vector<BuiltRecord> built = build_unit_records(unit, src, filter, gate, opts.expand_types);
    src.recycle(std::move(unit.dies));
    if (built.empty()) return;
    if (stop_early)
      if (const size_t stop = found.note(i, built); stop != SIZE_MAX) pool_ptr->stop_after(stop);
    per_worker[w].emplace_back(i, std::move(built));
  });
  pool_ptr = &pool;

  // A -C search often ends in the first units (a vmlinux's task_struct is in
  // its second, after head_64.S): look there before starting threads.
  constexpr size_t kUnitsBeforeThreads = 8;
  if (workers > 1 && stop_early)
    for (size_t k = 0; k < kUnitsBeforeThreads && !pool.finished(); ++k) pool.run_here(1);
  pool.run_all([&](DwarfSource& clone) { clone.set_source_locations(opts.source_locations); });
  pool.rethrow();

  std::vector<UnitRecords> per_unit;
  for (auto& w : per_worker)
    for (auto& u : w) per_unit.push_back(std::move(u));
  RecordSet set = merge_units(std::move(per_unit), variants, path);
  set.named_definitions = opts.expand_types;
  return set;
}

}  // namespace

RecordSet load_records(const std::string& path, const LoadOptions& opts) {
  RecordSet set = load_units(path, opts);
  // Reduced debug info: definitions for the declarations members hold by
  // value. A load of every layout of every name has them all already;
  // otherwise the units are read again for those names only (every layout,
  // so that a name defined several ways is seen to be).
  const bool has_all = opts.keep_layout_variants && opts.names.empty() && !opts.name_filter;
  const DefinitionLookup lookup = [&](const std::vector<std::string>& names) {
    std::vector<std::shared_ptr<const Record>> out;
    if (has_all) {
      const std::unordered_set<std::string> wanted(names.begin(), names.end());
      for (const auto& r : set.records)
        if (wanted.count(r->name)) out.push_back(r);
      return out;
    }
    LoadOptions more = opts;
    more.names = names;
    more.name_filter = nullptr;
    more.keep_layout_variants = true;
    return load_units(path, more).records;
  };
  complete_declarations(set, lookup, opts.expand_types);
  return set;
}

}  // namespace padguard
