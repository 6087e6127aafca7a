// Text rendering of a layout diff: one summary line per struct, details
// indented, runs of members that merely shifted together folded into one line.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "padguard/diff_select.hpp"
#include "padguard/report_text.hpp"
#include "padguard/type_name.hpp"
#include "color.hpp"
#include "escape.hpp"
#include "sentences.hpp"

namespace padguard {

namespace {

// Every name, path, type and file below comes from the input: escaped so
// that a newline in one cannot start a line of its own.
std::string N(std::string_view s) { return esc::text(s); }

using color::Paint;
using color::paint_line;

std::string offset_text(const FlatMember& m) {
  if (m.is_bitfield()) return fmt::format("{}:{}", m.bit_offset / 8, m.bit_offset % 8);
  return std::to_string(m.bit_offset / 8);
}

std::string size_text(const FlatMember& m) {
  if (m.size_unknown) return "unknown size";
  return m.is_bitfield() ? fmt::format("{} bit{}", m.bit_size, m.bit_size == 1 ? "" : "s")
                         : fmt::format("{} byte{}", m.byte_size, m.byte_size == 1 ? "" : "s");
}

std::string loc_text(const FlatMember& m) {
  if (m.decl.file.empty()) return "";
  return m.decl.line ? fmt::format("  [{}:{}]", N(m.decl.file), m.decl.line)
                     : fmt::format("  [{}]", N(m.decl.file));
}

// At most `keep` names and about 100 characters of them, then how many
// more: a record's member list can be thousands of names long (--verbose:
// keep is SIZE_MAX, and every name is listed).
std::string brief(const std::vector<std::string>& v, size_t keep = 5) {
  constexpr size_t kBudget = 100;
  std::string s;
  size_t i = 0;
  for (; i < v.size() && i < keep; ++i) {
    const std::string name = N(v[i]);
    if (i && keep != SIZE_MAX && s.size() + 2 + name.size() > kBudget) break;
    s += (s.empty() ? "" : ", ") + name;
  }
  if (i < v.size()) s += fmt::format(", ... and {} more", v.size() - i);
  return s;
}

std::string grew(int64_t delta) {
  if (delta > 0) return fmt::format("grew {:+}", delta);
  if (delta < 0) return fmt::format("shrank {:+}", delta);
  return "changed";
}

// "struct device grew +8"
std::string cause_text(const EmbeddedChange& e) { return fmt::format("{} {} {}", kind_keyword(e.kind), N(e.type), grew(e.delta)); }

std::string stats_line(const RecordDiff& d) {
  const RecordStats& a = *d.old_stats;
  const RecordStats& b = *d.new_stats;
  std::string s = fmt::format("{} -> {} bytes ({:+})", a.size, b.size, d.size_delta());
  if (a.alignment != b.alignment) s += fmt::format(", alignment {} -> {}", a.alignment, b.alignment);
  if (a.cachelines != b.cachelines) s += fmt::format(", cachelines {} -> {}", a.cachelines, b.cachelines);
  else s += fmt::format(", cachelines {}", b.cachelines);
  s += fmt::format(", holes {}/{} -> {}/{}", a.nr_holes, a.sum_holes, b.nr_holes, b.sum_holes);
  s += fmt::format(", tail padding {} -> {}", a.padding, b.padding);
  return s;
}

const EmbeddedChange* cause_of(const RecordDiff& d, const MemberDiff& m) {
  for (const EmbeddedChange& e : d.because)
    if (e.member == m.key) return &e;
  return nullptr;
}

// No line much past kWidth: `head` then the parts joined by ", " and `tail`
// on one line if it fits, otherwise each part on a line of its own under
// the head, indented by `indent`, the tail after the last.
constexpr size_t kWidth = 200;

// A part may hold kBreak where it can break itself ("retyped 'a'" kBreak
// "-> 'b'"): a space on one line, a further-indented line when wrapped.
// (Input names are escaped, so the control character cannot come from them.)
constexpr char kBreak = '\x1f';

std::string joined_with(std::string s, const std::string& with) {
  for (size_t at = s.find(kBreak); at != std::string::npos; at = s.find(kBreak, at + with.size()))
    s.replace(at, 1, with);
  return s;
}

std::string wrapped(const std::string& head, const std::vector<std::string>& parts, const std::string& tail,
                    const std::string& indent) {
  std::string one = head;
  for (size_t i = 0; i < parts.size(); ++i) one += (i ? ", " : " ") + joined_with(parts[i], " ");
  one += tail;
  if (one.size() <= kWidth || parts.empty()) return one + "\n";
  std::string out = head + "\n";
  for (size_t i = 0; i < parts.size(); ++i)
    out += indent + joined_with(parts[i], "\n" + indent + "  ") + (i + 1 < parts.size() ? ",\n" : tail + "\n");
  return out;
}

// "shared bytes with [rcu] -> []"; past a few names, what changed in the
// set: "shared bytes with 29 -> 30 members (+clock_input, -common_serial_bus)".
std::string sharing_text(const MemberDiff& m, size_t keep) {
  const auto& a = m.old_shares;
  const auto& b = m.new_shares;
  std::string full = fmt::format("shared bytes with [{}] -> [{}]", brief(a, keep), brief(b, keep));
  if (full.size() <= 120 || keep == SIZE_MAX) return full;
  std::vector<std::string> delta;
  for (const std::string& x : b)
    if (std::find(a.begin(), a.end(), x) == a.end()) delta.push_back("+" + x);
  for (const std::string& x : a)
    if (std::find(b.begin(), b.end(), x) == b.end()) delta.push_back("-" + x);
  return fmt::format("shared bytes with {} -> {} members ({})", a.size(), b.size(), brief(delta, std::min<size_t>(keep, 3)));
}

// The change words and facts of one member, e.g. "moved 336 -> 468, left union ...".
std::string member_line(const RecordDiff& d, const MemberDiff& m, bool on, size_t keep) {
  std::vector<std::string> parts;
  const FlatMember& cur = m.current();
  for (Change c : m.changes) {
    switch (c) {
      case Change::Added:
        parts.push_back(fmt::format("added at {}", offset_text(*m.new_m)));
        break;
      case Change::Removed:
        parts.push_back(fmt::format("removed, was at {}", offset_text(*m.old_m)));
        break;
      case Change::Moved:
      case Change::Shifted:
        parts.push_back(fmt::format("{} {} -> {}", change_name(c), offset_text(*m.old_m), offset_text(*m.new_m)));
        break;
      case Change::Resized:
        parts.push_back(fmt::format("resized {} -> {}", size_text(*m.old_m), size_text(*m.new_m)));
        if (const EmbeddedChange* e = cause_of(d, m)) parts.back() += " (" + cause_text(*e) + ")";
        break;
      case Change::Retyped:
        parts.push_back(fmt::format("retyped '{}'{}-> '{}'", N(type_text(*m.old_m->type)), kBreak,
                                    N(type_text(*m.new_m->type))));
        break;
      case Change::Bitfield:
        parts.push_back(fmt::format("bitfield {} -> {} bits", m.old_m->bit_size, m.new_m->bit_size));
        break;
      case Change::LeftUnion:
        parts.push_back(fmt::format("left union {}", N(m.old_m->unions.back())));
        break;
      case Change::EnteredUnion:
        parts.push_back(fmt::format("entered union {}", N(m.new_m->unions.back())));
        break;
      case Change::SharingChanged:
        parts.push_back(sharing_text(m, keep));
        break;
      case Change::Straddles:
        parts.push_back("now straddles a cacheline boundary");
        break;
      case Change::Unstraddles:
        parts.push_back("no longer straddles a cacheline boundary");
        break;
    }
  }
  // A retyped member's part names both types: the head need not repeat one.
  const std::string head = m.has(Change::Retyped)
                               ? fmt::format("    {} ({}):", N(cur.path), size_text(cur))
                               : fmt::format("    {} ({}, {}):", N(cur.path), N(type_text(*cur.type)), size_text(cur));
  const std::string line = wrapped(head, parts, loc_text(cur), "      ");
  const Change first = m.changes.empty() ? Change::Shifted : m.changes.front();
  if (first == Change::Added) return paint_line(Paint::Added, line, on);
  if (first == Change::Removed) return paint_line(Paint::Removed, line, on);
  return line;
}

bool only_shifted(const MemberDiff& m) { return m.changes.size() == 1 && m.changes[0] == Change::Shifted; }

int64_t shift_of(const MemberDiff& m) {
  return static_cast<int64_t>(m.new_m->bit_offset) - static_cast<int64_t>(m.old_m->bit_offset);
}

std::string shifted_run(const std::vector<MemberDiff>& ms, size_t from, size_t to) {
  const int64_t bits = shift_of(ms[from]);
  const std::string by = bits % 8 ? fmt::format("{:+} bits", bits) : fmt::format("{:+} bytes", bits / 8);
  if (to - from == 1) return fmt::format("    {}: shifted {} -> {} ({})\n", N(ms[from].key),
                                         offset_text(*ms[from].old_m), offset_text(*ms[from].new_m), by);
  return fmt::format("    {} .. {} ({} members): shifted {}\n", N(ms[from].key), N(ms[to - 1].key), to - from, by);
}

// "anonymous union at 48 (fs, iface, mnt, ... and 60 more): resized 40 -> 48 bytes, members entered: x"
std::string container_line(const ContainerChange& c, size_t keep) {
  const std::string head = fmt::format("    anonymous {} at {} ({}):", kind_keyword(c.new_c.kind), c.new_c.offset,
                                       brief(c.new_c.keys, keep == SIZE_MAX ? keep : 3));
  std::vector<std::string> parts;
  if (c.old_c.offset != c.new_c.offset) parts.push_back(fmt::format("moved {} -> {}", c.old_c.offset, c.new_c.offset));
  if (c.old_c.size != c.new_c.size) parts.push_back(fmt::format("resized {} -> {} bytes", c.old_c.size, c.new_c.size));
  if (!c.keys_entered.empty()) parts.push_back("members entered: " + brief(c.keys_entered, keep));
  if (!c.keys_left.empty()) parts.push_back("members left: " + brief(c.keys_left, keep));
  return wrapped(head, parts, "", "      ");
}

// "cacheline group read_tx: [0, 18) -> [0, 26), 18 -> 26 bytes (+8), members entered: tx_added"
std::string group_change_line(const GroupChange& c, size_t keep) {
  const std::string head = fmt::format("    cacheline group {}:", N(c.name));
  auto range = [](const CacheGroup& g) {
    return g.problem.empty() ? fmt::format("[{}, {})", g.begin, g.end) : "(" + g.problem + ")";
  };
  std::vector<std::string> parts;
  if (!c.old_g) {
    parts.push_back(fmt::format("added {}, {} bytes", range(*c.new_g), c.new_g->size));
  } else if (!c.new_g) {
    parts.push_back(fmt::format("removed, was {}, {} bytes", range(*c.old_g), c.old_g->size));
  } else {
    const CacheGroup &a = *c.old_g, &b = *c.new_g;
    if (a.begin != b.begin || a.end != b.end || a.problem != b.problem) parts.push_back(range(a) + " -> " + range(b));
    if (a.size != b.size)
      parts.push_back(fmt::format("{} -> {} bytes ({:+})", a.size, b.size,
                                  static_cast<int64_t>(b.size) - static_cast<int64_t>(a.size)));
    if (a.cachelines != b.cachelines) parts.push_back(fmt::format("cachelines {} -> {}", a.cachelines, b.cachelines));
    if (a.pad_end != b.pad_end)
      parts.push_back(fmt::format("padded to {} -> {}", a.pad_end ? std::to_string(*a.pad_end) : "-",
                                  b.pad_end ? std::to_string(*b.pad_end) : "-"));
    if (!c.entered.empty()) parts.push_back("members entered: " + brief(c.entered, keep));
    if (!c.left.empty()) parts.push_back("members left: " + brief(c.left, keep));
    if (parts.empty()) parts.push_back("members reordered");
  }
  return wrapped(head, parts, "", "      ");
}

// A record changed only because records it embeds did: one line.
std::string derived_line(const DiffResult& res, const RecordDiff& d, size_t keep) {
  const std::string head = fmt::format("{} {}: {} ({} -> {} bytes) because", kind_keyword(d.kind), N(d.name),
                                       grew(d.size_delta()), d.old_stats->size, d.new_stats->size);
  std::vector<std::string> parts, direct;
  for (size_t i = 0; i < d.because.size(); ++i) {
    const EmbeddedChange& e = d.because[i];
    if (i == 3 && keep != SIZE_MAX) {
      parts.push_back(fmt::format("... and {} more members", d.because.size() - 3));
      break;
    }
    parts.push_back(fmt::format("{} (member {})", cause_text(e), N(e.member)));
    direct.push_back(e.type);
  }
  std::vector<std::string> deeper;
  for (const std::string& r : d.root_causes) {
    if (std::find(direct.begin(), direct.end(), r) != direct.end()) continue;
    auto it = std::find_if(res.root_causes.begin(), res.root_causes.end(),
                           [&](const RootCause& c) { return c.name == r; });
    deeper.push_back(it == res.root_causes.end() ? r : std::string(kind_keyword(it->kind)) + " " + r);
  }
  std::string tail;
  if (!deeper.empty())
    tail = "; root cause" + std::string(deeper.size() > 1 ? "s: " : ": ") + brief(deeper, keep == SIZE_MAX ? keep : 3);
  return wrapped(head, parts, tail, "    ");
}

// "struct_group <anon union #1>: a, b; reserved pad*: x": each suppression
// that fired, grouped by reason and pattern, names bounded.
std::vector<std::string> suppressed_parts(const std::vector<SuppressedChange>& v, size_t keep) {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const SuppressedChange& c : v) {
    const std::string head = std::string(suppress_reason_name(c.reason)) + " " + c.pattern;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == head; });
    if (it == groups.end()) it = groups.insert(groups.end(), {head, {}});
    it->second.push_back(c.key);
  }
  std::vector<std::string> parts;
  for (const auto& [head, keys] : groups) parts.push_back(N(head) + ": " + brief(keys, keep));
  return parts;
}

