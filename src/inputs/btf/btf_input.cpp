// BTF (a raw blob such as /sys/kernel/btf/vmlinux, or an ELF's .BTF) as an
// Input: the BTF backend feeds the shared model builder through the loader.
#include "../input_registry.hpp"
#include "padguard/btf_source.hpp"
#include "padguard/loader.hpp"

namespace padguard {

namespace {

class BtfInput final : public Input {
 public:
  std::string_view name() const override { return "btf"; }
  // -F btf claims any file (load() explains what is missing); auto claims a
  // raw blob, or an ELF with .BTF and no DWARF (pahole's order: DWARF first).
  int probe(const FileHead& head, const LoadOptions& opts) const override {
    const bool dwarf = head.has_section(".debug_info") || head.has_section(".zdebug_info");
    switch (opts.input.format) {
      case InputFormat::Dwarf: return 0;
      case InputFormat::Btf: return 3;
      case InputFormat::Auto: break;
    }
    if (is_raw_btf(head.bytes)) return 2;
    return head.elf && !dwarf && head.has_section(".BTF") ? 3 : 0;
  }
  RecordSet load(const std::string& path, const LoadOptions& opts) const override {
    LoadOptions o = opts;
    o.input.format = InputFormat::Btf;
    RecordSet set = load_records(path, o);
    set.states_alignment = false;
    return set;
  }
};

}  // namespace

const Input& btf_input() {
  static const BtfInput btf;
  return btf;
}

}  // namespace padguard
