// The layout model: facts read from debug info about records (structs,
// unions, classes), their members and the members' types, held as structure
// (no spelling: report/ spells types at print time). Holds no conclusions
// (holes, padding): those are computed by analysis/layout from these facts.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace padguard {

struct SourceLoc {
  std::string file;  // as DW_AT_decl_file names it; empty when unknown
  uint32_t line = 0;
  bool operator==(const SourceLoc&) const = default;
};

enum class RecordKind { Struct, Union, Class };

struct Record;
struct Type;
using TypeRef = std::shared_ptr<const Type>;

// An enumeration type's definition (anonymous ones are printed inline).
struct EnumType {
  std::string name;
  uint64_t byte_size = 4;
  std::vector<std::pair<std::string, int64_t>> enumerators;
};

enum class TypeKind : uint8_t {
  Void,         // no type (DWARF: DW_AT_type absent)
  Base,         // int, char, _Bool: `name`
  Pointer,      // `target` is the pointee; `reference` for a C++ lvalue reference
  Array,        // `target` is the element; `dims` outermost first
  Typedef,      // `name`, `target`
  Qualified,    // `qualifier` applied to `target`
  Record,       // struct/union/class `name` (empty: anonymous, then `record` is its definition)
  Enum,         // `name` (empty: anonymous, then `enumeration` is its definition)
  Function,     // `target` returns, `params`, `variadic`, `prototyped`
  Unspecified,  // DW_TAG_unspecified_type (decltype(nullptr)): `name`, optional `target`
  Unknown,      // a type padguard does not model (rvalue reference, pointer to member): `name`
};

enum class Qualifier : uint8_t { Const, Volatile, Restrict, Atomic };

struct Param {
  std::string name;  // empty when unnamed
  TypeRef type;
};

// One type. Types are shared (a unit's members refer to the same `int`) and
// never null in a built model: "no type" is a Void type (void_type()).
struct Type {
  TypeKind kind = TypeKind::Void;
  Qualifier qualifier = Qualifier::Const;  // Qualified
  RecordKind record_kind = RecordKind::Struct;  // Record
  bool reference = false;   // Pointer: C++ `&`
  // Record: only a declaration (DW_AT_declaration, BTF's FWD) where a member
  // holds it by value, and no definition in the input could stand in for it
  // (inputs/complete_types.hpp): its byte_size 0 means unknown, not empty.
  // Reduced debug info (CONFIG_DEBUG_INFO_REDUCED, -femit-struct-debug-*)
  // and clang's -fno-standalone-debug emit such members.
  bool declaration = false;
  bool variadic = false;    // Function: `...`
  bool prototyped = false;  // Function
  std::string name;
  uint64_t byte_size = 0;   // sizeof; 0 for void, functions, incomplete and unknown types
  // pahole's natural alignment (typedefs, qualifiers and arrays see through to
  // their target; pointer = address size; record = max over its members);
  // 0 for a named record (and typedefs of one): its definition has it, and a
  // reference is not read that far. Member::natural_alignment is always set.
  uint32_t alignment = 1;
  // Pointer, Array, Typedef, Qualified, Function (return), Unspecified. A
  // DWARF typedef reached only through a pointer, parameter or return type
  // has none (null; its byte_size and alignment are then 0): the reader does
  // not follow it that far, and neither spelling nor layout needs it.
  TypeRef target;
  std::vector<uint64_t> dims;  // Array; 0 for a zero-length/flexible dimension
  std::vector<Param> params;   // Function
  // Anonymous records and enums only: a named one is referred to by name
  // (its definition is a record of the RecordSet in its own right), so that a
  // pointer to `struct task_struct` does not pull in the type graph. With
  // LoadOptions::expand_types (layout -E) a named record held by value
  // carries its unit's definition too (RecordSet::named_definitions).
  std::shared_ptr<const Record> record;
  std::shared_ptr<const EnumType> enumeration;

  bool is_anonymous_record() const { return kind == TypeKind::Record && name.empty() && record; }
  bool is_anonymous_enum() const { return kind == TypeKind::Enum && name.empty() && enumeration; }
};

// The shared Void type.
const TypeRef& void_type();

struct Member {
  std::string name;          // empty for an anonymous member
  TypeRef type = void_type();
  uint64_t bit_offset = 0;   // from the start of the enclosing record, in bits
  uint32_t bit_size = 0;     // bitfield width; 0 when not a bitfield
  uint64_t byte_size = 0;    // sizeof the member's type (whole array)
  uint64_t unit_size = 0;    // bitfield storage unit: sizeof the declared type
  uint32_t alignment = 0;    // DW_AT_alignment of the member; 0 when absent
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
  // The anonymous record or enum pahole prints inline for this member: its
  // type, under top-level const/_Atomic and arrays, or behind one pointer.
  const Record* inline_record() const;
  const EnumType* inline_enum() const;
  // The inline record is the member's storage itself (no array, no pointer):
  // its members are the member's, as in C's anonymous members.
  const Record* embedded_record() const;
  // The declaration-only record (Type::declaration) the member holds by
  // value, directly or through typedefs, qualifiers and arrays: its size is
  // unknown (byte_size 0 is no fact). Null when the size is known, as for a
  // pointer to it or a flexible array of it.
  const Type* unknown_size_type() const;
  bool size_unknown() const { return unknown_size_type() != nullptr; }
};

