// Reduced debug info (complete_types.hpp), on hand-built records: a member
// holding a declaration-only struct by value takes the input's one
// definition of that name (through typedefs, qualifiers, arrays and inline
// records, completed itself, fitting where the member is), or stays of
// unknown size with the reason listed; and what layout, diff and check make
// of a member of unknown size.
#include <catch2/catch.hpp>

#include "padguard/complete_types.hpp"
#include "padguard/diff.hpp"
#include "padguard/layout.hpp"
#include "padguard/pahole_text.hpp"
#include "padguard/rule_table.hpp"
#include "padguard/rules.hpp"

#include "model_types.hpp"

using namespace padguard;

namespace {

using RecordPtr = std::shared_ptr<const Record>;

TypeRef decl(const std::string& name, RecordKind k = RecordKind::Struct) {
  Type t;
  t.kind = TypeKind::Record;
  t.record_kind = k;
  t.name = name;
  t.declaration = true;
  t.byte_size = 0;
  t.alignment = 0;
  return test::make(t);
}

Member held(const std::string& name, TypeRef type, uint64_t off) {
  Member m;
  m.name = name;
  m.type = std::move(type);
  m.bit_offset = off * 8;
  m.byte_size = m.type->byte_size;
  m.natural_alignment = 1;  // what the builder gives a declaration
  return m;
}

// struct inner { long x; short y; }: 16 bytes, 6 of tail padding.
RecordPtr inner16() { return test::rec("inner", 16, {test::scalar_member("x", 0, 8), test::scalar_member("y", 8, 2)}); }

// struct outer { int a; struct inner in; char c; } with `in` declaration-only.
RecordPtr outer_with(TypeRef in_type) {
  return test::rec("outer", 32, {test::scalar_member("a", 0, 4), held("in", std::move(in_type), 8),
                              test::scalar_member("c", 24, 1)});
}

// A lookup over fixed definitions that records what it was asked.
struct Lookup {
  std::vector<RecordPtr> defs;
  std::vector<std::vector<std::string>> asked;
  DefinitionLookup fn() {
    return [this](const std::vector<std::string>& names) {
      asked.push_back(names);
      std::vector<RecordPtr> out;
      for (const RecordPtr& d : defs)
        if (std::find(names.begin(), names.end(), d->name) != names.end()) out.push_back(d);
      return out;
    };
  }
};

RecordSet set_of(std::vector<RecordPtr> records) {
  RecordSet s;
  s.source = "reduced.o";
  s.records = std::move(records);
  return s;
}

}  // namespace

TEST_CASE("a declaration held by value takes the input's one definition", "[reduced][fast]") {
  const RecordPtr def = inner16();
  RecordSet set = set_of({outer_with(decl("inner"))});
  CHECK(declared_by_value(set.records) == std::vector<std::string>{"inner"});
  Lookup look{{def}, {}};
  complete_declarations(set, look.fn(), false);
  CHECK(look.asked == std::vector<std::vector<std::string>>{{"inner"}});
  const Member& in = set.records[0]->members[1];
  CHECK_FALSE(in.size_unknown());
  CHECK(in.byte_size == 16);
  CHECK(in.natural_alignment == 8);
  CHECK(in.type->name == "inner");
  CHECK(in.type->alignment == 0);          // as the builder types a named record
  CHECK(in.type->record == nullptr);       // without -E: by name only
  CHECK(in.direct_struct == def);          // pahole's "last struct has 6 bytes of padding"
  CHECK(set.unresolved.empty());
  const Layout l = compute_layout(*set.records[0]);
  CHECK(l.members[1].hole == 0);
  CHECK(l.sum_member_bytes == 21);
}

TEST_CASE("an input without declarations held by value is not touched", "[reduced][fast]") {
  const RecordPtr r = test::rec("plain", 16, {test::scalar_member("a", 0, 8), held("p", test::pointer(decl("opaque")), 8)});
  RecordSet set = set_of({r});
  Lookup look{{}, {}};
  complete_declarations(set, look.fn(), false);
  CHECK(look.asked.empty());
  CHECK(set.records[0] == r);
  CHECK_FALSE(r->members[1].size_unknown());  // a pointer needs no size
}

