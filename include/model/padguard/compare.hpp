// Structural comparison of the model, one place for both users: `crosscheck`
// (every field of two readings of one file, the path of the first
// difference) and `diff` (whether a member was retyped between two builds).
#pragma once

#include <optional>
#include <string>

#include "padguard/model.hpp"

namespace padguard {

// Where two models first differ: a path such as
// "record.members[3].type.target.name" and the two values, printable.
struct Difference {
  std::string path, left, right;
};

// Every field, anonymous records inside types member by member; a named
// record referred to by a type or a member's direct_struct by name and size.
std::optional<Difference> compare_records(const Record& a, const Record& b, const std::string& path = "record");
std::optional<Difference> compare_types(const Type& a, const Type& b, const std::string& path = "type");

// The same C type for diff's "retyped": structure, with named records, enums
// and typedefs compared by name (a grown `struct inner` is resized, not
// retyped), anonymous records by kind, sizes and parameter names ignored.
bool same_type(const Type& a, const Type& b);

}  // namespace padguard