std::string suppressed_text(const std::vector<SuppressedChange>& v, size_t keep) {
  std::string s;
  for (const std::string& p : suppressed_parts(v, keep)) s += (s.empty() ? "" : "; ") + p;
  return s;
}

std::string root_cause_lines(const DiffResult& res, size_t keep) {
  if (res.root_causes.empty()) return "";
  std::string out = "root causes (changed on their own, and in the records that embed them):\n";
  for (const RootCause& c : res.root_causes)
    out += fmt::format("  {} {} {}: {} record{} ({})\n", kind_keyword(c.kind), N(c.name), grew(c.delta),
                       c.affected.size(), c.affected.size() == 1 ? "" : "s", brief(c.affected, keep));
  return out;
}

std::string record_details(const RecordDiff& d, bool on, size_t keep) {
  std::string out;
  const RecordStats& a = *d.old_stats;
  const RecordStats& b = *d.new_stats;
  for (const FlatContainer& c : d.containers_removed)
    out += paint_line(Paint::Removed, wrapped(fmt::format("    {} {} removed (was {} bytes at {}):", kind_keyword(c.kind),
                                                          N(c.path), c.size, c.offset),
                                              {"members " + brief(c.keys, keep)}, "", "      "), on);
  for (const FlatContainer& c : d.containers_added)
    out += paint_line(Paint::Added, wrapped(fmt::format("    {} {} added ({} bytes at {}):", kind_keyword(c.kind),
                                                        N(c.path), c.size, c.offset),
                                            {"members " + brief(c.keys, keep)}, "", "      "), on);
  for (const ContainerChange& c : d.containers_changed) out += container_line(c, keep);
  for (size_t i = 0; i < d.members.size();) {
    if (!only_shifted(d.members[i])) {
      out += member_line(d, d.members[i++], on, keep);
      continue;
    }
    size_t j = i + 1;
    while (j < d.members.size() && only_shifted(d.members[j]) && shift_of(d.members[j]) == shift_of(d.members[i])) ++j;
    out += shifted_run(d.members, i, j);
    i = j;
  }
  for (const GroupChange& g : d.groups) out += group_change_line(g, keep);
  if (!d.suppressed.empty()) out += wrapped("    suppressed:", suppressed_parts(d.suppressed, keep), "", "      ");
  for (const Hole& h : d.holes_filled)
    out += fmt::format("    hole filled: {} byte{} at {}{}\n", h.size, h.size == 1 ? "" : "s", h.offset,
                       h.in.empty() ? "" : " in " + N(h.in));
  for (const Hole& h : d.holes_opened)
    out += paint_line(Paint::Warn, fmt::format("    hole opened: {} byte{} at {}{}\n", h.size, h.size == 1 ? "" : "s",
                                               h.offset, h.in.empty() ? "" : " in " + N(h.in)), on);
  if (const uint64_t loss = slack_loss(a, b))
    out += paint_line(Paint::Warn,
                      fmt::format("    hidden growth: tail padding {} -> {} with sizeof unchanged ({} bytes of slack "
                                  "lost, {} left)\n", a.padding, b.padding, loss, b.padding), on);
  return out;
}

