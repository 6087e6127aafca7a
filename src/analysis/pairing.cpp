// Pairing definitions of one name across two builds; see pairing.hpp.
#include "padguard/pairing.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <unordered_map>

#include "padguard/diff.hpp"

namespace padguard {

SubjectSpec parse_subject(std::string_view spec) {
  size_t cut = spec.find('@');
  if (cut == std::string_view::npos) {
    const size_t hash = spec.rfind('#');
    if (hash != std::string_view::npos && hash + 1 < spec.size() &&
        std::all_of(spec.begin() + hash + 1, spec.end(), [](char c) { return c >= '0' && c <= '9'; }))
      cut = hash;
  }
  if (cut == std::string_view::npos) return {std::string(spec), ""};
  return {std::string(spec.substr(0, cut)), std::string(spec.substr(cut))};
}

namespace {

// Same layout as far as diff can tell (members, offsets, sizes, types, holes).
bool same_layout(const Record& a, const Record& b) {
  return a.kind == b.kind && diff_records(a, b).status == RecordStatus::Unchanged;
}

// Adds `r` to `g` unless a definition of the same layout is there already.
void add_layout(std::vector<const Record*>& g, const Record& r) {
  if (std::none_of(g.begin(), g.end(), [&](const Record* x) { return same_layout(*x, r); })) g.push_back(&r);
}

// One side's definitions by name, in set order; a layout already seen under
// the name counts once.
class Definitions {
 public:
  explicit Definitions(const RecordSet& s) {
    for (const auto& r : s.records) {
      if (r->name.empty()) continue;
      add_layout(by_name_[r->name], *r);
    }
  }
  const std::vector<const Record*>& of(const std::string& name) const {
    static const std::vector<const Record*> none;
    auto it = by_name_.find(name);
    return it == by_name_.end() ? none : it->second;
  }
  const std::map<std::string, std::vector<const Record*>>& all() const { return by_name_; }

