// Several definitions of one struct name (static structs of one name in two
// .c files, one header built twice, an `ld -r` object, a facts file): paired
// by where they are defined, selected by NAME@FILE / NAME#K, and reported as
// ambiguous -- never the first taken silently -- by diff and check.
#include <catch2/catch.hpp>

#include "padguard/diff.hpp"
#include "padguard/pairing.hpp"
#include "padguard/rule_table.hpp"
#include "padguard/rules.hpp"

#include "model_types.hpp"

using namespace padguard;

namespace {

Member mem(const std::string& name, uint64_t off, uint64_t size) { return test::scalar_member(name, off, size); }

std::shared_ptr<Record> rec(const std::string& name, uint64_t size, std::vector<Member> ms,
                            const std::string& file = "", const std::string& unit = "") {
  auto r = std::make_shared<Record>();
  r->name = name;
  r->byte_size = size;
  r->members = std::move(ms);
  r->decl.file = file;
  r->decl.line = 1;
  r->unit = unit;
  return r;
}

RecordSet set_of(const std::string& source, std::vector<std::shared_ptr<Record>> rs) {
  RecordSet s;
  s.source = source;
  for (auto& r : rs) s.records.push_back(r);
  return s;
}

// The two `struct console`s of vmlinux, and a small one of a .c file.
std::shared_ptr<Record> big(uint64_t size = 16) { return rec("s", size, {mem("a", 0, 8), mem("b", 8, 8)}, "a.h"); }
std::shared_ptr<Record> small(uint64_t size = 4) { return rec("s", size, {mem("x", 0, 4)}, "drivers/x.c"); }

const RecordDiff* find(const DiffResult& d, const std::string& name) {
  for (const RecordDiff& r : d.records)
    if (r.name == name) return &r;
  return nullptr;
}

Rule no_growth(const std::string& target) { return parse_rule("no-growth", target, "--no-growth").at(0); }

}  // namespace

TEST_CASE("parse_subject splits a qualifier off", "[pairing]") {
  CHECK(parse_subject("console").name == "console");
  CHECK(parse_subject("console@drivers/char/x.c").qualifier == "@drivers/char/x.c");
  CHECK(parse_subject("s#2").name == "s");
  CHECK(parse_subject("s#2").qualifier == "#2");
  CHECK(parse_subject("s#x").qualifier.empty());  // not an ordinal: part of the name
}

TEST_CASE("one definition per side pairs by name", "[pairing]") {
  const Pairing p = pair_records(set_of("o", {big()}), set_of("n", {big(24)}));
  REQUIRE(p.pairs.size() == 1);
  CHECK(p.pairs[0].subject == "s");
  CHECK(p.ambiguous.empty());
}

TEST_CASE("several layouts of a name pair by source file", "[pairing]") {
  const RecordSet o = set_of("o", {small(), big()});
  const RecordSet n = set_of("n", {big(24), small(8)});  // other order, both grew
  const Pairing p = pair_records(o, n);
  REQUIRE(p.pairs.size() == 2);
  CHECK(p.ambiguous.empty());
  CHECK(p.pairs[0].subject == "s@a.h");
  CHECK(p.pairs[0].old_r->byte_size == 16);
  CHECK(p.pairs[0].new_r->byte_size == 24);
  CHECK(p.pairs[1].subject == "s@drivers/x.c");
  CHECK(p.pairs[1].old_r->byte_size == 4);
  CHECK(p.pairs[1].new_r->byte_size == 8);
}

TEST_CASE("one header built twice pairs by unit", "[pairing]") {
  auto a = rec("cfg", 4, {mem("a", 0, 4)}, "h.h", "u1.c");
  auto b = rec("cfg", 16, {mem("a", 0, 4), mem("extra", 8, 8)}, "h.h", "u2.c");
  const RecordSet s = set_of("u.o", {a, b});
  const Pairing p = pair_records(s, s);
  REQUIRE(p.pairs.size() == 2);
  CHECK(p.pairs[0].subject == "cfg@u1.c");
  CHECK(p.pairs[1].subject == "cfg@u2.c");
  CHECK(select_record(s, "cfg@u2.c") == b.get());
  CHECK(select_record(s, "cfg@u1.c") == a.get());
  std::vector<std::string> choices;
  CHECK(select_record(s, "cfg", &choices) == nullptr);
  CHECK(choices == std::vector<std::string>{"cfg@u1.c", "cfg@u2.c"});
}

