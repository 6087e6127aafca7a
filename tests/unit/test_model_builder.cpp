// The model builder on hand-built DIE vectors (no binaries parsed): bitfield
// offsets (DWARF 4 data_bit_offset, DWARF 2 bit_offset little and big
// endian), array dimensions, typedef chains, qualifiers, function pointers,
// anonymous members, declarations, DW_AT_alignment, and corrupt references.
#include <catch2/catch.hpp>
#include <dwarf.h>

#include "padguard/error.hpp"
#include "padguard/model_builder.hpp"
#include "padguard/type_name.hpp"

using namespace padguard;

namespace {

// A fake source: everything lives in the unit; nothing to read elsewhere.
class NoMoreDies : public DwarfSource {
 public:
  const std::string& path() const override { return path_; }
  size_t unit_count() override { return 1; }
  UnitDies read_unit(size_t, const RecordNameFilter*) override { return {}; }
  UnitDies read_subtree(uint64_t) override { return {}; }
  std::unique_ptr<DwarfSource> clone() const override { return std::make_unique<NoMoreDies>(); }

 private:
  std::string path_ = "fake.o";
};

// Builds a unit in preorder: add() appends a child of the current parent.
class Unit {
 public:
  Unit() {
    u.dies.push_back(RawDie{});
    u.dies[0].tag = DW_TAG_compile_unit;
    open.push_back(0);
  }
  // Returns the DIE's offset (its index * 16 + 16).
  uint64_t add(uint32_t tag, const char* name = nullptr) {
    const uint32_t idx = static_cast<uint32_t>(u.dies.size());
    RawDie d;
    d.offset = 16 + idx * 16;
    d.tag = tag;
    d.name = name;
    u.dies.push_back(d);
    const uint32_t parent = open.back();
    if (last_child.size() <= parent) last_child.resize(parent + 1, kNoIndex);
    if (last_child[parent] == kNoIndex)
      u.dies[parent].first_child = idx;
    else
      u.dies[last_child[parent]].next_sibling = idx;
    last_child[parent] = idx;
    return d.offset;
  }
  RawDie& at(uint64_t off) { return u.dies[(off - 16) / 16]; }
  RawDie& last() { return u.dies.back(); }
  void enter() { open.push_back(static_cast<uint32_t>(u.dies.size() - 1)); }
  void leave() { open.pop_back(); }

  uint64_t base(const char* name, uint64_t size) {
    add(DW_TAG_base_type, name);
    last().byte_size = size;
    return last().offset;
  }
  uint64_t wrap(uint32_t tag, uint64_t target, const char* name = nullptr) {
    add(tag, name);
    last().type = target;
    return last().offset;
  }
  // ELEM[count]: an array type with one subrange.
  uint64_t array(uint64_t elem, uint64_t count) {
    const uint64_t a = wrap(DW_TAG_array_type, elem);
    enter();
    add(DW_TAG_subrange_type);
    last().count = count;
    leave();
    return a;
  }
  void member(const char* name, uint64_t type, uint64_t loc) {
    add(DW_TAG_member, name);
    last().type = type;
    last().member_location = loc;
  }

  std::vector<BuiltRecord> build(bool expand_types = false) {
    NoMoreDies src;
    return build_unit_records(u, src, {}, {}, expand_types);
  }
  const Record& only(const char* name, bool expand_types = false) {
    built = build(expand_types);
    for (const BuiltRecord& b : built)
      if (b.record->name == name) return *b.record;
    FAIL("no record " << name);
    return *built.at(0).record;
  }

  UnitDies u;
  std::vector<uint32_t> open, last_child;
  std::vector<BuiltRecord> built;
};

std::string spelled(const Member& m) { return type_text(*m.type); }

}  // namespace

TEST_CASE("DWARF 4 bitfields use data_bit_offset, storage unit is the type's size", "[builder][fast]") {
  Unit u;
  const uint64_t uns = u.base("unsigned int", 4);
  u.add(DW_TAG_structure_type, "bf");
  u.last().byte_size = 4;
  u.enter();
  u.add(DW_TAG_member, "a");
  u.last().type = uns, u.last().bit_size = 3, u.last().data_bit_offset = 0;
  u.add(DW_TAG_member, "b");
  u.last().type = uns, u.last().bit_size = 5, u.last().data_bit_offset = 3;
  u.leave();
  const Record& r = u.only("bf");
  REQUIRE(r.members.size() == 2);
  CHECK(r.members[1].bit_offset == 3);
  CHECK(r.members[1].bit_size == 5);
  CHECK(r.members[1].unit_size == 4);
  CHECK(r.members[1].byte_size == 4);
}