// "in (struct inner) in b.o": the members of unknown size per side.
std::string unknown_text(const RecordDiff& d, const DiffResult& res, size_t keep) {
  std::string out;
  auto side = [&](const std::vector<UnknownSize>& v, const std::string& source) {
    if (v.empty()) return;
    std::vector<std::string> items;
    for (const UnknownSize& u : v) items.push_back(fmt::format("{} ({} {})", u.key, kind_keyword(u.kind), u.type));
    out += (out.empty() ? "" : "; ") + brief(items, keep) + " in " + N(source);
  };
  side(d.old_unknown, res.old_source);
  side(d.new_unknown, res.new_source);
  return out;
}

std::string hidden_note(const DiffResult& res) {
  if (!res.hidden) return "";
  return fmt::format("({} more changed record{} not shown: {})\n", res.hidden, res.hidden == 1 ? "" : "s",
                     N(res.selection));
}

std::string btf_note(size_t btf_only) {
  if (!btf_only) return "";
  return fmt::format("({} only on the BTF side: BTF also holds types DWARF keeps local to functions or that the\n"
                     " BTF tooling generates; not counted as changes. BTF states no alignment and flattens\n"
                     " multi-dimensional arrays: neither is compared.)\n", btf_only);
}

}  // namespace

std::string render_diff_text(const DiffResult& res, const DiffTextOptions& o) {
  const bool on = o.color, leaf_only = o.leaf_only;
  const size_t keep = o.verbose ? SIZE_MAX : 5;
  std::string out = paint_line(Paint::Header, fmt::format("--- {}\n", N(res.old_source)), on) +
                    paint_line(Paint::Header, fmt::format("+++ {}\n", N(res.new_source)), on);
  out += root_cause_lines(res, keep);
  size_t changed = 0, added = 0, removed = 0, missing = 0, ambiguous = 0, same = 0, btf_only = 0, derived = 0,
         suppressed = 0;
  for (const RecordDiff& d : res.records) {
    const char* kw = kind_keyword(d.kind);
    switch (d.status) {
      case RecordStatus::Unchanged:
        ++same;
        if (d.incomplete())
          out += paint_line(Paint::Warn,
                            fmt::format("{} {}: no change known, {} bytes; not compared: the size of {}, "
                                        "declaration-only\n",
                                        kw, N(d.name), d.new_stats->size, unknown_text(d, res, keep)), on);
        else if (res.explicit_names)
          out += fmt::format("{} {}: unchanged, {} bytes\n", kw, N(d.name), d.new_stats->size);
        break;
      case RecordStatus::Suppressed:
        ++suppressed;
        out += fmt::format("{} {}: only suppressed changes, {} bytes ({})\n", kw, N(d.name), d.new_stats->size,
                           suppressed_text(d.suppressed, keep));
        break;
      case RecordStatus::Added:
        ++added;
        btf_only += res.only_in_btf(d);
        out += paint_line(Paint::Added, fmt::format("{} {}: added ({} bytes)\n", kw, N(d.name), d.new_stats->size), on);
        break;
      case RecordStatus::Removed:
        ++removed;
        btf_only += res.only_in_btf(d);
        out += paint_line(Paint::Removed, fmt::format("{} {}: removed ({} bytes)\n", kw, N(d.name), d.old_stats->size), on);
        break;
      case RecordStatus::Missing:
        ++missing;
        out += paint_line(Paint::Error, fmt::format("{} {}: not found in either input\n", kw, N(d.name)), on);
        break;
      case RecordStatus::Ambiguous:
        ++ambiguous;
        out += paint_line(Paint::Error, N(fmt::format("{}: {}", d.name, sentences::ambiguous(d.name, d.old_choices,
                                                      d.new_choices, res.old_source, res.new_source))) + "\n", on);
        break;
      case RecordStatus::Changed:
        ++changed;
        if (d.derived) {
          ++derived;
          if (!leaf_only) out += derived_line(res, d, keep);
          break;
        }
        out += paint_line(Paint::Header, fmt::format("{} {}: {}\n", kw, N(d.name), stats_line(d)), on);
        out += record_details(d, on, keep);
        if (d.incomplete())
          out += paint_line(Paint::Warn, fmt::format("    not compared: the size of {}, declaration-only\n",
                                                     unknown_text(d, res, keep)), on);
        break;
    }
  }
  out += fmt::format("{} changed", changed);
  if (derived) out += fmt::format(" ({} only through embedded records{})", derived, leaf_only ? ", not shown" : "");
  out += fmt::format(", {} added, {} removed, {} unchanged", added, removed, same);
  if (suppressed) out += fmt::format(", {} only suppressed", suppressed);
  if (missing) out += fmt::format(", {} missing", missing);
  if (ambiguous) out += fmt::format(", {} ambiguous", ambiguous);
  if (const size_t n = res.incomplete()) out += fmt::format(", {} compared without some member sizes", n);
  out += "\n" + hidden_note(res) + btf_note(btf_only);
  return out;
}

