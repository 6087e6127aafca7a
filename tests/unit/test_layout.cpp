// Hole and padding accounting on hand-built records (no binaries parsed).
#include <catch2/catch.hpp>

#include "padguard/layout.hpp"
#include "padguard/pahole_text.hpp"

#include "model_types.hpp"

using namespace padguard;

namespace {

Member plain(const char* name, const char* type, uint64_t byte_off, uint64_t size) {
  Member m;
  m.name = name;
  m.type = test::base(type, size);
  m.bit_offset = byte_off * 8;
  m.byte_size = size;
  m.natural_alignment = static_cast<uint32_t>(size);
  return m;
}

Member bitfield(const char* name, uint64_t bit_off, uint32_t bits, uint64_t unit) {
  Member m;
  m.name = name;
  m.type = test::base("unsigned int", unit);
  m.bit_offset = bit_off;
  m.bit_size = bits;
  m.byte_size = unit;
  m.unit_size = unit;
  m.natural_alignment = static_cast<uint32_t>(unit);
  return m;
}

Record make(const char* name, uint64_t size, std::vector<Member> members) {
  Record r;
  r.name = name;
  r.byte_size = size;
  r.members = std::move(members);
  return r;
}

}  // namespace

TEST_CASE("byte hole is attached to the member before it", "[layout]") {
  Record r = make("s", 16, {plain("c", "char", 0, 1), plain("p", "void *", 8, 8)});
  Layout l = compute_layout(r);
  CHECK(l.members[0].hole == 7);
  CHECK(l.members[1].hole == 0);
  CHECK(l.nr_holes == 1);
  CHECK(l.sum_holes == 7);
  CHECK(l.padding == 0);
  CHECK(l.sum_member_bytes == 9);
}

TEST_CASE("tail padding and pre hole", "[layout]") {
  Record r = make("s", 16, {plain("x", "int", 4, 4), plain("c", "char", 8, 1)});
  Layout l = compute_layout(r);
  CHECK(l.pre_hole == 4);
  CHECK(l.padding == 7);
  // every byte is accounted for once
  CHECK(l.sum_holes == 4);  // the pre hole counts among the holes
  CHECK(l.sum_member_bytes + l.sum_holes + l.padding == r.byte_size);
}

TEST_CASE("bitfield run: bit hole, then byte hole to the next member", "[layout]") {
  // unsigned a:3 at bit 0, unsigned b:4 at bit 3, then char c at byte 4
  Record r = make("s", 8, {bitfield("a", 0, 3, 4), bitfield("b", 3, 4, 4), plain("c", "char", 4, 1)});
  Layout l = compute_layout(r);
  CHECK(l.members[1].bit_hole == 25);  // bits 7..31 of the storage unit
  CHECK(l.members[1].hole == 0);
  CHECK(l.sum_bitfield_bits == 7);
  CHECK(l.padding == 3);
  CHECK(l.bit_padding == 0);
}

TEST_CASE("struct ending inside a bitfield run has bit padding", "[layout]") {
  Record r = make("s", 4, {bitfield("a", 0, 5, 4)});
  Layout l = compute_layout(r);
  CHECK(l.bit_padding == 27);
  CHECK(l.padding == 0);
}

TEST_CASE("unions never have holes", "[layout]") {
  Record r = make("u", 8, {plain("c", "char", 0, 1), plain("l", "long", 0, 8)});
  r.kind = RecordKind::Union;
  Layout l = compute_layout(r);
  CHECK(l.nr_holes == 0);
  CHECK(l.padding == 0);
}

TEST_CASE("bitfield offsets are printed from their storage unit", "[layout]") {
  // unsigned long e:40 at bit 18 prints as 0:18 with size 8
  Record r = make("s", 8, {bitfield("e", 18, 40, 8)});
  Layout l = compute_layout(r);
  CHECK(l.members[0].byte_offset == 0);
  CHECK(l.members[0].bitfield_offset == 18);
}