TEST_CASE("typedefs, qualifiers and arrays of the declaration are resized", "[reduced][fast]") {
  const TypeRef t = test::array(test::qualified(Qualifier::Const, test::typedef_of("inner_t", decl("inner"))), {2});
  const RecordPtr r = test::rec("arr", 40, {test::scalar_member("a", 0, 8), held("v", t, 8)});
  REQUIRE(r->members[1].size_unknown());
  RecordSet set = set_of({r});
  Lookup look{{inner16()}, {}};
  complete_declarations(set, look.fn(), false);
  const Member& v = set.records[0]->members[1];
  CHECK(v.byte_size == 32);
  CHECK(v.type->byte_size == 32);
  CHECK(v.type->alignment == 0);
  CHECK(v.type->target->target->byte_size == 16);  // the typedef
  CHECK(v.natural_alignment == 8);
  CHECK(v.direct_struct == nullptr);  // not directly a struct: no paddings line, as pahole
}

TEST_CASE("a flexible array of a declaration has a known size: 0", "[reduced][fast]") {
  const RecordPtr r = test::rec("flex", 8, {test::scalar_member("n", 0, 8), held("tail", test::array(decl("inner"), {0}), 8)});
  CHECK_FALSE(r->members[1].size_unknown());
  CHECK(declared_by_value({r}).empty());
}

TEST_CASE("no definition: the member stays of unknown size and the name is listed", "[reduced][fast]") {
  const RecordPtr r = outer_with(decl("inner"));
  RecordSet set = set_of({r});
  Lookup look{{}, {}};
  complete_declarations(set, look.fn(), false);
  CHECK(set.records[0] == r);  // nothing changed
  CHECK(set.records[0]->members[1].size_unknown());
  REQUIRE(set.unresolved.size() == 1);
  CHECK(set.unresolved[0] == UnresolvedDeclaration{RecordKind::Struct, "inner",
                                                   UnresolvedDeclaration::Reason::NoDefinition, 0});
}

TEST_CASE("several different layouts of the name: none is guessed, identical copies are one", "[reduced][fast]") {
  SECTION("two layouts") {
    RecordSet set = set_of({outer_with(decl("inner"))});
    Lookup look{{inner16(), test::rec("inner", 12, {test::scalar_member("x", 0, 4), test::scalar_member("y", 4, 8)})}, {}};
    complete_declarations(set, look.fn(), false);
    CHECK(set.records[0]->members[1].size_unknown());
    REQUIRE(set.unresolved.size() == 1);
    CHECK(set.unresolved[0].reason == UnresolvedDeclaration::Reason::Ambiguous);
    CHECK(set.unresolved[0].layouts == 2);
  }
  SECTION("the same layout from two units") {
    RecordSet set = set_of({outer_with(decl("inner"))});
    Lookup look{{inner16(), inner16()}, {}};
    complete_declarations(set, look.fn(), false);
    CHECK(set.records[0]->members[1].byte_size == 16);
    CHECK(set.unresolved.empty());
  }
}

TEST_CASE("a union declaration takes a union definition only", "[reduced][fast]") {
  const RecordPtr as_struct = test::rec("small", 4, {test::scalar_member("i", 0, 4)});
  const RecordPtr as_union = test::rec("small", 4, {test::scalar_member("i", 0, 4), test::scalar_member("c", 0, 1)},
                                    RecordKind::Union);
  RecordSet set = set_of({test::rec("u", 8, {held("s", decl("small", RecordKind::Union), 0), test::scalar_member("z", 4, 4)})});
  Lookup look{{as_struct, as_union}, {}};
  complete_declarations(set, look.fn(), false);
  const Member& s = set.records[0]->members[0];
  CHECK(s.byte_size == 4);
  CHECK(s.direct_struct == nullptr);  // a union has no "last struct" padding line
  CHECK(set.unresolved.empty());
}

TEST_CASE("a definition that does not fit where the member is is not taken", "[reduced][fast]") {
  // 24 bytes at offset 8, the next member at 24: not the struct this unit saw.
  RecordSet set = set_of({outer_with(decl("inner"))});
  Lookup look{{test::rec("inner", 24, {test::scalar_member("x", 0, 8), test::scalar_member("y", 8, 8),
                                    test::scalar_member("z", 16, 8)})},
              {}};
  complete_declarations(set, look.fn(), false);
  CHECK(set.records[0]->members[1].size_unknown());
  REQUIRE(set.unresolved.size() == 1);
  CHECK(set.unresolved[0].reason == UnresolvedDeclaration::Reason::DoesNotFit);
}

