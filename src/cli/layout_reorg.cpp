// `layout -P` and `layout -R -C NAME`, as pahole 1.24 combines them: -P
// lists the packable structs of the whole file (with -C, pahole ignores it
// and prints the layouts); -R reorganises the -C structs (without -C it
// changes nothing; a union prints nothing) and wins over -P.
#include "layout_reorg.hpp"

#include <cstdio>
#include <string>

#include "commands.hpp"
#include "padguard/error.hpp"
#include "padguard/diff.hpp"
#include "padguard/pahole_reorg.hpp"

namespace padguard::cli {

void add_layout_reorg(CLI::App& sub, LayoutOptions& o) {
  ReorgFlags& f = o.reorg;
  sub.add_flag("-P,--packable", f.packable,
               "list the structs pahole's reorganisation can shrink, as pahole -P prints them: "
               "NAME<TAB>SIZE<TAB>NEW SIZE<TAB>SAVED BYTES (ignored with -C, as in pahole)");
  sub.add_flag("-R,--reorganize", f.reorganize,
               "with -C: print each struct as pahole -R reorganises it (members moved into holes), "
               "then the bytes and cachelines saved");
}

namespace {

void out(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

int print_packable(const std::vector<const Record*>& records) {
  std::string text;
  // A struct holding members of unknown size cannot be repacked with
  // certainty: left out (run_layout's note names them).
  for (const Record* r : records)
    if (unknown_sizes(*r).empty())
      if (const auto g = packable(*r)) text += render_packable(*r, *g);
  out(text);
  return kExitOk;
}

int print_reorganized(const LayoutOptions& o, const RecordSet& set, const std::vector<const Record*>& records) {
  PaholeOptions po;
  po.cacheline_size = o.cacheline;
  po.force_paddings = set.states_alignment;
  po.expand_types = o.expand;
  for (const Record* r : records) {
    if (r->is_union()) continue;  // pahole -R prints only structs
    if (const std::vector<UnknownSize> u = unknown_sizes(*r); !u.empty())
      throw InputError(set.source, "-R: member '" + u.front().key + "' of '" + r->name + "' is of " +
                                       kind_keyword(u.front().kind) + " " + u.front().type +
                                       ", declaration-only here: its size is unknown, so padguard does not move "
                                       "members around it; " + kReducedDebugInfoFix);
    const Reorganization g = reorganize(*r);
    if (!reorganized_sums_agree(*r, g))
      throw InputError(set.source, "-R: pahole's reorganisation of '" + r->name +
                                       "' does not add up to its size, where pahole prints a \"BRAIN FART ALERT!\" "
                                       "that padguard does not reproduce (docs/pahole-notes.md §13); use -P for its new size");
    out(render_reorganized(*r, g, po));
  }
  return kExitOk;
}

}  // namespace

std::optional<int> run_layout_reorg(const LayoutOptions& o, const RecordSet& set,
                                    const std::vector<const Record*>& records) {
  const ReorgFlags& f = o.reorg;
  if (!f.packable && !f.reorganize) return std::nullopt;
  if (!o.names.empty() && f.reorganize) return print_reorganized(o, set, records);
  if (o.names.empty() && f.packable) return print_packable(records);
  return std::nullopt;
}

}  // namespace padguard::cli
