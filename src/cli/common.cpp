#include "commands.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "padguard/error.hpp"

namespace padguard::cli {

BackendKind CommonOptions::backend_kind() const {
  return backend == "libdwarf" ? BackendKind::Libdwarf : BackendKind::Libdw;
}

InputChoice CommonOptions::input_choice() const {
  InputChoice c;
  c.format = input_format == "btf" ? InputFormat::Btf : input_format == "dwarf" ? InputFormat::Dwarf : InputFormat::Auto;
  c.btf_base = btf_base;
  c.libdw_fallback = backend.empty();  // libdw by default, not by --backend libdw
  return c;
}

LoadOptions CommonOptions::load_options() const {
  LoadOptions lo;
  lo.backend = backend_kind();
  lo.input = input_choice();
  lo.threads = threads;
  return lo;
}

void add_common(CLI::App& sub, CommonOptions& o) {
  sub.add_option("-F,--input-format", o.input_format,
                 "btf, dwarf or auto (default: DWARF if the file has .debug_info, else BTF)")
      ->check(CLI::IsMember({"btf", "dwarf", "auto"}));
  sub.add_option("--btf_base,--btf-base", o.btf_base,
                 "base BTF of a split BTF file (default for /sys/kernel/btf/<module>: /sys/kernel/btf/vmlinux)");
  sub.add_option("--backend", o.backend,
                 "DWARF reader: libdw or libdwarf (default: libdw, and libdwarf for an object of a machine libdw "
                 "cannot relocate, e.g. MIPS)")
      ->check(CLI::IsMember({"libdw", "libdwarf"}));
  sub.add_option("-j,--jobs", o.threads, "worker threads (default: all cores); output does not depend on it");
  // main() rewrites each `--build-id HEX` into the argument build-id:HEX in
  // its place (with_build_ids), so it is a FILE in order; this option only
  // lists it in --help, the man page and completions.
  sub.add_option("--build-id", o.build_ids,
                 "HEX: in place of a FILE, the debug info of that build-id (from /usr/lib/debug/.build-id, or "
                 "fetched by debuginfod when DEBUGINFOD_URLS is set); also spelled build-id:HEX")
      ->type_name("HEX");
}

std::vector<std::string> with_build_ids(int argc, char** argv) {
  std::vector<std::string> out(argv, argv + argc);
  static constexpr std::string_view kFlag = "--build-id";
  for (size_t i = 2; i < out.size(); ++i) {
    if (out[i] == "--") break;  // after it, every word is a FILE
    if (out[i] == kFlag && i + 1 < out.size()) {
      out[i] = "build-id:" + out[i + 1];
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    } else if (out[i].rfind("--build-id=", 0) == 0) {
      out[i] = "build-id:" + out[i].substr(kFlag.size() + 1);
    }
  }
  return out;
}

void add_suppress_flags(CLI::App& sub, SuppressFlags& o) {
  sub.add_option("--ignore-member", o.ignore_members,
                 "PATTERN[,PATTERN...]: suppress changes of members whose key or STRUCT.key matches (listed, not hidden)")
      ->delimiter(',')->allow_extra_args(false);
  sub.add_flag("--no-default-suppressions", o.no_defaults,
               "report members added into reserved members and struct_group() unions as changes too");
}

Suppressions SuppressFlags::apply(Suppressions base) const {
  if (no_defaults) base.reserved.clear(), base.struct_group = false;
  base.ignore_members.insert(base.ignore_members.end(), ignore_members.begin(), ignore_members.end());
  return base;
}

void add_format(CLI::App& sub, std::string& value, ResultKind kind) {
  sub.add_option("--format", value, format_help(kind))->check(CLI::IsMember(format_names(kind)));
}

Format format_of(const std::string& value, ResultKind kind) {
  if (const std::optional<Format> f = parse_format(value, kind)) return *f;
  throw InputError("--format", "unknown format '" + value + "'");
}

void add_color(CLI::App& sub, std::string& value) {
  sub.add_option("--color,--colour", value,
                 "auto (default: on a terminal, unless NO_COLOR is set or TERM=dumb), always or never; "
                 "text format only")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

bool use_color(const std::string& when, Format f) {
  if (f != Format::Text || when == "never") return false;
  if (when == "always") return true;
  // https://no-color.org: a non-empty NO_COLOR turns colour off; an explicit
  // --color=always still wins, as the convention allows.
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  if (no_color && *no_color) return false;
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return isatty(STDOUT_FILENO) == 1;
}

}  // namespace padguard::cli