TEST_CASE("without source files, identical layouts pair first and a single leftover pairs", "[pairing]") {
  // BTF: no files, no units. Old {A, B, C}, new {A, B, C'}.
  auto A = rec("i", 4, {mem("a", 0, 4)}), B = rec("i", 8, {mem("b", 0, 8)}), C = rec("i", 16, {mem("c", 0, 8)});
  auto C2 = rec("i", 24, {mem("c", 0, 8), mem("d", 16, 8)});
  const Pairing p = pair_records(set_of("o", {A, B, C}), set_of("n", {A, B, C2}));
  CHECK(p.ambiguous.empty());
  REQUIRE(p.pairs.size() == 3);
  size_t changed = 0;
  for (const RecordPair& rp : p.pairs) changed += rp.old_r == C.get() && rp.new_r == C2.get();
  CHECK(changed == 1);
}

TEST_CASE("layouts that cannot be paired are ambiguous, in diff and in check", "[pairing]") {
  auto A = rec("i", 4, {mem("a", 0, 4)}), B = rec("i", 8, {mem("b", 0, 8)});
  auto A2 = rec("i", 8, {mem("a", 0, 8)}), B2 = rec("i", 16, {mem("b", 0, 16)});
  const RecordSet o = set_of("o", {A, B}), n = set_of("n", {A2, B2});
  const Pairing p = pair_records(o, n);
  REQUIRE(p.ambiguous.size() == 1);
  CHECK(p.ambiguous[0].old_choices == std::vector<std::string>{"i#1", "i#2"});

  const DiffResult d = diff_sets(o, n, {});
  const RecordDiff* r = find(d, "i");
  REQUIRE(r != nullptr);
  CHECK(r->status == RecordStatus::Ambiguous);
  CHECK(d.ambiguous());

  // A rule over everything does not pass on what it could not pair.
  const ConfigResult all = evaluate_config({no_growth("all")}, o, n, {});
  CHECK(all.verdict == Verdict::Error);
  REQUIRE(all.results.at(0).findings.size() == 1);
  CHECK(all.results[0].findings[0].problem == Problem::Ambiguous);
  // Nor a rule naming it; NAME#K picks one.
  CHECK(evaluate_config({no_growth("i")}, o, n, {}).verdict == Verdict::Error);
  const ConfigResult one = evaluate_config({no_growth("i#1")}, o, n, {});
  CHECK(one.verdict == Verdict::Fail);  // 4 -> 8
}

TEST_CASE("check names the definition it was asked for, not the first", "[pairing]") {
  // The ld -r case of issue 12: a.o's s is 4 bytes, the merged object also
  // has b.c's 16-byte s first.
  const RecordSet o = set_of("ab.o", {big(), small()});
  const RecordSet n = set_of("ab2.o", {big(), small(8)});
  CHECK(evaluate_config({no_growth("s")}, o, n, {}).verdict == Verdict::Error);
  CHECK(evaluate_config({no_growth("s@x.c")}, o, n, {}).verdict == Verdict::Fail);
  CHECK(evaluate_config({no_growth("s@a.h")}, o, n, {}).verdict == Verdict::Pass);
  // Over everything, the grown small one fails under its subject.
  const ConfigResult all = evaluate_config({no_growth("all")}, o, n, {});
  CHECK(all.verdict == Verdict::Fail);
  CHECK(all.results.at(0).offenders() == std::vector<std::string>{"s@drivers/x.c"});
  // The diff shows both, under their subjects.
  const DiffResult d = diff_sets(o, n, {});
  REQUIRE(find(d, "s@drivers/x.c") != nullptr);
  CHECK(find(d, "s@drivers/x.c")->status == RecordStatus::Changed);
  CHECK(find(d, "s@a.h")->status == RecordStatus::Unchanged);
}

TEST_CASE("identical definitions of a name count once", "[pairing]") {
  const RecordSet o = set_of("o", {big(), big()});
  const Pairing p = pair_records(o, set_of("n", {big()}));
  REQUIRE(p.pairs.size() == 1);
  CHECK(p.pairs[0].subject == "s");
  CHECK(evaluate_config({no_growth("s")}, o, o, {}).verdict == Verdict::Pass);
}
