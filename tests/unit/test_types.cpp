// The type speller (pahole 1.24's names, docs/pahole-notes.md section 4) on
// hand-built types, and the structural comparison diff and crosscheck share.
#include <catch2/catch.hpp>

#include "model_types.hpp"
#include "padguard/compare.hpp"
#include "padguard/type_name.hpp"

using namespace padguard;
using namespace padguard::test;

TEST_CASE("each kind is named as pahole names it", "[types][fast]") {
  const TypeRef i32 = base("int", 4), ch = base("char", 1);
  CHECK(type_name(*void_type()) == "void");
  CHECK(type_name(*base("", 4)) == "nameless base type!");
  CHECK(type_name(*pointer(void_type())) == "void *");
  CHECK(type_name(*pointer(pointer(void_type()))) == "void * *");
  CHECK(type_name(*pointer(qualified(Qualifier::Const, ch))) == "const char  *");
  CHECK(type_name(*pointer(qualified(Qualifier::Const, pointer(qualified(Qualifier::Const, ch))))) ==
        "const char  * const *");
  CHECK(type_name(*qualified(Qualifier::Restrict, pointer(i32))) == "int * restrict ");
  CHECK(type_name(*qualified(Qualifier::Volatile, qualified(Qualifier::Const, i32))) == "volatile const int  ");
  CHECK(type_name(*typedef_of("u32", base("unsigned int", 4))) == "u32");
  CHECK(type_name(*pointer(named_record("tn_inner", 8))) == "struct tn_inner *");
  CHECK(type_name(*pointer(named_record("u", 8, RecordKind::Union))) == "union u *");
  CHECK(type_name(*pointer(named_enum("color"))) == "enum color *");
  CHECK(type_name(*array(i32, {4})) == "int");  // pahole drops the dimension inside names
  CHECK(type_name(*function(i32, {Param{"", ch}})) == "int ()(char)");
}

TEST_CASE("member spellings split into pahole's columns", "[types][fast]") {
  const TypeRef i32 = base("int", 4);
  MemberSpelling s = spell_member(*qualified(Qualifier::Const, pointer(base("char", 1))));
  CHECK(s.modifiers == "const ");
  CHECK(s.type == "char *");
  s = spell_member(*named_record("inner", 8));
  CHECK(s.keyword == "struct");
  CHECK(s.type == "inner");
  s = spell_member(*pointer(function(void_type(), {})));
  CHECK(s.type == "void");
  CHECK(s.prefix == "(*");
  CHECK(s.suffix == ")(void)");
  // A function-pointer parameter prints its own name inside.
  s = spell_member(*pointer(function(i32, {Param{"cb", pointer(function(i32, {Param{"", i32}}))}}, true)));
  CHECK(s.suffix == ")(int (*cb)(int), ...)");
  // gcc's const around a flexible array's element is dropped; arrays give dims.
  s = spell_member(*array(qualified(Qualifier::Const, i32), {0}));
  CHECK(s.modifiers.empty());
  CHECK(s.shape.dims == std::vector<uint64_t>{0});
  s = spell_member(*qualified(Qualifier::Const, array(qualified(Qualifier::Const, i32), {2})));
  CHECK(s.modifiers == "const const ");  // gcc's const wrapped around the array as well
}

TEST_CASE("anonymous types are inline, directly, in arrays or behind one pointer", "[types][fast]") {
  auto r = std::make_shared<Record>();
  r->byte_size = 4;
  const TypeRef anon = anon_record(r);
  CHECK(member_shape(*anon).inline_record == r.get());
  CHECK(!member_shape(*anon).via_pointer);
  CHECK(member_shape(*pointer(anon)).via_pointer);
  CHECK(member_shape(*array(anon, {2})).inline_record == r.get());
  CHECK(type_text(*anon) == "struct {...}");
  CHECK(type_text(*pointer(anon)) == "struct {...} *");
  auto e = std::make_shared<EnumType>();
  CHECK(type_text(*anon_enum(e)) == "enum {...}");
  CHECK(type_text(*array(base("char", 1), {16})) == "char[16]");
  CHECK(type_text(*pointer(function(base("int", 4), {Param{"", base("int", 4)}}))) == "int(*)(int)");
}

TEST_CASE("same_type: structure, named types by name, sizes and parameter names ignored", "[types][fast]") {
  CHECK(same_type(*named_record("inner", 8), *named_record("inner", 16)));  // grown: resized, not retyped
  CHECK_FALSE(same_type(*named_record("inner", 8), *named_record("inner", 8, RecordKind::Union)));
  CHECK(same_type(*typedef_of("u32", base("unsigned int", 4)), *typedef_of("u32", base("unsigned long", 8))));
  CHECK_FALSE(same_type(*base("int", 4), *base("long", 8)));
  CHECK_FALSE(same_type(*array(base("char", 1), {16}), *array(base("char", 1), {32})));
  CHECK_FALSE(same_type(*pointer(base("int", 4)), *base("int", 4)));
  CHECK_FALSE(same_type(*qualified(Qualifier::Const, base("int", 4)), *base("int", 4)));
  const TypeRef i32 = base("int", 4);
  CHECK(same_type(*pointer(function(i32, {Param{"a", i32}})), *pointer(function(i32, {Param{"b", i32}}))));
  CHECK_FALSE(same_type(*pointer(function(i32, {Param{"a", i32}})), *pointer(function(i32, {}))));
}

TEST_CASE("compare_records names the first differing field", "[types][fast]") {
  auto a = std::make_shared<Record>();
  a->name = "s";
  a->byte_size = 8;
  Member m;
  m.name = "p";
  m.type = pointer(base("int", 4));
  m.byte_size = 8;
  a->members = {m};
  auto b = std::make_shared<Record>(*a);
  CHECK_FALSE(compare_records(*a, *b));
  b->members[0].type = pointer(base("long", 8));
  const auto d = compare_records(*a, *b);
  REQUIRE(d);
  CHECK(d->path == "record.members[0].type.target.name");
  CHECK(d->left == "\"int\"");
  CHECK(d->right == "\"long\"");
  b->members[0].type = a->members[0].type;
  b->members[0].bit_size = 3;
  REQUIRE(compare_records(*a, *b));
  CHECK(compare_records(*a, *b)->path == "record.members[0].bit_size");
}
