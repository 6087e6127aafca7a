// fit's layout again by C's rules (analysis/placement) on hand-built
// records: points inside anonymous structs, what changes around them (the
// anonymous struct's size and alignment, a union's size over its arms, the
// struct), and anonymous records matched across configs. The compiler's
// word on the same rules is tests/e2e/test_fit.py; these pin the cases one
// at a time, and the ones compiled DWARF does not reach (gcc repeats a
// forced alignment on every anonymous record around it).
#include <catch2/catch.hpp>

#include "padguard/placement.hpp"

#include "model_types.hpp"

using namespace padguard;

namespace {

Member plain(const char* name, uint64_t byte_off, uint64_t size, uint32_t forced = 0) {
  Member m = test::scalar_member(name, byte_off, size);
  m.alignment = forced;
  return m;
}

// An anonymous struct or union member at `byte_off`.
Member anon(uint64_t byte_off, std::shared_ptr<Record> r) {
  Member m;
  m.type = test::anon_record(r);
  m.bit_offset = byte_off * 8;
  m.byte_size = r->byte_size;
  uint32_t a = 1;
  for (const Member& x : r->members) a = std::max(a, x.natural_alignment);
  m.natural_alignment = a;
  return m;
}

ConfigPlan plan_for(const Record& r, std::vector<NewField> fields) {
  ConfigPlan p;
  p.label = "cfg";
  p.record = &r;
  p.fields = std::move(fields);
  return p;
}

const RecordLookup kNone = [](const std::string&) -> const Record* { return nullptr; };

PointInConfig at(const ConfigPlan& p, std::vector<std::string> inside, std::optional<std::string> after) {
  InsertionPoint ip{std::move(inside), std::move(after), {}};
  return place(p, ip, 64, kNone, std::nullopt);
}

// The numbers a point must have: size, delta, the new field's offset and
// how many members moved.
void check_point(const PointInConfig& pt, int64_t size, int64_t delta, int64_t field_offset, int64_t shifted) {
  REQUIRE(pt.applicable);
  CHECK(static_cast<int64_t>(pt.size) == size);
  CHECK(static_cast<int64_t>(pt.delta) == delta);
  CHECK(static_cast<int64_t>(pt.field_offset) == field_offset);
  CHECK(static_cast<int64_t>(pt.shifted) == shifted);
}

std::vector<std::string> labels(const std::vector<InsertionPoint>& ps) {
  std::vector<std::string> out;
  for (const InsertionPoint& p : ps) out.push_back(p.label());
  return out;
}

// struct { char c0; struct { char a1; long a2; }; int i; }: 32 bytes on x86_64.
std::shared_ptr<Record> top_level_anon() {
  auto a = test::rec("", 16, {plain("a1", 0, 1), plain("a2", 8, 8)});
  return test::rec("s", 32, {plain("c0", 0, 1), anon(8, a), plain("i", 24, 4)});
}

}  // namespace

TEST_CASE("points inside an anonymous struct: its start and after each of its members", "[placement]") {
  const auto s = top_level_anon();
  REQUIRE(reproduces(*s, kNone).empty());
  const ConfigPlan p = plan_for(*s, {{"n", 4, 4, 0}});
  CHECK(labels(insertion_points(p)) ==
        std::vector<std::string>{"(start)", "c0", "<anon struct #1>.(start)", "<anon struct #1>.a1",
                                 "<anon struct #1>.a2", "<anon struct #1>", "i"});
  // Into the anonymous struct's hole: a1 0, n 4, a2 8; nothing moves.
  const PointInConfig hole = at(p, {"<anon struct #1>"}, "a1");
  check_point(hole, 32, 0, 12, 0);
  CHECK(hole.old_inner_holes == 7);
  CHECK(hole.inner_holes == 3);
  // After a2: the anonymous struct grows to 24 (its alignment 8), i moves to 32.
  check_point(at(p, {"<anon struct #1>"}, "a2"), 40, 8, 24, 1);
}

TEST_CASE("an anonymous struct that is a union's arm: the union takes the arm's new size", "[placement]") {
  // struct { int i; union { long u0; struct { char b1; char b2; }; }; }: 16 bytes.
  auto arm = test::rec("", 2, {plain("b1", 0, 1), plain("b2", 1, 1)});
  auto u = test::rec("", 8, {plain("u0", 0, 8), anon(0, arm)}, RecordKind::Union);
  const auto s = test::rec("s", 16, {plain("i", 0, 4), anon(8, u)});
  REQUIRE(reproduces(*s, kNone).empty());
  const ConfigPlan p = plan_for(*s, {{"n", 8, 8, 0}});
  // No point directly in the union; the arm's points are offered.
  CHECK(labels(insertion_points(p)) ==
        std::vector<std::string>{"(start)", "i", "<anon union #1>.<anon struct #1>.(start)",
                                 "<anon union #1>.<anon struct #1>.b1", "<anon union #1>.<anon struct #1>.b2",
                                 "<anon union #1>"});
  // After b2: the arm is b1 b2 (pad 6) n = 16, the union 16, the struct 24.
  const PointInConfig p2 = at(p, {"<anon union #1>", "<anon struct #1>"}, "b2");
  REQUIRE(p2.applicable);
  CHECK(p2.size == 24);
  CHECK(p2.field_offset == 16);
  // A char after b1 stays inside u0's 8 bytes: free.
  const ConfigPlan c = plan_for(*s, {{"n", 1, 1, 0}});
  const PointInConfig p3 = at(c, {"<anon union #1>", "<anon struct #1>"}, "b1");
  CHECK(p3.free());
  CHECK(p3.field_offset == 9);
}

