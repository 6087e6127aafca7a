// `padguard crosscheck`: reads one file with both DWARF backends (libdw and
// libdwarf) and reports every record on which they disagree, by pahole text
// and by a field-by-field comparison of the model. With --dies it also
// compares the raw DIE streams unit by unit, the strictest check.
#include <atomic>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "commands.hpp"
#include "padguard/compare.hpp"
#include "padguard/error.hpp"
#include "padguard/loader.hpp"
#include "padguard/pahole_text.hpp"

namespace padguard::cli {

namespace {

// ---- model comparison: the path of the first difference, if any ----------

using Diff = std::optional<std::string>;

std::string quoted(const std::string& s) { return "\"" + s + "\""; }
std::string quoted(bool v) { return v ? "true" : "false"; }

// The model comparison (model/compare.cpp) as a crosscheck line.
Diff model_difference(const Record& a, const Record& b) {
  const std::optional<Difference> d = compare_records(a, b);
  if (!d) return std::nullopt;
  return d->path + ": " + d->left + " (libdw) vs " + d->right + " (libdwarf)";
}

// First line on which two texts differ, as a two-line excerpt.
std::string text_difference(const std::string& a, const std::string& b) {
  size_t line = 1, pos = 0;
  while (true) {
    const size_t ea = a.find('\n', pos), eb = b.find('\n', pos);
    const std::string la = a.substr(pos, ea == std::string::npos ? std::string::npos : ea - pos);
    const std::string lb = b.substr(pos, eb == std::string::npos ? std::string::npos : eb - pos);
    if (la != lb || ea != eb)
      return "pahole text differs at line " + std::to_string(line) + ":\n  libdw:    " + la + "\n  libdwarf: " + lb;
    if (ea == std::string::npos) return "pahole text differs";
    pos = ea + 1;
    ++line;
  }
}

// Records grouped by name, layout variants in order.
struct Keyed {
  std::vector<std::string> order;
  std::unordered_map<std::string, std::vector<const Record*>> by_name;
};

Keyed key(const RecordSet& set) {
  Keyed k;
  for (const auto& r : set.records) {
    auto& v = k.by_name[r->name];
    if (v.empty()) k.order.push_back(r->name);
    v.push_back(r.get());
  }
  return k;
}

RecordSet load_with(const CrosscheckOptions& o, BackendKind kind, const char* label) {
  LoadOptions lo;
  lo.backend = kind;
  lo.threads = o.threads;
  lo.names = o.names;
  lo.keep_layout_variants = o.names.empty();
  try {
    return load_records(o.file, lo);
  } catch (const InputError& e) {
    throw InputError("", std::string(e.what()) + " [" + label + " backend]");
  }
}

// ---- raw DIE comparison ----------------------------------------------------

std::string str(const char* s) { return s ? quoted(std::string(s)) : "null"; }

template <typename T>
std::string opt(const std::optional<T>& v) {
  return v ? std::to_string(*v) : "none";
}

Diff compare_die(const RawDie& a, const RawDie& b) {
  auto differs = [](const char* what, const std::string& x, const std::string& y) -> Diff {
    if (x == y) return std::nullopt;
    return std::string(what) + ": " + x + " (libdw) vs " + y + " (libdwarf)";
  };
  const std::pair<const char*, std::pair<std::string, std::string>> fields[] = {
      {"tag", {std::to_string(a.tag), std::to_string(b.tag)}},
      {"first_child", {std::to_string(a.first_child), std::to_string(b.first_child)}},
      {"next_sibling", {std::to_string(a.next_sibling), std::to_string(b.next_sibling)}},
      {"name", {str(a.name), str(b.name)}},
      {"type", {opt(a.type), opt(b.type)}},
      {"byte_size", {opt(a.byte_size), opt(b.byte_size)}},
      {"bit_size", {opt(a.bit_size), opt(b.bit_size)}},
      {"data_bit_offset", {opt(a.data_bit_offset), opt(b.data_bit_offset)}},
      {"bit_offset", {opt(a.bit_offset), opt(b.bit_offset)}},
      {"member_location", {opt(a.member_location), opt(b.member_location)}},
      {"alignment", {opt(a.alignment), opt(b.alignment)}},
      {"count", {opt(a.count), opt(b.count)}},
      {"upper_bound", {opt(a.upper_bound), opt(b.upper_bound)}},
      {"lower_bound", {opt(a.lower_bound), opt(b.lower_bound)}},
      {"const_value", {opt(a.const_value), opt(b.const_value)}},
      {"upper_bound_unknown", {quoted(a.upper_bound_unknown), quoted(b.upper_bound_unknown)}},
      {"declaration", {quoted(a.declaration), quoted(b.declaration)}},
      {"external", {quoted(a.external), quoted(b.external)}},
      {"prototyped", {quoted(a.prototyped), quoted(b.prototyped)}},
      {"artificial", {quoted(a.artificial), quoted(b.artificial)}},
      {"virtuality", {quoted(a.virtuality), quoted(b.virtuality)}},
      {"location_problem", {std::to_string(static_cast<int>(a.location_problem)) + "/" + std::to_string(a.location_detail),
                            std::to_string(static_cast<int>(b.location_problem)) + "/" + std::to_string(b.location_detail)}},
      {"decl_line", {std::to_string(a.decl_line), std::to_string(b.decl_line)}},
      {"decl_file", {str(a.decl_file), str(b.decl_file)}},
  };
  for (const auto& [what, values] : fields)
    if (Diff d = differs(what, values.first, values.second)) return d;
  return std::nullopt;
}

Diff compare_unit(const UnitDies& a, const UnitDies& b) {
  if (a.address_size != b.address_size || a.version != b.version || a.big_endian != b.big_endian ||
      a.machine != b.machine)
    return std::string("unit facts (address size, version, byte order or machine) differ");
  const size_t n = std::min(a.dies.size(), b.dies.size());
  for (size_t i = 0; i < n; ++i) {
    char off[32];
    std::snprintf(off, sizeof off, "0x%llx", static_cast<unsigned long long>(a.dies[i].offset));
    if (a.dies[i].offset != b.dies[i].offset) {
      char off2[32];
      std::snprintf(off2, sizeof off2, "0x%llx", static_cast<unsigned long long>(b.dies[i].offset));
      return "DIE #" + std::to_string(i) + " offset: " + off + " (libdw) vs " + off2 + " (libdwarf)";
    }
    if (Diff d = compare_die(a.dies[i], b.dies[i])) return "DIE " + std::string(off) + " " + *d;
  }
  if (a.dies.size() != b.dies.size())
    return "kept DIEs: " + std::to_string(a.dies.size()) + " (libdw) vs " + std::to_string(b.dies.size()) +
           " (libdwarf)";
  return std::nullopt;
}

// Compares every unit's DIEs; prints each unit that differs. Returns how many.
size_t crosscheck_dies(const CrosscheckOptions& o) {
  std::unique_ptr<DwarfSource> dw = open_dwarf(o.file, BackendKind::Libdw);
  std::unique_ptr<DwarfSource> ld = open_dwarf(o.file, BackendKind::Libdwarf);
  if (dw->unit_count() != ld->unit_count()) {
    std::printf("crosscheck: unit count: %zu (libdw) vs %zu (libdwarf)\n", dw->unit_count(), ld->unit_count());
    return 1;
  }
  const size_t n = dw->unit_count();
  unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(n, 1)));
  std::vector<Diff> result(n);
  std::vector<std::string> errors(n);
  std::atomic<size_t> next{0};
  auto work = [&](DwarfSource& a, DwarfSource& b) {
    for (size_t i = next++; i < n; i = next++) {
      try {
        result[i] = compare_unit(a.read_unit(i), b.read_unit(i));
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    }
  };
  std::vector<std::pair<std::unique_ptr<DwarfSource>, std::unique_ptr<DwarfSource>>> clones;
  for (unsigned t = 1; t < threads; ++t) clones.emplace_back(dw->clone(), ld->clone());
  std::vector<std::thread> pool;
  for (auto& [a, b] : clones) pool.emplace_back(work, std::ref(*a), std::ref(*b));
  work(*dw, *ld);
  for (auto& t : pool) t.join();
  size_t bad = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!errors[i].empty()) throw InputError("", errors[i]);
    if (result[i]) {
      ++bad;
      std::printf("crosscheck: unit %zu: %s\n", i, result[i]->c_str());
    }
  }
  std::printf("crosscheck: %zu units, %zu with different DIEs\n", n, bad);
  return bad;
}

}  // namespace

