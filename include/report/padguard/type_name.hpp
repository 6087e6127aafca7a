// pahole's spelling of model types, computed at print time (dwarves'
// tag__name / type__fprintf behaviour, re-derived from pahole 1.24's output:
// docs/pahole-notes.md section 4). Used by every renderer that names a type.
#pragma once

#include <string>

#include "padguard/model.hpp"

namespace padguard {

// A type as pahole names it inside another name (pointee, parameter, array
// element): "const char  *", "int (*)(void)"-style "int ()(char) *".
std::string type_name(const Type& t);

// A member's type the way pahole prints it in a member line:
//   <modifiers><keyword> <type> <prefix><name><suffix><dims>
// The parts are apart because pahole pads each to its own column width.
struct MemberSpelling {
  std::string modifiers;  // "const ", "_Atomic " applied at the top level
  std::string keyword;    // "struct", "union", "enum", "class" for named records
  std::string type;       // the name, or the whole type name without keyword
  std::string prefix;     // "(*" for a function pointer
  std::string suffix;     // ")(int, void *)"
  MemberShape shape;      // dims, inline record/enum
};
MemberSpelling spell_member(const Type& t);

// The member's type as one readable string for diffs and JSON:
// "const struct inner", "char[16]", "int(*)(int)"; an anonymous type is
// "struct {...}" (behind a pointer "struct {...} *").
std::string type_text(const Type& t);

}  // namespace padguard
