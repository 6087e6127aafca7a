// elfutils libdw backend factory.
#pragma once
#include <memory>
#include <string>
#include "padguard/dwarf_source.hpp"
namespace padguard {
std::unique_ptr<DwarfSource> open_libdw(const std::string& path);
}  // namespace padguard