TEST_CASE("a forced alignment two anonymous levels down counts, whatever DWARF repeats", "[placement]") {
  // struct { char c; struct { struct { int x __attribute__((aligned(16))); }; }; }:
  // the inner records carry no DW_AT_alignment of their own here.
  auto inner = test::rec("", 16, {plain("x", 0, 4, 16)});
  auto outer = test::rec("", 16, {anon(0, inner)});
  const auto s = test::rec("s", 32, {plain("c", 0, 1), anon(16, outer)});
  REQUIRE(reproduces(*s, kNone).empty());
  const ConfigPlan p = plan_for(*s, {{"n", 1, 1, 0}});
  // A char at the start of the outer anonymous struct: the inner one moves to 16.
  const PointInConfig start = at(p, {"<anon struct #1>"}, std::nullopt);
  REQUIRE(start.applicable);
  CHECK(start.size == 48);
  CHECK(start.field_offset == 16);
  // Two levels down, after x: 4 + 1 still fits the inner struct's 16.
  const PointInConfig deep = at(p, {"<anon struct #1>", "<anon struct #1>"}, "x");
  REQUIRE(deep.applicable);
  CHECK(deep.size == 32);
  CHECK(deep.field_offset == 20);
}

TEST_CASE("a new field in a packed struct is packed, a moved member's own alignment holds", "[placement]") {
  // struct __attribute__((packed)) { char c; int i; }: 5 bytes.
  const auto s = test::rec("s", 5, {plain("c", 0, 1), plain("i", 1, 4)});
  REQUIRE(reproduces(*s, kNone).empty());
  CHECK(at(plan_for(*s, {{"n", 4, 4, 0}}), {}, "c").size == 9);
  const PointInConfig forced = at(plan_for(*s, {{"n", 4, 4, 4}}), {}, "c");
  CHECK(forced.field_offset == 4);
}

TEST_CASE("anonymous records are matched across configs by a member, not their number", "[placement]") {
  // Config B has an anonymous struct before A's (under an #ifdef there).
  const auto a = top_level_anon();
  auto extra = test::rec("", 4, {plain("y", 0, 4)});
  auto moved = test::rec("", 16, {plain("a1", 0, 1), plain("a2", 8, 8)});
  const auto b = test::rec("s", 32, {plain("c0", 0, 1), anon(4, extra), anon(8, moved), plain("i", 24, 4)});
  REQUIRE(reproduces(*b, kNone).empty());
  const ConfigPlan pa = plan_for(*a, {{"n", 4, 4, 0}}), pb = plan_for(*b, {{"n", 4, 4, 0}});
  const std::vector<InsertionPoint> merged = merge_points({insertion_points(pa), insertion_points(pb)});
  const std::vector<std::string> ls = labels(merged);
  // A's labels first; B's own anonymous struct gets the next free number.
  CHECK(std::count(ls.begin(), ls.end(), "<anon struct #1>.a1") == 1);
  CHECK(std::find(ls.begin(), ls.end(), "<anon struct #2>.y") != ls.end());
  CHECK(std::find(ls.begin(), ls.end(), "<anon struct #2>.a1") == ls.end());
  const InsertionPoint& in_a1 = *std::find_if(merged.begin(), merged.end(),
                                              [](const InsertionPoint& p) { return p.label() == "<anon struct #1>.a1"; });
  // In B "<anon struct #1>" is y's: the point resolves to the one holding a1.
  const PointInConfig in_b = place(pb, in_a1, 64, kNone, std::nullopt);
  REQUIRE(in_b.applicable);
  CHECK(in_b.field_offset == 12);
  // And the B-only record's points say so in A.
  const InsertionPoint& in_y = *std::find_if(merged.begin(), merged.end(),
                                             [](const InsertionPoint& p) { return p.label() == "<anon struct #2>.y"; });
  const PointInConfig in_a = place(pa, in_y, 64, kNone, std::nullopt);
  CHECK_FALSE(in_a.applicable);
  CHECK(in_a.why_not == "<anon struct #2> is not in this config");
  // A config whose one anonymous struct holds other members: not guessed onto it.
  auto other = test::rec("", 4, {plain("z", 0, 4)});
  const auto c = test::rec("s", 12, {plain("c0", 0, 1), anon(4, other), plain("i", 8, 4)});
  const PointInConfig in_c = place(plan_for(*c, {{"n", 4, 4, 0}}), in_a1, 64, kNone, std::nullopt);
  CHECK_FALSE(in_c.applicable);
  CHECK(in_c.why_not.find("no anonymous struct here holds any of the members of <anon struct #1>") == 0);
}

TEST_CASE("moving out of an anonymous struct: one it leaves empty goes", "[placement]") {
  const auto s = top_level_anon();
  ConfigPlan p = plan_for(*s, {{"a1", 1, 1, 0}, {"a2", 8, 8, 0}});
  p.removed = {"a1", "a2"};
  CHECK(labels(insertion_points(p)) == std::vector<std::string>{"(start)", "c0", "i"});
  // After i: c0 0, i 4, a1 8, a2 16: 24.
  const PointInConfig after_i = at(p, {}, "i");
  REQUIRE(after_i.applicable);
  CHECK(after_i.size == 24);
  CHECK(after_i.delta == -8);
  CHECK(find_member(*s, "a2") == &s->members[1].embedded_record()->members[1]);
}
