// pahole's print_packable_info and do_reorg, over a Reorganization.
#include "padguard/pahole_reorg.hpp"

#include <fmt/format.h>

#include "escape.hpp"

namespace padguard {

std::string render_packable(const Record& r, const Reorganization& g) {
  return fmt::format("{}\t{}\t{}\t{}\n", esc::text(r.name), g.original_size, g.byte_size, g.savings());
}

std::string render_reorganized(const Record& r, const Reorganization& g, const PaholeOptions& opts) {
  const Layout l = reorganized_layout(r, g);
  PaholeOptions o = opts;
  o.layout = &l;
  std::string out = render_pahole(reorganized_record(r, g), o);
  out.pop_back();  // the struct's "};" continues with the summary
  // pahole computes both in its own types: an int for the bytes, a size_t
  // (wrapping when the struct grew) for the cachelines.
  const auto savings = static_cast<int32_t>(static_cast<uint32_t>(g.original_size - g.byte_size));
  if (savings == 0) return out + "\n";
  const uint64_t cl = opts.cacheline_size;
  const uint64_t lines = (g.original_size + cl - 1) / cl - (g.byte_size + cl - 1) / cl;
  out += fmt::format("   /* saved {} byte{}", savings, savings != 1 ? "s" : "");
  if (lines != 0) out += fmt::format(" and {} cacheline{}", lines, lines != 1 ? "s" : "");
  return out + "! */\n";
}

}  // namespace padguard
