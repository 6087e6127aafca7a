// Root causes of a diff: a record that changed only because a record it
// embeds by value changed (struct pci_dev grew because struct device grew)
// is "derived"; the records with changes of their own are the root causes,
// and each reaches, transitively, every record that embeds it. Pure: works
// on the member changes diff_records already found.
#include <algorithm>
#include <map>
#include <set>

#include "padguard/diff.hpp"

namespace padguard {

namespace {

// The named record a member's storage is made of: through typedefs,
// qualifiers and arrays (an array of struct device grows with it), never
// through a pointer. Null when the member is not such a record.
const Type* embedded_named_record(const Type& t) {
  const Type* at = &t;
  for (int depth = 0; depth < 64 && at; ++depth) {
    switch (at->kind) {
      case TypeKind::Typedef:
      case TypeKind::Qualified:
      case TypeKind::Array: at = at->target.get(); break;
      case TypeKind::Record: return at->name.empty() ? nullptr : at;
      default: return nullptr;
    }
  }
  return nullptr;
}

// What an embedded record's size change can do to the record around it.
bool consequence(Change c) {
  return c == Change::Shifted || c == Change::SharingChanged || c == Change::Straddles || c == Change::Unstraddles;
}

class Attribution {
 public:
  explicit Attribution(DiffResult& res) : res_(res) {
    for (size_t i = 0; i < res.records.size(); ++i)
      if (res.records[i].status == RecordStatus::Changed) changed_.emplace(res.records[i].name, i);
  }

  void run() {
    for (RecordDiff& d : res_.records)
      if (d.status == RecordStatus::Changed) explain(d);
    for (size_t i = 0; i < res_.records.size(); ++i)
      if (res_.records[i].status == RecordStatus::Changed) roots(i);
    collect();
  }

 private:
  // Which members' changes an embedded record explains, and whether that is
  // all that changed.
  void explain(RecordDiff& d) {
    bool own = !d.containers_added.empty() || !d.containers_removed.empty();
    for (const ContainerChange& c : d.containers_changed)
      own |= !c.keys_entered.empty() || !c.keys_left.empty();
    for (const MemberDiff& m : d.members) {
      const bool why = m.old_m && m.new_m && m.has(Change::Resized) && embedded_cause(d, m);
      for (Change c : m.changes)
        if (!consequence(c) && !(c == Change::Resized && why)) own = true;
    }
    d.derived = !own && !d.because.empty();
  }

  // Records the embedded record that explains m's resize, if there is one.
  bool embedded_cause(RecordDiff& d, const MemberDiff& m) {
    const Type* o = embedded_named_record(*m.old_m->type);
    const Type* n = embedded_named_record(*m.new_m->type);
    if (!o || !n || o->name != n->name || o->record_kind != n->record_kind || n->name == d.name) return false;
    auto it = changed_.find(n->name);
    if (it == changed_.end()) return false;
    const RecordDiff& inner = res_.records[it->second];
    if (inner.size_delta() == 0 || inner.kind != n->record_kind) return false;
    d.because.push_back({m.key, n->name, n->record_kind, inner.size_delta()});
    return true;
  }

  // The root causes reaching record i: for each embedded record that
  // explains a change, that record if it changed on its own, and what
  // reaches it. Memoised; a cycle (impossible by value in C, possible in a
  // hostile facts file) contributes nothing further.
  const std::vector<std::string>& roots(size_t i) {
    RecordDiff& d = res_.records[i];
    if (state_[i] == 2 || state_[i] == 1) return d.root_causes;
    state_[i] = 1;
    std::set<std::string> out;
    for (const EmbeddedChange& e : d.because) {
      const size_t j = changed_.at(e.type);
      const RecordDiff& inner = res_.records[j];
      if (state_[j] == 1) continue;
      for (const std::string& r : roots(j)) out.insert(r);
      if (!inner.derived) out.insert(inner.name);
    }
    d.root_causes.assign(out.begin(), out.end());
    state_[i] = 2;
    return d.root_causes;
  }

  void collect() {
    std::map<std::string, std::vector<std::string>> affected;
    for (const RecordDiff& d : res_.records)
      for (const std::string& r : d.root_causes) affected[r].push_back(d.name);
    for (auto& [name, names] : affected) {
      const RecordDiff& rd = res_.records[changed_.at(name)];
      std::sort(names.begin(), names.end());
      res_.root_causes.push_back({name, rd.kind, rd.size_delta(), std::move(names)});
    }
    std::stable_sort(res_.root_causes.begin(), res_.root_causes.end(), [](const RootCause& a, const RootCause& b) {
      return a.affected.size() > b.affected.size();
    });
  }

  DiffResult& res_;
  std::map<std::string, size_t> changed_;  // plain names of Changed records
  std::map<size_t, int> state_;            // 1 visiting, 2 done
};

}  // namespace

void attribute_root_causes(DiffResult& res) {
  for (RecordDiff& d : res.records) d.because.clear(), d.derived = false, d.root_causes.clear();
  res.root_causes.clear();
  Attribution(res).run();
}

}  // namespace padguard
