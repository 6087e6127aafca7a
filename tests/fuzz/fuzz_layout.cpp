// libFuzzer target over the whole `padguard layout` path: bytes -> temporary
// file -> backend (libdw, libdwarf and BTF) -> model builder ->
// layout -> pahole text. An InputError is the expected answer to garbage;
// anything else (a crash, a sanitizer report, an escaping exception, a hang)
// is a finding. Also linked with replay_main.cpp into `fuzz_replay`, which
// replays tests/fuzz/regressions/ under ctest without libFuzzer.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_common.hpp"
#include "padguard/dwarf_source.hpp"
#include "padguard/error.hpp"
#include "padguard/layout.hpp"
#include "padguard/loader.hpp"
#include "padguard/pahole_text.hpp"

namespace {

void run_backend(const std::string& path, padguard::BackendKind kind,
                 padguard::InputFormat format = padguard::InputFormat::Dwarf) {
  padguard::LoadOptions lo;
  lo.backend = kind;
  lo.input.format = format;  // Btf: the BTF backend (raw blob or an ELF's .BTF)
  lo.threads = 1;  // deterministic and cheap; the loader's threading is not the target
  lo.keep_layout_variants = true;
  try {
    const padguard::RecordSet set = padguard::load_records(path, lo);
    padguard::PaholeOptions po;
    for (const auto& r : set.records) {
      const padguard::Layout l = padguard::compute_layout(*r);
      (void)padguard::infer_packed(*r, l);
      const std::string text = padguard::render_pahole(*r, po);
      if (text.empty()) std::abort();
    }
  } catch (const padguard::InputError&) {
    // The expected outcome for garbage: the CLI prints it and exits 2.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = padguard::fuzz::input_file(data, size);
  // libdw | libdwarf | btf | unset: all three
  static const char* only = std::getenv("PADGUARD_FUZZ_BACKEND");
  const std::string which = only ? only : "";
  if (which.empty() || which == "libdw") run_backend(path, padguard::BackendKind::Libdw);
  if (which.empty() || which == "libdwarf") run_backend(path, padguard::BackendKind::Libdwarf);
  if (which.empty() || which == "btf")
    run_backend(path, padguard::BackendKind::Libdw, padguard::InputFormat::Btf);
  return 0;
}
