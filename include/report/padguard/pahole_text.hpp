// pahole-compatible text rendering of one record.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <string>
#include <vector>
#include "padguard/layout.hpp"
#include "padguard/model.hpp"
namespace padguard {
struct PaholeOptions {
  uint32_t cacheline_size = 64;
  // pahole -F btf never prints "Force padding" (BTF has no alignment info).
  bool force_paddings = true;
  // The top-level record's hole accounting when it is not compute_layout's:
  // pahole -R's reorganised clone (analysis/reorganize). Single-record only.
  const Layout* layout = nullptr;
  // pahole --hex: member offsets and sizes (and enumerator values) in
  // hexadecimal; the footer and cacheline markers stay decimal.
  bool hex = false;
  // pahole -E (expand_types): every struct/union a member holds by value
  // (through typedefs, "/* typedef a -> b */ " before it, const and arrays)
  // prints inline with its body, the name column is 55. The records must be
  // loaded with LoadOptions::expand_types (RecordSet::named_definitions).
  bool expand_types = false;
};
// The record as `pahole -F dwarf -c N -C NAME` prints it, ending in "};\n".
std::string render_pahole(const Record& r, const PaholeOptions& opts);
// The records one after another, rendered by up to `threads` threads (0: all
// cores); the text is the same whatever the thread count.
std::string render_pahole(const std::vector<const Record*>& records, const PaholeOptions& opts, unsigned threads);
// The same text handed to `sink` piece by piece, in order, as it is rendered:
// a caller that writes it out holds only the piece in memory.
using TextSink = std::function<void(std::string_view)>;
void render_pahole(const std::vector<const Record*>& records, const PaholeOptions& opts, unsigned threads,
                   const TextSink& sink);
// pahole -C NAME when NAME is a typedef (`typedef struct spinlock
// spinlock_t;`, an anonymous struct's body, `typedef int (*fn_t)(int);`) or
// an enum (its body), ending in ";\n". Nullopt for a typedef of an array of
// an anonymous record, which padguard does not spell as pahole does.
std::optional<std::string> render_pahole_named_type(const Type& t, const PaholeOptions& opts);

// pahole -s: one line "NAME\tSIZE\tHOLES" per record (a union has 0 holes).
std::string render_pahole_sizes(const std::vector<const Record*>& records);
// pahole -i: one name per line (the containers find_containers lists).
std::string render_pahole_names(const std::vector<std::string>& names);
}  // namespace padguard