TEST_CASE("DWARF 2 bit_offset counts from the storage unit's MSB, per byte order", "[builder][fast]") {
  for (bool big : {false, true}) {
    Unit u;
    u.u.big_endian = big;
    const uint64_t uns = u.base("unsigned int", 4);
    u.add(DW_TAG_structure_type, "bf2");
    u.last().byte_size = 4;
    u.enter();
    u.add(DW_TAG_member, "b");
    u.last().type = uns, u.last().bit_size = 5, u.last().bit_offset = 24, u.last().byte_size = 4;
    u.last().member_location = 0;
    u.leave();
    const Record& r = u.only("bf2");
    // Little endian: 32 - 24 - 5 = 3 bits from the LSB; big endian: 24 from the start.
    CHECK(r.members[0].bit_offset == (big ? 24u : 3u));
  }
  CHECK(bit_offset_from_msb(4, 4, 30, 5, false) == 32);  // wider than its unit: clamped, no wrap
}

TEST_CASE("arrays: count, upper bound, flexible and [0], several dimensions", "[builder][fast]") {
  Unit u;
  const uint64_t ch = u.base("char", 1);
  const uint64_t i32 = u.base("int", 4);
  const uint64_t a1 = u.wrap(DW_TAG_array_type, i32);  // int [3][5] via count and upper bound
  u.enter();
  u.add(DW_TAG_subrange_type);
  u.last().count = 3;
  u.add(DW_TAG_subrange_type);
  u.last().upper_bound = 4;
  u.leave();
  const uint64_t flex = u.wrap(DW_TAG_array_type, ch);  // char [] (no bound)
  u.enter();
  u.add(DW_TAG_subrange_type);
  u.leave();
  u.add(DW_TAG_structure_type, "arr");
  u.last().byte_size = 64;
  u.enter();
  u.member("m", a1, 0);
  u.member("tail", flex, 60);
  u.leave();
  const Record& r = u.only("arr");
  CHECK(r.members[0].byte_size == 60);
  CHECK(spelled(r.members[0]) == "int[3][5]");
  CHECK(member_shape(*r.members[0].type).dims == std::vector<uint64_t>{3, 5});
  CHECK(r.members[1].byte_size == 0);
  CHECK(member_shape(*r.members[1].type).dims == std::vector<uint64_t>{0});
  CHECK(r.members[0].natural_alignment == 4);
}

TEST_CASE("typedef chains, qualifiers and pointers become structure", "[builder][fast]") {
  Unit u;
  const uint64_t uns = u.base("unsigned int", 4);
  const uint64_t u32 = u.wrap(DW_TAG_typedef, uns, "u32");
  const uint64_t myu = u.wrap(DW_TAG_typedef, u32, "myu32");
  const uint64_t cchar = u.wrap(DW_TAG_const_type, u.base("char", 1));
  const uint64_t pcc = u.wrap(DW_TAG_pointer_type, cchar);
  u.at(pcc).byte_size = 8;
  const uint64_t vol = u.wrap(DW_TAG_volatile_type, myu);
  u.add(DW_TAG_structure_type, "q");
  u.last().byte_size = 24;
  u.enter();
  u.member("t", myu, 0);
  u.member("s", pcc, 8);
  u.member("v", vol, 16);
  u.leave();
  const Record& r = u.only("q");
  const Type& t = *r.members[0].type;
  CHECK(t.kind == TypeKind::Typedef);
  CHECK(t.name == "myu32");
  REQUIRE(t.target);
  CHECK(t.target->name == "u32");
  CHECK(t.target->target->kind == TypeKind::Base);
  CHECK(r.members[0].byte_size == 4);
  CHECK(r.members[0].natural_alignment == 4);
  CHECK(r.members[1].type->kind == TypeKind::Pointer);
  CHECK(r.members[1].type->target->qualifier == Qualifier::Const);
  CHECK(spell_member(*r.members[1].type).type == "const char  *");  // pahole's two spaces
  CHECK(r.members[2].type->qualifier == Qualifier::Volatile);
  CHECK(r.members[2].byte_size == 4);
}

