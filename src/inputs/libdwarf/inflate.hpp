// Works around two limits of libdwarf 20210528 by handing it an in-memory
// copy of the file: it relocates compressed debug sections incompletely
// (clang -gz -gdwarf-5 objects lose .debug_str_offsets relocations, so names
// come out wrong), so the copy's SHF_COMPRESSED sections are already
// inflated; and it reads e_shnum/e_shstrndx without gABI's extended section
// numbering, so the copy has them in the plain form (a file that needs the
// extended form, 65280 sections or more, is refused with --backend libdw).
#pragma once

#include <string>

namespace padguard {

// An fd (memfd) for such a copy of the file open on `fd`, or -1 when the
// file needs none. Throws InputError naming `path` on failure.
int libdwarf_readable_copy(const std::string& path, int fd);

}  // namespace padguard
