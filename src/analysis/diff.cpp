// Layout diff of one record between two builds. Members are matched by their
// C access path (anonymous records are transparent), so a member that leaves
// an anonymous union still matches; "moved" means its order relative to the
// other members changed (it is not in the longest run of members whose order
// held), "shifted" that it only slid along with its neighbours.
#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "padguard/compare.hpp"
#include "padguard/diff.hpp"
#include "padguard/layout_map.hpp"
#include "padguard/pairing.hpp"

namespace padguard {

const char* change_name(Change c) {
  switch (c) {
    case Change::Added: return "added";
    case Change::Removed: return "removed";
    case Change::Moved: return "moved";
    case Change::Shifted: return "shifted";
    case Change::Resized: return "resized";
    case Change::Retyped: return "retyped";
    case Change::Bitfield: return "bitfield";
    case Change::LeftUnion: return "left_union";
    case Change::EnteredUnion: return "entered_union";
    case Change::SharingChanged: return "sharing_changed";
    case Change::Straddles: return "straddles";
    case Change::Unstraddles: return "unstraddles";
  }
  return "?";
}

const char* status_name(RecordStatus s) {
  switch (s) {
    case RecordStatus::Unchanged: return "unchanged";
    case RecordStatus::Changed: return "changed";
    case RecordStatus::Added: return "added";
    case RecordStatus::Removed: return "removed";
    case RecordStatus::Missing: return "missing";
    case RecordStatus::Ambiguous: return "ambiguous";
    case RecordStatus::Suppressed: return "suppressed";
  }
  return "?";
}

bool MemberDiff::has(Change c) const { return std::find(changes.begin(), changes.end(), c) != changes.end(); }

int64_t RecordDiff::size_delta() const {
  if (!old_stats || !new_stats) return 0;
  return static_cast<int64_t>(new_stats->size) - static_cast<int64_t>(old_stats->size);
}

bool DiffResult::only_in_btf(const RecordDiff& d) const {
  return (d.status == RecordStatus::Added && new_is_btf && !old_is_btf) ||
         (d.status == RecordStatus::Removed && old_is_btf && !new_is_btf);
}

bool DiffResult::changed() const {
  return std::any_of(records.begin(), records.end(),
                     [this](const RecordDiff& d) {
                       return d.status != RecordStatus::Unchanged && d.status != RecordStatus::Suppressed &&
                              !only_in_btf(d);
                     });
}

bool RecordDiff::incomplete() const {
  return old_stats && new_stats && (!old_unknown.empty() || !new_unknown.empty());
}

size_t DiffResult::incomplete() const {
  return static_cast<size_t>(
      std::count_if(records.begin(), records.end(), [](const RecordDiff& d) { return d.incomplete(); }));
}

bool DiffResult::ambiguous() const {
  return std::any_of(records.begin(), records.end(),
                     [](const RecordDiff& d) { return d.status == RecordStatus::Ambiguous; });
}

std::vector<std::string> DiffResult::missing() const {
  std::vector<std::string> out;
  if (!explicit_names) return out;
  for (const RecordDiff& d : records)
    if (d.status == RecordStatus::Added || d.status == RecordStatus::Removed || d.status == RecordStatus::Missing)
      out.push_back(d.name);
  return out;
}

namespace {

bool straddles(const FlatMember& f, uint32_t cl) {
  if (cl == 0 || f.end_byte() <= f.begin_byte()) return false;
  return f.begin_byte() / cl != (f.end_byte() - 1) / cl;
}

// Which of the matched members (in old offset order) kept their relative
// order: a longest non-decreasing run of new offsets, preferring, among runs
// of the same length, members whose offset did not change at all (so in
// "a b c" -> "a c b" with c unchanged, b is the one that moved). Each member
// weighs n + 1, plus 1 if unchanged, so length decides first; among equal
// predecessors the earliest is taken. O(n log n): a Fenwick tree of prefix
// maxima over the offsets' ranks (a record of 40,000 members is hostile
// input, not a reason to stall).
std::vector<bool> longest_ordered(const std::vector<uint64_t>& seq, const std::vector<bool>& unchanged) {
  const size_t n = seq.size();
  std::vector<uint64_t> values(seq);
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  struct Best {
    uint64_t weight = 0;
    size_t at = SIZE_MAX;
    bool better_than(const Best& o) const { return weight > o.weight || (weight == o.weight && at < o.at); }
  };
  std::vector<Best> tree(values.size() + 1);
  std::vector<uint64_t> best(n, 0);
  std::vector<size_t> prev(n, SIZE_MAX);
  size_t end = SIZE_MAX;
  for (size_t i = 0; i < n; ++i) {
    const size_t rank = std::lower_bound(values.begin(), values.end(), seq[i]) - values.begin() + 1;
    Best before;  // the best run ending at an offset <= seq[i]
    for (size_t k = rank; k > 0; k &= k - 1)
      if (tree[k].better_than(before)) before = tree[k];
    best[i] = before.weight + n + 1 + (unchanged[i] ? 1 : 0);
    prev[i] = before.at;
    const Best mine{best[i], i};
    for (size_t k = rank; k < tree.size(); k += k & (~k + 1))
      if (mine.better_than(tree[k])) tree[k] = mine;
    if (end == SIZE_MAX || best[i] > best[end]) end = i;
  }
  std::vector<bool> in(n, false);
  for (size_t i = end; i != SIZE_MAX; i = prev[i]) in[i] = true;
  return in;
}

// Keys are unique in C; make them unique anyway (C++ or odd DWARF, a hostile
// facts file with 40,000 members of one name): the k-th repeat of a key
// becomes "key#k", each base key counting on where it stopped.
std::unordered_map<std::string, size_t> index_by_key(FlatRecord& f) {
  std::unordered_map<std::string, size_t> idx;
  std::unordered_map<std::string, int> next;
  idx.reserve(f.members.size());
  for (size_t i = 0; i < f.members.size(); ++i) {
    std::string k = f.members[i].key;
    if (idx.count(k)) {
      int& n = next.try_emplace(f.members[i].key, 2).first->second;
      do k = f.members[i].key + "#" + std::to_string(n++);
      while (idx.count(k));
    }
    f.members[i].key = k;
    idx.emplace(std::move(k), i);
  }
  return idx;
}

template <class T, class Key>
std::vector<T> minus(const std::vector<T>& a, const std::vector<T>& b, Key key) {
  std::multiset<decltype(key(a[0]))> have;
  for (const T& x : b) have.insert(key(x));
  std::vector<T> out;
  for (const T& x : a) {
    auto it = have.find(key(x));
    if (it != have.end())
      have.erase(it);
    else
      out.push_back(x);
  }
  return out;
}

// T[a][b] as BTF stores it: the innermost element type and the element count.
const Type& flat_array(const Type& t, uint64_t& count) {
  const Type* at = &t;
  count = 1;
  while (at->kind == TypeKind::Array && at->target) {
    for (uint64_t d : at->dims) count *= d;
    at = at->target.get();
  }
  return *at;
}

bool same_member_type(const Type& a, const Type& b, bool flat_arrays) {
  if (!flat_arrays || a.kind != TypeKind::Array || b.kind != TypeKind::Array) return same_type(a, b);
  uint64_t na = 0, nb = 0;
  const Type& ea = flat_array(a, na);
  const Type& eb = flat_array(b, nb);
  return na == nb && same_type(ea, eb);
}

// Keys whose extent changed in sharing: the members listed on one side only.
std::vector<std::string> sharing_difference(const MemberDiff& md) {
  std::vector<std::string> out;
  std::set_symmetric_difference(md.old_shares.begin(), md.old_shares.end(), md.new_shares.begin(),
                                md.new_shares.end(), std::back_inserter(out));
  return out;
}

// A member of unknown size on a side (declaration-only type) has no known
// end: its size, sharing and straddling are not compared (nor those of the
// members whose sharing differs only with it).
void matched_changes(MemberDiff& md, uint32_t cl, bool flat_arrays, const std::set<std::string>& unknown) {
  const FlatMember& o = *md.old_m;
  const FlatMember& n = *md.new_m;
  const bool sized = !o.size_unknown && !n.size_unknown;
  if (sized && o.byte_size != n.byte_size) md.changes.push_back(Change::Resized);
  if (!same_member_type(*o.type, *n.type, flat_arrays)) md.changes.push_back(Change::Retyped);
  if (o.bit_size != n.bit_size) md.changes.push_back(Change::Bitfield);
  if (!o.unions.empty() && n.unions.empty()) md.changes.push_back(Change::LeftUnion);
  if (o.unions.empty() && !n.unions.empty()) md.changes.push_back(Change::EnteredUnion);
  if (md.old_shares != md.new_shares && sized) {
    const std::vector<std::string> differ = sharing_difference(md);
    if (std::none_of(differ.begin(), differ.end(), [&](const std::string& k) { return unknown.count(k) != 0; }))
      md.changes.push_back(Change::SharingChanged);
  }
  if (sized && straddles(n, cl) && !straddles(o, cl)) md.changes.push_back(Change::Straddles);
  if (sized && !straddles(n, cl) && straddles(o, cl)) md.changes.push_back(Change::Unstraddles);
}

void diff_members(RecordDiff& d, FlatRecord& fo, FlatRecord& fn, uint32_t cl, bool flat_arrays) {
  const auto oi = index_by_key(fo);
  const auto ni = index_by_key(fn);
  const auto os = byte_sharing(fo);
  const auto ns = byte_sharing(fn);

  // Matched members in old order; which kept their relative order.
  std::vector<std::pair<size_t, size_t>> matched;
  for (size_t i = 0; i < fo.members.size(); ++i)
    if (auto it = ni.find(fo.members[i].key); it != ni.end()) matched.emplace_back(i, it->second);
  std::stable_sort(matched.begin(), matched.end(), [&](auto a, auto b) {
    return fo.members[a.first].bit_offset < fo.members[b.first].bit_offset;
  });
  std::vector<uint64_t> seq;
  std::vector<bool> unchanged;
  for (auto [o, n] : matched) {
    seq.push_back(fn.members[n].bit_offset);
    unchanged.push_back(fn.members[n].bit_offset == fo.members[o].bit_offset);
  }
  const std::vector<bool> kept = longest_ordered(seq, unchanged);
  std::set<std::string> unknown;
  for (const FlatRecord* f : {&fo, &fn})
    for (const FlatMember& m : f->members)
      if (m.size_unknown) unknown.insert(m.key);

  std::vector<MemberDiff> out;
  for (size_t k = 0; k < matched.size(); ++k) {
    const auto [o, n] = matched[k];
    MemberDiff md;
    md.key = fo.members[o].key;
    md.old_m = fo.members[o];
    md.new_m = fn.members[n];
    md.old_shares = os[o];
    md.new_shares = ns[n];
    if (md.old_m->bit_offset != md.new_m->bit_offset) md.changes.push_back(kept[k] ? Change::Shifted : Change::Moved);
    matched_changes(md, cl, flat_arrays, unknown);
    std::sort(md.changes.begin(), md.changes.end());
    if (!md.changes.empty()) out.push_back(std::move(md));
  }
  for (size_t i = 0; i < fn.members.size(); ++i) {
    if (oi.count(fn.members[i].key)) continue;
    MemberDiff md;
    md.key = fn.members[i].key;
    md.new_m = fn.members[i];
    md.new_shares = ns[i];
    md.changes.push_back(Change::Added);
    if (!fn.members[i].unions.empty()) md.changes.push_back(Change::EnteredUnion);
    if (!fn.members[i].size_unknown && straddles(fn.members[i], cl)) md.changes.push_back(Change::Straddles);
    out.push_back(std::move(md));
  }
  for (size_t i = 0; i < fo.members.size(); ++i) {
    if (ni.count(fo.members[i].key)) continue;
    MemberDiff md;
    md.key = fo.members[i].key;
    md.old_m = fo.members[i];
    md.old_shares = os[i];
    md.changes.push_back(Change::Removed);
    out.push_back(std::move(md));
  }
  std::stable_sort(out.begin(), out.end(), [](const MemberDiff& a, const MemberDiff& b) {
    const FlatMember& x = a.current();
    const FlatMember& y = b.current();
    if (x.bit_offset != y.bit_offset) return x.bit_offset < y.bit_offset;
    return a.new_m.has_value() > b.new_m.has_value();
  });
  for (const MemberDiff& md : out)
    if (md.has(Change::Straddles)) d.now_straddling.push_back(md.key);
  d.members = std::move(out);
}

std::string container_sig(const FlatContainer& c) {
  std::string s = kind_keyword(c.kind);
  for (const std::string& k : c.keys) s += " " + k;
  return s;
}

size_t shared_keys(const FlatContainer& a, const FlatContainer& b) {
  size_t n = 0;
  for (auto i = a.keys.begin(), j = b.keys.begin(); i != a.keys.end() && j != b.keys.end();) {
    if (*i < *j) ++i;
    else if (*j < *i) ++j;
    else ++n, ++i, ++j;
  }
  return n;
}

ContainerChange container_change(const FlatContainer& o, const FlatContainer& n) {
  ContainerChange c{o, n, {}, {}};
  std::set_difference(n.keys.begin(), n.keys.end(), o.keys.begin(), o.keys.end(), std::back_inserter(c.keys_entered));
  std::set_difference(o.keys.begin(), o.keys.end(), n.keys.begin(), n.keys.end(), std::back_inserter(c.keys_left));
  return c;
}

constexpr size_t kMaxContainerPairs = size_t{1} << 20;

uint64_t distance(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

// Inline records across builds: the same kind and members, in order, is the
// same container (a change if its size did); what is left is paired by the
// most shared members, then the nearest offset, then order, and only when
// they share a member; the rest were removed and added.
void match_containers(RecordDiff& d, const FlatRecord& fo, const FlatRecord& fn) {
  std::multimap<std::string, size_t> by_sig;
  for (size_t j = 0; j < fn.containers.size(); ++j) by_sig.emplace(container_sig(fn.containers[j]), j);
  std::vector<bool> old_used(fo.containers.size()), new_used(fn.containers.size());
  for (size_t i = 0; i < fo.containers.size(); ++i) {
    auto it = by_sig.find(container_sig(fo.containers[i]));
    if (it == by_sig.end()) continue;
    const FlatContainer& n = fn.containers[it->second];
    if (n.size != fo.containers[i].size) d.containers_changed.push_back(container_change(fo.containers[i], n));
    old_used[i] = new_used[it->second] = true;
    by_sig.erase(it);
  }
  struct Cand {
    size_t shared, dist, i, j;
  };
  std::vector<Cand> cands;
  const size_t left_old = std::count(old_used.begin(), old_used.end(), false);
  const size_t left_new = std::count(new_used.begin(), new_used.end(), false);
  // Thousands of reshaped anonymous records on both sides (hostile input, no
  // real struct has them) are listed as removed and added, not paired.
  const bool pair_rest = left_old * left_new <= kMaxContainerPairs;
  for (size_t i = 0; pair_rest && i < fo.containers.size(); ++i)
    for (size_t j = 0; !old_used[i] && j < fn.containers.size(); ++j) {
      if (new_used[j] || fo.containers[i].kind != fn.containers[j].kind) continue;
      if (const size_t s = shared_keys(fo.containers[i], fn.containers[j]))
        cands.push_back({s, distance(fo.containers[i].offset, fn.containers[j].offset), i, j});
    }
  std::sort(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) {
    if (a.shared != b.shared) return a.shared > b.shared;
    if (a.dist != b.dist) return a.dist < b.dist;
    return std::tie(a.i, a.j) < std::tie(b.i, b.j);
  });
  for (const Cand& c : cands) {
    if (old_used[c.i] || new_used[c.j]) continue;
    old_used[c.i] = new_used[c.j] = true;
    d.containers_changed.push_back(container_change(fo.containers[c.i], fn.containers[c.j]));
  }
  for (size_t i = 0; i < fo.containers.size(); ++i)
    if (!old_used[i]) d.containers_removed.push_back(fo.containers[i]);
  for (size_t j = 0; j < fn.containers.size(); ++j)
    if (!new_used[j]) d.containers_added.push_back(fn.containers[j]);
  std::stable_sort(d.containers_changed.begin(), d.containers_changed.end(),
                   [](const ContainerChange& a, const ContainerChange& b) { return a.new_c.offset < b.new_c.offset; });
}

}  // namespace

RecordDiff diff_records(const Record& old_r, const Record& new_r, const DiffOptions& o) {
  RecordDiff d;
  d.name = new_r.name;
  d.kind = new_r.kind;
  d.decl = new_r.decl;
  d.old_stats = record_stats(old_r, o.cacheline_size);
  d.new_stats = record_stats(new_r, o.cacheline_size);
  FlatRecord fo = flatten(old_r);
  FlatRecord fn = flatten(new_r);
  const bool btf = o.old_is_btf || o.new_is_btf;
  diff_members(d, fo, fn, o.cacheline_size, btf);

  d.old_unknown = unknown_sizes(fo);
  d.new_unknown = unknown_sizes(fn);
  const bool incomplete = !d.old_unknown.empty() || !d.new_unknown.empty();
  std::vector<Hole> ho = find_holes(old_r);
  std::vector<Hole> hn = find_holes(new_r);
  if (incomplete) {
    // Where either side has a member of unknown size, neither side's holes
    // are compared: one side cannot say whether it has them.
    std::vector<Hole> spans = unknown_spans(old_r);
    for (const Hole& h : unknown_spans(new_r)) spans.push_back(h);
    auto in_span = [&](const Hole& h) {
      return std::any_of(spans.begin(), spans.end(), [&](const Hole& s) {
        return h.offset < s.offset + std::max<uint64_t>(s.size, 1) && s.offset < h.offset + h.size;
      });
    };
    std::erase_if(ho, in_span);
    std::erase_if(hn, in_span);
  }
  auto hole_key = [](const Hole& h) { return std::make_pair(h.offset, h.size); };
  d.holes_filled = minus(ho, hn, hole_key);
  d.holes_opened = minus(hn, ho, hole_key);
  match_containers(d, fo, fn);
  apply_suppressions(d, fo, fn, o.suppress);
  if (has_cacheline_groups(old_r) || has_cacheline_groups(new_r))
    d.groups = group_changes(old_r, new_r, o.cacheline_size);

  RecordStats compared_old = *d.old_stats;
  if (btf) compared_old.alignment = d.new_stats->alignment;  // BTF states none
  // With members of unknown size only sizeof and cachelines are facts.
  const bool same_figures = incomplete ? compared_old.size == d.new_stats->size &&
                                             compared_old.cachelines == d.new_stats->cachelines
                                       : compared_old == *d.new_stats;
  const bool same = d.members.empty() && same_figures && d.holes_filled.empty() &&
                    d.holes_opened.empty() && d.containers_removed.empty() && d.containers_added.empty() &&
                    d.containers_changed.empty() && d.groups.empty() &&
                    old_r.kind == new_r.kind;
  d.status = !same ? RecordStatus::Changed : d.suppressed.empty() ? RecordStatus::Unchanged : RecordStatus::Suppressed;
  if (o.maps && d.status != RecordStatus::Unchanged) {  // an unchanged record's picture: see diff_sets
    d.old_map = std::make_shared<const LayoutMap>(layout_map(old_r, o.cacheline_size));
    d.new_map = std::make_shared<const LayoutMap>(layout_map(new_r, o.cacheline_size));
  }
  return d;
}

namespace {

RecordDiff one_sided(const RecordPair& p, const DiffOptions& o) {
  RecordDiff d;
  d.name = p.subject;
  const uint32_t cacheline_size = o.cacheline_size;
  if (p.old_r) {
    d.status = RecordStatus::Removed, d.kind = p.old_r->kind, d.decl = p.old_r->decl;
    d.old_stats = record_stats(*p.old_r, cacheline_size);
    if (o.maps) d.old_map = std::make_shared<const LayoutMap>(layout_map(*p.old_r, cacheline_size));
  } else if (p.new_r) {
    d.status = RecordStatus::Added, d.kind = p.new_r->kind, d.decl = p.new_r->decl;
    d.new_stats = record_stats(*p.new_r, cacheline_size);
    if (o.maps) d.new_map = std::make_shared<const LayoutMap>(layout_map(*p.new_r, cacheline_size));
  } else {
    d.status = RecordStatus::Missing;
  }
  return d;
}

RecordDiff diff_pair(const RecordPair& p, const DiffOptions& o) {
  if (!p.old_r || !p.new_r) return one_sided(p, o);
  RecordDiff d = diff_records(*p.old_r, *p.new_r, o);
  d.name = p.subject;
  return d;
}

RecordDiff ambiguous(const Ambiguity& a) {
  RecordDiff d;
  d.name = a.name;
  d.status = RecordStatus::Ambiguous;
  d.old_choices = a.old_choices;
  d.new_choices = a.new_choices;
  return d;
}

}  // namespace

DiffResult diff_sets(const RecordSet& old_s, const RecordSet& new_s, const std::vector<std::string>& names,
                     const DiffOptions& o) {
  DiffResult res;
  res.old_source = old_s.source;
  res.new_source = new_s.source;
  res.cacheline_size = o.cacheline_size;
  res.explicit_names = !names.empty();
  res.old_is_btf = o.old_is_btf;
  res.new_is_btf = o.new_is_btf;
  if (names.empty()) {
    const Pairing p = pair_records(old_s, new_s);
    for (const RecordPair& rp : p.pairs) res.records.push_back(diff_pair(rp, o));
    for (const Ambiguity& a : p.ambiguous) res.records.push_back(ambiguous(a));
    std::stable_sort(res.records.begin(), res.records.end(),
                     [](const RecordDiff& a, const RecordDiff& b) { return a.name < b.name; });
    attribute_root_causes(res);
    return res;
  }
  for (const std::string& n : names) {
    const Selection sel = select_pair(old_s, new_s, n);
    res.records.push_back(sel.ambiguous ? ambiguous(sel.choices) : diff_pair(sel.pair, o));
    // A record asked for by name is drawn even when unchanged: once, both sides being the same.
    RecordDiff& d = res.records.back();
    if (o.maps && d.status == RecordStatus::Unchanged)
      d.new_map = std::make_shared<const LayoutMap>(layout_map(*sel.pair.new_r, o.cacheline_size));
  }
  attribute_root_causes(res);
  return res;
}

}  // namespace padguard
