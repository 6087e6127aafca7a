// A small open-addressing hash map keyed by (pointer, 64-bit value), for the
// loader's per-worker caches: looked up once per record DIE of a vmlinux
// (about a million times), where a node-based std::unordered_map spent most
// of its time in cache misses.
#pragma once

#include <cstdint>
#include <vector>

namespace padguard {

template <typename V>
class FlatKeyMap {
 public:
  V* find(const void* p, uint64_t k) {
    if (slots_.empty()) return nullptr;
    for (size_t i = slot(p, k);; i = (i + 1) & mask()) {
      Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.p == p && s.k == k) return &s.v;
    }
  }

  // The value for (p, k), inserted as `init` when absent.
  V& get(const void* p, uint64_t k, const V& init) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    for (size_t i = slot(p, k);; i = (i + 1) & mask()) {
      Slot& s = slots_[i];
      if (!s.used) {
        s = Slot{p, k, init, true};
        ++size_;
        return s.v;
      }
      if (s.p == p && s.k == k) return s.v;
    }
  }

 private:
  struct Slot {
    const void* p = nullptr;
    uint64_t k = 0;
    V v{};
    bool used = false;
  };

  size_t mask() const { return slots_.size() - 1; }
  size_t slot(const void* p, uint64_t k) const {
    uint64_t h = (reinterpret_cast<uintptr_t>(p) ^ (k * 0xff51afd7ed558ccdULL)) * 0x9e3779b97f4a7c15ULL;
    return static_cast<size_t>(h >> 32) & mask();
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    size_ = 0;
    for (const Slot& s : old)
      if (s.used) get(s.p, s.k, s.v);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace padguard
