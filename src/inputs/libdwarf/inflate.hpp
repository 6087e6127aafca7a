// Works around libdwarf 20210528 relocating compressed debug sections
// incompletely (clang -gz -gdwarf-5 objects lose .debug_str_offsets
// relocations, so names come out wrong): such a file is handed to libdwarf as
// an in-memory copy whose SHF_COMPRESSED sections are already inflated.
#pragma once

#include <string>

namespace padguard {

// An fd (memfd) for an inflated copy of the file open on `fd`, or -1 when no
// section is SHF_COMPRESSED. Throws InputError naming `path` on failure.
int inflate_compressed_sections(const std::string& path, int fd);

}  // namespace padguard