TEST_CASE("packed inference: misaligned member in a hole-free struct", "[layout]") {
  Record r = make("pk", 5, {plain("c", "char", 0, 1), plain("x", "int", 1, 4)});
  CHECK(infer_packed(r, compute_layout(r)));
  Record natural = make("n", 8, {plain("x", "int", 0, 4), plain("y", "int", 4, 4)});
  CHECK_FALSE(infer_packed(natural, compute_layout(natural)));
  Record holey = make("h", 8, {plain("c", "char", 0, 1), plain("x", "int", 4, 4)});
  CHECK_FALSE(infer_packed(holey, compute_layout(holey)));
}

TEST_CASE("pahole text of a hand-built struct", "[pahole]") {
  Record r = make("s", 16, {plain("c", "char", 0, 1), plain("p", "void *", 8, 8)});
  const std::string text = render_pahole(r, PaholeOptions{});
  CHECK(text ==
        "struct s {\n"
        "\tchar                       c;                    /*     0     1 */\n"
        "\n"
        "\t/* XXX 7 bytes hole, try to pack */\n"
        "\n"
        "\tvoid *                     p;                    /*     8     8 */\n"
        "\n"
        "\t/* size: 16, cachelines: 1, members: 2 */\n"
        "\t/* sum members: 9, holes: 1, sum holes: 7 */\n"
        "\t/* last cacheline: 16 bytes */\n"
        "};\n");
}

TEST_CASE("cacheline markers name the boundary a member starts after", "[pahole]") {
  Record r = make("big", 136, {plain("a", "char", 0, 100), plain("b", "long int", 128, 8)});
  r.members[0].type = test::array(test::base("char", 1), {100});
  r.members[0].byte_size = 100;
  const std::string text = render_pahole(r, PaholeOptions{});
  CHECK(text.find("/* --- cacheline 2 boundary (128 bytes) --- */") != std::string::npos);
  CHECK(text.find("cacheline 1 boundary") == std::string::npos);
  CHECK(text.find("/* size: 136, cachelines: 3, members: 2 */") != std::string::npos);
}

TEST_CASE("pahole text makes control characters in input names visible", "[pahole][hostile]") {
  const std::string evil = "evil\n::error file=x::forged\x1b[31m";
  Record r = make(evil.c_str(), 16, {plain(evil.c_str(), "int", 0, 4), plain("ok", "char", 4, 1)});
  r.members[1].type = test::named_record("t\n::warning ::x", 1);
  auto e = std::make_shared<EnumType>();
  e->name = "en\rum";
  e->enumerators.emplace_back("A\n::error ::b", 1);
  Member m = plain("anon", "int", 8, 4);
  m.type = test::anon_enum(e);
  r.members.push_back(m);
  const std::string text = render_pahole(r, PaholeOptions{});
  CHECK(text.find("\n::") == std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find('\r') == std::string::npos);
  CHECK(text.find("struct evil\\n::error file=x::forged\\x1b[31m {") == 0);
  CHECK(text.find("int                        evil\\n::error file=x::forged\\x1b[31m;") != std::string::npos);
  CHECK(text.find("struct t\\n::warning ::x") != std::string::npos);
  CHECK(text.find("enum en\\rum {") != std::string::npos);
  CHECK(text.find("A\\n::error ::b = 1,") != std::string::npos);
  CHECK(text.find(" ok;") != std::string::npos);  // plain names untouched
}

// pahole -E (expand_types): named records held by value carry their
// definitions (Type::record, as the builder links them with expand_types).
namespace {

TypeRef linked_record(const std::string& name, std::shared_ptr<const Record> def) {
  Type t;
  t.kind = TypeKind::Record;
  t.name = name;
  t.byte_size = def->byte_size;
  t.record = std::move(def);
  return test::make(t);
}

Member of_type(const char* name, TypeRef t, uint64_t byte_off) {
  Member m;
  m.name = name;
  m.byte_size = t->byte_size;
  m.type = std::move(t);
  m.bit_offset = byte_off * 8;
  m.natural_alignment = 4;
  return m;
}

}  // namespace

