// Parallel, deterministic loading: workers take units by index, each with its
// own backend handle; results are merged in unit order.
#include "padguard/loader.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "padguard/model_builder.hpp"

namespace padguard {

namespace {

void mix(uint64_t& h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
}

void mix(uint64_t& h, const std::string& s) { mix(h, std::hash<std::string>{}(s)); }

}  // namespace

// pahole prints a later definition of an already printed name only when its
// size or its members' names, offsets or sizes differ (a type rename alone,
// e.g. siginfo_t -> compat_siginfo_t, does not count).
uint64_t layout_fingerprint(const Record& r) {
  uint64_t h = 0;
  mix(h, r.byte_size);
  mix(h, r.members.size());
  for (const Member& m : r.members) {
    mix(h, m.name);
    mix(h, m.bit_offset);
    mix(h, m.bit_size);
    mix(h, m.byte_size);
  }
  return h;
}

RecordSet load_records(const std::string& path, const LoadOptions& opts) {
  std::unique_ptr<DwarfSource> first = open_dwarf(path, opts.backend);
  const size_t n_units = first->unit_count();
  unsigned threads = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(n_units, 1)));

  std::unordered_set<std::string> wanted(opts.names.begin(), opts.names.end());
  NameFilter filter;
  if (!wanted.empty()) filter = [&wanted](std::string_view n) { return wanted.count(std::string(n)) != 0; };

  std::vector<std::vector<std::shared_ptr<const Record>>> per_unit(n_units);
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  size_t error_unit = SIZE_MAX;
  std::mutex error_mu;

  auto work = [&](DwarfSource& src) {
    for (size_t i = next++; i < n_units; i = next++) {
      try {
        UnitDies unit = src.read_unit(i);
        per_unit[i] = build_unit_records(unit, src, filter);
      } catch (...) {
        // Keep the error of the lowest unit so the message is deterministic.
        std::lock_guard<std::mutex> lock(error_mu);
        if (i < error_unit) error_unit = i, error = std::current_exception();
      }
    }
  };

  if (threads <= 1) {
    work(*first);
  } else {
    std::vector<std::unique_ptr<DwarfSource>> clones;
    for (unsigned t = 1; t < threads; ++t) clones.push_back(first->clone());
    std::vector<std::thread> pool;
    for (auto& c : clones) pool.emplace_back(work, std::ref(*c));
    work(*first);
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);

  RecordSet set;
  set.source = path;
  std::unordered_map<std::string, std::vector<uint64_t>> seen;
  for (auto& unit : per_unit) {
    for (auto& r : unit) {
      auto& prints = seen[r->name];
      if (!prints.empty() && !opts.keep_layout_variants) continue;
      const uint64_t fp = opts.keep_layout_variants ? layout_fingerprint(*r) : 0;
      bool dup = false;
      for (uint64_t p : prints) dup = dup || p == fp;
      if (dup) continue;
      prints.push_back(fp);
      set.records.push_back(std::move(r));
    }
    unit.clear();
  }
  return set;
}

const Record* RecordSet::find(std::string_view name) const {
  for (const auto& r : records)
    if (r->name == name) return r.get();
  return nullptr;
}

const char* kind_keyword(RecordKind k) {
  switch (k) {
    case RecordKind::Struct:
      return "struct";
    case RecordKind::Union:
      return "union";
    case RecordKind::Class:
      return "class";
  }
  return "struct";
}

std::string TypeSpelling::full() const {
  std::string s = modifiers;
  if (!keyword.empty()) s += keyword + " ";
  s += type;
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s + prefix + suffix;
}

}  // namespace padguard
