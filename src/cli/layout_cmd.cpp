// `padguard layout`: print struct layouts as pahole does.
#include <algorithm>
#include <cstdio>

#include "commands.hpp"
#include "padguard/btf_source.hpp"
#include "padguard/containers.hpp"
#include "padguard/error.hpp"
#include "padguard/facts.hpp"
#include "padguard/loader.hpp"
#include "padguard/pairing.hpp"
#include "padguard/pahole_text.hpp"
#include "padguard/render.hpp"
#include "padguard/report_text.hpp"
#include "padguard/report_groups.hpp"

namespace padguard::cli {

void add_layout(CLI::App& app, LayoutOptions& o) {
  CLI::App* sub = app.add_subcommand("layout", "print struct/union layouts exactly as pahole -F dwarf does");
  add_common(*sub, o.common);
  sub->add_option("-C,--class_name", o.names, "only these structs/unions, in this order")
      ->delimiter(',')
      ->allow_extra_args(false);  // FILE is optional: -C must not swallow it
  sub->add_option("-c,--cacheline_size", o.cacheline, "cacheline size in bytes (default 64)")
      ->check(CLI::Range(1u, 1u << 20));
  add_format(*sub, o.format, ResultKind::Layout);
  add_layout_reorg(*sub, o);
  add_layout_flags(*sub, o);
  sub->add_option("FILE", o.file,
                  "vmlinux, .ko or .o with DWARF or .BTF, raw BTF, or a facts file (default: the running "
                  "kernel's /sys/kernel/btf/vmlinux)")
      ->check([](const std::string& v) {  // "" is a mistake, not "no FILE"
        return v.empty() ? std::string("FILE is empty: give a path, or no FILE for the running kernel's BTF")
                         : std::string();
      });
}


namespace {

// A -C name no struct or union has: the typedef or enum pahole would print
// (null when none; a facts file keeps neither, so it has none).
TypeRef typedef_or_enum(const std::string& file, const LoadOptions& lo, const std::string& name) {
  const std::string_view input = detect_input(file, lo).name();
  if (input != "btf" && !input.starts_with("dwarf")) return nullptr;
  return find_named_type(file, lo, name);
}

const char* named_kind(const Type& t) { return t.kind == TypeKind::Enum ? "an enum" : "a typedef"; }

void refuse_named_type(const LayoutOptions& o, Format format, const std::string& file, const std::string& name,
                       const Type& t) {
  const std::string what = "'" + name + "' is " + named_kind(t);
  if (format != Format::Text)
    throw InputError(file, what + ", which pahole's text prints and --format " + o.format +
                               " does not hold (it lists structs and unions); use the struct's own name");
  if (o.reorg.packable || o.reorg.reorganize)
    throw InputError(file, what + ": -P/-R reorganize structs; give the struct's own name");
}

// Records and typedef/enum declarations in -C order, each as pahole prints it.
int print_with_named_types(const LayoutOptions& o, const RecordSet& set, const std::vector<const Record*>& records,
                           const std::vector<TypeRef>& named) {
  PaholeOptions po;
  po.cacheline_size = o.cacheline;
  po.force_paddings = set.states_alignment;
  po.hex = o.hex;
  po.expand_types = o.expand;
  for (size_t i = 0; i < records.size(); ++i) {
    std::string text;
    if (records[i]) {
      text = render_pahole(*records[i], po);
    } else if (std::optional<std::string> t = render_pahole_named_type(*named[i], po)) {
      text = std::move(*t);
    } else {
      throw InputError(set.source, "'" + o.names[i] + "' is a typedef of an array of an anonymous struct or union, "
                                   "which padguard does not print yet; ask for a struct that holds it");
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  return kExitOk;
}

}  // namespace

int run_layout(const LayoutOptions& o) {
  LoadOptions lo = o.common.load_options();
  lo.input.cacheline_size = o.cacheline;
  const std::string file = o.file.empty() ? kKernelBtf : o.file;
  lo.names = loaded_names(o.names);
  // -C NAME is pahole's: the first definition. -C NAME@FILE / NAME#K picks
  // one of several layouts (analysis/pairing.hpp), so all are read, with
  // their source files.
  const bool qualified = std::any_of(o.names.begin(), o.names.end(),
                                     [](const std::string& n) { return !parse_subject(n).qualifier.empty(); });
  lo.keep_layout_variants = o.names.empty() || qualified;
  const Format format = format_of(o.format, ResultKind::Layout);
  validate_layout_flags(o, format);
  if (o.contains) return run_contains(o, lo, file);
  lo.source_locations = format != Format::Text || qualified;  // pahole's text names no files
  lo.expand_types = o.expand;
  RecordSet set = load_input(file, lo);
  if (o.expand && !set.named_definitions)
    throw InputError(file, "-E needs each member's own type definitions, which a facts file does not keep; "
                           "give the ELF (or BTF) it was extracted from");
  std::vector<const Record*> records;
  // -C of a typedef or enum name, as pahole: its declaration (or body) in
  // place; `named[i]` set where records[i] is null.
  std::vector<TypeRef> named;
  if (o.names.empty()) {
    for (const auto& r : set.records) records.push_back(r.get());
  } else {
    for (const std::string& name : o.names) {
      std::vector<std::string> choices;
      const Record* r = parse_subject(name).qualifier.empty() ? set.find(name) : select_record(set, name, &choices);
      if (!choices.empty())
        throw InputError(file, "'" + name + "' matches " + std::to_string(choices.size()) +
                                   " layouts; name one: " + join(choices));
      TypeRef t = r == nullptr && parse_subject(name).qualifier.empty() ? typedef_or_enum(file, lo, name) : nullptr;
      if (r == nullptr && t == nullptr)
        throw InputError(file, "no struct, union, typedef or enum named '" + name + "' in its debug info" +
                                   spelling_hint(file, name, lo));
      if (t) refuse_named_type(o, format, file, name, *t);
      records.push_back(r);
      named.resize(records.size());
      named.back() = std::move(t);
    }
  }
  // Reduced debug info: say which structs print members of unknown size.
  std::vector<const Record*> shown;
  for (const Record* r : records)
    if (r) shown.push_back(r);
  if (const std::string note = unknown_sizes_note(set.source, shown, set.unresolved); !note.empty())
    std::fprintf(stderr, "padguard: note: %s\n", note.c_str());
  if (!named.empty() && std::any_of(named.begin(), named.end(), [](const TypeRef& t) { return t != nullptr; }))
    return print_with_named_types(o, set, records, named);
  records = filter_by_holes(o, std::move(records));
  if (format_info(format).one_record && records.size() != 1)
    throw InputError(file, "--format " + o.format + " draws one struct, and " +
                               (o.names.empty() ? "no -C was given" : std::to_string(records.size()) + " were named") +
                               "; give one -C NAME");
  if (const std::optional<int> rc = run_layout_reorg(o, set, records)) return *rc;
  RenderOptions ro;
  ro.threads = o.common.threads;
  ro.sink = [](std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); };
  LayoutView view{set.source, records, o.cacheline, set.states_alignment};
  view.hex = o.hex;
  view.expand_types = o.expand;
  view.sizes_only = o.sizes && o.names.empty();  // pahole -s -C prints the layouts
  const std::string out = render(view, format, ro);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (o.groups) {
    GroupsView gv;
    gv.source = set.source;
    gv.cacheline_size = o.cacheline;
    gv.structs = structs_with_groups(records, o.cacheline);
    const std::string text = "\n/* padguard --groups */\n" + render_groups_text(gv);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  return kExitOk;
}

}  // namespace padguard::cli
