// The BTF backend on hand-assembled BTF bytes: which RawDie each kind
// becomes, pahole's alignment inference, and the one-line errors.
#include <dwarf.h>
#include <linux/btf.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "padguard/btf_source.hpp"
#include "padguard/error.hpp"
#include "padguard/loader.hpp"

namespace {

using Bytes = std::vector<uint8_t>;

void put32(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// One type record: name_off, info (kind, vlen, kflag), size or type.
void type(Bytes& b, uint32_t name, uint32_t kind, uint32_t vlen, uint32_t size_or_type, bool kflag = false) {
  put32(b, name);
  put32(b, (kflag ? 1u << 31 : 0) | (kind << 24) | vlen);
  put32(b, size_or_type);
}

std::string write_btf(const Bytes& types, const std::string& strings, const char* tag) {
  Bytes f = {0x9f, 0xeb, 1, 0};
  put32(f, 24);
  put32(f, 0);
  put32(f, static_cast<uint32_t>(types.size()));
  put32(f, static_cast<uint32_t>(types.size()));
  put32(f, static_cast<uint32_t>(strings.size()));
  f.insert(f.end(), types.begin(), types.end());
  f.insert(f.end(), strings.begin(), strings.end());
  std::string path = std::string("/tmp/padguard_unit_btf_") + tag + "_" + std::to_string(getpid());
  FILE* fp = fopen(path.c_str(), "wb");
  fwrite(f.data(), 1, f.size(), fp);
  fclose(fp);
  return path;
}

// strings: 0 "", 1 "int", 5 "s", 7 "a", 9 "b", 11 "e", 13 "E1"
const std::string kStrings("\0int\0s\0a\0b\0e\0E1\0", 16);

// 1 int; 2 struct s { int a:3; int b; } with kind_flag bitfields;
// 3 TYPE_TAG -> 1; 4 PTR -> 3; 5 ARRAY of 1 x 7; 6 enum e { E1 = -1 };
// 7 FUNC_PROTO int (int, ...)
Bytes sample_types() {
  Bytes b;
  type(b, 1, BTF_KIND_INT, 0, 4);
  put32(b, 32);
  type(b, 5, BTF_KIND_STRUCT, 2, 8, true);
  put32(b, 7), put32(b, 1), put32(b, (3u << 24) | 0);
  put32(b, 9), put32(b, 1), put32(b, 32);
  type(b, 0, BTF_KIND_TYPE_TAG, 0, 1);
  type(b, 0, BTF_KIND_PTR, 0, 3);
  type(b, 0, BTF_KIND_ARRAY, 0, 0);
  put32(b, 1), put32(b, 1), put32(b, 7);
  type(b, 11, BTF_KIND_ENUM, 1, 4);
  put32(b, 13), put32(b, 0xffffffffu);
  type(b, 0, BTF_KIND_FUNC_PROTO, 2, 1);
  put32(b, 0), put32(b, 1);
  put32(b, 0), put32(b, 0);
  return b;
}

}  // namespace

TEST_CASE("btf: a struct with kind_flag bitfields becomes DW_TAG_structure_type with members") {
  const std::string path = write_btf(sample_types(), kStrings, "struct");
  auto src = padguard::open_btf(path, "");
  REQUIRE(src->unit_count() == 1);
  padguard::UnitDies u = src->read_unit(0);
  REQUIRE(u.dies.size() == 4);  // unit, struct s, a, b
  const padguard::RawDie& s = u.dies[1];
  CHECK(s.tag == DW_TAG_structure_type);
  CHECK(std::string(s.name) == "s");
  CHECK(s.byte_size == 8u);
  CHECK(u.dies[0].first_child == 1u);
  const padguard::RawDie& a = u.dies[2];
  CHECK(a.tag == DW_TAG_member);
  CHECK(a.bit_size == 3u);
  CHECK(a.data_bit_offset == 0u);
  const padguard::RawDie& b = u.dies[3];
  CHECK(!b.bit_size);
  CHECK(b.member_location == 4u);
  CHECK(a.next_sibling == 3u);
  CHECK(a.type == b.type);
  unlink(path.c_str());
}

TEST_CASE("btf: type tags are skipped, arrays count, enums, variadic prototypes") {
  const std::string path = write_btf(sample_types(), kStrings, "kinds");
  auto src = padguard::open_btf(path, "");
  const uint64_t int_off = uint64_t{1} << 17;
  padguard::UnitDies ptr = src->read_subtree(uint64_t{4} << 17);
  REQUIRE(ptr.dies.size() == 1);
  CHECK(ptr.dies[0].tag == DW_TAG_pointer_type);
  CHECK(ptr.dies[0].type == int_off);  // through the TYPE_TAG
  padguard::UnitDies arr = src->read_subtree(uint64_t{5} << 17);
  REQUIRE(arr.dies.size() == 2);
  CHECK(arr.dies[0].tag == DW_TAG_array_type);
  CHECK(arr.dies[1].count == 7u);
  padguard::UnitDies en = src->read_subtree(uint64_t{6} << 17);
  REQUIRE(en.dies.size() == 2);
  CHECK(en.dies[1].const_value == int64_t{4294967295});  // pahole 1.24: unsigned
  padguard::UnitDies fn = src->read_subtree(uint64_t{7} << 17);
  REQUIRE(fn.dies.size() == 3);
  CHECK(fn.dies[1].tag == DW_TAG_formal_parameter);
  CHECK(fn.dies[2].tag == DW_TAG_unspecified_parameters);
  CHECK(src->read_subtree(uint64_t{99} << 17).dies.empty());
  unlink(path.c_str());
}

TEST_CASE("btf: the model builder reads BTF like DWARF") {
  const std::string path = write_btf(sample_types(), kStrings, "model");
  padguard::LoadOptions lo;
  lo.input.format = padguard::InputFormat::Btf;
  padguard::RecordSet set = padguard::load_records(path, lo);
  REQUIRE(set.records.size() == 1);
  const padguard::Record& r = *set.records[0];
  CHECK(r.name == "s");
  REQUIRE(r.members.size() == 2);
  CHECK(r.members[0].bit_size == 3u);
  CHECK(r.members[1].bit_offset == 32u);
  CHECK(r.alignment == 0u);  // naturally placed: nothing inferred
  unlink(path.c_str());
}

TEST_CASE("btf: bad magic, out-of-range ids and loops are one-line InputErrors") {
  Bytes loop;
  type(loop, 0, BTF_KIND_PTR, 0, 2);
  type(loop, 0, BTF_KIND_CONST, 0, 1);
  const std::string looped = write_btf(loop, std::string("\0", 1), "loop");
  CHECK_THROWS_AS(padguard::open_btf(looped, ""), padguard::InputError);
  Bytes range;
  type(range, 0, BTF_KIND_PTR, 0, 42);
  const std::string ranged = write_btf(range, std::string("\0", 1), "range");
  CHECK_THROWS_WITH(padguard::open_btf(ranged, ""), Catch::Contains("out of range") && Catch::Contains(ranged));
  const std::string magic = "/tmp/padguard_unit_btf_magic";
  FILE* fp = fopen(magic.c_str(), "wb");
  fputs("not btf at all", fp);
  fclose(fp);
  CHECK_THROWS_WITH(padguard::open_btf(magic, ""), Catch::Contains("not BTF"));
  for (const std::string& p : {looped, ranged, magic}) unlink(p.c_str());
}
