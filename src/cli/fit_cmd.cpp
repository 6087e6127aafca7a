// `padguard fit STRUCT (--field 'TYPE NAME'... | --size N --align A | --move
// S.a,S.b) INPUTS`: every insertion point for the fields (the struct's and
// its anonymous structs'), laid out by C's rules in every config (analysis/placement.hpp), ranked: free in
// every config first. Exit 0 when some point is free everywhere, 1 when none
// is, 2 on input errors (an unknown struct, member or type; a config whose
// struct padguard cannot reproduce).
#include <elf.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "commands.hpp"
#include "padguard/containers.hpp"
#include "padguard/error.hpp"
#include "padguard/json.hpp"
#include "padguard/pairing.hpp"
#include "padguard/placement.hpp"
#include "padguard/schema.hpp"
#include "padguard/version.hpp"

namespace padguard::cli {

void add_fit(CLI::App& app, FitCmdOptions& o) {
  CLI::App* sub = app.add_subcommand("fit", "where new or moved fields go for free, in every config (exit 0 a free "
                                            "place exists, 1 none, 2 error)");
  add_common(*sub, o.common);
  sub->add_option("STRUCT", o.structure, "the struct to place fields in")->required();
  sub->add_option("FILES", o.files, "one input per config (labelled by its path); or --pair/--manifest");
  sub->add_option("--field", o.fields, "'TYPE NAME' (repeatable, inserted together in this order); the type is "
                                        "looked up in each config's debug info")
      ->allow_extra_args(false);
  sub->add_option("--size", o.size, "a plain blob of N bytes (with --align)");
  sub->add_option("--align", o.align, "the blob's alignment (default 1)");
  sub->add_option("--move", o.move, "STRUCT.a,STRUCT.b: take these members out (top-level or of anonymous records; "
                                     "one left empty goes too) and insert them together, in this order")
      ->delimiter(',')->allow_extra_args(false);
  sub->add_option("--near", o.near, "also report the distance in cachelines from the new field to this member");
  sub->add_option("--pair", o.pairs, "LABEL=OLD:NEW, repeatable: the OLD side is the config's input")
      ->allow_extra_args(false);
  sub->add_option("--manifest", o.manifest, "a check --manifest file (the OLD sides)");
  sub->add_option("-c,--cacheline_size", o.cacheline, "cacheline size in bytes (default 64)")
      ->check(CLI::Range(1u, 1u << 20));
  sub->add_option("--format", o.format, "text (the default) or json")->check(CLI::IsMember({"text", "json"}));
  sub->add_flag("--all", o.all, "text: every insertion point, not the best ten");
}

namespace {

using json = nlohmann::json;

struct Input {
  std::string label, file;
};

// sizeof/alignof of C's own type names, by address size and machine.
std::optional<std::pair<uint64_t, uint32_t>> builtin(std::string t, const RecordSet& set) {
  const uint64_t word = set.address_size;
  const bool i386 = set.machine == EM_386;
  static const std::map<std::string, int> kSizes = {
      {"char", 1},  {"signed char", 1},  {"unsigned char", 1}, {"_Bool", 1},          {"bool", 1},
      {"short", 2}, {"unsigned short", 2}, {"short int", 2},   {"short unsigned int", 2}, {"int", 4},
      {"unsigned int", 4}, {"unsigned", 4}, {"float", 4},      {"long long", 8},      {"unsigned long long", 8},
      {"long long int", 8}, {"long long unsigned int", 8},     {"double", 8},         {"long", -1},
      {"unsigned long", -1}, {"long int", -1}, {"long unsigned int", -1}};
  auto it = kSizes.find(t);
  if (it == kSizes.end()) return std::nullopt;
  const uint64_t size = it->second < 0 ? word : static_cast<uint64_t>(it->second);
  const uint32_t align = static_cast<uint32_t>(i386 && size == 8 ? 4 : size);
  return std::make_pair(size, align);
}

std::string trim(std::string s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// "TYPE NAME" or "TYPE NAME[N]" or "TYPE *NAME".
struct FieldSpec {
  std::string type, name;
  uint64_t count = 1;
  bool pointer = false;
};

FieldSpec parse_field(const std::string& spec) {
  FieldSpec f;
  std::string s = trim(spec);
  if (const size_t lb = s.rfind('['); lb != std::string::npos && s.back() == ']') {
    try {
      f.count = std::stoull(s.substr(lb + 1, s.size() - lb - 2));
    } catch (const std::exception&) {
      throw InputError("--field", "'" + spec + "': the array length is not a number");
    }
    s = trim(s.substr(0, lb));
  }
  const size_t sp = s.find_last_of(" \t*");
  if (sp == std::string::npos || sp + 1 == s.size())
    throw InputError("--field", "'" + spec + "': expected 'TYPE NAME' (e.g. --field 'refcount_t rcu_users')");
  f.name = s.substr(sp + 1);
  std::string type = trim(s.substr(0, sp + 1));
  while (!type.empty() && type.back() == '*') {
    f.pointer = true;
    type = trim(type.substr(0, type.size() - 1));
  }
  f.type = type;
  if (f.type.empty()) throw InputError("--field", "'" + spec + "': no type");
  return f;
}

struct Loaded {
  Input in;
  RecordSet set;
  std::optional<RecordSet> all;  // every record, read once when a lookup needs one
};

// A named record of the config: the struct's set, or the whole input's,
// read once (member types' forced alignments, field types).
const Record* lookup(Loaded& L, const LoadOptions& lo, const std::string& name) {
  if (const Record* r = L.set.find(name)) return r;
  if (!L.all) {
    LoadOptions every = lo;
    every.names.clear();
    L.all = load_input(L.in.file, every);
  }
  return L.all->find(name);
}

NewField resolve(const FieldSpec& f, Loaded& L, const LoadOptions& lo) {
  NewField nf;
  nf.name = f.name;
  RecordLookup find = [&](const std::string& n) { return lookup(L, lo, n); };
  uint64_t size = 0;
  uint32_t align = 1;
  if (f.pointer) {
    size = L.set.address_size;
    align = static_cast<uint32_t>(size);
  } else if (f.type.rfind("struct ", 0) == 0 || f.type.rfind("union ", 0) == 0) {
    const std::string name = trim(f.type.substr(f.type.find(' ')));
    const Record* r = find(name);
    if (!r) throw InputError(L.in.file, "--field: no " + f.type + " in its debug info");
    size = r->byte_size;
    align = record_alignment(*r, find);
  } else if (auto b = builtin(f.type, L.set)) {
    size = b->first;
    align = b->second;
  } else {
    TypeRef t = find_named_type(L.in.file, lo, f.type);
    if (!t || t->kind != TypeKind::Typedef)
      throw InputError(L.in.file, "--field: no type named '" + f.type + "' (a typedef, struct X, union X or a C "
                                  "base type) in its debug info");
    const Type* x = t.get();
    for (int d = 0; x && d < 64 && (x->kind == TypeKind::Typedef || x->kind == TypeKind::Qualified); ++d)
      x = x->target.get();
    if (!x) throw InputError(L.in.file, "--field: typedef '" + f.type + "' has no target in its debug info");
    if (x->kind == TypeKind::Record) {
      const Record* r = x->record ? x->record.get() : find(x->name);
      if (!r) throw InputError(L.in.file, "--field: '" + f.type + "' names struct " + x->name + ", not defined there");
      size = r->byte_size;
      align = record_alignment(*r, find);
    } else {
      size = x->byte_size;
      align = std::max<uint32_t>(1, x->alignment);
      if (L.set.machine == EM_386 && (x->kind == TypeKind::Base || x->kind == TypeKind::Enum) && align > 4) align = 4;
    }
  }
  nf.size = size * f.count;
  nf.align = align;
  return nf;
}

std::string cell(const PointInConfig& p) {
  if (!p.applicable) return "n/a";
  std::string s = fmt::format("{:+}", p.delta);
  if (p.delta == 0 && p.tail_padding < p.old_tail_padding) s += fmt::format(" pad-{}", p.old_tail_padding - p.tail_padding);
  return s;
}

}  // namespace

int run_fit(const FitCmdOptions& o) {
  const int modes = !o.fields.empty() + (o.size.has_value()) + !o.move.empty();
  if (modes != 1) throw InputError("fit", "give one of --field 'TYPE NAME', --size N [--align A], --move STRUCT.a,STRUCT.b");
  std::vector<Input> inputs;
  for (const std::string& p : o.pairs) {
    const PairSpec ps = parse_pair(p, "--pair");
    inputs.push_back({ps.label, ps.old_file});
  }
  if (!o.manifest.empty())
    for (const PairSpec& ps : read_manifest(o.manifest)) {
      if (ps.status != ConfigStatus::Checked)
        throw InputError(o.manifest, "config '" + ps.label + "' was not built (" + ps.message + "): fit cannot predict it");
      inputs.push_back({ps.label, ps.old_file});
    }
  for (const std::string& f : o.files) inputs.push_back({f, f});
  if (inputs.empty()) throw InputError("fit", "give the inputs: FILE... (one per config) or --pair/--manifest");
  std::vector<std::string> moved;
  for (const std::string& m : o.move) {
    const size_t dot = m.find('.');
    if (dot == std::string::npos || m.substr(0, dot) != o.structure || dot + 1 == m.size())
      throw InputError("--move", "'" + m + "': expected " + o.structure + ".MEMBER");
    moved.push_back(m.substr(dot + 1));
  }
  std::vector<FieldSpec> specs;
  for (const std::string& f : o.fields) specs.push_back(parse_field(f));

  LoadOptions lo = o.common.load_options();
  lo.names = {o.structure};
  std::vector<Loaded> configs;
  std::vector<ConfigPlan> plans;
  for (const Input& in : inputs) {
    // A facts file is parsed whole whatever the names: read it once, with
    // everything a lookup may need.
    LoadOptions mine = lo;
    if (detect_input(in.file, lo).name() == "facts") mine.names.clear();
    Loaded L{in, load_input(in.file, mine), {}};
    const Record* r = L.set.find(o.structure);
    if (!r)
      throw InputError(in.file, "no struct named '" + o.structure + "' in its debug info" +
                                    spelling_hint(in.file, o.structure, lo));
    configs.push_back(std::move(L));
  }
  for (Loaded& L : configs) {
    const Record* r = L.set.find(o.structure);
    RecordLookup find = [&](const std::string& n) { return lookup(L, lo, n); };
    ConfigPlan plan;
    plan.label = L.in.label;
    plan.record = r;
    if (const std::vector<UnknownSize> u = unknown_sizes(*r); !u.empty())
      throw InputError(L.in.file, "struct " + o.structure + ": member '" + u.front().key + "' is of " +
                                      kind_keyword(u.front().kind) + " " + u.front().type +
                                      ", declaration-only there: its size is unknown, so fit cannot lay the struct "
                                      "out again; " + kReducedDebugInfoFix);
    if (const std::string why = reproduces(*r, find); !why.empty())
      throw InputError(L.in.file, "struct " + o.structure + ": " + why +
                                      "; fit cannot predict this config (bitfields or attributes it does not model)");
    for (const FieldSpec& f : specs) plan.fields.push_back(resolve(f, L, lo));
    if (o.size) plan.fields.push_back(NewField{"<blob>", *o.size, std::max<uint32_t>(1, o.align), 0});
    for (const std::string& m : moved) {
      // Named members of anonymous records are the struct's own in C: they
      // move from any depth; the records they leave empty go (placement).
      const Member* found = find_member(*r, m);
      if (!found)
        throw InputError(L.in.file, "struct " + o.structure + " has no member '" + m +
                                        "' (top-level or in an anonymous struct or union)");
      if (found->is_bitfield())
        throw InputError(L.in.file, "--move " + m + ": it is a bitfield; fit moves whole members");
      plan.fields.push_back(NewField{m, found->byte_size, member_alignment(*found, find), found->alignment});
      plan.removed.push_back(m);
    }
    plans.push_back(std::move(plan));
  }

  // Insertion points: the start, then after each member, and the same in
  // every anonymous struct (placement.hpp), in the first config's order,
  // then points only other configs have, anonymous records labelled alike.
  std::vector<std::vector<InsertionPoint>> found;
  for (const ConfigPlan& p : plans) found.push_back(insertion_points(p));
  const std::vector<InsertionPoint> points = merge_points(found);
  struct Candidate {
    InsertionPoint at;
    std::vector<PointInConfig> configs;
    int tier = 2;
    int64_t worst = 0;
    size_t position = 0;
    size_t shifted = 0;  // the most members it moves in any config
  };
  std::vector<Candidate> cands;
  const std::optional<std::string> near = o.near.empty() ? std::nullopt : std::optional<std::string>(o.near);
  for (size_t i = 0; i < points.size(); ++i) {
    Candidate c{points[i], {}, 2, INT64_MIN, i, 0};
    bool all_free = true, no_growth = true;
    for (size_t k = 0; k < plans.size(); ++k) {
      RecordLookup find = [&](const std::string& n) { return lookup(configs[k], lo, n); };
      PointInConfig p = place(plans[k], points[i], o.cacheline, find, near);
      all_free = all_free && p.free();
      no_growth = no_growth && p.applicable && p.delta <= 0;
      c.worst = std::max(c.worst, p.applicable ? p.delta : INT64_MAX);
      c.shifted = std::max(c.shifted, p.shifted);
      c.configs.push_back(std::move(p));
    }
    c.tier = all_free ? 0 : no_growth ? 1 : 2;
    cands.push_back(std::move(c));
  }
  std::vector<Candidate> ranked = cands;
  std::stable_sort(ranked.begin(), ranked.end(), [](const Candidate& a, const Candidate& b) {
    // Free first; then the least growth; then the fewest members moved (a
    // point far up a struct shifts everything down to the hole that absorbs it).
    if (a.tier != b.tier) return a.tier < b.tier;
    if (a.worst != b.worst) return a.worst < b.worst;
    return a.shifted < b.shifted;
  });
  const size_t free = std::count_if(cands.begin(), cands.end(), [](const Candidate& c) { return c.tier == 0; });
  const size_t no_growth = std::count_if(cands.begin(), cands.end(), [](const Candidate& c) { return c.tier <= 1; });

  std::string out;
  if (o.format == "json") {
    json fields = json::array();
    for (const ConfigPlan& p : plans) {
      json fs = json::array();
      for (const NewField& f : p.fields) fs.push_back({{"name", f.name}, {"size", f.size}, {"align", f.align}});
      fields.push_back({{"config", p.label}, {"fields", fs}});
    }
    json cj = json::array();
    for (const Candidate& c : cands) {
      json per = json::array();
      for (size_t k = 0; k < c.configs.size(); ++k) {
        const PointInConfig& p = c.configs[k];
        json j{{"config", plans[k].label}, {"applicable", p.applicable}};
        if (!p.applicable) {
          j["why_not"] = p.why_not;
        } else {
          j.update({{"size", p.size}, {"old_size", p.old_size}, {"delta", p.delta}, {"tail_padding", p.tail_padding},
                    {"old_tail_padding", p.old_tail_padding}, {"holes", p.holes}, {"old_holes", p.old_holes},
                    {"inner_holes", p.inner_holes}, {"old_inner_holes", p.old_inner_holes}, {"shifted", p.shifted},
                    {"field_offset", p.field_offset}, {"field_cacheline", p.field_cacheline},
                    {"straddles", p.straddles}, {"free", p.free()}});
          if (p.near_distance) j["near_distance"] = *p.near_distance;
        }
        per.push_back(j);
      }
      const std::string inside = c.at.inside_label();
      cj.push_back({{"after", c.at.after ? json(*c.at.after) : json(nullptr)},
                    {"inside", inside.empty() ? json(nullptr) : json(inside)}, {"free", c.tier == 0},
                    {"no_growth", c.tier <= 1}, {"configs", per}});
    }
    out = dump_json(json{{"schema_version", kSchemaVersion}, {"tool_version", tool_version()}, {"kind", "fit"},
                         {"struct", o.structure}, {"cacheline_size", o.cacheline}, {"fields", fields},
                         {"candidates", cj},
                         {"summary", {{"points", cands.size()}, {"free", free}, {"no_growth", no_growth}}}});
  } else {
    out = fmt::format("padguard fit: struct {}, {} config{}\n", o.structure, plans.size(), plans.size() == 1 ? "" : "s");
    for (const ConfigPlan& p : plans) {
      std::string fs;
      for (const NewField& f : p.fields) fs += fmt::format("{}{} ({}/{})", fs.empty() ? "" : ", ", f.name, f.size, f.align);
      out += fmt::format("  {}: sizeof {}, tail padding {}; placing {}\n", p.label, p.record->byte_size,
                         cands[0].configs[&p - plans.data()].old_tail_padding, fs);
    }
    std::vector<std::vector<std::string>> t;
    std::vector<std::string> head{"RANK", "AFTER", "SHIFTED"};
    for (const ConfigPlan& p : plans) head.push_back(p.label);
    t.push_back(head);
    const size_t shown = o.all ? ranked.size() : std::min<size_t>(10, ranked.size());
    for (size_t i = 0; i < shown; ++i) {
      std::vector<std::string> row{std::to_string(i + 1), ranked[i].at.label(),
                                   std::to_string(ranked[i].shifted)};
      for (const PointInConfig& p : ranked[i].configs) row.push_back(cell(p));
      t.push_back(row);
    }
    std::vector<size_t> w(head.size(), 0);
    for (const auto& row : t)
      for (size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], row[i].size());
    for (const auto& row : t) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += fmt::format("{:<{}}  ", row[i], w[i]);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    {
      // The anonymous records the rows name, by the members they hold: a
      // kernel developer finds "<anon union #4>" by them, not by counting.
      std::vector<std::pair<std::string, std::vector<std::string>>> named;
      for (size_t i = 0; i < shown; ++i) {
        const InsertionPoint& at = ranked[i].at;
        std::string path;
        for (size_t d = 0; d < at.anchors.size(); ++d) {
          path += (path.empty() ? "" : ".") + (d < at.inside.size() ? at.inside[d] : *at.after);
          if (std::none_of(named.begin(), named.end(), [&](const auto& n) { return n.first == path; }))
            named.emplace_back(path, at.anchors[d]);
        }
      }
      for (const auto& [path, members] : named) {
        std::vector<std::string> few(members.begin(), members.begin() + std::min<std::ptrdiff_t>(4, std::ssize(members)));
        const bool u = path.compare(path.rfind("<anon "), 11, "<anon union") == 0;
        out += fmt::format("  {}: the anonymous {} holding {}{}\n", path, u ? "union" : "struct", fmt::join(few, ", "),
                           members.size() > 4 ? ", ..." : "");
      }
    }
    if (shown < ranked.size()) out += fmt::format("... {} more insertion points (--all)\n", ranked.size() - shown);
    out += fmt::format("free in every config: {} of {} insertion points (sizeof not grown, no tail padding lost); "
                       "{} without growth\n", free, cands.size(), no_growth);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return free ? kExitOk : kExitChanged;
}

}  // namespace padguard::cli
