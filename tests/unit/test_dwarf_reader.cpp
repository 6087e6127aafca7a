// padguard's own DWARF reader (src/inputs/dwarf/reader.*, die_walk.*) on
// hand-assembled .debug_info/.debug_abbrev bytes: unit headers, abbreviations,
// forms, DIE stepping, the RawDie it produces, and what it refuses.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../../src/inputs/dwarf/die_walk.hpp"
#include "../../src/inputs/dwarf/reader.hpp"
#include "../../src/inputs/dwarf/unit_kinds.hpp"

using namespace padguard;
using namespace padguard::dwarf;

namespace {

// Little-endian bytes, as an assembler's .byte/.uleb128/.4byte/.string.
struct Asm {
  std::vector<uint8_t> b;
  Asm& u8(uint64_t v) { b.push_back(static_cast<uint8_t>(v)); return *this; }
  Asm& u16(uint64_t v) { return u8(v).u8(v >> 8); }
  Asm& u32(uint64_t v) { return u16(v).u16(v >> 16); }
  Asm& uleb(uint64_t v) {
    do {
      uint8_t c = v & 0x7f;
      v >>= 7;
      b.push_back(c | (v ? 0x80 : 0));
    } while (v);
    return *this;
  }
  Asm& str(const std::string& s) {
    b.insert(b.end(), s.begin(), s.end());
    return u8(0);
  }
  size_t size() const { return b.size(); }
};

// Abbreviations: 1 compile_unit (children; name string), 2 structure_type
// (children; name strp, byte_size data1, sibling ref4), 3 member (name
// string, type ref4, data_member_location exprloc), 4 base_type (name
// string, byte_size implicit_const 4).
Asm abbrevs(uint32_t cu_extra_attr = 0, uint32_t cu_extra_form = 0) {
  Asm a;
  a.uleb(1).uleb(DW_TAG_compile_unit).u8(1).uleb(DW_AT_name).uleb(DW_FORM_string);
  if (cu_extra_attr != 0) a.uleb(cu_extra_attr).uleb(cu_extra_form);
  a.uleb(0).uleb(0);
  a.uleb(2).uleb(DW_TAG_structure_type).u8(1).uleb(DW_AT_name).uleb(DW_FORM_strp)
      .uleb(DW_AT_byte_size).uleb(DW_FORM_data1).uleb(DW_AT_sibling).uleb(DW_FORM_ref4).uleb(0).uleb(0);
  a.uleb(3).uleb(DW_TAG_member).u8(0).uleb(DW_AT_name).uleb(DW_FORM_string).uleb(DW_AT_type)
      .uleb(DW_FORM_ref4).uleb(DW_AT_data_member_location).uleb(DW_FORM_exprloc).uleb(0).uleb(0);
  a.uleb(4).uleb(DW_TAG_base_type).u8(0).uleb(DW_AT_name).uleb(DW_FORM_string).uleb(DW_AT_byte_size)
      .uleb(DW_FORM_implicit_const).uleb(4).uleb(0).uleb(0);
  a.uleb(0);
  return a;
}

// A DWARF 5 unit: struct point { int x; int y; } and int; `unit_type`
// and an extra CU attribute value (`cu_extra`) as asked.
struct Unit5 {
  Asm info, abbrev, str;
  uint64_t struct_off = 0, int_off = 0;
  Sections sections() const {
    return Sections{{info.b.data(), info.size()}, {abbrev.b.data(), abbrev.size()}, {str.b.data(), str.size()}, {}, {},
                    false};
  }
};

Unit5 make_unit(uint8_t unit_type = kUtCompile, uint32_t cu_attr = 0, uint32_t cu_form = 0,
                const std::string& cu_value = "") {
  Unit5 u;
  u.abbrev = abbrevs(cu_attr, cu_form);
  u.str.str("point");
  Asm body;  // from the unit DIE on; offsets are from the unit start (header 12 bytes, +8 for a dwo_id)
  const uint64_t header = unit_type == kUtSkeleton ? 20 : 12;
  body.uleb(1).str("t.c");
  if (cu_attr != 0) body.str(cu_value);
  u.struct_off = header + body.size();
  const size_t sibling_at = body.size() + 1 + 4 + 1;
  body.uleb(2).u32(0).u8(8).u32(0);  // sibling patched below
  const size_t member_x = body.size();
  body.uleb(3).str("x").u32(0).uleb(2).u8(DW_OP_plus_uconst).uleb(0);
  body.uleb(3).str("y").u32(0).uleb(2).u8(DW_OP_plus_uconst).uleb(4);
  body.u8(0);  // end of the struct's children
  u.int_off = header + body.size();
  body.uleb(4).str("int");
  body.u8(0);  // end of the unit's children
  for (int i = 0; i < 4; ++i) body.b[sibling_at + i] = static_cast<uint8_t>(u.int_off >> (8 * i));
  for (size_t at : {member_x + 3, member_x + 3 + 10})  // each member's DW_AT_type -> int
    for (int i = 0; i < 4; ++i) body.b[at + i] = static_cast<uint8_t>(u.int_off >> (8 * i));
  u.info.u32(header - 4 + body.size()).u16(5).u8(unit_type).u8(8).u32(0);
  if (unit_type == kUtSkeleton) u.info.u32(0).u32(0);
  u.info.b.insert(u.info.b.end(), body.b.begin(), body.b.end());
  return u;
}

std::vector<RawDie> walk(const Sections& s, const RecordNameFilter* only = nullptr) {
  const auto h = read_unit_header(s, 0);
  REQUIRE(h);
  AbbrevTable t;
  t.parse(s.abbrev, h->abbrev_offset, h->shape(false));
  Unit unit(s, *h, t);
  prepare_unit(unit);
  std::vector<RawDie> out;
  DieWalker(unit, nullptr).walk_unit(out, only);
  return out;
}

std::vector<RawDie> walk(const Unit5& u, const RecordNameFilter* only = nullptr) { return walk(u.sections(), only); }

}  // namespace

