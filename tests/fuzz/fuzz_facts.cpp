// libFuzzer target over the whole path a facts file takes (`padguard layout
// FACTS`, and either side of diff/check): bytes -> temporary file -> input
// detection -> the facts reader (duplicate keys, records_from_facts) ->
// layout -> every layout format. Inputs that detection gives to another
// reader (ELF, BTF) are left to fuzz_layout. Then the round trip `extract`
// relies on: the records written as a facts document (facts_json) must read
// back (records_from_facts) and print the same pahole text. An InputError
// is the expected answer to garbage; anything else -- a crash, a sanitizer
// report, an escaping exception, a hang, a round trip that fails -- is a
// finding. Also linked with replay_main.cpp into `fuzz_replay_facts`.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_common.hpp"
#include "padguard/error.hpp"
#include "padguard/facts.hpp"
#include "padguard/input.hpp"
#include "padguard/json.hpp"
#include "padguard/layout.hpp"
#include "padguard/pahole_text.hpp"
#include "padguard/render.hpp"
#include "padguard/report_groups.hpp"

namespace {

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz_facts: %s\n", what.c_str());
  std::abort();
}

std::string pahole_all(const padguard::RecordSet& set) {
  padguard::PaholeOptions po;
  po.force_paddings = set.states_alignment;
  std::string text;
  for (const auto& r : set.records) text += padguard::render_pahole(*r, po);
  return text;
}

void run(const std::string& path) {
  padguard::LoadOptions lo;
  lo.threads = 1;
  padguard::RecordSet set;
  try {
    const padguard::Input& in = padguard::detect_input(path, lo);
    if (in.name() != "facts") return;  // ELF or BTF: fuzz_layout's
    set = in.load(path, lo);
  } catch (const padguard::InputError&) {
    return;  // the expected outcome for garbage: the CLI prints it and exits 2
  }
  std::vector<const padguard::Record*> records;
  for (const auto& r : set.records) {
    records.push_back(r.get());
    const padguard::Layout l = padguard::compute_layout(*r);
    (void)padguard::infer_packed(*r, l);
  }
  // What `padguard layout --format F FACTS` prints, for every F.
  padguard::RenderOptions ro;
  ro.threads = 1;
  const padguard::LayoutView view{set.source, records, 64, set.states_alignment};
  for (const padguard::FormatInfo& f : padguard::format_registry()) {
    if (!f.layout) continue;
    if (!f.one_record) {
      if (padguard::render(view, f.format, ro).empty() && !records.empty()) finding(std::string("empty ") + f.name + " layout");
      continue;
    }
    // One struct per picture (layout -C NAME --format svg): the first few.
    for (size_t i = 0; i < records.size() && i < 16; ++i) {
      const padguard::LayoutView one{set.source, {records[i]}, 64, set.states_alignment};
      if (padguard::render(one, f.format, ro).empty()) finding(std::string("empty ") + f.name + " layout");
    }
  }
  // What was read is what `extract` would write: it must read back as is.
  const std::string text = pahole_all(set);
  padguard::RecordSet again;
  try {
    const std::string doc =
        padguard::dump_json(padguard::facts_json(set.source, set.address_size, records, set.states_alignment), true);
    again = padguard::records_from_facts(nlohmann::json::parse(doc), "round trip");
  } catch (const std::exception& e) {
    finding(std::string("the records read do not survive a round trip: ") + e.what());
  }
  if (again.records.size() != set.records.size() || pahole_all(again) != text)
    finding("the round trip changed the layout text:\n" + text.substr(0, 4000) + "\n---\n" +
            pahole_all(again).substr(0, 4000));
  // Cacheline groups from hostile marker names and offsets: listed and
  // rendered without a crash, and a record compared with itself changes none.
  padguard::GroupsView gv;
  gv.source = set.source;
  gv.structs = padguard::structs_with_groups(records, 64);
  if (padguard::render_groups_text(gv).empty() || padguard::render_groups_json(gv).empty())
    finding("empty groups output");
  for (const padguard::Record* r : records)
    if (!padguard::group_changes(*r, *r).empty()) finding("a record's groups differ from its own: " + r->name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  run(padguard::fuzz::input_file(data, size));
  return 0;
}
