// pahole's everyday presentation flags on `padguard layout`: -s/--sizes,
// --hex, -E/--expand_types, -H/--holes N, -i/--contains NAME. Their meaning, byte for byte, is pahole 1.24's
// (docs/pahole-notes.md "Flags of layout"); bad values fail closed. The
// text-only checks of -P/-R (layout_reorg.cpp) are here too, with their twins.
#include <charconv>

#include "commands.hpp"
#include <cstdio>

#include "padguard/containers.hpp"
#include "padguard/error.hpp"
#include "padguard/layout.hpp"
#include "padguard/pahole_text.hpp"

namespace padguard::cli {

void add_layout_flags(CLI::App& sub, LayoutOptions& o) {
  sub.add_flag("-s,--sizes", o.sizes,
               "print one line per struct/union, NAME<TAB>SIZE<TAB>HOLES (byte holes; 0 for a union), as pahole -s; "
               "with -C the layouts are printed, as pahole does");
  sub.add_flag("--hex", o.hex, "print member offsets and sizes, and enumerator values, in hexadecimal (pahole --hex)");
  sub.add_flag("-E,--expand_types", o.expand,
               "print every struct/union a member holds by value (also through typedefs, shown as "
               "/* typedef NAME */, and as array elements) inline with its body, offsets from the outer "
               "struct, as pahole -E; pointers and named enums are not expanded");
  sub.add_option("-H,--holes", o.holes,
                 "print only structs with at least N byte holes (0..65535; unions are left out unless N is 0); "
                 "ignored with -C, as pahole does");
  sub.add_option("-i,--contains", o.contains,
                 "print the structs/unions with a member of type NAME (a struct, union, enum or typedef), one "
                 "per line, as pahole -i: only the first compilation unit that defines NAME is searched, and "
                 "only direct members of exactly that type count (not arrays, pointers, typedefs of it)")
      ->type_name("NAME");
  sub.add_flag("--groups", o.groups,
               "after pahole's text, summarise each printed struct's cacheline groups (__cacheline_group_begin/_end; "
               "as padguard groups); the pahole text itself is unchanged");
}

namespace {

// -H's argument: a decimal number 0..65535 (pahole keeps it in 16 bits and
// reads garbage as 0; padguard refuses both).
uint32_t parse_holes(const std::string& v) {
  uint32_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n > 65535)
    throw InputError("-H/--holes", "'" + v + "' is not a number of holes; give a whole number from 0 to 65535");
  return n;
}

}  // namespace

void validate_layout_flags(const LayoutOptions& o, Format format) {
  if (o.holes) parse_holes(*o.holes);
  if (o.contains) {
    if (o.contains->empty()) throw InputError("-i/--contains", "NAME is empty; give a struct, union, enum or typedef name");
    if (!o.names.empty()) throw InputError("-i/--contains", "lists containers of one type; drop -C (pahole lets the last of -C/-i win)");
    if (o.holes) throw InputError("-i/--contains", "-H is not supported with -i; drop one of them");
    if (format != Format::Text) throw InputError("-i/--contains", "prints pahole's name list; drop it or use --format text");
  }
  if (format == Format::Text) return;
  if (o.sizes) throw InputError("-s/--sizes", "is pahole's text listing; drop it or use --format text");
  if (o.groups) throw InputError("--groups", "summarises the text; for JSON use padguard groups --format json");
  if (o.hex) throw InputError("--hex", "is pahole's text presentation (JSON numbers have no base); drop it or use --format text");
  if (o.expand)
    throw InputError("-E/--expand_types", "is pahole's text presentation (JSON names every type already); drop it or use --format text");
  if (o.reorg.packable || o.reorg.reorganize)
    throw InputError("layout", "-P and -R print pahole's text only; drop --format " + o.format);
}

std::vector<const Record*> filter_by_holes(const LayoutOptions& o, std::vector<const Record*> records) {
  const uint32_t min_holes = o.holes ? parse_holes(*o.holes) : 0;
  if (min_holes == 0 || !o.names.empty()) return records;
  std::erase_if(records, [&](const Record* r) { return r->is_union() || compute_layout(*r).nr_holes < min_holes; });
  return records;
}

int run_contains(const LayoutOptions& o, const LoadOptions& lo, const std::string& file) {
  const Containers c = find_containers(file, lo, *o.contains);
  if (!c.found)
    throw InputError(file, "no struct, union, enum or typedef named '" + *o.contains + "' in its debug info" +
                               spelling_hint(file, *o.contains, lo));
  const std::string out = render_pahole_names(c.names);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace padguard::cli
