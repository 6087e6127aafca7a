// A parallel-for over a DWARF file's units: workers take unit indices in
// increasing order from one counter, each with its own backend handle
// (DwarfSource::clone), until the units run out or `stop_after` is passed.
// The error of the lowest failing unit is rethrown, so it is deterministic.
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "padguard/dwarf_source.hpp"

namespace padguard {

class UnitPool {
 public:
  // work(source, worker, unit): read and build one unit.
  using Work = std::function<void(DwarfSource&, size_t worker, size_t unit)>;
  UnitPool(DwarfSource& first, unsigned workers, Work work) : first_(first), workers_(workers), work_(std::move(work)) {}

  // Runs up to `limit` units on the calling thread with the first handle
  // (a -C search that may end before threads are worth starting).
  void run_here(size_t limit) { take(first_, 0, limit); }
  // Runs every remaining unit on all workers; clones are made one at a time.
  void run_all(const std::function<void(DwarfSource&)>& setup);
  // Units above this one are not taken (an early stop); SIZE_MAX: none.
  void stop_after(size_t unit) { stop_after_.store(unit); }
  bool finished() const { return error_ != nullptr || next_.load() > stop_after_.load(); }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void take(DwarfSource& src, size_t worker, size_t limit);

  DwarfSource& first_;
  unsigned workers_;
  Work work_;
  std::atomic<size_t> next_{0};
  std::atomic<size_t> stop_after_{SIZE_MAX};
  std::mutex error_mu_;
  std::exception_ptr error_;
  size_t error_unit_ = SIZE_MAX;
};

inline void UnitPool::take(DwarfSource& src, size_t worker, size_t limit) {
  for (size_t taken = 0; taken < limit; ++taken) {
    const size_t i = next_++;
    try {
      // This worker's units are increasing: past the stop, none matters.
      if (i > stop_after_.load() || !src.has_unit(i)) return;
      work_(src, worker, i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mu_);
      if (i < error_unit_) error_unit_ = i, error_ = std::current_exception();
      return;  // a corrupt unit header ends the units for this worker
    }
  }
}

inline void UnitPool::run_all(const std::function<void(DwarfSource&)>& setup) {
  if (finished()) return;
  if (workers_ <= 1) return take(first_, 0, SIZE_MAX);
  std::vector<std::unique_ptr<DwarfSource>> clones;
  for (unsigned t = 1; t < workers_; ++t) {
    clones.push_back(first_.clone());
    setup(*clones.back());
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < clones.size(); ++t)
    pool.emplace_back([this, &clones, t] { take(*clones[t], t + 1, SIZE_MAX); });
  take(first_, 0, SIZE_MAX);
  for (auto& th : pool) th.join();
}

}  // namespace padguard
