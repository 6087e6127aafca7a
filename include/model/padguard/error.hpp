// Errors that reach the user: an input problem names the file and the fix.
// The CLI maps them to exit code 2; nothing here prints.
#pragma once

#include <stdexcept>
#include <string>

namespace padguard {

// Bad input or usage: exit code 2. `what()` is the whole one-line message
// without the "padguard: " prefix, e.g. "vmlinux: not an ELF file".
class InputError : public std::runtime_error {
 public:
  InputError(const std::string& file, const std::string& message)
      : std::runtime_error(file.empty() ? message : file + ": " + message) {}
};

// Why an input can hold no struct definition padguard reads, and the way out:
// said by check (a config not checked) and by diff (an input refused).
inline constexpr const char* kNoStructsReason =
    "no complete struct or union type (DWARF type units are not read; an empty facts file has none); rebuild "
    "with -g but without -fdebug-types-section";

// Why a member's size can be unknown, and the way out: said by layout (a
// note), diff and check (docs/REDUCED-DEBUG-INFO.md).
inline constexpr const char* kReducedDebugInfoFix =
    "reduced debug info (kernel CONFIG_DEBUG_INFO_REDUCED, gcc -femit-struct-debug-baseonly or "
    "-femit-struct-debug-reduced, clang -fno-standalone-debug) describes a type in full in one unit only; "
    "rebuild without it, or give a file that links in the unit defining the type";

}  // namespace padguard
