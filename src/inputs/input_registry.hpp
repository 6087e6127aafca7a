// The Input implementations registry.cpp lists, one factory per folder.
#pragma once

#include "padguard/input.hpp"

namespace padguard {

const Input& dwarf_input(BackendKind backend);  // dwarf/dwarf_input.cpp: libdw or libdwarf
const Input& facts_input();                     // facts/facts_input.cpp
const Input& btf_input();                       // btf/btf_input.cpp

}  // namespace padguard
