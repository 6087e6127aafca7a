// libFuzzer target over the path a `check --policy FILE` takes: bytes -> the
// TOML policy parser (src/cli/policy.cpp, compiled into this target: the
// fuzz build links no CLI) -> the rules -> evaluated on one fixed old/new
// pair of a small task_struct -> the check result in every format. An
// InputError is the expected answer to garbage; anything else -- a crash, a
// sanitizer report, an escaping exception, a hang -- is a finding. Also
// linked with replay_main.cpp into `fuzz_replay_policy`.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "../../src/cli/policy.hpp"
#include "padguard/error.hpp"
#include "padguard/model.hpp"
#include "padguard/render.hpp"
#include "padguard/rules.hpp"

namespace {

using namespace padguard;

TypeRef type(TypeKind kind, std::string name, uint64_t size, uint32_t align, TypeRef target = nullptr) {
  auto t = std::make_shared<Type>();
  t->kind = kind;
  t->name = std::move(name);
  t->byte_size = size;
  t->alignment = align;
  t->target = std::move(target);
  return t;
}

Member member(std::string name, TypeRef t, uint64_t byte_offset, uint32_t natural_alignment) {
  Member m;
  m.name = std::move(name);
  m.byte_size = t->byte_size;
  m.type = std::move(t);
  m.bit_offset = byte_offset * 8;
  m.natural_alignment = natural_alignment;
  return m;
}

std::shared_ptr<Record> record(RecordKind kind, std::string name, uint64_t size, std::vector<Member> members) {
  auto r = std::make_shared<Record>();
  r->kind = kind;
  r->name = std::move(name);
  r->byte_size = size;
  r->members = std::move(members);
  return r;
}

// struct list { struct list *next, *prev; };
// struct task_struct { int state; unsigned flags:3, ptrace:5; long rcu_users; struct list rcu;
//                      union { int u_a; char u_b[6]; } u; char comm[16]; };   (old)
// new: rcu_users and rcu share a union, and `short extra` follows comm.
RecordSet task_set(bool after) {
  const TypeRef i32 = type(TypeKind::Base, "int", 4, 4), u32 = type(TypeKind::Base, "unsigned int", 4, 4);
  const TypeRef i64 = type(TypeKind::Base, "long", 8, 8), chr = type(TypeKind::Base, "char", 1, 1);
  const TypeRef i16 = type(TypeKind::Base, "short", 2, 2);
  auto list_ref = type(TypeKind::Record, "list", 16, 0);
  const TypeRef list_ptr = type(TypeKind::Pointer, "", 8, 8, list_ref);
  const auto list = record(RecordKind::Struct, "list", 16, {member("next", list_ptr, 0, 8), member("prev", list_ptr, 8, 8)});
  auto rcu = member("rcu", list_ref, 0, 8);
  rcu.direct_struct = list;

  auto chars = [&](uint64_t n) {
    auto a = std::make_shared<Type>(*type(TypeKind::Array, "", n, 1, chr));
    a->dims = {n};
    return TypeRef(a);
  };
  auto anon = [&](std::shared_ptr<Record> r, uint32_t align) {
    auto t = type(TypeKind::Record, "", r->byte_size, align);
    std::const_pointer_cast<Type>(t)->record_kind = r->kind;
    std::const_pointer_cast<Type>(t)->record = std::move(r);
    return t;
  };
  const auto u = record(RecordKind::Union, "", 8, {member("u_a", i32, 0, 4), member("u_b", chars(6), 0, 1)});

  std::vector<Member> ms{member("state", i32, 0, 4)};
  for (auto [name, bit, width] : {std::tuple{"flags", 32u, 3u}, std::tuple{"ptrace", 35u, 5u}}) {
    Member b = member(name, u32, 0, 4);
    b.bit_offset = bit;
    b.bit_size = width;
    b.unit_size = 4;
    ms.push_back(b);
  }
  uint64_t at = 8;
  if (after) {
    rcu.bit_offset = 0;
    const auto both = record(RecordKind::Union, "", 16, {member("rcu_users", i64, 0, 8), rcu});
    ms.push_back(member("", anon(both, 8), at, 8));
    at += 16;
  } else {
    ms.push_back(member("rcu_users", i64, at, 8));
    rcu.bit_offset = (at + 8) * 8;
    ms.push_back(rcu);
    at += 24;
  }
  ms.push_back(member("u", anon(u, 4), at, 4));
  ms.push_back(member("comm", chars(16), at + 8, 1));
  at += 24;
  if (after) ms.push_back(member("extra", i16, at, 2)), at += 8;
  const auto task = record(RecordKind::Struct, "task_struct", at, std::move(ms));
  for (const auto& r : {list, u, task})
    if (const std::string bad = record_violation(*r); !bad.empty()) {
      std::fprintf(stderr, "fuzz_policy: the fixed pair is wrong: %s\n", bad.c_str());
      std::abort();
    }
  RecordSet set;
  set.source = after ? "new.o" : "old.o";
  set.records = {list, task};
  return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const RecordSet old_s = task_set(false), new_s = task_set(true);
  std::vector<Rule> rules;
  try {
    rules = cli::parse_policy_toml(std::string_view(reinterpret_cast<const char*>(data), size), "policy.toml");
  } catch (const InputError&) {
    return 0;  // the expected outcome for garbage: the CLI prints it and exits 2
  }
  if (rules.empty()) std::abort();  // parse_policy_toml refuses a policy with no rules
  // Every struct a rule names is looked up, every member pair measured; then
  // each format renders the verdict with the policy's names in it.
  const CheckOptions co;
  std::vector<ConfigResult> configs{evaluate_config(rules, old_s, new_s, co)};
  const CheckResult res = make_check_result(rules, std::move(configs), co, false);
  for (const FormatInfo& f : format_registry())
    if (f.check && render(res, f.format, RenderOptions{}).empty()) std::abort();
  return 0;
}