TEST_CASE("a DWARF 5 unit header is read field by field", "[dwarf_reader]") {
  const Unit5 u = make_unit();
  const auto h = read_unit_header(u.sections(), 0);
  REQUIRE(h);
  CHECK(h->version == 5);
  CHECK(h->unit_type == kUtCompile);
  CHECK(h->address_size == 8);
  CHECK(h->offset_size == 4);
  CHECK(h->die_offset == 12);
  CHECK(h->end == u.info.size());
  CHECK_FALSE(read_unit_header(u.sections(), h->end));  // the end of .debug_info
}

TEST_CASE("bad unit headers are refused with what is wrong", "[dwarf_reader]") {
  Unit5 u = make_unit();
  u.info.b[4] = 7;  // version
  CHECK_THROWS_WITH(read_unit_header(u.sections(), 0), Catch::Contains("unsupported DWARF version 7"));
  u = make_unit();
  u.info.b[4] = 0x74, u.info.b[5] = 0x69;  // text over the header: damage, not a DWARF version to come
  CHECK_THROWS_WITH(read_unit_header(u.sections(), 0), Catch::Contains("corrupt DWARF (unit header version 26996"));
  u = make_unit();
  u.info.b[4] = 0;
  CHECK_THROWS_WITH(read_unit_header(u.sections(), 0), Catch::Contains("corrupt DWARF (unit header version 0"));
  u = make_unit();
  u.info.b[0] = 0xff;  // length past the section
  CHECK_THROWS_WITH(read_unit_header(u.sections(), 0), Catch::Contains("ends past the section"));
  u = make_unit();
  u.info.b[7] = 3;  // address size
  CHECK_THROWS_WITH(read_unit_header(u.sections(), 0), Catch::Contains("address size 3"));
}

