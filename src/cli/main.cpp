// padguard entry point: parse, dispatch, map errors to exit codes.
#include <cstdio>
#include <new>

#include "commands.hpp"
#include "padguard/error.hpp"

using namespace padguard::cli;

int main(int argc, char** argv) noexcept {
  try {
    CLI::App app{"padguard: verify C struct layouts from DWARF debug info.\n"
                 "Exit status: 0 ok/no change, 1 layout changed (diff) or rule violated (check),\n"
                 "2 usage or input error (never a pass)."};
    app.require_subcommand(1);
    LayoutOptions layout;
    add_layout(app, layout);
    CrosscheckOptions crosscheck;
    add_crosscheck(app, crosscheck);
    DiffCmdOptions diff;
    add_diff(app, diff);
    CheckCmdOptions check;
    add_check(app, check);
    ExtractCmdOptions extract;
    add_extract(app, extract);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      const int rc = app.exit(e);
      return rc == 0 ? kExitOk : kExitError;
    }
    if (app.got_subcommand("layout")) return run_layout(layout);
    if (app.got_subcommand("crosscheck")) return run_crosscheck(crosscheck);
    if (app.got_subcommand("diff")) return run_diff(diff);
    if (app.got_subcommand("check")) return run_check(check);
    if (app.got_subcommand("extract")) return run_extract(extract);
    return kExitError;
  } catch (const padguard::InputError& e) {
    std::fprintf(stderr, "padguard: %s\n", e.what());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "padguard: out of memory\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "padguard: internal error: %s\n", e.what());
  }
  return kExitError;
}
