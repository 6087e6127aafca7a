// `padguard diff`: what a patch did to struct layouts, like diff(1):
// 0 no layout change, 1 changes, 2 trouble (a requested struct missing too).
#include <algorithm>
#include <cstdio>

#include "commands.hpp"
#include "padguard/diff.hpp"
#include "padguard/diff_select.hpp"
#include "padguard/error.hpp"
#include "padguard/facts.hpp"
#include "padguard/pairing.hpp"
#include "padguard/render.hpp"

namespace padguard::cli {

void add_diff(CLI::App& app, DiffCmdOptions& o) {
  CLI::App* sub = app.add_subcommand(
      "diff", "explain layout changes between two builds (exit 0 none, 1 changed, 2 error)");
  add_common(*sub, o.common);
  sub->add_option("-C,--class_name", o.names,
                  "only these structs/unions (a missing one is an error); glob patterns (net*) select by name "
                  "and list only changes (one matching nothing is an error)")
      ->delimiter(',')->allow_extra_args(false);
  sub->add_option("-c,--cacheline_size", o.cacheline, "cacheline size in bytes (default 64)")
      ->check(CLI::Range(1u, 1u << 20));
  add_format(*sub, o.format, ResultKind::Diff);
  add_color(*sub, o.color);
  sub->add_flag("--allow-cross-arch", o.allow_cross_arch, kCrossArchHelp);
  sub->add_flag("--leaf-changes-only", o.leaf_changes_only,
                "text: leave out records that changed only because a record they embed did (counted)");
  sub->add_flag("--stat", o.stat,
                "text: one line per changed record (old -> new size, delta), largest |delta| first, then totals");
  sub->add_option("--sort", o.sort, "order records by name (default) or by |size delta|, largest first")
      ->check(CLI::IsMember({"name", "delta"}));
  sub->add_option("--only", o.only, "keep only these changes: grown,shrunk,changed,added,removed (comma list)")
      ->delimiter(',')->allow_extra_args(false)->check(CLI::IsMember({"grown", "shrunk", "changed", "added", "removed"}));
  sub->add_flag("-v,--verbose", o.verbose, "text: every name of every list (default: a few, then '... and N more')");
  add_suppress_flags(*sub, o.suppress);
  sub->add_option("OLD", o.old_file, "before: ELF with DWARF, or a facts file from padguard extract")->required();
  sub->add_option("NEW", o.new_file, "after: ELF with DWARF, or a facts file")->required();
}

void refuse_cross_arch(const RecordSet& old_s, const RecordSet& new_s, bool allowed) {
  if (allowed) return;
  if (const std::string why = architecture_mismatch(old_s, new_s); !why.empty())
    throw InputError("", why + ": their layouts differ by ABI, not by a patch; compare builds of one "
                               "architecture, or pass --allow-cross-arch");
}

namespace {

// -C with a glob: every -C entry is a pattern (a plain name matches itself).
bool any_pattern(const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(), [](const std::string& n) { return is_pattern(n); });
}

DiffSelection selection_of(const DiffCmdOptions& o) {
  DiffSelection s;
  if (any_pattern(o.names)) s.patterns = o.names;
  for (const std::string& w : o.only) {
    DiffClass c{};
    if (!parse_diff_class(w, c)) throw InputError("--only", "unknown class '" + w + "': grown, shrunk, changed, added or removed");
    s.only |= static_cast<unsigned>(c);
  }
  s.sort = o.sort == "delta" || (o.sort.empty() && o.stat) ? DiffSort::Delta : DiffSort::Name;
  return s;
}

std::string selection_words(const DiffCmdOptions& o) {
  std::string only;
  for (const std::string& w : o.only) only += (only.empty() ? "" : ",") + w;
  return only.empty() ? "" : "--only " + only;
}

}  // namespace

