// The backend interface: a DWARF reader (libdw, libdwarf) adapts debug
// information entries into RawDie values, unit by unit. Interpretation of
// those values (bit offsets, arrays, names) lives in one place, the model
// builder, so both backends read the same way.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace padguard {

inline constexpr uint32_t kNoIndex = UINT32_MAX;

// Why a DW_AT_data_member_location gave no offset (src/inputs/dwarf/location_expr.hpp).
enum class LocationProblem : uint8_t {
  None,
  Unsupported,  // an operation that is not a constant one (detail: the DW_OP_*)
  Truncated,    // an operand runs past the expression (detail: the DW_OP_*)
  Underflow,    // an operation finds too few values on the stack (detail: the DW_OP_*)
  TooDeep,      // the stack grows past its bound (detail: the DW_OP_*)
  Empty,        // an empty expression: no location at all
  NotConstant,  // a form that is neither constant nor expression (detail: the DW_FORM_*)
};

// One DIE with the attributes the model needs, in the form DWARF gives them.
// Strings point into the reader's mapped sections: valid while it lives.
struct RawDie {
  uint64_t offset = 0;        // global offset, unique within the file
  uint32_t tag = 0;           // DW_TAG_*
  uint32_t first_child = kNoIndex;   // indices into the unit's die vector
  uint32_t next_sibling = kNoIndex;
  const char* name = nullptr;
  std::optional<uint64_t> type;              // DW_AT_type, global offset
  std::optional<uint64_t> byte_size;
  std::optional<uint64_t> bit_size;
  std::optional<uint64_t> data_bit_offset;   // DWARF 4+
  std::optional<uint64_t> bit_offset;        // DWARF 2/3 style, from the MSB
  std::optional<uint64_t> member_location;   // a constant, or a constant expression evaluated
  std::optional<uint64_t> alignment;
  std::optional<uint64_t> count;             // subrange DW_AT_count
  std::optional<int64_t> upper_bound;
  std::optional<int64_t> lower_bound;
  std::optional<int64_t> const_value;        // enumerators
  bool upper_bound_unknown = false;          // present but not a constant (VLA)
  bool declaration = false;
  bool external = false;
  bool prototyped = false;
  bool artificial = false;
  bool virtuality = false;                   // DW_AT_virtuality set: a virtual base class
  // A DW_AT_data_member_location that is there but gave no offset: the model
  // builder refuses the member (never offset 0).
  LocationProblem location_problem = LocationProblem::None;
  uint16_t location_detail = 0;              // the DW_OP_* or DW_FORM_* at fault
  // A record read for its identity only (RecordRead::Shallow): its members
  // lack types and source files, it has no nested types. Not for building.
  bool shallow = false;
  uint32_t decl_line = 0;
  const char* decl_file = nullptr;
};

// The DIEs of one unit that can hold or describe types, in preorder.
// dies[0] is the unit DIE. Non-type children of subprograms are dropped.
struct UnitDies {
  std::vector<RawDie> dies;
  uint8_t address_size = 8;
  uint16_t version = 0;
  bool big_endian = false;
  uint16_t machine = 0;  // ELF e_machine (EM_*), for ABI alignment rules
};

// How a backend may read a unit-level record with a given name:
//  Skip     leave it out (types that refer to it read it through read_subtree);
//  Shallow  the record DIE and its DW_TAG_member/DW_TAG_inheritance children,
//           marked `shallow`, with only what an identity needs (names,
//           locations, bit sizes): no DW_AT_type, no decl_file; nested type
//           children as tag and offset only (their place among the members);
//  Full     everything.
enum class RecordRead : uint8_t { Skip, Shallow, Full };
// Called with the record's DW_AT_name (a pointer into the reader's string
// data: equal pointers are equal names, the converse does not hold).
using RecordNameFilter = std::function<RecordRead(const char* name)>;

class DwarfSource {
 public:
  virtual ~DwarfSource() = default;
  virtual const std::string& path() const = 0;
  // Every unit (a backend may read all unit headers for this).
  virtual size_t unit_count() = 0;
  // Whether unit `index` exists; a backend may read unit headers lazily, only
  // as far as `index`. Throws InputError for a corrupt header before it.
  virtual bool has_unit(size_t index) { return index < unit_count(); }
  // Reading changes the handle's state (caches of the current unit), so it
  // is not const and not thread-safe: use clone() for a handle per thread.
  // With `only`, a backend may leave out every unit-level DIE except the
  // records it accepts (and namespaces), and read records shallow as `only`
  // says; it may also ignore `only` and read everything in full.
  virtual UnitDies read_unit(size_t index, const RecordNameFilter* only = nullptr) = 0;
  // The DIE at a global offset and its type-relevant subtree, for references
  // that leave the current unit (DW_FORM_ref_addr). Empty if none.
  virtual UnitDies read_subtree(uint64_t offset) = 0;
  // A second, independent handle on the same file for another thread.
  // Clones are made one at a time (not concurrently with each other).
  virtual std::unique_ptr<DwarfSource> clone() const = 0;

  // Off: DW_AT_decl_file is left unresolved (decl_file null), which spares
  // reading each unit's line table. Not carried over by clone().
  void set_source_locations(bool on) { source_locations_ = on; }

  // Hands back a unit's DIE vector once it is no longer used, so the next
  // read_unit can fill it without growing a new one (an optimisation).
  void recycle(std::vector<RawDie>&& dies) {
    dies.clear();
    if (dies.capacity() > spare_.capacity()) spare_ = std::move(dies);
  }

 protected:
  // A vector for the next unit's DIEs: recycled, or empty.
  std::vector<RawDie> take_spare() { return std::move(spare_); }

  bool source_locations_ = true;

 private:
  std::vector<RawDie> spare_;
};

enum class BackendKind { Libdw, Libdwarf };

// Opens `path` with the chosen backend. Throws InputError on bad input.
std::unique_ptr<DwarfSource> open_dwarf(const std::string& path, BackendKind kind);

// Which debug format to read (-F). Auto leaves the choice to the inputs'
// probes (src/inputs/detect.cpp): DWARF when the file has .debug_info, else
// BTF (a raw 0xeB9F blob or an ELF's .BTF).
enum class InputFormat { Auto, Dwarf, Btf };
struct InputChoice {
  InputFormat format = InputFormat::Auto;
  std::string btf_base;         // split BTF's base (--btf_base)
  unsigned cacheline_size = 64; // pahole's BTF alignment inference uses -c
  // The backend is libdw by default, not by --backend: a relocatable object
  // libdw cannot relocate (LibdwCannotRelocate, e.g. MIPS) is read with
  // libdwarf instead, without a word. Off for --backend libdw and crosscheck.
  bool libdw_fallback = false;
};
// The BTF backend (src/inputs/btf) when `choice` says BTF, else open_dwarf
// (with libdw_fallback). Detection has already decided: this opens, it does
// not probe.
std::unique_ptr<DwarfSource> open_source(const std::string& path, BackendKind kind, const InputChoice& choice);

}  // namespace padguard
