// diff_records / flatten / holes on hand-built records: the seed patch's
// union extraction, reorders, added/removed members and structs, bitfields,
// cacheline straddling, hidden growth in tail padding.
#include <catch2/catch.hpp>

#include <algorithm>

#include "padguard/diff.hpp"
#include "padguard/report_text.hpp"

#include "model_types.hpp"

using namespace padguard;

namespace {

Member mem(const std::string& name, const std::string& type, uint64_t off, uint64_t size, uint32_t align = 0) {
  Member m;
  m.name = name;
  m.type = test::base(type, size);
  m.bit_offset = off * 8;
  m.byte_size = size;
  m.natural_alignment = align ? align : static_cast<uint32_t>(std::min<uint64_t>(size, 8));
  return m;
}

Member bits(const std::string& name, uint64_t bit_off, uint32_t width) {
  Member m = mem(name, "unsigned int", 0, 4);
  m.bit_offset = bit_off;
  m.bit_size = width;
  m.unit_size = 4;
  return m;
}

Member inline_rec(const std::string& name, std::shared_ptr<Record> r, uint64_t off) {
  Member m;
  m.name = name;
  m.type = test::anon_record(r);
  m.bit_offset = off * 8;
  m.byte_size = r->byte_size;
  m.natural_alignment = 8;
  return m;
}

using test::rec;

// task_struct in miniature: before, an anonymous union {rcu_users; rcu} at 8
// and a 4-byte hole after `pf`; after, the union is gone, rcu/rcu_users sit
// just before pf and the hole is filled (pipe..p3 slide up by 16).
std::shared_ptr<Record> task_before() {
  auto u = rec("", 16, {mem("rcu_users", "refcount_t", 0, 4), mem("rcu", "struct rcu_head", 0, 16)},
               RecordKind::Union);
  return rec("task", 64, {mem("state", "long", 0, 8), inline_rec("", u, 8), mem("pipe", "void *", 24, 8),
                          mem("p2", "long", 32, 8), mem("p3", "long", 40, 8), mem("pf", "int", 48, 4),
                          mem("oom", "void *", 56, 8)});
}

std::shared_ptr<Record> task_after() {
  return rec("task", 64, {mem("state", "long", 0, 8), mem("pipe", "void *", 8, 8), mem("p2", "long", 16, 8),
                          mem("p3", "long", 24, 8), mem("rcu", "struct rcu_head", 32, 16),
                          mem("rcu_users", "refcount_t", 48, 4), mem("pf", "int", 52, 4), mem("oom", "void *", 56, 8)});
}

const MemberDiff* find(const RecordDiff& d, const std::string& key) {
  for (const MemberDiff& m : d.members)
    if (m.key == key) return &m;
  return nullptr;
}

}  // namespace

TEST_CASE("flatten makes anonymous records transparent and keeps union paths", "[diff][fast]") {
  const FlatRecord f = flatten(*task_before());
  REQUIRE(f.members.size() == 8);
  CHECK(f.members[1].key == "rcu_users");
  CHECK(f.members[1].path == "<anon union #1>.rcu_users");
  CHECK(f.members[1].bit_offset == 64);
  REQUIRE(f.members[1].unions.size() == 1);
  REQUIRE(f.containers.size() == 1);
  CHECK(f.containers[0].keys == std::vector<std::string>{"rcu", "rcu_users"});
  const auto shares = byte_sharing(f);
  CHECK(shares[1] == std::vector<std::string>{"rcu"});
  CHECK(shares[0].empty());
}

TEST_CASE("named inline record members get a dotted key", "[diff][fast]") {
  auto inner = rec("", 8, {mem("a", "int", 0, 4), mem("b", "int", 4, 4)});
  const FlatRecord f = flatten(*rec("s", 16, {mem("x", "long", 0, 8), inline_rec("in", inner, 8)}));
  REQUIRE(f.members.size() == 3);
  CHECK(f.members[2].key == "in.b");
  CHECK(f.members[2].bit_offset == 12 * 8);
}

TEST_CASE("the seed patch: union gone, two members moved, hole filled, size unchanged", "[diff][fast]") {
  const RecordDiff d = diff_records(*task_before(), *task_after());
  CHECK(d.status == RecordStatus::Changed);
  CHECK(d.size_delta() == 0);
  REQUIRE(d.containers_removed.size() == 1);
  CHECK(d.containers_removed[0].kind == RecordKind::Union);
  const MemberDiff* ru = find(d, "rcu_users");
  const MemberDiff* rcu = find(d, "rcu");
  REQUIRE(ru);
  REQUIRE(rcu);
  CHECK(ru->has(Change::Moved));
  CHECK(ru->has(Change::LeftUnion));
  CHECK(ru->old_shares == std::vector<std::string>{"rcu"});
  CHECK(ru->new_shares.empty());
  CHECK(rcu->has(Change::Moved));
  const MemberDiff* pipe = find(d, "pipe");
  REQUIRE(pipe);
  CHECK(pipe->has(Change::Shifted));
  CHECK_FALSE(pipe->has(Change::Moved));
  REQUIRE(d.holes_filled.size() == 1);
  CHECK(d.holes_filled[0] == Hole{52, 4, ""});
  CHECK(d.holes_opened.empty());
  CHECK(d.old_stats->nr_holes == 1);
  CHECK(d.new_stats->nr_holes == 0);
}

