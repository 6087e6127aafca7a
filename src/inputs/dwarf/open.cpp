// Chooses a backend by kind; the only place that knows all backends.
#include "padguard/backend_libdw.hpp"
#include "padguard/btf_source.hpp"
#include "padguard/dwarf_source.hpp"
#include "padguard/error.hpp"

namespace padguard {

std::unique_ptr<DwarfSource> open_libdwarf(const std::string& path);  // backend/libdwarf

std::unique_ptr<DwarfSource> open_dwarf(const std::string& path, BackendKind kind) {
  switch (kind) {
    case BackendKind::Libdw:
      return open_libdw(path);
    case BackendKind::Libdwarf:
      return open_libdwarf(path);
  }
  throw InputError(path, "unknown backend");
}

std::unique_ptr<DwarfSource> open_source(const std::string& path, BackendKind kind, const InputChoice& choice) {
  if (choice.format == InputFormat::Btf) return open_btf(path, choice.btf_base, choice.cacheline_size);
  if (kind == BackendKind::Libdw && choice.libdw_fallback) {
    try {
      return open_libdw(path);
    } catch (const LibdwCannotRelocate&) {
      return open_libdwarf(path);  // its own relocation; its errors are the file's
    }
  }
  return open_dwarf(path, kind);
}

}  // namespace padguard
