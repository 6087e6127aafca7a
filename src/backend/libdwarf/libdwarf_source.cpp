// libdwarf backend (placeholder until issue 6 lands): refuses clearly.
#include <memory>
#include <string>
#include "padguard/dwarf_source.hpp"
#include "padguard/error.hpp"
namespace padguard {
std::unique_ptr<DwarfSource> open_libdwarf(const std::string& path) {
  throw InputError(path, "the libdwarf backend is not built yet; use --backend libdw");
}
}  // namespace padguard
