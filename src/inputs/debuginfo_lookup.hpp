// Debug info found by build-id: a stripped file's (or `--build-id HEX`'s)
// DWARF under /usr/lib/debug/.build-id/, else fetched by elfutils' debuginfod
// client when DEBUGINFOD_URLS is set (cached as the client caches, progress
// of long downloads on stderr). docs/DEBUG-FILES.md.
#pragma once

#include <libelf.h>

#include <optional>
#include <string>
#include <string_view>

namespace padguard::debuginfo {

// The spelling of a build-id where a file is expected: "build-id:HEX" (what
// `--build-id HEX` becomes). The hex in lower case; nullopt when `arg` does
// not start with "build-id:". InputError when the rest is not 4 to 128 hex
// digits of whole bytes.
std::optional<std::string> build_id_argument(std::string_view arg);
inline constexpr std::string_view kBuildIdPrefix = "build-id:";

// The NT_GNU_BUILD_ID note as lower-case hex; empty when there is none.
std::string build_id(Elf* elf);
// The same for a file; empty when it is not a readable ELF file or has none.
std::string build_id_of(const std::string& path);

// The build-id in a raw ELF note blob, as the kernel exposes its own
// (/sys/kernel/notes) and each module's (/sys/module/M/notes/
// .note.gnu.build-id): `bytes` must be whole, well-formed notes (either byte
// order) with a GNU build-id among them; empty otherwise.
std::string build_id_in_notes(std::string_view bytes);

// The space-separated servers of DEBUGINFOD_URLS; empty when unset or blank.
std::string debuginfod_urls();

// The file holding the debug info of build-id `id` (lower-case hex): the
// local /usr/lib/debug/.build-id/NN/REST.debug when it has that build-id and
// .debug_info, else the debuginfod client's download (DEBUGINFOD_URLS). nullopt
// when neither has it because no server is configured. A server that has not
// got it, cannot be reached or times out is an InputError naming `subject`,
// the build-id and the URLs tried.
std::optional<std::string> find_debuginfo(const std::string& id, const std::string& subject);

}  // namespace padguard::debuginfo
