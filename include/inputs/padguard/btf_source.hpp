// The BTF backend: reads a raw BTF blob (/sys/kernel/btf/*) or the .BTF
// section of an ELF file through libbpf and adapts its types into RawDie
// values, so the shared model builder interprets BTF exactly as DWARF.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "padguard/dwarf_source.hpp"

namespace padguard {

// `base` (may be empty) is the BTF a split BTF file was made on; for
// /sys/kernel/btf/<module> it defaults to /sys/kernel/btf/vmlinux.
// `cacheline_size` feeds pahole's alignment inference (BTF has no alignment
// attributes). Throws InputError on unreadable or inconsistent BTF.
std::unique_ptr<DwarfSource> open_btf(const std::string& path, const std::string& base,
                                      unsigned cacheline_size = 64);

// Whether a file's first bytes are a raw BTF header: struct btf_header
// starts with magic 0xeB9F in the file's byte order.
inline bool is_raw_btf(std::string_view first_bytes) {
  return first_bytes.size() >= 2 &&
         ((first_bytes[0] == '\x9f' && first_bytes[1] == '\xeb') ||
          (first_bytes[0] == '\xeb' && first_bytes[1] == '\x9f'));
}

// The kernel's own BTF, read when `layout` is given no file.
inline constexpr const char* kKernelBtf = "/sys/kernel/btf/vmlinux";

}  // namespace padguard
