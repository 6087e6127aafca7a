// pahole -i NAME on the raw DIEs: the question is about type identity within
// one unit (a member's DW_AT_type naming the very DIE found), which the
// merged model does not keep. See containers.hpp.
#include "padguard/containers.hpp"

#include <dwarf.h>

#include <cstring>

#include "padguard/dwarf_source.hpp"
#include "padguard/error.hpp"
#include "padguard/model_builder.hpp"

namespace padguard {

namespace {

bool is_record(uint32_t tag) {
  return tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_class_type;
}

// pahole's tag__is_type: the kinds cu__find_type_by_name matches by name.
bool is_named_kind(uint32_t tag) {
  return is_record(tag) || tag == DW_TAG_typedef || tag == DW_TAG_enumeration_type;
}

bool named(const RawDie& d, const std::string& name) { return d.name && name == d.name; }

// The first definition of `name` in DIE order, anywhere in the unit.
const RawDie* first_definition(const UnitDies& u, const std::string& name) {
  for (const RawDie& d : u.dies)
    if (is_named_kind(d.tag) && !d.declaration && named(d, name)) return &d;
  return nullptr;
}

size_t members_of_type(const UnitDies& u, const RawDie& record, uint64_t type) {
  size_t n = 0;
  for (uint32_t c = record.first_child; c != kNoIndex; c = u.dies[c].next_sibling)
    if (u.dies[c].tag == DW_TAG_member && u.dies[c].type == type) ++n;
  return n;
}

InputFormat format_of(const std::string& path, const LoadOptions& opts, const char* what) {
  const std::string_view input = detect_input(path, opts).name();
  if (input == "btf") return InputFormat::Btf;
  if (input.starts_with("dwarf")) return InputFormat::Dwarf;
  throw InputError(path, std::string(what) + " needs debug info (DWARF or BTF): a facts file keeps no compilation units");
}

std::unique_ptr<DwarfSource> open_units(const std::string& named, const LoadOptions& opts, const char* what) {
  const std::string path = debug_info_path(named, opts);  // a stripped file's debug file, by build-id
  InputChoice choice = opts.input;
  choice.format = format_of(path, opts, what);
  std::unique_ptr<DwarfSource> src = open_source(path, opts.backend, choice);
  src->set_source_locations(false);
  return src;
}

}  // namespace

Containers find_containers(const std::string& path, const LoadOptions& opts, const std::string& name) {
  std::unique_ptr<DwarfSource> src = open_units(path, opts, "-i/--contains");
  Containers out;
  for (size_t i = 0; src->has_unit(i); ++i) {
    UnitDies u = src->read_unit(i);
    const RawDie* target = u.dies.empty() ? nullptr : first_definition(u, name);
    if (target == nullptr) {
      src->recycle(std::move(u.dies));
      continue;
    }
    out.found = true;
    // Unit-level records only (pahole's top_level), named, defined.
    for (uint32_t c = u.dies[0].first_child; c != kNoIndex; c = u.dies[c].next_sibling) {
      const RawDie& d = u.dies[c];
      if (is_record(d.tag) && d.name && *d.name && !d.declaration && members_of_type(u, d, target->offset) > 0)
        out.names.emplace_back(d.name);
    }
    break;
  }
  return out;
}

TypeRef find_named_type(const std::string& path, const LoadOptions& opts, const std::string& name) {
  std::unique_ptr<DwarfSource> src = open_units(path, opts, "-C of a typedef or enum name");
  for (size_t i = 0; src->has_unit(i); ++i) {
    UnitDies u = src->read_unit(i);
    if (const RawDie* d = u.dies.empty() ? nullptr : first_definition(u, name))
      return build_unit_type(u, *src, static_cast<uint32_t>(d - u.dies.data()), opts.expand_types);
    src->recycle(std::move(u.dies));
  }
  return nullptr;
}

}  // namespace padguard
