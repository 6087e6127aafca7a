// padguard entry point: parse, dispatch, map errors to exit codes.
#include <cstdio>
#include <new>
#include <string>
#include <vector>

#include "commands.hpp"
#include "padguard/error.hpp"
#include "padguard/spelling.hpp"
#include "padguard/version.hpp"

using namespace padguard::cli;

namespace {

// An error is one line on stderr, whatever names from the input it quotes:
// control characters (a newline, ESC) are written as \xNN.
std::string one_line(const char* what) {
  std::string out;
  for (const char* p = what; *p; ++p) {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c < 0x20 || c == 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += *p;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) noexcept {
  try {
    CLI::App app{"padguard: verify C struct layouts from DWARF debug info.\n"
                 "Exit status: 0 ok/no change, 1 layout changed (diff) or rule violated (check),\n"
                 "2 usage or input error (never a pass)."};
    app.require_subcommand(1);
    app.set_version_flag("-V,--version", padguard::tool_version(), "print padguard's version and git commit, and exit");
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
    GroupsCmdOptions groups;
    add_groups(app, groups);
    FitCmdOptions fit;
    add_fit(app, fit);
    if (argc > 1 && argv[1][0] != '-' && app.get_subcommands([&](CLI::App* s) { return s->get_name() == argv[1]; }).empty()) {
      std::vector<std::string> names;
      for (CLI::App* s : app.get_subcommands([](CLI::App*) { return true; })) names.push_back(s->get_name());
      std::fprintf(stderr, "padguard: unknown command '%s'%s (commands: %s)\n", one_line(argv[1]).c_str(),
                   padguard::did_you_mean(padguard::nearest_words(argv[1], names)).c_str(), padguard::cli::join(names).c_str());
      return kExitError;
    }
    // --build-id HEX: a FILE argument where it stands (commands that take files).
    std::vector<std::string> words;
    std::vector<char*> rewritten;
    if (argc > 2 && argv[1][0] != '-' && app.get_subcommand(argv[1])->get_option_no_throw("--build-id") != nullptr) {
      words = with_build_ids(argc, argv);
      for (std::string& w : words) rewritten.push_back(w.data());
      rewritten.push_back(nullptr);
      argc = static_cast<int>(words.size());
      argv = rewritten.data();
    }
    if (argc > 2 && argv[1][0] != '-') {
      if (const std::string bad = unknown_option(*app.get_subcommand(argv[1]), argc - 2, argv + 2); !bad.empty()) {
        std::fprintf(stderr, "padguard %s: %s\n", argv[1], one_line(bad.c_str()).c_str());
        return kExitError;
      }
    }
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) return app.exit(e) == 0 ? kExitOk : kExitError;  // --help, --version
      // Every other usage error is one line, like padguard's own errors.
      const bool sub = argc > 1 && argv[1][0] != '-';
      const std::string who = sub ? std::string("padguard ") + argv[1] : std::string("padguard");
      std::fprintf(stderr, "%s: %s; see %s --help\n", who.c_str(), one_line(e.what()).c_str(), who.c_str());
      return kExitError;
    }
    if (app.got_subcommand("layout")) return run_layout(layout);
    if (app.got_subcommand("crosscheck")) return run_crosscheck(crosscheck);
    if (app.got_subcommand("diff")) return run_diff(diff);
    if (app.got_subcommand("check")) return run_check(check);
    if (app.got_subcommand("extract")) return run_extract(extract);
    if (app.got_subcommand("groups")) return run_groups(groups);
    if (app.got_subcommand("fit")) return run_fit(fit);
    return kExitError;
  } catch (const padguard::InputError& e) {
    std::fprintf(stderr, "padguard: %s\n", one_line(e.what()).c_str());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "padguard: out of memory\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "padguard: internal error: %s\n", one_line(e.what()).c_str());
  }
  return kExitError;
}