std::string render_diff_stat(const DiffResult& res, bool on) {
  std::string out = paint_line(Paint::Header, fmt::format("--- {}\n", N(res.old_source)), on) +
                    paint_line(Paint::Header, fmt::format("+++ {}\n", N(res.new_source)), on);
  std::vector<const RecordDiff*> rows;
  size_t width = 6;
  for (const RecordDiff& d : res.records) {
    if (d.status == RecordStatus::Unchanged || d.status == RecordStatus::Suppressed) continue;
    rows.push_back(&d);
    width = std::max(width, std::string_view(kind_keyword(d.kind)).size() + 1 + N(d.name).size());
  }
  width = std::min<size_t>(width, 48);
  size_t grew_n = 0, shrank = 0, same = 0, added = 0, removed = 0, derived = 0, btf_only = 0, problems = 0;
  int64_t up = 0, down = 0;
  auto size_or_dash = [](const std::optional<RecordStats>& s) { return s ? std::to_string(s->size) : std::string("-"); };
  if (!rows.empty()) out += fmt::format("{:<{}}  {:>7}  {:>7}  {:>7}\n", "RECORD", width, "OLD", "NEW", "DELTA");
  for (const RecordDiff* d : rows) {
    const std::string name = fmt::format("{} {}", kind_keyword(d->kind), N(d->name));
    if (d->status == RecordStatus::Missing || d->status == RecordStatus::Ambiguous) {
      ++problems;
      out += paint_line(Paint::Error, fmt::format("{:<{}}  {}\n", name, width,
                                                  d->status == RecordStatus::Missing ? "not found in either input"
                                                                                     : "ambiguous: see padguard diff"), on);
      continue;
    }
    const int64_t delta = stat_delta(*d);
    std::string why;
    std::optional<Paint> paint;
    if (d->status == RecordStatus::Added) {
      ++added, why = "added", paint = Paint::Added;
      btf_only += res.only_in_btf(*d);
    } else if (d->status == RecordStatus::Removed) {
      ++removed, why = "removed", paint = Paint::Removed;
      btf_only += res.only_in_btf(*d);
    } else {
      delta > 0 ? ++grew_n : delta < 0 ? ++shrank : ++same;
      (delta > 0 ? up : down) += delta;
      auto root = std::find_if(res.root_causes.begin(), res.root_causes.end(),
                               [&](const RootCause& c) { return c.name == d->name; });
      if (root != res.root_causes.end())
        why = fmt::format("root cause: {} record{}", root->affected.size(), root->affected.size() == 1 ? "" : "s");
      if (delta == 0 && slack_loss(*d->old_stats, *d->new_stats))
        why = fmt::format("hidden growth: tail padding {} -> {}", d->old_stats->padding, d->new_stats->padding);
      if (d->derived) {
        ++derived;
        if (d->root_causes.empty()) {
          why = "through embedded records";
        } else {
          const std::string& r0 = d->root_causes.front();
          auto it = std::find_if(res.root_causes.begin(), res.root_causes.end(),
                                 [&](const RootCause& c) { return c.name == r0; });
          why = "through " + (it == res.root_causes.end() ? "" : std::string(kind_keyword(it->kind)) + " ") + N(r0);
        }
        if (d->root_causes.size() > 1) why += fmt::format(" and {} more", d->root_causes.size() - 1);
      }
    }
    std::string line = fmt::format("{:<{}}  {:>7}  {:>7}  {:>+7}  {}", name, width, size_or_dash(d->old_stats),
                                   size_or_dash(d->new_stats), delta, why);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += paint ? paint_line(*paint, line + "\n", on) : line + "\n";
  }
  out += fmt::format("{} changed ({} grew, {} shrank, {} same size", grew_n + shrank + same, grew_n, shrank, same);
  if (derived) out += fmt::format("; {} only through embedded records", derived);
  out += fmt::format("), {} added, {} removed; changed records {:+} / {:+} bytes", added, removed, up, down);
  if (problems) out += fmt::format("; {} not compared", problems);
  return out + "\n" + hidden_note(res) + btf_note(btf_only);
}

}  // namespace padguard