TEST_CASE("the reverse direction enters a union", "[diff][fast]") {
  const RecordDiff d = diff_records(*task_after(), *task_before());
  const MemberDiff* ru = find(d, "rcu_users");
  REQUIRE(ru);
  CHECK(ru->has(Change::EnteredUnion));
  CHECK(ru->new_shares == std::vector<std::string>{"rcu"});
  REQUIRE(d.containers_added.size() == 1);
  CHECK(d.holes_opened.size() == 1);
}

TEST_CASE("identical records are unchanged", "[diff][fast]") {
  const RecordDiff d = diff_records(*task_after(), *task_after());
  CHECK(d.status == RecordStatus::Unchanged);
  CHECK(d.members.empty());
}

TEST_CASE("a swap of two members is a move, not a shift", "[diff][fast]") {
  auto a = rec("s", 16, {mem("a", "int", 0, 4), mem("b", "int", 4, 4), mem("c", "long", 8, 8)});
  auto b = rec("s", 16, {mem("b", "int", 0, 4), mem("a", "int", 4, 4), mem("c", "long", 8, 8)});
  const RecordDiff d = diff_records(*a, *b);
  // One of a/b keeps its order (shifted), the other moved past it.
  REQUIRE(d.members.size() == 2);
  CHECK(d.members[0].has(Change::Moved) != d.members[1].has(Change::Moved));
  CHECK(d.members[0].has(Change::Shifted) != d.members[1].has(Change::Shifted));
  CHECK(find(d, "c") == nullptr);
}

TEST_CASE("added, removed, resized, retyped and bitfield changes", "[diff][fast]") {
  auto a = rec("s", 16, {mem("a", "int", 0, 4), bits("f", 32, 3), mem("gone", "int", 8, 4), mem("t", "int", 12, 4)});
  auto b = rec("s", 24, {mem("a", "long", 0, 8), bits("f", 64, 5), mem("t", "unsigned int", 12, 4),
                         mem("new1", "long", 16, 8)});
  const RecordDiff d = diff_records(*a, *b);
  CHECK(d.size_delta() == 8);
  REQUIRE(find(d, "a"));
  CHECK(find(d, "a")->has(Change::Resized));
  CHECK(find(d, "a")->has(Change::Retyped));
  REQUIRE(find(d, "f"));
  CHECK(find(d, "f")->has(Change::Bitfield));
  REQUIRE(find(d, "gone"));
  CHECK(find(d, "gone")->has(Change::Removed));
  REQUIRE(find(d, "new1"));
  CHECK(find(d, "new1")->has(Change::Added));
  REQUIRE(find(d, "t"));
  CHECK(find(d, "t")->has(Change::Retyped));
  CHECK_FALSE(find(d, "t")->has(Change::Resized));
}

TEST_CASE("members that now straddle a cacheline are reported", "[diff][fast]") {
  auto a = rec("s", 72, {mem("pad", "char[56]", 0, 56, 1), mem("x", "long", 56, 8), mem("y", "long", 64, 8)});
  auto b = rec("s", 72, {mem("pad", "char[60]", 0, 60, 1), mem("x", "long", 60, 8), mem("y", "int", 68, 4)});
  const RecordDiff d = diff_records(*a, *b, DiffOptions{64});
  REQUIRE(find(d, "x"));
  CHECK(find(d, "x")->has(Change::Straddles));
  CHECK(d.now_straddling == std::vector<std::string>{"x"});
  const RecordDiff d32 = diff_records(*a, *b, DiffOptions{32});
  CHECK(find(d32, "x")->has(Change::Straddles));  // 60..68 crosses 64 either way
}

TEST_CASE("tail padding consumed with sizeof unchanged is slack loss, filling holes is not", "[diff][fast]") {
  auto before = rec("s", 64, {mem("a", "long", 0, 8), mem("b", "long", 8, 8)});
  before->alignment = 64;
  auto after = rec("s", 64, {mem("a", "long", 0, 8), mem("b", "long", 8, 8), mem("c", "long[4]", 16, 32, 8)});
  after->alignment = 64;
  const RecordStats s1 = record_stats(*before, 64);
  const RecordStats s2 = record_stats(*after, 64);
  CHECK(s1.padding == 48);
  CHECK(s2.padding == 16);
  CHECK(slack_loss(s1, s2) == 32);
  CHECK(slack_loss(record_stats(*task_before(), 64), record_stats(*task_after(), 64)) == 0);
  auto grown = rec("s", 128, {mem("a", "long", 0, 8), mem("z", "char[100]", 8, 100, 1)});
  CHECK(slack_loss(s1, record_stats(*grown, 64)) == 0);  // real growth, not hidden
}

