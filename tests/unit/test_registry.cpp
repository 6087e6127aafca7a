// pahole's identity rules across units (definition_registry.hpp), on
// hand-built records: which unit builds a name, what later units read, and
// the merge in unit order whatever order the workers finished in.
#include <catch2/catch.hpp>

#include "../../src/inputs/dwarf/definition_registry.hpp"

using namespace padguard;

namespace {

BuiltRecord built(const std::string& name, uint64_t identity, bool never_equal = false, uint64_t size = 4) {
  auto r = std::make_shared<Record>();
  r->name = name;
  r->byte_size = size;
  return BuiltRecord{r, identity, never_equal};
}

std::vector<std::string> names_and_sizes(const RecordSet& s) {
  std::vector<std::string> out;
  for (const auto& r : s.records) out.push_back(r->name + "/" + std::to_string(r->byte_size));
  return out;
}

}  // namespace

TEST_CASE("one record per name: a unit above the builder skips the name", "[registry]") {
  DefinitionRegistry reg(false);
  RegistryView a(reg), b(reg);
  const char* task = "task";  // one pointer, as names shared in .debug_str
  CHECK(a.read_as(task, 3) == RecordRead::Full);
  CHECK(a.gate(task, 111, false, 3));
  CHECK(b.read_as(task, 5) == RecordRead::Skip);
  CHECK_FALSE(b.gate(task, 222, false, 5));  // another layout, still one per name
  // A lower unit that arrives late still builds: the merge keeps the lowest.
  CHECK(b.gate(task, 111, false, 1));
  CHECK(reg.lowest_builder("task") == 1);
}

TEST_CASE("layout variants: a known name is read shallow, a new identity built", "[registry]") {
  DefinitionRegistry reg(true);
  RegistryView a(reg), b(reg);
  const char* s = "s";
  CHECK(a.read_as(s, 0) == RecordRead::Full);
  CHECK(a.gate(s, 1, false, 0));
  CHECK(b.read_as(s, 2) == RecordRead::Shallow);
  CHECK_FALSE(b.gate(s, 1, false, 2));  // same identity: printed once
  CHECK(b.gate(s, 2, false, 2));        // a new layout: built
  CHECK(b.gate(s, 1, true, 4));         // never_equal: built even when equal
}

TEST_CASE("merge is in unit order and keeps the first record of a name", "[registry]") {
  std::vector<UnitRecords> per_unit;
  per_unit.emplace_back(7, std::vector<BuiltRecord>{built("a", 1, false, 8)});
  per_unit.emplace_back(2, std::vector<BuiltRecord>{built("a", 1, false, 4), built("b", 9)});
  const RecordSet s = merge_units(per_unit, false, "file");
  CHECK(s.source == "file");
  CHECK(names_and_sizes(s) == std::vector<std::string>{"a/4", "b/4"});
}

TEST_CASE("merge with variants keeps each identity once, never_equal always", "[registry]") {
  std::vector<UnitRecords> per_unit;
  per_unit.emplace_back(3, std::vector<BuiltRecord>{built("a", 1, false, 1), built("a", 2, false, 2)});
  per_unit.emplace_back(1, std::vector<BuiltRecord>{built("a", 1, false, 3)});
  per_unit.emplace_back(5, std::vector<BuiltRecord>{built("a", 2, true, 4)});
  const RecordSet s = merge_units(per_unit, true, "f");
  CHECK(names_and_sizes(s) == std::vector<std::string>{"a/3", "a/2", "a/4"});
}

TEST_CASE("merge does not depend on the order units arrive in", "[registry]") {
  auto make = [](std::vector<size_t> order) {
    std::vector<UnitRecords> per_unit;
    for (size_t u : order)
      per_unit.emplace_back(u, std::vector<BuiltRecord>{built("x", u % 2, false, u), built("y" + std::to_string(u), 0)});
    return names_and_sizes(merge_units(per_unit, true, "f"));
  };
  CHECK(make({0, 1, 2, 3}) == make({3, 1, 0, 2}));
  CHECK(make({0, 1, 2, 3}).front() == "x/0");
}
