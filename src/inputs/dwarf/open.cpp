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

bool reads_as_btf(const std::string& path, const InputChoice& choice) {
  bool btf = choice.format == InputFormat::Btf;
  if (choice.format == InputFormat::Auto) {
    // pahole 1.24 tries its formats in order (dwarf, then btf) and takes the
    // first that loads; here the file's own sections decide. A file that
    // cannot be probed goes the DWARF way, whose checks name the problem.
    try {
      const InputProbe p = probe_input(path);
      btf = p.raw_btf || (p.elf && !p.has_dwarf && p.has_btf);
    } catch (const InputError&) {
      btf = false;
    }
  }
  return btf;
}

std::unique_ptr<DwarfSource> open_source(const std::string& path, BackendKind kind, const InputChoice& choice) {
  if (reads_as_btf(path, choice)) return open_btf(path, choice.btf_base, choice.cacheline_size);
  return open_dwarf(path, kind);
}

}  // namespace padguard