TEST_CASE("DIEs become RawDie: names, sizes, references, locations, preorder", "[dwarf_reader]") {
  const Unit5 u = make_unit();
  const std::vector<RawDie> d = walk(u);
  REQUIRE(d.size() == 5);  // unit, struct, x, y, int
  CHECK(d[0].tag == DW_TAG_compile_unit);
  CHECK(std::string(d[1].name) == "point");  // DW_FORM_strp
  CHECK(d[1].offset == u.struct_off);
  CHECK(d[1].byte_size == 8u);
  CHECK(std::string(d[2].name) == "x");
  CHECK(d[2].member_location == 0u);
  CHECK(d[3].member_location == 4u);
  CHECK(d[2].type == u.int_off);
  CHECK(d[4].byte_size == 4u);  // DW_FORM_implicit_const
  CHECK(d[0].first_child == 1);
  CHECK(d[1].next_sibling == 4);
  CHECK(d[1].first_child == 2);
  CHECK(d[2].next_sibling == 3);
}

TEST_CASE("a record name filter skips or reads records shallow", "[dwarf_reader]") {
  const Unit5 u = make_unit();
  const RecordNameFilter skip = [](const char*) { return RecordRead::Skip; };
  CHECK(walk(u, &skip).size() == 1);  // the unit DIE alone: other types are read lazily
  const RecordNameFilter shallow = [](const char*) { return RecordRead::Shallow; };
  const std::vector<RawDie> d = walk(u, &shallow);
  REQUIRE(d.size() == 4);
  CHECK(d[1].shallow);
  CHECK(d[2].shallow);
  CHECK_FALSE(d[2].type);  // identity only
  CHECK(d[3].member_location == 4u);
}

TEST_CASE("a skeleton unit names its .dwo, a split unit from a .dwo may name itself", "[dwarf_reader]") {
  const Unit5 dwo = make_unit(kUtCompile, DW_AT_dwo_name, DW_FORM_string, "t.dwo");
  const Sections s = dwo.sections();
  const auto h = read_unit_header(s, 0);
  REQUIRE(h);
  AbbrevTable t;
  t.parse(s.abbrev, h->abbrev_offset, h->shape(false));
  Unit unit(s, *h, t);
  const std::optional<SkeletonLink> k = skeleton_link(unit);
  REQUIRE(k);
  CHECK(std::string(k->dwo_name) == "t.dwo");
  CHECK_NOTHROW(prepare_unit(unit, true));  // read from the .dwo itself
  const Unit5 plain = make_unit();
  const Sections ps = plain.sections();
  Unit pu(ps, *read_unit_header(ps, 0), t);
  t.parse(ps.abbrev, 0, h->shape(false));
  CHECK_FALSE(skeleton_link(pu));
}

TEST_CASE("offsets of another file's sections are biased, references too", "[dwarf_reader]") {
  const Unit5 u = make_unit();
  Sections s = u.sections();
  const std::vector<RawDie> plain = walk(u);
  s.bias = 1u << 20;
  const std::vector<RawDie> out = walk(s);
  REQUIRE(out.size() == plain.size());
  for (size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i].offset == plain[i].offset + s.bias);
    if (plain[i].type) CHECK(*out[i].type == *plain[i].type + s.bias);
  }
  CHECK(s.holds(s.bias));
  CHECK_FALSE(s.holds(s.bias - 1));
  CHECK_FALSE(s.holds(s.bias + s.info.size));
}

TEST_CASE("split DWARF skeletons and type units are refused with the reason", "[dwarf_reader]") {
  CHECK(std::string(refused_unit_type(kUtSkeleton)) == kSplitDwarf);
  CHECK(std::string(refused_unit_type(kUtType)) == kTypeUnits);
  CHECK(refused_unit_type(kUtCompile) == nullptr);
  const Unit5 gnu = make_unit(kUtCompile, DW_AT_GNU_dwo_name, DW_FORM_string, "t.dwo");
  CHECK_THROWS_WITH(walk(gnu), Catch::Contains("split DWARF"));
  const Unit5 dwo = make_unit(kUtCompile, DW_AT_dwo_name, DW_FORM_string, "t.dwo");
  // Read as the file's own unit (the libdwarf backend's case): refused.
  CHECK_THROWS_WITH(walk(dwo), Catch::Contains("--backend libdw"));
}

