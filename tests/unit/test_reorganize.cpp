// pahole's reorganisation (-P/-R) on hand-built records: the steps traced by
// hand through dwarves_reorganize.c, and pahole's field widths.
#include <catch2/catch.hpp>

#include "padguard/reorganize.hpp"

#include "model_types.hpp"

using namespace padguard;

namespace {

Member plain(const char* name, uint64_t byte_off, uint64_t size) {
  Member m;
  m.name = name;
  m.type = test::base("t", size);
  m.bit_offset = byte_off * 8;
  m.byte_size = size;
  m.natural_alignment = static_cast<uint32_t>(size);
  return m;
}

Record make(uint64_t size, std::vector<Member> members) {
  Record r;
  r.name = "s";
  r.byte_size = size;
  r.members = std::move(members);
  return r;
}

std::vector<std::string> order(const Record& r, const Reorganization& g) {
  std::vector<std::string> names;
  for (const ReorgMember& m : g.members) names.push_back(r.members[m.index].name);
  return names;
}

}  // namespace

TEST_CASE("holes are filled from later members, then the tail padding", "[reorganize]") {
  // char a; long b; char c; int d; short e;  (32 bytes on x86_64)
  const Record r = make(32, {plain("a", 0, 1), plain("b", 8, 8), plain("c", 16, 1), plain("d", 20, 4),
                             plain("e", 24, 2)});
  const std::optional<Reorganization> g = packable(r);
  REQUIRE(g);
  CHECK(g->byte_size == 16);
  CHECK(g->savings() == 16);
  CHECK(order(r, *g) == std::vector<std::string>{"a", "c", "e", "d", "b"});
  CHECK(g->members[3].byte_offset == 4);
  CHECK(g->padding == 0);
  CHECK(reorganized_sums_agree(r, *g));
}

TEST_CASE("structs without holes, unions and unshrinkable structs are not packable", "[reorganize]") {
  CHECK_FALSE(packable(make(8, {plain("a", 0, 4), plain("b", 4, 4)})));
  Record u = make(8, {plain("a", 0, 1), plain("b", 0, 8)});
  u.kind = RecordKind::Union;
  CHECK_FALSE(packable(u));
  CHECK_FALSE(packable(make(8, {plain("a", 0, 1), plain("b", 4, 4)})));  // nothing fits the hole
  CHECK_FALSE(packable(make(0, {})));
}

TEST_CASE("a moved member's offset is kept in 16 bits, as pahole does", "[reorganize]") {
  // A 64 KiB array ahead of the hole: the int moved behind `c` lands at
  // (65544 + 1) mod 65536, where pahole prints it.
  const Record r = make(65568, {plain("big", 0, 65544), plain("c", 65544, 1), plain("l", 65552, 8),
                                plain("i", 65560, 4)});
  const Reorganization g = reorganize(r);
  REQUIRE(order(r, g) == std::vector<std::string>{"big", "c", "i", "l"});
  CHECK(g.members[2].byte_offset == (65544 + 1 + 3) % 65536);
}

TEST_CASE("hole counts wrap at 256, as pahole's 8-bit counter does", "[reorganize]") {
  // 256 (char, hole, int) pairs: 256 holes, which pahole counts as none.
  std::vector<Member> ms;
  for (uint64_t i = 0; i < 256; ++i) {
    ms.push_back(plain("c", i * 8, 1));
    ms.push_back(plain("i", i * 8 + 4, 4));
  }
  const Record r = make(256 * 8, ms);
  CHECK_FALSE(packable(r));
  ms.pop_back();  // 255 holes and a shorter tail: listed
  CHECK(packable(make(256 * 8 - 4, ms)));
}
