// pahole's listings. -s (--sizes): one line per record, "NAME\tSIZE\tHOLES", in the order
// the records are listed. HOLES is pahole's nr_holes (byte holes, the one
// before the first member included); a union has none (pahole prints 0).
// -i (--contains): one container name per line.
#include <fmt/format.h>

#include "escape.hpp"
#include "padguard/layout.hpp"
#include "padguard/pahole_text.hpp"

namespace padguard {

std::string render_pahole_sizes(const std::vector<const Record*>& records) {
  std::string out;
  for (const Record* r : records) {
    const uint32_t holes = r->is_union() ? 0 : compute_layout(*r).nr_holes;
    // esc::text leaves printable ASCII as is; a control character in a name
    // (hostile input) cannot start a line of its own.
    fmt::format_to(std::back_inserter(out), "{}\t{}\t{}\n", esc::text(r->name), r->byte_size, holes);
  }
  return out;
}

std::string render_pahole_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += esc::text(n) + "\n";
  return out;
}

}  // namespace padguard