TEST_CASE("damaged abbreviations and DIEs are errors, never a silent stop", "[dwarf_reader]") {
  Unit5 u = make_unit();
  u.abbrev.b[3] = 0;  // the unit DIE's DW_AT_name form -> 0 (attribute, 0)
  CHECK_THROWS_WITH(walk(u), Catch::Contains("malformed abbreviation"));
  u = make_unit();
  u.info.b[12] = 9;  // the unit DIE's abbreviation code: unknown
  CHECK_THROWS_WITH(walk(u), Catch::Contains("unknown abbreviation"));
  u = make_unit();
  const size_t sib = u.struct_off + 1 + 4 + 1;  // the struct's DW_AT_sibling -> itself
  u.info.b[sib] = static_cast<uint8_t>(u.struct_off);
  const RecordNameFilter skip = [](const char*) { return RecordRead::Skip; };
  CHECK_THROWS_WITH(walk(u, &skip), Catch::Contains("sibling reference goes backwards"));
  u = make_unit();
  u.info.b[u.info.size() - 1] = 4;  // the unit's last null entry -> a DIE that runs off the unit
  CHECK_THROWS_AS(walk(u), DwarfError);
}

TEST_CASE("values: strx through str_offsets_base, sdata, strings and references out of bounds", "[dwarf_reader]") {
  // .debug_str_offsets: a DWARF 5 header (8 bytes) then offsets 0 ("a") and 2 ("bc").
  Asm str;
  str.str("a").str("bc");
  Asm offs;
  offs.u32(12).u16(5).u16(0).u32(0).u32(2);
  Asm info;
  info.u8(0).u8(0x80).u8(0x7f);  // DW_FORM_strx1 index 0, then sdata -128
  Sections s{{info.b.data(), info.size()}, {}, {str.b.data(), str.size()}, {}, {offs.b.data(), offs.size()}, false};
  UnitHeader h;
  h.version = 5, h.die_offset = 0, h.end = info.size();
  AbbrevTable t;
  Unit u(s, h, t);
  CHECK(std::string(u.string(Attr{DW_AT_name, DW_FORM_strx1, info.b.data(), 0})) == "a");
  u.set_str_offsets_base(12);
  CHECK(std::string(u.string(Attr{DW_AT_name, DW_FORM_strx1, info.b.data(), 0})) == "bc");
  CHECK(u.signed_constant(Attr{DW_AT_lower_bound, DW_FORM_sdata, info.b.data() + 1, 0}) == -128);
  CHECK(u.string(Attr{DW_AT_name, DW_FORM_strp, offs.b.data(), 0}) == nullptr);  // offset 12 past .debug_str
  Asm ref;
  ref.u32(100);
  CHECK_THROWS_WITH(u.reference(Attr{DW_AT_type, DW_FORM_ref4, ref.b.data(), 0}), Catch::Contains("outside its unit"));
  CHECK_THROWS_WITH(u.reference(Attr{DW_AT_type, DW_FORM_ref_sig8, ref.b.data(), 0}), Catch::Contains("type units"));
}

