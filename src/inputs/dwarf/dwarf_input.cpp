// DWARF in an ELF file, read by one of the two backends (libdw, libdwarf,
// chosen by LoadOptions::backend) through the parallel loader.
#include "../input_registry.hpp"
#include "padguard/loader.hpp"

namespace padguard {

namespace {

class DwarfInput final : public Input {
 public:
  explicit DwarfInput(BackendKind backend) : backend_(backend) {}
  std::string_view name() const override { return backend_ == BackendKind::Libdw ? "dwarf-libdw" : "dwarf-libdwarf"; }
  // Any ELF file is DWARF's to explain (elf_check names what is missing);
  // one with .debug_info is DWARF's to read.
  int probe(const FileHead& head, const LoadOptions& opts) const override {
    if (!head.elf || opts.backend != backend_ || opts.input.format == InputFormat::Btf) return 0;
    return head.has_section(".debug_info") || head.has_section(".zdebug_info") ? 2 : 1;
  }
  RecordSet load(const std::string& path, const LoadOptions& opts) const override {
    return load_records(path, opts);
  }

 private:
  BackendKind backend_;
};

}  // namespace

const Input& dwarf_input(BackendKind backend) {
  static const DwarfInput libdw(BackendKind::Libdw), libdwarf(BackendKind::Libdwarf);
  return backend == BackendKind::Libdw ? static_cast<const Input&>(libdw) : libdwarf;
}

}  // namespace padguard
