// pahole -i/--contains NAME: which structs and unions hold a member of type
// NAME, answered as pahole 1.24 does (docs/pahole-notes.md §14).
#pragma once

#include <string>
#include <vector>

#include "padguard/input.hpp"

namespace padguard {

struct Containers {
  bool found = false;              // some unit defines a type named NAME
  std::vector<std::string> names;  // the containers, in DIE order
};

// Searches the units of `path` (DWARF or BTF, as detected) in order. In the
// first one that defines a struct, union, enum or typedef named `name`
// (the first such DIE, declarations skipped), lists the unit-level named
// structs and unions with a direct member of exactly that type (not through
// a typedef, qualifier, array or pointer). Later units are not read. Throws
// InputError for a facts file (it keeps no unit) and on unreadable input.
Containers find_containers(const std::string& path, const LoadOptions& opts, const std::string& name);

// pahole -C NAME's own lookup (cu__find_type_by_name): in the first unit
// that defines a struct, union, enum or typedef named `name`, the first such
// DIE, as a model type (built by model_builder's build_unit_type). Null when
// no unit defines one. For `layout -C` of a typedef or enum name; the struct
// and union names go through the loader. Same errors as find_containers.
TypeRef find_named_type(const std::string& path, const LoadOptions& opts, const std::string& name);

}  // namespace padguard