 private:
  std::map<std::string, std::vector<const Record*>> by_name_;
};

bool path_matches(const std::string& path, std::string_view want) {
  if (path.empty() || want.empty()) return false;
  if (path == want) return true;
  return path.size() > want.size() && path.compare(path.size() - want.size(), want.size(), want) == 0 &&
         path[path.size() - want.size() - 1] == '/';
}

size_t count_file(const std::vector<const Record*>& g, const std::string& f) {
  return std::count_if(g.begin(), g.end(), [&](const Record* x) { return x->decl.file == f; });
}
size_t count_unit(const std::vector<const Record*>& g, const std::string& u) {
  return std::count_if(g.begin(), g.end(), [&](const Record* x) { return x->unit == u; });
}

// The subject of definition `r` among its side's definitions `g` of the name.
std::string qualified(const Record& r, const std::vector<const Record*>& g) {
  if (!r.decl.file.empty() && count_file(g, r.decl.file) == 1) return r.name + "@" + r.decl.file;
  if (!r.unit.empty() && count_unit(g, r.unit) == 1) return r.name + "@" + r.unit;
  const size_t k = std::find(g.begin(), g.end(), &r) - g.begin() + 1;
  return r.name + "#" + std::to_string(k);
}

std::vector<std::string> subjects(const std::vector<const Record*>& some, const std::vector<const Record*>& g) {
  std::vector<std::string> out;
  for (const Record* r : some) out.push_back(qualified(*r, g));
  return out;
}

bool same_site(const Record& a, const Record& b) {
  return (!a.decl.file.empty() || !a.unit.empty()) && a.decl.file == b.decl.file && a.unit == b.unit;
}

// Pairs x of `ro` with y of `rn` where `match` holds for exactly that one y
// and that one x; paired ones leave the lists.
template <typename Match>
void pair_unique(std::vector<const Record*>& ro, std::vector<const Record*>& rn, Match match,
                 std::vector<std::pair<const Record*, const Record*>>& out) {
  for (size_t i = 0; i < ro.size();) {
    size_t hits = 0, at = 0;
    for (size_t j = 0; j < rn.size(); ++j)
      if (match(*ro[i], *rn[j])) ++hits, at = j;
    const bool unique_back =
        hits == 1 && std::count_if(ro.begin(), ro.end(), [&](const Record* x) { return match(*x, *rn[at]); }) == 1;
    if (unique_back) {
      out.emplace_back(ro[i], rn[at]);
      ro.erase(ro.begin() + i);
      rn.erase(rn.begin() + at);
    } else {
      ++i;
    }
  }
}

const Record* select_in(const std::vector<const Record*>& g, const SubjectSpec& s, std::vector<std::string>* choices) {
  std::vector<const Record*> hits;
  if (s.qualifier.empty()) {
    hits = g;
  } else if (s.qualifier[0] == '#') {
    size_t k = 0;
    std::from_chars(s.qualifier.data() + 1, s.qualifier.data() + s.qualifier.size(), k);
    if (k >= 1 && k <= g.size()) hits.push_back(g[k - 1]);
  } else {
    const std::string_view want = std::string_view(s.qualifier).substr(1);
    for (const Record* r : g)
      if (path_matches(r->decl.file, want) || path_matches(r->unit, want)) hits.push_back(r);
  }
  if (hits.size() == 1) return hits[0];
  if (hits.size() > 1 && choices) *choices = subjects(hits, g);
  return nullptr;
}

}  // namespace

Pairing pair_records(const RecordSet& old_s, const RecordSet& new_s) {
  const Definitions od(old_s), nd(new_s);
  std::vector<std::string> names;
  for (const auto& [n, g] : od.all()) names.push_back(n);
  for (const auto& [n, g] : nd.all())
    if (od.of(n).empty()) names.push_back(n);
  std::sort(names.begin(), names.end());

  Pairing p;
  for (const std::string& n : names) {
    const std::vector<const Record*>& go = od.of(n);
    const std::vector<const Record*>& gn = nd.of(n);
    if (go.size() <= 1 && gn.size() <= 1) {
      p.pairs.push_back({n, go.empty() ? nullptr : go[0], gn.empty() ? nullptr : gn[0]});
      continue;
    }
    std::vector<const Record*> ro = go, rn = gn;
    std::vector<std::pair<const Record*, const Record*>> both;
    pair_unique(ro, rn, [](const Record& a, const Record& b) { return same_site(a, b) && same_layout(a, b); }, both);
    pair_unique(ro, rn, same_site, both);
    pair_unique(ro, rn, same_layout, both);
    if (ro.size() == 1 && rn.size() == 1) {
      both.emplace_back(ro[0], rn[0]);
      ro.clear(), rn.clear();
    }
    for (const auto& [a, b] : both) p.pairs.push_back({qualified(*b, gn), a, b});
    if (!ro.empty() && !rn.empty()) {
      p.ambiguous.push_back({n, subjects(ro, go), subjects(rn, gn)});
      continue;
    }
    for (const Record* a : ro) p.pairs.push_back({qualified(*a, go), a, nullptr});
    for (const Record* b : rn) p.pairs.push_back({qualified(*b, gn), nullptr, b});
  }
  std::stable_sort(p.pairs.begin(), p.pairs.end(),
                   [](const RecordPair& a, const RecordPair& b) { return a.subject < b.subject; });
  return p;
}

const Record* select_record(const RecordSet& s, std::string_view spec, std::vector<std::string>* choices) {
  const SubjectSpec ss = parse_subject(spec);
  std::vector<const Record*> g;
  for (const auto& r : s.records)
    if (r->name == ss.name) add_layout(g, *r);
  return select_in(g, ss, choices);
}

std::vector<std::string> loaded_names(const std::vector<std::string>& subjects) {
  std::vector<std::string> out;
  for (const std::string& s : subjects) {
    std::string n = parse_subject(s).name;
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(std::move(n));
  }
  return out;
}

Selection select_pair(const RecordSet& old_s, const RecordSet& new_s, std::string_view spec) {
  Selection sel;
  sel.pair.subject = std::string(spec);
  sel.pair.old_r = select_record(old_s, spec, &sel.choices.old_choices);
  sel.pair.new_r = select_record(new_s, spec, &sel.choices.new_choices);
  sel.ambiguous = !sel.choices.old_choices.empty() || !sel.choices.new_choices.empty();
  if (sel.ambiguous) {
    sel.choices.name = parse_subject(spec).name;
    sel.pair.old_r = sel.pair.new_r = nullptr;
  }
  return sel;
}

}  // namespace padguard
