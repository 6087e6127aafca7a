// The one place where DWARF is interpreted: RawDie values from any backend
// become model Records (member offsets, bitfields, arrays, type spellings).
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "padguard/dwarf_source.hpp"
#include "padguard/model.hpp"

namespace padguard {

// Decides which record names a unit should build; others are skipped cheaply.
using NameFilter = std::function<bool(std::string_view)>;

// Asked before building a named record with pahole's identity (size, member
// names, offsets, sizes); false skips it (another unit already has it).
// `never_equal`: pahole prints this definition even after an identical one
// (a type is defined among its members); later ones may still equal it.
using BuildGate = std::function<bool(std::string_view name, uint64_t identity, bool never_equal)>;

struct BuiltRecord {
  std::shared_ptr<const Record> record;
  uint64_t identity = 0;
  bool never_equal = false;
};

// Records for the named struct/union/class definitions at unit scope, in DIE
// order. A shallow record (RawDie::shallow) gives its identity to `gate` and,
// if built, is read in full through `source`. `source` resolves references that leave the unit. Throws InputError
// on DWARF that cannot be interpreted (reference loops, dangling references).
//
// `expand_types` (pahole -E): a named struct/union a member holds by value
// (directly, through typedefs and qualifiers, as an array element) carries
// its definition in this unit (Type::record), as pahole expands the
// member's own `cu__type`; a pointer's target still names it only.
std::vector<BuiltRecord> build_unit_records(const UnitDies& unit, DwarfSource& source,
                                            const NameFilter& want, const BuildGate& gate = {},
                                            bool expand_types = false);

// The model type of the DIE at `index` in `unit` (a typedef with its target,
// anonymous records in full; an enumeration with its enumerators), for
// `layout -C` of a typedef or enum name (`expand_types` as above, for -E).
// Throws InputError as above.
TypeRef build_unit_type(const UnitDies& unit, DwarfSource& source, uint32_t index, bool expand_types = false);

// DWARF 2/3 style `DW_AT_bit_offset` (from the most significant bit of a
// storage unit of `storage_bytes`) to a bit offset from the record start.
uint64_t bit_offset_from_msb(uint64_t byte_location, uint64_t storage_bytes,
                             uint64_t msb_bit_offset, uint64_t bit_size, bool big_endian);

}  // namespace padguard
