// JSON renderings and facts files: versioned, deterministic, and a facts
// round trip gives back records that print exactly as the originals.
#include <catch2/catch.hpp>

#include "padguard/error.hpp"
#include "padguard/facts.hpp"
#include "padguard/json.hpp"
#include "padguard/pahole_text.hpp"

#include "model_types.hpp"

using namespace padguard;
using nlohmann::json;

namespace {

Member mem(const std::string& name, const std::string& type, uint64_t off, uint64_t size) {
  Member m;
  m.name = name;
  m.type = test::base(type, size);
  m.bit_offset = off * 8;
  m.byte_size = size;
  m.natural_alignment = static_cast<uint32_t>(size > 8 ? 8 : size);
  m.decl = {"t.c", static_cast<uint32_t>(10 + off)};
  return m;
}

// A record using every model feature the facts file must carry.
std::shared_ptr<Record> rich() {
  auto inner = std::make_shared<Record>();
  inner->name = "inner";
  inner->byte_size = 12;
  inner->members = {mem("p", "int", 0, 4), mem("q", "long", 4, 8)};
  auto u = std::make_shared<Record>();
  u->kind = RecordKind::Union;
  u->byte_size = 8;
  u->members = {mem("ua", "int", 0, 4), mem("ub", "long", 0, 8)};
  auto en = std::make_shared<EnumType>();
  en->enumerators = {{"A", 0}, {"B", -1}};

  auto r = std::make_shared<Record>();
  r->name = "rich";
  r->byte_size = 64;
  r->alignment = 32;
  r->decl = {"t.c", 3};
  Member bf = mem("flag", "unsigned int", 0, 4);
  bf.bit_offset = 3;
  bf.bit_size = 5;
  bf.unit_size = 4;
  Member un;
  un.type = test::anon_record(u);
  un.bit_offset = 8 * 8;
  un.byte_size = 8;
  un.natural_alignment = 8;
  Member ds = mem("in", "inner", 16, 12);
  ds.type = test::named_record("inner", 12);
  ds.direct_struct = inner;
  ds.alignment = 4;
  Member arr = mem("name", "char", 28, 4);
  arr.type = test::array(test::base("char", 1), {2, 2});
  arr.natural_alignment = 1;
  Member fp = mem("cb", "void", 32, 8);
  fp.type = test::qualified(Qualifier::Const,
                            test::pointer(test::function(void_type(), {Param{"", test::base("int", 4)}})));
  Member e = mem("e", "", 40, 4);
  e.type = test::anon_enum(en);
  r->members = {bf, un, ds, arr, fp, e};
  r->nested_types.push_back(NestedType{2, inner, nullptr});
  r->nested_types.push_back(NestedType{6, nullptr, en});
  return r;
}

}  // namespace

TEST_CASE("facts round trip: records print exactly as before", "[json][facts][fast]") {
  auto r = rich();
  const json j = facts_json("t.o", 8, {r.get()});
  CHECK(j["schema_version"] == kSchemaVersion);
  CHECK(j["kind"] == "facts");
  const RecordSet back = records_from_facts(json::parse(dump_json(j, true)), "facts.json");
  REQUIRE(back.records.size() == 1);
  PaholeOptions po;
  CHECK(render_pahole(*back.records[0], po) == render_pahole(*r, po));
  CHECK(dump_json(facts_json("t.o", 8, {back.records[0].get()})) == dump_json(j));
  // The direct struct is shared, not copied, and is stored once.
  CHECK(j["record_table"].size() == 3);
}

TEST_CASE("facts files of another kind or major version are refused", "[json][facts][fast]") {
  json j = facts_json("t.o", 8, {rich().get()});
  json wrong_kind = j;
  wrong_kind["kind"] = "layout";
  CHECK_THROWS_AS(records_from_facts(wrong_kind, "f.json"), InputError);
  json wrong_version = j;
  wrong_version["schema_version"] = "3.0";
  CHECK_THROWS_AS(records_from_facts(wrong_version, "f.json"), InputError);
  json v1 = j;
  v1["schema_version"] = "1.0";
  CHECK_THROWS_WITH(records_from_facts(v1, "f.json"),
                    Catch::Contains("f.json") && Catch::Contains("'1.0'") && Catch::Contains("re-run padguard extract"));
  json loop = j;
  loop["types"][0]["target"] = 0;  // a type that is its own target
  loop["types"][0]["kind"] = "pointer";
  CHECK_THROWS_AS(records_from_facts(loop, "f.json"), InputError);
  json dangling = j;
  dangling["records"] = json::array({99});
  CHECK_THROWS_AS(records_from_facts(dangling, "f.json"), InputError);
  json broken = j;
  broken["record_table"][0].erase("members");
  CHECK_THROWS_AS(records_from_facts(broken, "f.json"), InputError);
}

TEST_CASE("layout, diff and check JSON carry the schema version and are deterministic", "[json][fast]") {
  auto r = rich();
  const json l = layout_json("t.o", {r.get()}, 64);
  CHECK(l["schema_version"] == kSchemaVersion);
  CHECK(l["kind"] == "layout");
  CHECK(l["records"][0]["members"].size() == 7);  // the union's two members flattened
  CHECK(l["records"][0]["members"][1]["path"] == "<anon union #1>.ua");
  CHECK(dump_json(l) == dump_json(layout_json("t.o", {r.get()}, 64)));

  RecordSet a, b;
  a.source = "a";
  b.source = "b";
  a.records = {r};
  auto r2 = std::make_shared<Record>(*r);
  r2->byte_size = 128;
  b.records = {r2};
  const json d = diff_json(diff_sets(a, b, {}));
  CHECK(d["kind"] == "diff");
  CHECK(d["changed"] == true);
  CHECK(d["records"][0]["size_delta"] == 64);

  const auto rules = parse_rule("no-growth", "rich", "--no-growth");
  const CheckResult cr = make_check_result(rules, {evaluate_config(rules, a, b, {})}, {}, false);
  const json c = check_json(cr);
  CHECK(c["kind"] == "check");
  CHECK(c["verdict"] == "FAIL");
  CHECK(c["configs"][0]["results"][0]["verdict"] == "FAIL");
}