TEST_CASE("layout -E prints named records held by value inline, typedefs as comments", "[pahole][expand]") {
  auto point = std::make_shared<Record>(make("pt", 8, {plain("x", "int", 0, 4), plain("y", "int", 4, 4)}));
  const TypeRef pt = linked_record("pt", point);
  const TypeRef pt_t = test::typedef_of("pt_t", pt);
  Record r = make("outer", 36, {of_type("a", pt, 0), of_type("b", pt_t, 8), of_type("c", test::array(pt, {2}), 16),
                                of_type("u", test::typedef_of("u32", test::base("unsigned int", 4)), 32)});
  r.members[0].direct_struct = point;
  PaholeOptions o;
  o.expand_types = true;
  CHECK(render_pahole(r, o) ==
        "struct outer {\n"
        "\tstruct pt {\n"
        "\t\tint                x;                                                    /*     0     4 */\n"
        "\t\tint                y;                                                    /*     4     4 */\n"
        "\t}a; /*     0     8 */\n"
        "\t/* typedef pt_t */ struct pt {\n"
        "\t\tint                x;                                                    /*     8     4 */\n"
        "\t\tint                y;                                                    /*    12     4 */\n"
        "\t} b; /*     8     8 */\n"
        "\tstruct pt {\n"
        "\t\tint                x;                                                    /*    16     4 */\n"
        "\t\tint                y;                                                    /*    20     4 */\n"
        "\t} c[2]; /*    16    16 */\n"
        "\t/* typedef u32 */ unsigned int               u;                                  /*    32     4 */\n"
        "\n"
        "\t/* size: 36, cachelines: 1, members: 4 */\n"
        "\t/* last cacheline: 36 bytes */\n"
        "};\n");
  // Without -E the same record prints the types by name.
  const std::string plain_text = render_pahole(r, PaholeOptions{});
  CHECK(plain_text.find("\tstruct pt                  a;") != std::string::npos);
  CHECK(plain_text.find("typedef") == std::string::npos);
}

TEST_CASE("layout -E: pointers and named enums stay names, a const member keeps its name", "[pahole][expand]") {
  auto point = std::make_shared<Record>(make("pt", 8, {plain("x", "int", 0, 4), plain("y", "int", 4, 4)}));
  const TypeRef pt = linked_record("pt", point);
  Record r = make("s", 24, {of_type("p", test::pointer(pt), 0), of_type("e", test::named_enum("color"), 8),
                            of_type("k", test::qualified(Qualifier::Const, pt), 12)});
  PaholeOptions o;
  o.expand_types = true;
  const std::string text = render_pahole(r, o);
  CHECK(text.find("\tstruct pt *                p;") != std::string::npos);
  CHECK(text.find("\tenum color                 e;") != std::string::npos);
  // pahole 1.24 prints "};" here (docs/pahole-differences.md §2).
  CHECK(text.find("\tconst struct pt {\n") != std::string::npos);
  CHECK(text.find("\t} k; /*    12     8 */\n") != std::string::npos);
}

TEST_CASE("layout -E marks a named struct __packed__ only where its own offset calls for it", "[pahole][expand]") {
  auto point = std::make_shared<Record>(make("pt", 8, {plain("x", "int", 0, 4), plain("y", "int", 4, 4)}));
  const TypeRef pt = linked_record("pt", point);
  // Offset 1 in a struct with a hole: pahole's forced __packed__ (both agree).
  Record leaky = make("leaky", 16, {plain("c", "char", 0, 1), of_type("p", pt, 1), plain("i", "int", 12, 4)});
  Record natural = make("natural", 12, {plain("a", "int", 0, 4), of_type("p", pt, 4)});
  PaholeOptions o;
  o.expand_types = true;
  CHECK(render_pahole(leaky, o).find("\t} __attribute__((__packed__))p; /*     1     8 */") != std::string::npos);
  CHECK(render_pahole(natural, o).find("\t}p; /*     4     8 */") != std::string::npos);
}
