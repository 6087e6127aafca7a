// The libdw backend steps over attribute values by these sizes; a wrong one
// misplaces every later attribute and sibling of a DIE.
#include <catch2/catch.hpp>

#include "../../src/inputs/dwarf/form.hpp"

using padguard::dwarf::fixed_form_size;
using padguard::dwarf::form_size;
using padguard::dwarf::kUnknownSize;
using padguard::dwarf::read_uleb;
using padguard::dwarf::UnitShape;

namespace {

uint64_t size_of(uint32_t form, std::initializer_list<uint8_t> bytes, UnitShape u = {}) {
  const std::vector<uint8_t> b(bytes);
  return form_size(form, b.data(), b.data() + b.size(), u);
}

}  // namespace

TEST_CASE("fixed-size forms follow the unit's address and offset sizes") {
  const UnitShape dwarf32_64bit{8, 4, 5, false};
  const UnitShape dwarf64{8, 8, 5, false};
  const UnitShape i386_v2{4, 4, 2, false};
  CHECK(size_of(DW_FORM_data1, {7}) == 1);
  CHECK(size_of(DW_FORM_data2, {7, 0}) == 2);
  CHECK(size_of(DW_FORM_strx3, {1, 2, 3}) == 3);
  CHECK(size_of(DW_FORM_ref4, {1, 2, 3, 4}) == 4);
  CHECK(size_of(DW_FORM_ref_sig8, {1, 2, 3, 4, 5, 6, 7, 8}) == 8);
  CHECK(fixed_form_size(DW_FORM_data16, dwarf32_64bit) == 16);
  CHECK(fixed_form_size(DW_FORM_strp, dwarf32_64bit) == 4);
  CHECK(fixed_form_size(DW_FORM_strp, dwarf64) == 8);
  CHECK(fixed_form_size(DW_FORM_addr, i386_v2) == 4);
  CHECK(fixed_form_size(DW_FORM_addr, dwarf32_64bit) == 8);
  // DWARF 2 ref_addr is address-sized, later versions offset-sized.
  CHECK(fixed_form_size(DW_FORM_ref_addr, UnitShape{8, 4, 2, false}) == 8);
  CHECK(fixed_form_size(DW_FORM_ref_addr, dwarf32_64bit) == 4);
  CHECK(fixed_form_size(DW_FORM_flag_present, dwarf32_64bit) == 0);
  CHECK(fixed_form_size(DW_FORM_implicit_const, dwarf32_64bit) == 0);
  CHECK(fixed_form_size(DW_FORM_udata, dwarf32_64bit) == -1);
  CHECK(fixed_form_size(DW_FORM_string, dwarf32_64bit) == -1);
  CHECK(fixed_form_size(DW_FORM_indirect, dwarf32_64bit) == -1);
}

TEST_CASE("variable-size forms are measured from their bytes") {
  CHECK(size_of(DW_FORM_udata, {0x7f}) == 1);
  CHECK(size_of(DW_FORM_udata, {0x80, 0x80, 0x01, 0xff}) == 3);
  CHECK(size_of(DW_FORM_sdata, {0xc0, 0x00}) == 2);
  CHECK(size_of(DW_FORM_string, {'a', 'b', 0, 'c'}) == 3);
  CHECK(size_of(DW_FORM_block1, {2, 9, 9, 9}) == 3);
  CHECK(size_of(DW_FORM_block2, {1, 0, 9}) == 3);
  CHECK(size_of(DW_FORM_block2, {0, 1, 9}, UnitShape{8, 4, 5, true}) == 3);  // big-endian length
  CHECK(size_of(DW_FORM_exprloc, {2, 0x23, 0x08}) == 3);
  CHECK(size_of(DW_FORM_block, {0x81, 0x00, 9}) == 3);  // a two-byte (non-minimal) LEB length of 1
}

TEST_CASE("values that run past the unit, and unknown forms, have no size") {
  CHECK(size_of(DW_FORM_data4, {1, 2, 3}) == kUnknownSize);
  CHECK(size_of(DW_FORM_udata, {0x80, 0x80}) == kUnknownSize);
  CHECK(size_of(DW_FORM_string, {'a', 'b'}) == kUnknownSize);
  CHECK(size_of(DW_FORM_block1, {5, 1, 2}) == kUnknownSize);
  CHECK(size_of(DW_FORM_exprloc, {0xff, 0xff, 0xff, 0xff, 0x0f, 1}) == kUnknownSize);
  CHECK(size_of(DW_FORM_block4, {0xff, 0xff, 0xff, 0xff}) == kUnknownSize);
  CHECK(size_of(DW_FORM_indirect, {DW_FORM_data1, 1}) == kUnknownSize);  // libdw resolves these
  CHECK(size_of(0x7777, {1, 2, 3, 4}) == kUnknownSize);
  CHECK(size_of(DW_FORM_data1, {}) == kUnknownSize);
}

TEST_CASE("ULEB128 reads stop at the end and at ten bytes") {
  const std::vector<uint8_t> ok{0xe5, 0x8e, 0x26};
  const uint8_t* p = ok.data();
  uint64_t v = 0;
  REQUIRE(read_uleb(p, ok.data() + ok.size(), v));
  CHECK(v == 624485);
  CHECK(p == ok.data() + 3);
  const std::vector<uint8_t> endless(11, 0x80);
  p = endless.data();
  CHECK_FALSE(read_uleb(p, endless.data() + endless.size(), v));
}
