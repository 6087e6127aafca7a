// Root causes and matched anonymous records, on hand-built record sets: a
// struct that grows reaches every record embedding it by value (through
// typedefs and arrays, transitively), never through a pointer; a record with
// a change of its own is a root cause even when it also inherits one; an
// anonymous union that gains a member is one changed container.
#include <catch2/catch.hpp>

#include "padguard/diff.hpp"
#include "padguard/report_text.hpp"

#include "model_types.hpp"

using namespace padguard;

namespace {

Member mem(const std::string& name, TypeRef type, uint64_t off, uint64_t size) {
  Member m;
  m.name = name;
  m.type = std::move(type);
  m.bit_offset = off * 8;
  m.byte_size = size;
  m.natural_alignment = 8;
  return m;
}

Member scalar(const std::string& name, uint64_t off, uint64_t size = 8) {
  return mem(name, test::base("long", size), off, size);
}

using test::rec;

// One side: `device` of `dev_size` bytes embedded by pci_dev (directly),
// by bus (through a typedef), by group (an array of two), by bridge (a
// pci_dev, so only transitively), and pointed to by owner. `extra` adds a
// member of its own to bus.
RecordSet side(uint64_t dev_size, bool extra) {
  RecordSet s;
  s.source = dev_size == 16 ? "old" : "new";
  auto dev = test::named_record("device", dev_size);
  std::vector<Member> dm{scalar("a", 0), scalar("b", 8)};
  if (dev_size > 16) dm.push_back(scalar("c", 16));
  s.records.push_back(rec("device", dev_size, std::move(dm)));
  s.records.push_back(rec("pci_dev", dev_size + 8, {scalar("id", 0), mem("dev", dev, 8, dev_size)}));
  auto pci = test::named_record("pci_dev", dev_size + 8);
  std::vector<Member> bus{mem("d", test::typedef_of("device_t", dev), 0, dev_size)};
  if (extra) bus.push_back(scalar("own", dev_size));
  s.records.push_back(rec("bus", dev_size + (extra ? 8 : 0), std::move(bus)));
  s.records.push_back(rec("group", 2 * dev_size, {mem("devs", test::array(dev, {2}), 0, 2 * dev_size)}));
  s.records.push_back(rec("bridge", dev_size + 16, {mem("self", pci, 0, dev_size + 8), scalar("flags", dev_size + 8)}));
  s.records.push_back(rec("owner", 16, {mem("dev", test::pointer(dev), 0, 8), scalar("n", 8)}));
  return s;
}

const RecordDiff& get(const DiffResult& r, const std::string& name) {
  for (const RecordDiff& d : r.records)
    if (d.name == name) return d;
  FAIL("no record " << name);
  return r.records.front();
}

}  // namespace

TEST_CASE("a grown struct is the root cause of every record embedding it by value", "[diff][root][fast]") {
  const DiffResult r = diff_sets(side(16, false), side(24, false), {});
  REQUIRE(r.root_causes.size() == 1);
  CHECK(r.root_causes[0].name == "device");
  CHECK(r.root_causes[0].delta == 8);
  CHECK(r.root_causes[0].affected == std::vector<std::string>{"bridge", "bus", "group", "pci_dev"});

  const RecordDiff& pci = get(r, "pci_dev");
  CHECK(pci.derived);
  REQUIRE(pci.because.size() == 1);
  CHECK(pci.because[0].member == "dev");
  CHECK(pci.because[0].type == "device");
  CHECK(pci.because[0].delta == 8);
  CHECK(get(r, "bus").derived);    // through a typedef
  CHECK(get(r, "group").derived);  // an array of them
  CHECK(get(r, "group").because[0].delta == 8);  // the struct's delta, not the array's 16
  const RecordDiff& bridge = get(r, "bridge");
  CHECK(bridge.derived);
  CHECK(bridge.because[0].type == "pci_dev");
  CHECK(bridge.root_causes == std::vector<std::string>{"device"});
  CHECK(get(r, "owner").status == RecordStatus::Unchanged);  // a pointer does not grow
  CHECK_FALSE(get(r, "device").derived);
  CHECK(get(r, "device").root_causes.empty());
}

