// `check --baseline FILE NEW`: a facts file kept in the tree (padguard
// extract --pretty) is the OLD side, so a CI job or the kernel build checks a
// new vmlinux against the layouts the project accepted. `--update-baseline`
// rewrites FILE from NEW with the same struct names: review `git diff FILE`
// and commit it to accept a layout change.
#include <cstdio>
#include <fstream>
#include <set>

#include "commands.hpp"
#include "padguard/error.hpp"

namespace padguard::cli {

namespace {

constexpr const char* kMake = "create it with: padguard extract --pretty -C STRUCT[,STRUCT...] FILE -o BASELINE";

// A baseline is a facts file (JSON): an ELF or anything else given by
// mistake would be compared as a build, which is not what was asked.
void require_facts(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InputError(path, std::string("no baseline here; ") + kMake);
  char c = 0;
  while (f.get(c) && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
  }
  if (!f || c != '{') throw InputError(path, std::string("not a facts file, so not a baseline; ") + kMake);
}

}  // namespace

void add_baseline_flags(CLI::App& sub, CheckCmdOptions& o) {
  sub.add_option("--baseline", o.baseline,
                 "facts file (padguard extract --pretty) to check NEW against, in place of OLD");
  sub.add_flag("--update-baseline", o.update_baseline,
               "with --baseline: rewrite it from NEW for the structs it holds (then review git diff) and exit 0");
}

std::string baseline_old_side(const CheckCmdOptions& o) {
  if (!o.pairs.empty() || !o.manifest.empty())
    throw InputError("--baseline", "check: give --baseline FILE NEW or --pair/--manifest, not both");
  if (o.files.size() != 1)
    throw InputError("--baseline", "check --baseline FILE takes one input, NEW (the build to check)");
  require_facts(o.baseline);
  return o.baseline;
}

int update_baseline(const CheckCmdOptions& o, const LoadOptions& lo_in) {
  if (o.baseline.empty()) throw InputError("--update-baseline", "needs --baseline FILE (the file to rewrite)");
  const std::string old = baseline_old_side(o);
  LoadOptions lo = lo_in;
  lo.names.clear();
  const RecordSet base = load_input(old, lo);
  std::set<std::string> names;
  for (const auto& r : base.records) names.insert(r->name);
  if (names.empty()) throw InputError(old, "the baseline holds no struct; recreate it: " + std::string(kMake));
  lo.names.assign(names.begin(), names.end());
  const RecordSet now = load_input(o.files[0], lo);
  std::vector<const Record*> records;
  for (const auto& r : now.records)
    if (names.count(r->name)) records.push_back(r.get());
  for (const std::string& n : names) {
    bool found = false;
    for (const Record* r : records) found |= r->name == n;
    if (!found)
      throw InputError(o.files[0], "no struct or union named '" + n + "' (the baseline holds it); remove it from " +
                                       old + " with padguard extract, or check the input");
  }
  write_facts(now, records, old, true);
  std::fprintf(stderr, "padguard: %s: rewritten from %s (%zu struct%s); review it with git diff before committing\n",
               old.c_str(), o.files[0].c_str(), names.size(), names.size() == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace padguard::cli