void add_crosscheck(CLI::App& app, CrosscheckOptions& o) {
  CLI::App* sub = app.add_subcommand(
      "crosscheck", "read a file with both DWARF backends (libdw, libdwarf) and report every record they disagree on");
  sub->add_option("-C,--class_name", o.names, "only these structs/unions")->delimiter(',');
  sub->add_option("-j,--jobs", o.threads, "worker threads (default: all cores); output does not depend on it");
  sub->add_flag("--dies", o.dies, "also compare the raw DIE streams of every unit");
  sub->add_option("FILE", o.file, "vmlinux, .ko or .o with DWARF")->required();
  sub->footer("Exit status: 0 both backends agree, 1 some record differs, 2 input error.");
}

int run_crosscheck(const CrosscheckOptions& o) {
  size_t bad_units = 0;
  if (o.dies) bad_units = crosscheck_dies(o);
  const RecordSet a = load_with(o, BackendKind::Libdw, "libdw");
  const RecordSet b = load_with(o, BackendKind::Libdwarf, "libdwarf");
  const Keyed ka = key(a), kb = key(b);
  std::vector<std::string> names = ka.order;
  for (const std::string& n : kb.order)
    if (!ka.by_name.count(n)) names.push_back(n);

  const PaholeOptions po;
  size_t total = 0, bad = 0;
  std::string out;
  static const std::vector<const Record*> kNone;
  for (const std::string& name : names) {
    auto ia = ka.by_name.find(name);
    auto ib = kb.by_name.find(name);
    const auto& va = ia != ka.by_name.end() ? ia->second : kNone;
    const auto& vb = ib != kb.by_name.end() ? ib->second : kNone;
    for (size_t i = 0; i < std::max(va.size(), vb.size()); ++i) {
      ++total;
      const Record* ra = i < va.size() ? va[i] : nullptr;
      const Record* rb = i < vb.size() ? vb[i] : nullptr;
      std::string label = (ra ? kind_keyword(ra->kind) : kind_keyword(rb->kind)) + std::string(" ") + name;
      if (std::max(va.size(), vb.size()) > 1) label += " (layout " + std::to_string(i + 1) + ")";
      std::optional<std::string> why;
      if (!ra || !rb) {
        why = std::string("only in ") + (ra ? "libdw" : "libdwarf");
      } else if (Diff d = model_difference(*ra, *rb)) {
        why = *d;
      } else {
        const std::string ta = render_pahole(*ra, po), tb = render_pahole(*rb, po);
        if (ta != tb) why = text_difference(ta, tb);
      }
      if (why) {
        ++bad;
        out += "crosscheck: " + label + ": " + *why + "\n";
      }
    }
  }
  for (const std::string& n : o.names)
    if (!ka.by_name.count(n) && !kb.by_name.count(n))
      throw InputError(o.file, "no struct or union named '" + n + "' in its DWARF; check the spelling");
  out += "crosscheck: " + std::to_string(total) + " records, " + std::to_string(bad) + " disagree\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return bad == 0 && bad_units == 0 ? kExitOk : kExitChanged;
}

}  // namespace padguard::cli