TEST_CASE("function pointers keep their prototype", "[builder][fast]") {
  Unit u;
  const uint64_t i32 = u.base("int", 4);
  const uint64_t fn = u.wrap(DW_TAG_subroutine_type, i32);
  u.last().prototyped = true;
  u.enter();
  u.add(DW_TAG_formal_parameter);
  u.last().type = i32;
  u.add(DW_TAG_unspecified_parameters);
  u.leave();
  const uint64_t fp = u.wrap(DW_TAG_pointer_type, fn);
  u.add(DW_TAG_structure_type, "ops");
  u.last().byte_size = 8;
  u.enter();
  u.member("cb", fp, 0);
  u.leave();
  const Record& r = u.only("ops");
  const Type& f = *r.members[0].type->target;
  CHECK(f.kind == TypeKind::Function);
  CHECK(f.prototyped);
  CHECK(f.variadic);
  REQUIRE(f.params.size() == 1);
  CHECK(f.params[0].type->name == "int");
  CHECK(r.members[0].byte_size == 8);
  const MemberSpelling sp = spell_member(*r.members[0].type);
  CHECK(sp.type == "int");
  CHECK(sp.prefix + "cb" + sp.suffix == "(*cb)(int, ...)");
}

TEST_CASE("anonymous unions are inline records, nested clang types are kept", "[builder][fast]") {
  Unit u;
  const uint64_t i32 = u.base("int", 4);
  u.add(DW_TAG_structure_type, "outer");
  u.last().byte_size = 8;
  u.enter();
  const uint64_t un = u.add(DW_TAG_union_type);  // clang defines it among the members
  u.last().byte_size = 4;
  u.enter();
  u.member("x", i32, 0);
  u.member("y", i32, 0);
  u.leave();
  u.member("", un, 0);
  u.member("a", i32, 4);
  u.leave();
  const Record& r = u.only("outer");
  REQUIRE(r.members.size() == 2);
  const Record* in = r.members[0].inline_record();
  REQUIRE(in != nullptr);
  CHECK(in->is_union());
  CHECK(in->members.size() == 2);
  CHECK(r.members[0].embedded_record() == in);
  REQUIRE(r.nested_types.size() == 1);
  CHECK(r.nested_types[0].record.get() == in);  // the same definition, shared
  CHECK(r.nested_types[0].after_members == 0);
  CHECK(u.built[0].never_equal);  // pahole prints such a copy again
}

TEST_CASE("declarations are not built, a member of declared type has its name and size 0", "[builder][fast]") {
  Unit u;
  const uint64_t decl = u.add(DW_TAG_structure_type, "opaque");
  u.last().declaration = true;
  const uint64_t p = u.wrap(DW_TAG_pointer_type, decl);
  u.add(DW_TAG_structure_type, "user");
  u.last().byte_size = 8;
  u.last().alignment = 16;
  u.enter();
  u.member("p", p, 0);
  u.last().alignment = 8;
  u.leave();
  const std::vector<BuiltRecord> all = u.build();
  REQUIRE(all.size() == 1);
  const Record& r = *all[0].record;
  CHECK(r.alignment == 16);
  CHECK(r.members[0].alignment == 8);
  CHECK(r.members[0].natural_alignment == 8);  // address size
  CHECK(type_text(*r.members[0].type) == "struct opaque *");
  CHECK(r.members[0].type->target->record == nullptr);  // named: by name only
}

TEST_CASE("a declaration held by value is a Type::declaration of unknown size (reduced debug info)", "[builder][reduced][fast]") {
  // gcc -femit-struct-debug-baseonly: `struct inner` only declared here,
  // held by value directly, through a typedef and as an array; and by pointer.
  Unit u;
  const uint64_t i32 = u.base("int", 4);
  const uint64_t decl = u.add(DW_TAG_structure_type, "inner");
  u.last().declaration = true;
  const uint64_t td = u.wrap(DW_TAG_typedef, decl, "inner_t");
  const uint64_t arr = u.array(td, 2);
  const uint64_t ptr = u.wrap(DW_TAG_pointer_type, decl);
  u.add(DW_TAG_structure_type, "outer");
  u.last().byte_size = 64;
  u.enter();
  u.member("a", i32, 0);
  u.member("in", decl, 8);
  u.member("v", arr, 24);
  u.member("p", ptr, 56);
  u.leave();
  const Record& r = u.only("outer");
  const Member& in = r.members[1];
  CHECK(in.type->declaration);
  CHECK(in.size_unknown());
  CHECK(in.byte_size == 0);
  CHECK(in.direct_struct == nullptr);  // a declaration has no tail padding to speak of
  CHECK(r.members[2].size_unknown());
  CHECK(r.members[2].unknown_size_type() == in.type.get());  // the one node per DIE
  CHECK_FALSE(r.members[3].size_unknown());
  CHECK(type_text(*r.members[3].type) == "struct inner *");
}

