// elfutils libdw backend factory.
#pragma once
#include <memory>
#include <string>
#include "padguard/dwarf_source.hpp"
#include "padguard/error.hpp"
namespace padguard {
std::unique_ptr<DwarfSource> open_libdw(const std::string& path);

// Thrown by open_libdw for a relocatable object (.o/.ko) of a machine libdwfl
// has no backend for, so cannot relocate (elfutils 0.188: MIPS, among
// others); the message names --backend libdwarf, which relocates by itself.
// open_source catches it when the backend was not chosen (InputChoice).
class LibdwCannotRelocate : public InputError {
 public:
  using InputError::InputError;
};
}  // namespace padguard