TEST_CASE("DWARF 5 supplementary forms (dwz -5): found in abbreviations, read from the alt sections", "[dwarf_reader]") {
  const Unit5 plain = make_unit();
  CHECK_FALSE(uses_supplementary_forms(plain.sections().abbrev));
  // The unit DIE gains DW_AT_producer as strp_sup -> offset 2 of the alt's .debug_str.
  const Unit5 u = make_unit(kUtCompile, DW_AT_producer, DW_FORM_strp_sup, std::string("\x02\0\0", 3));
  Sections s = u.sections();
  CHECK(uses_supplementary_forms(s.abbrev));
  Asm ref_abbrev;  // an imported_unit whose DW_AT_import is ref_sup4, ref_sup8 too
  ref_abbrev.uleb(1).uleb(DW_TAG_imported_unit).u8(0).uleb(DW_AT_import).uleb(DW_FORM_ref_sup8).uleb(0).uleb(0).uleb(0);
  CHECK(uses_supplementary_forms({ref_abbrev.b.data(), ref_abbrev.size()}));
  Asm damaged;  // cut inside an attribute pair: the scan stops, no claim
  damaged.uleb(1).uleb(DW_TAG_member).u8(0).uleb(DW_AT_name);
  CHECK_FALSE(uses_supplementary_forms({damaged.b.data(), damaged.size()}));

  const auto h = read_unit_header(s, 0);
  REQUIRE(h);
  AbbrevTable t;
  t.parse(s.abbrev, h->abbrev_offset, h->shape(false));
  const auto producer = [&](const Sections& with) {
    Unit unit(with, *h, t);
    const char* got = nullptr;
    unit.each_attr(unit.die(unit.first_die()), [&](const Attr& a) {
      if (a.name == DW_AT_producer) got = unit.string(a);
    });
    return std::string(got != nullptr ? got : "(null)");
  };
  // No supplementary file: an error naming what to do, never an empty string.
  CHECK_THROWS_WITH(producer(s), Catch::Contains("supplementary file"));
  Asm alt_str;
  alt_str.str("x").str("GNU C17");
  Sections alt;
  alt.str = {alt_str.b.data(), alt_str.size()};
  s.alt = &alt;
  CHECK(producer(s) == "GNU C17");
}

TEST_CASE("ref_sup4 and ref_sup8 are 4 and 8 bytes whatever the unit's offset size", "[dwarf_reader]") {
  // One compile_unit DIE: DW_AT_import as `form`, then DW_AT_name "x", in a
  // 64-bit DWARF unit (offset size 8) and a 32-bit one (offset size 4).
  Asm alt_info;
  for (int i = 0; i < 16; ++i) alt_info.u8(0);
  Sections alt;
  alt.info = {alt_info.b.data(), alt_info.size()};
  alt.bias = 1u << 20;
  for (const auto& [form, dwarf64] : {std::pair{DW_FORM_ref_sup4, true}, std::pair{DW_FORM_ref_sup8, false}}) {
    Asm abbrev;
    abbrev.uleb(1).uleb(DW_TAG_compile_unit).u8(0).uleb(DW_AT_import).uleb(form).uleb(DW_AT_name)
        .uleb(DW_FORM_string).uleb(0).uleb(0).uleb(0);
    Asm die;
    die.uleb(1);
    if (form == DW_FORM_ref_sup4) die.u32(5); else die.u32(5).u32(0);
    die.str("x");
    Asm info;
    if (dwarf64) {
      const uint64_t len = 2 + 1 + 1 + 8 + die.size();
      info.u32(0xffffffff).u32(len).u32(0).u16(5).u8(kUtCompile).u8(8).u32(0).u32(0);
    } else {
      info.u32(2 + 1 + 1 + 4 + die.size()).u16(5).u8(kUtCompile).u8(8).u32(0);
    }
    info.b.insert(info.b.end(), die.b.begin(), die.b.end());
    Sections s{{info.b.data(), info.size()}, {abbrev.b.data(), abbrev.size()}, {}, {}, {}, false};
    s.alt = &alt;
    const auto h = read_unit_header(s, 0);
    REQUIRE(h);
    AbbrevTable t;
    t.parse(s.abbrev, h->abbrev_offset, h->shape(false));
    Unit unit(s, *h, t);
    std::optional<uint64_t> to;
    const char* name = nullptr;
    unit.each_attr(unit.die(unit.first_die()), [&](const Attr& a) {
      if (a.name == DW_AT_import) to = unit.reference(a);
      if (a.name == DW_AT_name) name = unit.string(a);
    });
    CHECK(to == std::optional<uint64_t>(5 + alt.bias));
    REQUIRE(name != nullptr);
    CHECK(std::string(name) == "x");
  }
}
