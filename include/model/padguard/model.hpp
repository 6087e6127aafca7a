// The layout model: facts read from DWARF about records (structs, unions,
// classes) and their members. Holds no conclusions (holes, padding): those are
// computed by analysis/layout from these facts.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace padguard {

struct SourceLoc {
  std::string file;  // as DW_AT_decl_file names it; empty when unknown
  uint32_t line = 0;
  bool operator==(const SourceLoc&) const = default;
};

enum class RecordKind { Struct, Union, Class };

struct Record;

// An anonymous enumeration used as a member type, printed inline.
struct EnumType {
  std::string name;
  uint64_t byte_size = 4;
  std::vector<std::pair<std::string, int64_t>> enumerators;
};

// How the member's type is spelled, pahole style:
//   <modifiers><keyword> <type> <prefix><name><suffix><dims>
// e.g. modifiers "const ", keyword "struct", type "inner"; or type "int",
// prefix "(*", suffix ")(int, void *)" for a function pointer. The parts are
// kept apart because pahole pads each of them to its own column width.
struct TypeSpelling {
  std::string modifiers;  // "const ", "_Atomic " applied at the top level
  std::string keyword;    // "struct", "union", "enum", "class" for named records
  std::string type;       // the name, or the whole type name without keyword
  std::string prefix;
  std::string suffix;
  bool operator==(const TypeSpelling&) const = default;
  // The type as one readable string, e.g. "const struct inner".
  std::string full() const;
};

struct Member {
  std::string name;          // empty for an anonymous member
  TypeSpelling spelling;
  uint64_t bit_offset = 0;   // from the start of the enclosing record, in bits
  uint32_t bit_size = 0;     // bitfield width; 0 when not a bitfield
  uint64_t byte_size = 0;    // sizeof the member's type (whole array)
  uint64_t unit_size = 0;    // bitfield storage unit: sizeof the declared type
  uint32_t alignment = 0;    // DW_AT_alignment of the member; 0 when absent
  // Array dimensions, outermost first; 0 for a zero-length/flexible dimension.
  std::vector<uint64_t> dims;
  // Anonymous struct/union type, printed inline (with its own name, if any,
  // kept in `inline_record->name`).
  std::shared_ptr<const Record> inline_record;
  std::shared_ptr<const EnumType> inline_enum;
  // The member is a pointer to that anonymous type ("struct {...} * name").
  bool inline_via_pointer = false;
  // pahole's "natural alignment" of the member's type (typedefs and
  // qualifiers stripped): pointer = address size, base/enum = its size,
  // record = max over its members, array = its element's. Never 0.
  uint32_t natural_alignment = 1;
  // When the member's type is directly a struct (not a typedef, array, or
  // qualified type): that struct, for its tail padding (pahole "paddings").
  std::shared_ptr<const Record> direct_struct;
  SourceLoc decl;

  bool is_bitfield() const { return bit_size != 0; }
  uint64_t byte_offset() const { return bit_offset / 8; }
};

// A type definition found among a record's members in DWARF (clang nests
// anonymous types there; pahole prints them again where they appear).
struct NestedType {
  size_t after_members = 0;  // how many members precede it in DIE order
  std::shared_ptr<const Record> record;
  std::shared_ptr<const EnumType> enumeration;
};

struct Record {
  RecordKind kind = RecordKind::Struct;
  std::string name;          // empty for an anonymous record
  uint64_t byte_size = 0;
  uint32_t alignment = 0;    // DW_AT_alignment; 0 when absent
  uint8_t address_size = 8;  // of the unit that defines it
  std::vector<Member> members;
  std::vector<NestedType> nested_types;
  SourceLoc decl;

  bool is_union() const { return kind == RecordKind::Union; }
};

// Every named record of one input, in first-definition order, one per name.
struct RecordSet {
  std::string source;  // file name the records were read from
  std::vector<std::shared_ptr<const Record>> records;
  uint32_t address_size = 8;

  const Record* find(std::string_view name) const;
};

const char* kind_keyword(RecordKind k);

}  // namespace padguard
