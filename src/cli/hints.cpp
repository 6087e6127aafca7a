// "Did you mean": a name that is not in a file gets the nearest names that
// are. The file is read again for all of its names (a -C load read only the
// wanted ones); this runs only on the error path.
#include <algorithm>

#include "commands.hpp"
#include "padguard/error.hpp"
#include "padguard/pairing.hpp"
#include "padguard/spelling.hpp"

namespace padguard::cli {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::string unknown_option(const CLI::App& sub, int argc, const char* const* args) {
  std::vector<std::string> longs, shorts;
  for (const CLI::Option* o : sub.get_options()) {
    for (const std::string& n : o->get_lnames()) longs.push_back("--" + n);
    for (const std::string& n : o->get_snames()) shorts.push_back("-" + n);
  }
  auto known = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (int i = 0; i < argc; ++i) {
    const std::string a = args[i];
    if (a == "--") break;
    if (a.size() < 2 || a[0] != '-') continue;
    std::string opt;
    if (a[1] == '-') {
      opt = a.substr(0, a.find('='));
      if (known(longs, opt)) continue;
    } else {
      opt = a.substr(0, 2);  // -Cname: a short option with its value attached
      if (known(shorts, opt)) continue;
    }
    // A one-letter option is one edit from every other: no guess for those.
    const std::string hint = opt[1] == '-' ? did_you_mean(nearest_words(opt, longs)) : "";
    return "unknown option '" + opt + "'" + (hint.empty() ? "; see padguard " + sub.get_name() + " --help" : hint);
  }
  return "";
}

std::vector<std::string> spelling_suggestions(const std::string& file, const std::string& name, LoadOptions lo) {
  lo.names.clear();
  // Only names near enough to be suggested are built (the file's other
  // records are skipped at their DIE).
  const std::string plain = parse_subject(name).name;
  lo.name_filter = [&plain](std::string_view n) { return !nearest_words(plain, {std::string(n)}).empty(); };
  lo.keep_layout_variants = false;
  lo.source_locations = false;
  try {
    return nearest_names(load_input(file, lo), name);
  } catch (const InputError&) {
    return {};
  }
}

std::string spelling_hint(const std::string& file, const std::string& name, const LoadOptions& lo) {
  const std::string hint = did_you_mean(spelling_suggestions(file, name, lo));
  return hint.empty() ? "; check the spelling" : hint;
}

}  // namespace padguard::cli