TEST_CASE("diff_sets lists added and removed structs and missing names", "[diff][fast]") {
  RecordSet a, b;
  a.source = "old";
  b.source = "new";
  a.records = {task_before(), rec("gone", 4, {mem("x", "int", 0, 4)})};
  b.records = {task_after(), rec("fresh", 4, {mem("x", "int", 0, 4)})};
  const DiffResult all = diff_sets(a, b, {});
  REQUIRE(all.records.size() == 3);
  CHECK(all.records[0].name == "fresh");
  CHECK(all.records[0].status == RecordStatus::Added);
  CHECK(all.records[1].status == RecordStatus::Removed);
  CHECK(all.changed());
  CHECK(all.missing().empty());
  const DiffResult some = diff_sets(a, b, {"task", "nope", "gone"});
  CHECK(some.records[1].status == RecordStatus::Missing);
  CHECK(some.missing() == std::vector<std::string>{"nope", "gone"});
}

TEST_CASE("retyped compares type structure, a grown named struct is only resized", "[diff][fast]") {
  Member a = mem("x", "int", 0, 4), b = mem("x", "long", 0, 8);
  auto old_r = rec("t", 8, {a});
  auto new_r = rec("t", 8, {b});
  RecordDiff d = diff_records(*old_r, *new_r);
  REQUIRE(d.members.size() == 1);
  CHECK(d.members[0].has(Change::Retyped));
  CHECK(d.members[0].has(Change::Resized));
  Member s1 = mem("in", "x", 0, 4), s2 = mem("in", "x", 0, 8);
  s1.type = test::named_record("inner", 4);
  s2.type = test::named_record("inner", 8);
  d = diff_records(*rec("t", 8, {s1}), *rec("t", 8, {s2}));
  REQUIRE(d.members.size() == 1);
  CHECK(d.members[0].has(Change::Resized));
  CHECK_FALSE(d.members[0].has(Change::Retyped));
}

TEST_CASE("diff text makes control characters in names visible", "[diff][hostile][fast]") {
  const std::string evil = "ev\nil::error file=x::y\x1b";
  RecordSet a, b;
  a.source = "old\n::error ::o";
  b.source = "new";
  a.records = {rec(evil, 4, {mem(evil, "int", 0, 4)}), rec("gone\n::x", 4, {mem("x", "int", 0, 4)})};
  b.records = {rec(evil, 8, {mem(evil, "long", 0, 8), mem("m\n::error", "int\n::t", 4, 4)})};
  const std::string text = render_diff_text(diff_sets(a, b, {}));
  CHECK(text.find("\n::") == std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("struct ev\\nil::error file=x::y\\x1b: 4 -> 8 bytes") != std::string::npos);
  CHECK(text.find("m\\n::error (int\\n::t, 4 bytes): added at 4") != std::string::npos);
  CHECK(text.find("--- old\\n::error ::o") == 0);
  CHECK(text.find("struct gone\\n::x: removed") != std::string::npos);
}

TEST_CASE("a BTF side: alignment not compared, arrays compared flattened", "[diff][btf][fast]") {
  Member dwarf_m = mem("grid", "int", 0, 24), btf_m = mem("grid", "int", 0, 24);
  dwarf_m.type = test::array(test::array(test::base("int", 4), {3}), {2});  // int[2][3]
  btf_m.type = test::array(test::base("int", 4), {6});                      // int[6]
  auto a = rec("s", 24, {dwarf_m});
  auto b = rec("s", 24, {btf_m});
  a->alignment = 8;  // DW_AT_alignment; BTF states none
  CHECK(diff_records(*a, *b).status == RecordStatus::Changed);  // DWARF vs DWARF: strict
  DiffOptions o;
  o.new_is_btf = true;
  CHECK(diff_records(*a, *b, o).status == RecordStatus::Unchanged);
  Member other = mem("grid", "int", 0, 24);
  other.type = test::array(test::base("unsigned int", 4), {6});
  CHECK(diff_records(*a, *rec("s", 24, {other}), o).status == RecordStatus::Changed);  // element type matters
  RecordSet dw, bt;
  dw.records = {a};
  bt.records = {b, rec("local_in_a_function", 4, {mem("x", "int", 0, 4)})};
  const DiffResult res = diff_sets(dw, bt, {}, o);
  CHECK_FALSE(res.changed());
  CHECK(res.only_in_btf(res.records[0]));
  o.new_is_btf = false;
  CHECK(diff_sets(dw, bt, {}, o).changed());
}
