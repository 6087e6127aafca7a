// Reduced debug info (kernel CONFIG_DEBUG_INFO_REDUCED, gcc
// -femit-struct-debug-baseonly/-reduced, clang -fno-standalone-debug): a unit
// may only declare a struct it holds by value. The loader completes such
// members from the definition another unit of the same input gives, so that
// their sizes, and the holes and padding around them, are those of the full
// build; what cannot be completed keeps Type::declaration (size unknown) and
// is listed in RecordSet::unresolved. docs/REDUCED-DEBUG-INFO.md.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "padguard/model.hpp"

namespace padguard {

// Every layout the input defines for each of `names` (one record per
// distinct layout, as LoadOptions::keep_layout_variants reads them).
using DefinitionLookup =
    std::function<std::vector<std::shared_ptr<const Record>>(const std::vector<std::string>& names)>;

// The names of the records that members of `records` (and the records they
// hold by value: anonymous ones, named structs' own definitions) hold by
// value with only a declaration; sorted, unique.
std::vector<std::string> declared_by_value(const std::vector<std::shared_ptr<const Record>>& records);

// The rule: a declaration-only `struct NAME` (or union) held by value takes
// the definition of NAME of the same kind (struct and class alike) when the
// input defines NAME exactly one way (identical layouts from several units
// are one way: size, alignment and every member's name, offset, bit size,
// size and natural alignment equal). It is completed first itself, and must
// fit where the member is (inside the record, before the next member of a
// struct). Several different layouts, none, or one that does not fit: the
// member stays declaration-only and the name is listed with its reason.
// Records are replaced only where something changed; `lookup` is asked
// again, for new names only, while completed definitions declare more.
// `expand_types`: a completed named type carries its definition
// (RecordSet::named_definitions, layout -E).
void complete_declarations(RecordSet& set, const DefinitionLookup& lookup, bool expand_types);

}  // namespace padguard