TEST_CASE("definitions are completed too, each new name asked once", "[reduced][fast]") {
  // inner's own unit declares `struct leaf`; leaf is defined elsewhere.
  const RecordPtr def = test::rec("inner", 16, {test::scalar_member("x", 0, 8), held("l", decl("leaf"), 8)});
  const RecordPtr leaf = test::rec("leaf", 4, {test::scalar_member("v", 0, 4)});
  RecordSet set = set_of({outer_with(decl("inner")), leaf});
  Lookup look{{def, leaf}, {}};
  complete_declarations(set, look.fn(), false);
  CHECK(look.asked == std::vector<std::vector<std::string>>{{"inner"}, {"leaf"}});
  const Member& in = set.records[0]->members[1];
  REQUIRE(in.direct_struct);
  CHECK(in.direct_struct != def);  // the completed copy
  CHECK(in.direct_struct->members[1].byte_size == 4);
  CHECK(compute_layout(*in.direct_struct).padding == 4);  // 16 - 12, no longer 8 from a 0-byte leaf
  CHECK(in.natural_alignment == 8);
  CHECK(set.unresolved.empty());
}

TEST_CASE("a definition that holds itself by value stays unknown, no loop", "[reduced][fast]") {
  const RecordPtr a = test::rec("a", 16, {held("b", decl("b"), 0)});
  const RecordPtr b = test::rec("b", 16, {held("a", decl("a"), 0)});
  RecordSet set = set_of({test::rec("top", 16, {held("x", decl("a"), 0)})});
  Lookup look{{a, b}, {}};
  complete_declarations(set, look.fn(), false);
  // top.x takes a, a.b takes b, and b.a, reached while a is completed, stays unknown.
  const RecordPtr& done_a = set.records[0]->members[0].direct_struct;
  REQUIRE(done_a);
  REQUIRE(done_a->members[0].direct_struct);
  CHECK(done_a->members[0].direct_struct->members[0].size_unknown());
  REQUIRE(set.unresolved.size() == 1);
  CHECK(set.unresolved[0].name == "a");
  CHECK(set.unresolved[0].reason == UnresolvedDeclaration::Reason::DoesNotFit);
}

TEST_CASE("a declaration inside an inline record is completed, and so is the inline record", "[reduced][fast]") {
  const RecordPtr anon = test::rec("", 24, {test::scalar_member("k", 0, 1), held("nested", decl("inner"), 8)});
  Member m = held("anon", test::anon_record(anon), 8);
  m.natural_alignment = 1;
  m.direct_struct = anon;
  RecordSet set = set_of({test::rec("outer", 32, {test::scalar_member("a", 0, 8), m})});
  Lookup look{{inner16()}, {}};
  complete_declarations(set, look.fn(), false);
  const Member& done = set.records[0]->members[1];
  CHECK(done.natural_alignment == 8);
  CHECK(done.type->alignment == 8);
  REQUIRE(done.embedded_record());
  CHECK(done.embedded_record()->members[1].byte_size == 16);
  CHECK(done.direct_struct.get() == done.embedded_record());
  CHECK(unknown_sizes(*set.records[0]).empty());
}

TEST_CASE("with expand_types the completed type carries its definition (-E)", "[reduced][fast]") {
  const RecordPtr def = inner16();
  RecordSet set = set_of({outer_with(decl("inner"))});
  Lookup look{{def}, {}};
  complete_declarations(set, look.fn(), true);
  CHECK(set.records[0]->members[1].type->record == def);
}

// ---- what analysis and text make of a member of unknown size --------------