TEST_CASE("a declaration reached only by pointer is not flagged", "[builder][reduced][fast]") {
  Unit u;
  const uint64_t decl = u.add(DW_TAG_structure_type, "opaque");
  u.last().declaration = true;
  const uint64_t p = u.wrap(DW_TAG_pointer_type, decl);
  u.add(DW_TAG_structure_type, "user");
  u.last().byte_size = 8;
  u.enter();
  u.member("p", p, 0);
  u.leave();
  const Record& r = u.only("user");
  CHECK_FALSE(r.members[0].type->target->declaration);  // facts and crosscheck unchanged for every pointer
}

TEST_CASE("reference loops and dangling references are InputErrors", "[builder][fast]") {
  SECTION("typedef loop") {
    Unit u;
    const uint64_t a = u.add(DW_TAG_typedef, "a");
    const uint64_t b = u.wrap(DW_TAG_typedef, a, "b");
    u.at(a).type = b;
    u.add(DW_TAG_structure_type, "s");
    u.last().byte_size = 4;
    u.enter();
    u.member("m", a, 0);
    u.leave();
    CHECK_THROWS_AS(u.build(), InputError);
  }
  SECTION("record containing itself") {
    Unit u;
    const uint64_t s = u.add(DW_TAG_structure_type, "self");
    u.last().byte_size = 4;
    u.enter();
    u.member("me", s, 0);
    u.leave();
    CHECK_THROWS_AS(u.build(), InputError);
  }
  SECTION("dangling type") {
    Unit u;
    u.add(DW_TAG_structure_type, "d");
    u.last().byte_size = 4;
    u.enter();
    u.member("m", 0x99999, 0);
    u.leave();
    CHECK_THROWS_WITH(u.build(), Catch::Contains("fake.o") && Catch::Contains("dangling"));
  }
}

TEST_CASE("members are laid out in offset order, nested types keep their place", "[builder][fast]") {
  Unit u;
  const uint64_t i32 = u.base("int", 4);
  const uint64_t chr = u.base("char", 1);
  u.add(DW_TAG_structure_type, "rusty");
  u.last().byte_size = 12;
  u.enter();
  u.member("c", i32, 8);
  const uint64_t nested = u.add(DW_TAG_structure_type, "inner");  // after 'c' in DIE order
  u.last().byte_size = 1;
  u.enter();
  u.member("x", chr, 0);
  u.leave();
  u.member("a", i32, 0);
  u.member("b", chr, 4);
  u.member("b2", chr, 4);  // equal offsets (as in unions) keep DIE order
  u.leave();
  (void)nested;
  const Record& r = u.only("rusty");
  REQUIRE(r.members.size() == 4);
  CHECK(r.members[0].name == "a");
  CHECK(r.members[1].name == "b");
  CHECK(r.members[2].name == "b2");
  CHECK(r.members[3].name == "c");
  // It came after 'c' and before 'a', 'b', 'b2': before the first of those.
  REQUIRE(r.nested_types.size() == 1);
  CHECK(r.nested_types[0].after_members == 0);
}

TEST_CASE("members already in offset order keep DIE order and nested places", "[builder][fast]") {
  Unit u;
  const uint64_t i32 = u.base("int", 4);
  u.add(DW_TAG_structure_type, "c_like");
  u.last().byte_size = 8;
  u.enter();
  u.member("a", i32, 0);
  u.add(DW_TAG_enumeration_type, "e");
  u.last().byte_size = 4;
  u.member("b", i32, 4);
  u.leave();
  const Record& r = u.only("c_like");
  REQUIRE(r.members.size() == 2);
  CHECK(r.members[0].name == "a");
  CHECK(r.members[1].name == "b");
  REQUIRE(r.nested_types.size() == 1);
  CHECK(r.nested_types[0].after_members == 1);
}

