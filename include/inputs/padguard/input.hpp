// The input seam (as dwarves' debug_fmt_ops): every input format -- DWARF
// through libdw or libdwarf, facts JSON, later BTF -- is an Input that fills
// the same model (RecordSet) from a path. Which one reads a file is decided by
// its content (detect.cpp); the list of inputs is src/inputs/registry.cpp.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "padguard/dwarf_source.hpp"
#include "padguard/model.hpp"

namespace padguard {

struct LoadOptions {
  BackendKind backend = BackendKind::Libdw;  // which DWARF reader
  InputChoice input;                         // -F, --btf_base (BTF)
  std::vector<std::string> names;            // empty: every named record
  // Also (or, with `names` empty, only) the records whose name it accepts;
  // called from every worker thread, so it must be pure. The DWARF and BTF
  // loader honours it; a facts file is read whole.
  std::function<bool(std::string_view)> name_filter;
  unsigned threads = 0;                      // 0: all cores
  // Keep a later record whose name was seen but whose layout differs (pahole
  // prints both); otherwise one record per name, the first.
  bool keep_layout_variants = false;
  // Off: members carry no source file (decl line only); spares each unit's
  // line table, for output that never prints files (pahole's text).
  bool source_locations = true;
  // layout -E: named records held by value carry their definitions
  // (build_unit_records' expand_types; RecordSet::named_definitions).
  bool expand_types = false;
};

// What detection saw of a regular file, for the inputs' probes.
struct FileHead {
  std::string path;
  std::string bytes;                  // the first bytes (up to 4 KiB)
  bool elf = false;                   // starts with the ELF magic
  std::vector<std::string> sections;  // ELF section names, when readable
  size_t text_start = 0;              // first byte after a UTF-8 BOM and blanks
  bool has_section(std::string_view name) const;
};

class Input {
 public:
  virtual ~Input() = default;
  virtual std::string_view name() const = 0;
  // 0: not this format; 1: this format, though it may lack what the input
  // needs (load() then says why); 2: this input reads it. Highest wins.
  virtual int probe(const FileHead& head, const LoadOptions& opts) const = 0;
  // Throws InputError (naming the file) on input it cannot read.
  virtual RecordSet load(const std::string& path, const LoadOptions& opts) const = 0;
};

// Every input, in registration order (ties in probe() go to the first).
const std::vector<const Input*>& inputs();

// The input that reads `path`; InputError for non-regular files (FIFO,
// device, directory) and for content no input knows.
const Input& detect_input(const std::string& path, const LoadOptions& opts);

// The file holding the debug info `path` stands for: `path` itself; for
// "build-id:HEX" (`--build-id HEX`), and for an ELF file without DWARF that
// has a build-id (a stripped binary), the debug file found by build-id under
// /usr/lib/debug/.build-id or fetched by debuginfod (DEBUGINFOD_URLS).
// InputError when it is nowhere, or as detect_input.
std::string debug_info_path(const std::string& path, const LoadOptions& opts);

// Detects and loads (from debug_info_path); `opts.names` filters every input.
RecordSet load_input(const std::string& path, const LoadOptions& opts);

}  // namespace padguard