TEST_CASE("layout claims no hole or padding next to a member of unknown size", "[reduced][layout][fast]") {
  SECTION("in the middle") {
    const RecordPtr r = outer_with(decl("inner"));
    const Layout l = compute_layout(*r);
    CHECK(l.members[0].hole == 4);  // before it: a real hole
    CHECK(l.members[1].size_unknown);
    CHECK(l.members[1].hole == 0);  // pahole: "XXX 16 bytes hole"
    CHECK(l.members[1].unknown_span == 16);
    CHECK(l.nr_holes == 1);
    CHECK(l.nr_unknown_sizes == 1);
    CHECK(l.sum_member_bytes == 5);
    CHECK(l.padding == 7);
    CHECK_FALSE(l.padding_unknown);
  }
  SECTION("last") {
    const RecordPtr r = test::rec("t", 16, {test::scalar_member("a", 0, 4), held("in", decl("inner"), 8)});
    const Layout l = compute_layout(*r);
    CHECK(l.padding == 0);
    CHECK(l.padding_unknown);
    CHECK(l.members[1].unknown_span == 8);
    const RecordStats s = record_stats(*r, 64);
    CHECK(s.unknown_sizes == 1);
    RecordStats before = s;
    before.padding = 8, before.unknown_sizes = 0;
    CHECK(slack_loss(before, s) == 0);  // no "hidden growth" from an unknown size
  }
}

TEST_CASE("pahole text marks a member of unknown size instead of printing 0 and a hole", "[reduced][render][fast]") {
  const std::string text = render_pahole(*outer_with(decl("inner")), PaholeOptions{});
  CHECK(text.find("struct inner               in;                   /*     8     ? */\n\n"
                  "\t/* XXX struct inner is declaration-only here; its size is unknown */\n\n") != std::string::npos);
  CHECK(text.find("16 bytes hole") == std::string::npos);
  CHECK(text.find("/* sum members: 5, holes: 1, sum holes: 4 */\n"
                  "\t/* members of unknown size: 1 (declaration-only types; no holes counted next to them) */\n") !=
        std::string::npos);
}

TEST_CASE("diff claims no change from an unknown size", "[reduced][diff][fast]") {
  const RecordPtr full = test::rec("outer", 32, {test::scalar_member("a", 0, 4), held("in", test::named_record("inner", 16), 8),
                                              test::scalar_member("c", 24, 1)});
  const RecordPtr reduced = outer_with(decl("inner"));
  const RecordDiff d = diff_records(*full, *reduced);
  CHECK(d.status == RecordStatus::Unchanged);
  CHECK(d.members.empty());
  CHECK(d.holes_filled.empty());
  CHECK(d.holes_opened.empty());
  CHECK(d.incomplete());
  REQUIRE(d.new_unknown.size() == 1);
  CHECK(d.new_unknown[0] == UnknownSize{"in", RecordKind::Struct, "inner"});
  CHECK(d.old_unknown.empty());
}

TEST_CASE("check: hole and padding rules fail closed, sizeof rules still judge", "[reduced][rules][fast]") {
  RecordSet old_s = set_of({test::rec("outer", 32, {test::scalar_member("a", 0, 4),
                                                 held("in", test::named_record("inner", 16), 8),
                                                 test::scalar_member("c", 24, 1)})});
  RecordSet new_s = set_of({outer_with(decl("inner"))});
  auto verdict = [&](const char* rule, const char* value, Problem* problem = nullptr) {
    const std::vector<Rule> rules = parse_rule(rule, value, "test");
    const ConfigResult c = evaluate_config(rules, old_s, new_s, CheckOptions{});
    if (problem) *problem = c.results.at(0).findings.at(0).problem;
    return c.verdict;
  };
  Problem p = Problem::None;
  CHECK(verdict("no-new-holes", "outer", &p) == Verdict::Error);
  CHECK(p == Problem::SizeUnknown);
  CHECK(verdict("max-slack-loss", "outer=0", &p) == Verdict::Error);
  CHECK(p == Problem::SizeUnknown);
  CHECK(verdict("disjoint", "outer.in,outer.c", &p) == Verdict::Error);
  CHECK(p == Problem::SizeUnknown);
  CHECK(verdict("disjoint", "outer.a,outer.c") == Verdict::Pass);  // neither member is of unknown size
  CHECK(verdict("no-growth", "outer") == Verdict::Pass);           // sizeof is DW_AT_byte_size: known
  CHECK(verdict("max-cachelines", "outer=1") == Verdict::Pass);
}
