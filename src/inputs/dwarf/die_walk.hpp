// Turns one unit's DIEs, read by padguard's own reader (reader.hpp), into
// RawDie values: which DIEs (die_filter.hpp), how attributes land
// (raw_die_attrs.hpp), shallow records for identities, and the unit-level
// name filter. Knows no DWARF library; decl_file names come from FileNames.
#pragma once

#include <optional>
#include <vector>

#include "padguard/dwarf_source.hpp"
#include "reader.hpp"

namespace padguard::dwarf {

// A unit's line-table file names by DW_AT_decl_file index (null: none).
class FileNames {
 public:
  virtual ~FileNames() = default;
  virtual const char* name(uint64_t index) = 0;
};

// Reads the unit DIE's bases (DW_AT_str_offsets_base) into `u`, and throws
// DwarfError for units whose types are elsewhere: split-DWARF skeletons
// (DW_TAG_skeleton_unit, DW_AT_dwo_name, DW_AT_GNU_dwo_name), type units.
void prepare_unit(Unit& u, bool split_unit = false);  // split_unit: from a .dwo/.dwp (may name itself)

// What a split-DWARF skeleton unit says of its split unit (DW_TAG_skeleton_unit,
// or a DWARF 4 compile unit with DW_AT_GNU_dwo_name); nullopt for any other unit.
struct SkeletonLink {
  const char* dwo_name = nullptr;
  const char* comp_dir = nullptr;
  std::optional<uint64_t> dwo_id;  // DWARF 5: the header's; DWARF 4: DW_AT_GNU_dwo_id
};
std::optional<SkeletonLink> skeleton_link(Unit& u);  // sets its str_offsets base
// The dwo_id of a split compile unit: its header's (DWARF 5) or its unit
// DIE's DW_AT_GNU_dwo_id (DWARF 4); nullopt when it has none.
std::optional<uint64_t> split_dwo_id(const Unit& u);
// dwz: the units `u` imports (DW_TAG_imported_unit children of its unit DIE),
// as the global offsets DW_AT_import gives (of a partial unit's DIE).
std::vector<uint64_t> imported_units(const Unit& u);
// Whether any abbreviation in `abbrev` uses a form pointing into a
// supplementary file (DW_FORM_GNU_ref_alt/strp_alt, ref_sup4/8, strp_sup):
// a file with such forms and no link to that file cannot be read whole.
// Damaged tables end the scan (the walker reports them).
bool uses_supplementary_forms(const Bytes& abbrev);

class DieWalker {
 public:
  // `files` null: decl_file is left unresolved.
  DieWalker(const Unit& unit, FileNames* files) : u_(unit), files_(files) {}

  // The unit DIE and its kept descendants, in preorder; with `only`, unit
  // level records as it says (RecordNameFilter) and other types skipped.
  void walk_unit(std::vector<RawDie>& out, const RecordNameFilter* only);
  // The DIE at `offset` (a DIE of this unit) and its kept descendants.
  void walk_subtree(uint64_t offset, std::vector<RawDie>& out);

 private:
  const uint8_t* walk(const Die& d, std::vector<RawDie>& out, int depth, const RecordNameFilter* only,
                      uint32_t& self);
  const uint8_t* walk_shallow(const Die& d, std::vector<RawDie>& out, uint32_t& self);
  const uint8_t* read_die(const Die& d, RawDie& r, bool shallow);
  RecordRead child_read(const Die& c, const RecordNameFilter* only) const;

  const Unit& u_;
  FileNames* files_;
};

}  // namespace padguard::dwarf
