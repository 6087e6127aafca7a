// "Did you mean": a name that is not in a file gets the nearest names that
// are. The file is read again for all of its names (a -C load read only the
// wanted ones); this runs only on the error path.
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
