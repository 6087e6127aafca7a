// `padguard groups`: the kernel's cacheline groups (__cacheline_group_begin /
// _end markers) of every struct of one input, or their sizes across configs
// (--pair, --manifest) with the least CACHELINE_ASSERT_GROUP_SIZE each group
// needs and the configs over a --limit. Exit 0; 1 when a group is over its
// limit; 2 on input errors, a -C name no input has, or a config not read
// (unless --allow-skip names it).
#include <algorithm>
#include <cstdio>

#include "commands.hpp"
#include "padguard/error.hpp"
#include "padguard/groups.hpp"
#include "padguard/pairing.hpp"
#include "padguard/report_groups.hpp"

namespace padguard::cli {

void add_groups(CLI::App& app, GroupsCmdOptions& o) {
  CLI::App* sub = app.add_subcommand(
      "groups", "list cacheline groups (__cacheline_group_begin/_end) and their sizes, in one build or across configs");
  add_common(*sub, o.common);
  sub->add_option("-C,--class_name", o.names, "only these structs (a missing one is an error)")
      ->delimiter(',')->allow_extra_args(false);
  sub->add_option("-c,--cacheline_size", o.cacheline, "cacheline size in bytes (default 64)")
      ->check(CLI::Range(1u, 1u << 20));
  sub->add_option("--format", o.format, "text (the default) or json")->check(CLI::IsMember({"text", "json"}));
  sub->add_option("--pair", o.pairs, "LABEL=OLD:NEW, repeatable: each group's size per config, one table")
      ->allow_extra_args(false);
  sub->add_option("--manifest", o.manifest, "file of 'LABEL OLD NEW' lines (as check --manifest)");
  sub->add_option("--limit", o.limits, "STRUCT.GROUP=N, repeatable: list the configs where the group exceeds N (exit 1)")
      ->delimiter(',')->allow_extra_args(false);
  sub->add_option("--allow-skip", o.allow_skip, "LABEL[,LABEL...] or 'all': configs that may go unread")
      ->delimiter(',')->allow_extra_args(false);
  sub->add_flag("-v,--verbose", o.verbose, "text: every member of every group");
  sub->add_option("FILE", o.file, "vmlinux, .ko or .o with DWARF or .BTF, or a facts file");
}

namespace {

GroupLimit parse_limit(const std::string& s) {
  const size_t dot = s.find('.'), eq = s.find('=');
  if (dot == std::string::npos || eq == std::string::npos || dot == 0 || eq < dot + 2 || eq + 1 == s.size())
    throw InputError("--limit", "expected STRUCT.GROUP=N (e.g. net_device.net_device_read_tx=160), got '" + s + "'");
  GroupLimit l{s.substr(0, dot), s.substr(dot + 1, eq - dot - 1), 0};
  try {
    size_t used = 0;
    l.limit = std::stoull(s.substr(eq + 1), &used);
    if (used != s.size() - eq - 1 || s[eq + 1] == '-') throw std::invalid_argument("");
  } catch (const std::exception&) {
    throw InputError("--limit", "'" + s.substr(eq + 1) + "' is not a number of bytes in '" + s + "'");
  }
  return l;
}

// The records `names` asks for (each must exist), or every record.
std::vector<const Record*> chosen(const RecordSet& set, const std::vector<std::string>& names, const std::string& file,
                                  const LoadOptions& lo, std::vector<std::string>* absent) {
  std::vector<const Record*> out;
  if (names.empty()) {
    for (const auto& r : set.records) out.push_back(r.get());
    return out;
  }
  for (const std::string& n : names) {
    const Record* r = set.find(n);
    if (!r) throw InputError(file, "no struct or union named '" + n + "' in its debug info" + spelling_hint(file, n, lo));
    out.push_back(r);
    if (absent && cacheline_groups(*r).empty()) absent->push_back(n);
  }
  return out;
}

RecordSet load(const std::string& file, const LoadOptions& lo, bool named) {
  RecordSet set = load_input(file, lo);
  if (set.records.empty() && !named)
    throw InputError(file, std::string("no struct definitions readable: ") + kNoStructsReason);
  return set;
}

}  // namespace

int run_groups(const GroupsCmdOptions& o) {
  LoadOptions lo = o.common.load_options();
  lo.names = loaded_names(o.names);
  GroupsView v;
  v.cacheline_size = o.cacheline;
  v.verbose = o.verbose;
  std::vector<GroupLimit> limits;
  for (const std::string& l : o.limits) limits.push_back(parse_limit(l));
  std::vector<PairSpec> pairs;
  for (const std::string& p : o.pairs) pairs.push_back(parse_pair(p, "--pair"));
  if (!o.manifest.empty())
    for (PairSpec& p : read_manifest(o.manifest)) pairs.push_back(std::move(p));
  if (!pairs.empty() && !o.file.empty()) throw InputError(o.file, "groups: give FILE or --pair/--manifest, not both");
  if (pairs.empty() && o.file.empty()) throw InputError("", "groups: give FILE, or configs with --pair LABEL=OLD:NEW");
  if (pairs.empty() && !limits.empty()) throw InputError("--limit", "--limit compares configs: give --pair or --manifest");
  int rc = kExitOk;
  if (pairs.empty()) {
    const RecordSet set = load(o.file, lo, !o.names.empty());
    v.source = set.source;
    v.structs = structs_with_groups(chosen(set, o.names, o.file, lo, &v.absent), o.cacheline);
  } else {
    CheckOptions co;
    set_allow_skip(o.allow_skip, pairs, co);
    for (const PairSpec& p : pairs) {
      GroupsConfig c;
      c.label = p.label;
      c.allowed = co.allow_all_skips || std::find(co.allow_skip.begin(), co.allow_skip.end(), p.label) != co.allow_skip.end();
      if (p.status != ConfigStatus::Checked) {
        c.checked = false;
        c.status = config_status_name(p.status);
        c.detail = p.message;
      } else {
        try {
          const RecordSet a = load(p.old_file, lo, !o.names.empty()), b = load(p.new_file, lo, !o.names.empty());
          refuse_cross_arch(a, b, false);
          c.old_structs = structs_with_groups(chosen(a, o.names, p.old_file, lo, nullptr), o.cacheline);
          c.new_structs = structs_with_groups(chosen(b, o.names, p.new_file, lo, nullptr), o.cacheline);
        } catch (const InputError& e) {
          c.checked = false;
          c.status = "error";
          c.detail = e.what();
        }
      }
      if (!c.checked && !c.allowed) rc = kExitError;
      v.configs.push_back(std::move(c));
    }
    v.rows = group_matrix(v.configs, limits);
    for (const GroupRow& r : v.rows) {
      const bool any = std::any_of(r.new_size.begin(), r.new_size.end(), [](const auto& x) { return x.has_value(); });
      if (r.limit && !any) rc = kExitError;  // a limit on a group no config has: a gate over nothing
      else if (!r.over.empty() && rc == kExitOk) rc = kExitChanged;
    }
  }
  const std::string out = o.format == "json" ? render_groups_json(v) : render_groups_text(v);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  for (const GroupsConfig& c : v.configs)
    if (!c.checked && !c.allowed)
      std::fprintf(stderr, "padguard: [%s] %s: %s\n", c.label.c_str(), c.status.c_str(), c.detail.c_str());
  for (const GroupRow& r : v.rows)
    if (r.limit && std::none_of(r.new_size.begin(), r.new_size.end(), [](const auto& x) { return x.has_value(); }))
      std::fprintf(stderr, "padguard: --limit %s.%s: no config has this cacheline group; padguard groups lists them\n",
                   r.structure.c_str(), r.group.c_str());
  return rc;
}

}  // namespace padguard::cli