// Member's numeric layout facts, listed once: the model comparison
// (compare.hpp) and the facts file are generated from this list.
#define PADGUARD_MEMBER_NUMBERS(X) \
  X(bit_offset) X(bit_size) X(byte_size) X(unit_size) X(alignment) X(natural_alignment)

// A type definition found among a record's members in DWARF (clang nests
// anonymous types there; pahole prints them again where they appear).
struct NestedType {
  size_t after_members = 0;  // how many members precede it (members are in offset order)
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
  // The compilation unit that defines it (the unit DIE's DW_AT_name); empty
  // when unknown (BTF). Tells apart definitions of one name from one header
  // built twice (analysis/pairing); not part of the layout.
  std::string unit;

  bool is_union() const { return kind == RecordKind::Union; }
};

#define PADGUARD_RECORD_NUMBERS(X) X(byte_size) X(alignment) X(address_size)

enum class ByteOrder : uint8_t { Unknown, Little, Big };

// A record name some member holds by value with only a declaration in its
// unit, and why no definition of the input stood in for it
// (inputs/complete_types.hpp).
struct UnresolvedDeclaration {
  enum class Reason : uint8_t {
    NoDefinition,  // no unit of the input defines it
    Ambiguous,     // the input defines it `layouts` different ways
    DoesNotFit,    // its one definition does not fit where a member holds it
  };
  RecordKind kind = RecordKind::Struct;
  std::string name;
  Reason reason = Reason::NoDefinition;
  size_t layouts = 0;  // distinct definitions found
  bool operator==(const UnresolvedDeclaration&) const = default;
};

// Every named record of one input, in first-definition order: one per name,
// or with LoadOptions::keep_layout_variants one per distinct layout of a name
// (analysis/pairing tells those apart).
struct RecordSet {
  std::string source;  // file name the records were read from
  std::vector<std::shared_ptr<const Record>> records;
  uint32_t address_size = 8;
  // The input can state alignment attributes (DWARF's DW_AT_alignment); BTF
  // cannot, so pahole infers them and prints no "Force padding" lines.
  bool states_alignment = true;
  // The ELF header's architecture (e_machine, byte order); 0/Unknown when
  // the input does not say (raw BTF, a facts file written before 2.1).
  uint16_t machine = 0;
  ByteOrder byte_order = ByteOrder::Unknown;
  // Named records held by value carry their definitions in Type::record
  // (DWARF and BTF loaded with LoadOptions::expand_types; never a facts file).
  bool named_definitions = false;
  // Declarations held by value that stayed unresolved, sorted by kind and
  // name (DWARF and BTF; a facts file keeps only Type::declaration).
  std::vector<UnresolvedDeclaration> unresolved;

  const Record* find(std::string_view name) const;
};

// "x86_64 (64-bit, little-endian)", as far as the set knows it.
std::string architecture_name(const RecordSet& s);
// Why two sets are of different architectures (machine, address size, byte
// order, where both say), or "" when nothing known differs.
std::string architecture_mismatch(const RecordSet& a, const RecordSet& b);

const char* kind_keyword(RecordKind k);

// The invariants every input must meet, whatever wrote it (the model builder
// for DWARF/BTF, the facts reader): sizes bounded (2^40 bytes), alignments
// powers of two, every member inside its record, a bitfield no wider than
// its storage unit. The first violation as a phrase ("member 'x' ends at bit
// 72, past the record's 64"), or "" when the record holds them. Members'
// records are checked where they are built.
std::string record_violation(const Record& r);

// The declaration-only record (Type::declaration) a value of type `t`
// holds, directly or through typedefs, qualifiers and arrays (none through a
// pointer or a zero-length dimension): its size is unknown. Null otherwise.
const Type* declaration_held(const Type& t);

// What a member's type looks like where pahole prints it: the type with
// top-level const/_Atomic and array levels taken off. Computed by one walk.
struct MemberShape {
  std::vector<const Type*> modifiers;  // top-level Qualified (const/_Atomic), outermost first
  std::vector<uint64_t> dims;          // array dimensions, outermost first
  const Type* core = nullptr;          // what remains (never null)
  bool via_pointer = false;            // core is a Pointer to an anonymous record/enum
  const Record* inline_record = nullptr;
  const EnumType* inline_enum = nullptr;
};
MemberShape member_shape(const Type& t);

}  // namespace padguard