TEST_CASE("a record with a change of its own is not derived, and still inherits", "[diff][root][fast]") {
  const DiffResult r = diff_sets(side(16, false), side(24, true), {});
  const RecordDiff& bus = get(r, "bus");
  CHECK_FALSE(bus.derived);
  CHECK(bus.root_causes == std::vector<std::string>{"device"});
  CHECK(bus.because.size() == 1);
  // Nothing embeds bus, so it is no root cause of anything.
  REQUIRE(r.root_causes.size() == 1);
  CHECK(r.root_causes[0].affected.size() == 4);
}

TEST_CASE("diff text opens with the root causes and gives a derived record one line", "[diff][root][fast]") {
  const DiffResult r = diff_sets(side(16, false), side(24, true), {});
  const std::string t = render_diff_text(r);
  CHECK(t.find("root causes (") < t.find("struct bridge"));
  CHECK(t.find("  struct device grew +8: 4 records (bridge, bus, group, pci_dev)\n") != std::string::npos);
  CHECK(t.find("struct pci_dev: grew +8 (24 -> 32 bytes) because struct device grew +8 (member dev)\n") !=
        std::string::npos);
  CHECK(t.find("struct bridge: grew +8 (32 -> 40 bytes) because struct pci_dev grew +8 (member self); root "
               "cause: struct device\n") != std::string::npos);
  CHECK(t.find("(struct device grew +8)") != std::string::npos);  // bus's own details name the cause
  CHECK(t.find("5 changed (3 only through embedded records)") != std::string::npos);

  const std::string leaf = render_diff_text(r, {.leaf_only = true});
  CHECK(leaf.find("struct pci_dev:") == std::string::npos);
  CHECK(leaf.find("struct bus:") != std::string::npos);
  CHECK(leaf.find("5 changed (3 only through embedded records, not shown)") != std::string::npos);
}

TEST_CASE("an anonymous union that gains a member is matched, not removed and added", "[diff][root][fast]") {
  auto u_old = rec("", 8, {scalar("x", 0), scalar("y", 0)}, RecordKind::Union);
  auto u_new = rec("", 16, {scalar("x", 0), scalar("y", 0), mem("z", test::base("char[16]", 16), 0, 16)},
                   RecordKind::Union);
  Member mo = mem("", test::anon_record(u_old), 8, 8);
  Member mn = mem("", test::anon_record(u_new), 8, 16);
  const RecordDiff d = diff_records(*rec("s", 16, {scalar("a", 0), mo}), *rec("s", 24, {scalar("a", 0), mn}));
  CHECK(d.containers_removed.empty());
  CHECK(d.containers_added.empty());
  REQUIRE(d.containers_changed.size() == 1);
  const ContainerChange& c = d.containers_changed[0];
  CHECK(c.old_c.size == 8);
  CHECK(c.new_c.size == 16);
  CHECK(c.keys_entered == std::vector<std::string>{"z"});
  CHECK(c.keys_left.empty());
  DiffResult res;
  res.records = {d};
  CHECK(render_diff_text(res).find("    anonymous union at 8 (x, y, z): resized 8 -> 16 bytes, members entered: z\n") !=
        std::string::npos);
}

TEST_CASE("anonymous records sharing no member are not paired", "[diff][root][fast]") {
  auto u_old = rec("", 8, {scalar("x", 0), scalar("y", 0)}, RecordKind::Union);
  auto u_new = rec("", 8, {scalar("p", 0), scalar("q", 0)}, RecordKind::Union);
  const RecordDiff d = diff_records(*rec("s", 16, {scalar("a", 0), mem("", test::anon_record(u_old), 8, 8)}),
                                    *rec("s", 16, {scalar("a", 0), mem("", test::anon_record(u_new), 8, 8)}));
  CHECK(d.containers_changed.empty());
  CHECK(d.containers_removed.size() == 1);
  CHECK(d.containers_added.size() == 1);
}
