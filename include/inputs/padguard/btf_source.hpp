// The BTF backend: reads a raw BTF blob (/sys/kernel/btf/*) or the .BTF
// section of an ELF file through libbpf and adapts its types into RawDie
// values, so the shared model builder interprets BTF exactly as DWARF.
#pragma once

#include <memory>
#include <string>

#include "padguard/dwarf_source.hpp"

namespace padguard {

// `base` (may be empty) is the BTF a split BTF file was made on; for
// /sys/kernel/btf/<module> it defaults to /sys/kernel/btf/vmlinux.
// `cacheline_size` feeds pahole's alignment inference (BTF has no alignment
// attributes). Throws InputError on unreadable or inconsistent BTF.
std::unique_ptr<DwarfSource> open_btf(const std::string& path, const std::string& base,
                                      unsigned cacheline_size = 64);

// What the first bytes of `path` say: raw BTF (magic 0xeB9F), or an ELF
// file and whether it has DWARF (.debug_info) and/or a .BTF section.
struct InputProbe {
  bool raw_btf = false;
  bool elf = false;
  bool has_dwarf = false;
  bool has_btf = false;
};
InputProbe probe_input(const std::string& path);

// The kernel's own BTF, read when `layout` is given no file.
inline constexpr const char* kKernelBtf = "/sys/kernel/btf/vmlinux";

}  // namespace padguard
