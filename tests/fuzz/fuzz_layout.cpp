// libFuzzer target over the whole `padguard layout` path: bytes -> temporary
// file -> backend (libdw, libdwarf and BTF) -> model builder ->
// layout -> pahole text. An InputError is the expected answer to garbage;
// anything else (a crash, a sanitizer report, an escaping exception, a hang)
// is a finding. Also linked with replay_main.cpp into `fuzz_replay`, which
// replays tests/fuzz/regressions/ under ctest without libFuzzer.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "padguard/dwarf_source.hpp"
#include "padguard/error.hpp"
#include "padguard/layout.hpp"
#include "padguard/loader.hpp"
#include "padguard/pahole_text.hpp"

namespace {

// One temporary file per process, rewritten for every input: the backends
// take a path, as the CLI gives them.
struct TempFile {
  std::string path;
  int fd = -1;
  TempFile() {
    const char* dir = std::getenv("TMPDIR");
    path = std::string(dir && *dir ? dir : "/tmp") + "/padguard-fuzz-XXXXXX";
    fd = mkstemp(path.data());
    if (fd < 0) {
      std::perror("padguard fuzz: mkstemp");
      std::abort();
    }
  }
  ~TempFile() {
    close(fd);
    unlink(path.c_str());
  }
  void write_all(const uint8_t* data, size_t size) {
    if (ftruncate(fd, 0) != 0) std::abort();
    size_t done = 0;
    while (done < size) {
      const ssize_t n = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
      if (n <= 0) std::abort();
      done += static_cast<size_t>(n);
    }
  }
};

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
  static TempFile* file = new TempFile();  // never destroyed: libFuzzer exits via _exit
  static const bool cleanup = [] {
    std::atexit([] { unlink(file->path.c_str()); });
    return true;
  }();
  (void)cleanup;
  file->write_all(data, size);
  // libdw | libdwarf | btf | unset: all three
  static const char* only = std::getenv("PADGUARD_FUZZ_BACKEND");
  const std::string which = only ? only : "";
  if (which.empty() || which == "libdw") run_backend(file->path, padguard::BackendKind::Libdw);
  if (which.empty() || which == "libdwarf") run_backend(file->path, padguard::BackendKind::Libdwarf);
  if (which.empty() || which == "btf")
    run_backend(file->path, padguard::BackendKind::Libdw, padguard::InputFormat::Btf);
  return 0;
}