int run_diff(const DiffCmdOptions& o) {
  const DiffSelection sel = selection_of(o);
  if (o.stat && o.format != "text")
    throw InputError("--stat", "--stat is a text summary; --format " + o.format + " already carries every record");
  const std::vector<std::string> names = sel.patterns.empty() ? o.names : std::vector<std::string>{};
  LoadOptions lo = o.common.load_options();
  lo.names = loaded_names(names);
  // Every layout of a name: pairing (analysis/pairing.hpp) tells them apart
  // instead of taking the first.
  lo.keep_layout_variants = true;
  const RecordSet old_s = load_input(o.old_file, lo);
  const RecordSet new_s = load_input(o.new_file, lo);
  refuse_cross_arch(old_s, new_s, o.allow_cross_arch);
  // A diff over nothing would say "0 changed" (exit 0): fail closed, as check does.
  // (With -C, a name neither side has is reported by name below.)
  for (const auto* side : {&old_s, &new_s})
    if (side->records.empty() && names.empty())
      throw InputError(side == &old_s ? o.old_file : o.new_file,
                       std::string("no struct definitions readable: ") + kNoStructsReason);
  const Format format = format_of(o.format, ResultKind::Diff);
  DiffResult d;
  try {
    DiffOptions dopt;
    dopt.maps = format_info(format).maps;
    dopt.cacheline_size = o.cacheline;
    dopt.old_is_btf = !old_s.states_alignment;
    dopt.new_is_btf = !new_s.states_alignment;
    dopt.suppress = o.suppress.apply();
    d = diff_sets(old_s, new_s, names, dopt);
  } catch (const InputError& e) {
    // Analysis errors (implausible records) carry no file name: add both.
    throw InputError(o.old_file + " -> " + o.new_file, e.what());
  }
  const std::vector<std::string> unmatched = select_records(d, sel);
  d.selection = selection_words(o);
  RenderOptions ro;
  ro.color = use_color(o.color, format);
  ro.leaf_changes_only = o.leaf_changes_only;
  ro.verbose = o.verbose;
  ro.stat = o.stat;
  const std::string out = render(d, format, ro);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  // A struct asked for by name must be on both sides, and no name may stay
  // unpaired: fail closed.
  bool missing = false;
  size_t ambiguous = 0;
  for (const RecordDiff& r : d.records) {
    if (r.status == RecordStatus::Ambiguous) {
      ++ambiguous;
      continue;
    }
    if (!d.explicit_names || r.status == RecordStatus::Changed || r.status == RecordStatus::Unchanged ||
        r.status == RecordStatus::Suppressed)
      continue;
    const std::string where = r.status == RecordStatus::Missing ? o.old_file + " and " + o.new_file
                              : r.status == RecordStatus::Added ? o.old_file
                                                                : o.new_file;
    const std::string hint = spelling_hint(r.status == RecordStatus::Added ? o.old_file : o.new_file, r.name, lo);
    std::fprintf(stderr, "padguard: %s: no struct or union named '%s'%s\n", where.c_str(), r.name.c_str(),
                 hint.c_str());
    missing = true;
  }
  if (ambiguous)
    std::fprintf(stderr,
                 "padguard: %s -> %s: %zu struct name%s several layouts that padguard cannot pair (listed in the "
                 "diff); compare one with -C NAME@FILE\n",
                 o.old_file.c_str(), o.new_file.c_str(), ambiguous, ambiguous == 1 ? " has" : "s have");
  for (const std::string& p : unmatched)
    std::fprintf(stderr, "padguard: %s -> %s: no struct or union name matches '%s' in either input\n",
                 o.old_file.c_str(), o.new_file.c_str(), p.c_str());
  // Reduced debug info: what depends on a member of unknown size was not
  // compared. Changes found elsewhere still stand (exit 1); "no change"
  // cannot be claimed (exit 2).
  const size_t incomplete = d.incomplete();
  if (incomplete)
    std::fprintf(stderr,
                 "padguard: %s -> %s: %zu struct%s compared without the sizes of members whose type is "
                 "declaration-only (listed in the diff): %s\n",
                 o.old_file.c_str(), o.new_file.c_str(), incomplete, incomplete == 1 ? "" : "s", kReducedDebugInfoFix);
  if (missing || ambiguous || !unmatched.empty()) return kExitError;
  if (d.changed()) return kExitChanged;
  return incomplete ? kExitError : kExitOk;
}

}  // namespace padguard::cli