TEST_CASE("a member location that gave no offset is refused, never read as 0", "[builder][fast]") {
  auto message = [](LocationProblem why, uint16_t detail, bool virtual_base) {
    Unit u;
    const uint64_t i32 = u.base("int", 4);
    const uint64_t b = u.add(DW_TAG_structure_type, "A");
    u.last().byte_size = 4;
    u.enter();
    u.member("a", i32, 0);
    u.leave();
    u.add(DW_TAG_structure_type, "B");
    u.last().byte_size = 16;
    u.enter();
    u.add(virtual_base ? DW_TAG_inheritance : DW_TAG_member, virtual_base ? nullptr : "m");
    u.last().type = b;
    u.last().virtuality = virtual_base;
    u.last().location_problem = why;
    u.last().location_detail = detail;
    u.leave();
    try {
      u.build();
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message(LocationProblem::Unsupported, 0x06, false),
             Catch::Contains("unsupported member location expression (DW_OP_deref) at DIE 0x"));
  CHECK_THAT(message(LocationProblem::Unsupported, 0x06, true), Catch::Contains("a virtual base class of 'B'"));
  CHECK_THAT(message(LocationProblem::Truncated, 0x10, false), Catch::Contains("truncated in DW_OP_constu"));
  CHECK_THAT(message(LocationProblem::NotConstant, 0x17, false), Catch::Contains("DW_FORM 0x17"));
  CHECK_THAT(message(LocationProblem::Empty, 0, false), Catch::Contains("empty member location expression"));
}

TEST_CASE("DW_AT_type naming a unit or a variable is an InputError", "[builder][fast]") {
  for (const uint32_t tag : {uint32_t{DW_TAG_compile_unit}, uint32_t{DW_TAG_variable}, uint32_t{DW_TAG_member}}) {
    Unit u;
    const uint64_t not_type = tag == DW_TAG_compile_unit ? 0 : u.add(tag, "v");
    u.add(DW_TAG_structure_type, "s");
    u.last().byte_size = 4;
    u.enter();
    u.member("m", not_type, 0);
    u.leave();
    CHECK_THROWS_WITH(u.build(), Catch::Contains("not to a type"));
  }
}

TEST_CASE("expand_types links named records held by value to their unit's definition", "[builder][fast][expand]") {
  Unit u;
  const uint64_t i = u.base("int", 4);
  const uint64_t node = u.add(DW_TAG_structure_type, "node");
  u.last().byte_size = 16;
  u.enter();
  u.member("v", i, 0);
  const uint64_t self = u.wrap(DW_TAG_pointer_type, node);  // node holds a pointer to itself
  u.at(self).byte_size = 8;
  u.member("next", self, 8);
  u.leave();
  const uint64_t node_t = u.wrap(DW_TAG_typedef, node, "node_t");
  const uint64_t arr = u.array(node_t, 2);
  u.add(DW_TAG_structure_type, "holder");
  u.last().byte_size = 72;
  u.enter();
  u.member("direct", node, 0);
  u.member("typed", node_t, 16);
  u.member("many", arr, 32);
  u.member("ptr", self, 64);
  u.leave();
  for (bool expand : {false, true}) {
    const Record& h = u.only("holder", expand);
    REQUIRE(h.members.size() == 4);
    const Type& direct = *h.members[0].type;
    const Type& typed = *h.members[1].type->target;
    const Type& many = *h.members[2].type->target->target;
    const Type& pointee = *h.members[3].type->target;
    CHECK((direct.record != nullptr) == expand);
    CHECK((typed.record != nullptr) == expand);
    CHECK((many.record != nullptr) == expand);
    CHECK(pointee.record == nullptr);  // pointers are never expanded
    if (expand) {
      CHECK(direct.record->name == "node");
      CHECK(direct.record->members.size() == 2);
      CHECK(typed.record == direct.record);  // one definition per unit
    }
    CHECK(type_text(*h.members[1].type) == "node_t");  // spelling unchanged
    CHECK(direct.alignment == 0);                       // as without -E
  }
}
