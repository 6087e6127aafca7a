// `padguard extract`: the layouts of the named structs as a facts file, for a
// later diff/check on another machine or as a checked-in baseline.
#include <algorithm>
#include <cstdio>
#include <fstream>

#include "commands.hpp"
#include "padguard/error.hpp"
#include "padguard/facts.hpp"
#include "padguard/json.hpp"

namespace padguard::cli {

void add_extract(CLI::App& app, ExtractCmdOptions& o) {
  CLI::App* sub = app.add_subcommand("extract", "write struct layouts as a facts file (JSON) for diff/check");
  add_common(*sub, o.common);
  sub->add_option("-C,--class_name", o.names, "only these structs/unions (a missing one is an error)")
      ->delimiter(',')->allow_extra_args(false);
  sub->add_option("-o,--output", o.output, "facts file to write ('-': stdout, the default)");
  sub->add_flag("--pretty", o.pretty, "one field per line (a baseline kept in git diffs line by line)");
  sub->add_option("FILE", o.file, "vmlinux, .ko or .o with DWARF")->required();
}

int run_extract(const ExtractCmdOptions& o) {
  LoadOptions lo = o.common.load_options();
  lo.names = o.names;
  // Every layout of a name, so that check over the facts sees what it would
  // see over the file (analysis/pairing tells the definitions apart).
  lo.keep_layout_variants = true;
  const RecordSet set = load_input(o.file, lo);
  std::vector<const Record*> records;
  if (o.names.empty()) {
    for (const auto& r : set.records) records.push_back(r.get());
  } else {
    for (const std::string& n : o.names) {
      const size_t before = records.size();
      for (const auto& r : set.records)
        if (r->name == n) records.push_back(r.get());
      if (records.size() == before)
        throw InputError(o.file, "no struct or union named '" + n + "' in its debug info" + spelling_hint(o.file, n, lo));
    }
  }
  write_facts(set, records, o.output, o.pretty);
  return kExitOk;
}

void write_facts(const RecordSet& set, const std::vector<const Record*>& records, const std::string& path,
                 bool pretty) {
  // A baseline's records in name order (stable for equal names): which
  // build wrote it, and with how many threads, does not move a line.
  std::vector<const Record*> order = records;
  if (pretty)
    std::stable_sort(order.begin(), order.end(), [](const Record* a, const Record* b) { return a->name < b->name; });
  const std::string out = dump_json(facts_json(set, order), !pretty);
  if (path == "-") {
    std::fwrite(out.data(), 1, out.size(), stdout);
    return;
  }
  // Written beside the target and renamed: a baseline is never left half written.
  const std::string tmp = path + ".tmp";
  std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
  f << out;
  f.close();
  if (!f || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw InputError(path, "cannot write the facts file; check the directory exists and is writable");
  }
}

}  // namespace padguard::cli
