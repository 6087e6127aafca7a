// The rule table: every rule `check` knows is one row here (name, argument
// shape, help, unit, evaluate). CLI flags, TOML policy keys, the unknown-rule
// error, the JSON schema's enum and README's rules table derive from it or
// are checked against it (tests/unit/test_rule_table.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "padguard/diff.hpp"
#include "padguard/rules.hpp"

namespace padguard {

// How a rule's argument is spelled (flag value; TOML value types follow).
enum class ArgShape {
  Names,              // NAME[,NAME...] or all
  NamedLimits,        // NAME=N[,NAME=N...]
  LimitOrNamedLimits, // N (over the structs the check names) or NAME=N
  MemberPair,         // STRUCT.a,STRUCT.b
  GroupLimits,        // STRUCT.GROUP=N[,STRUCT.GROUP=N...]
  GroupNames,         // STRUCT.GROUP[,STRUCT.GROUP...] or all
  GroupMembers,       // STRUCT.GROUP=member[,member...]
};

// One struct, both sides present, for a rule's evaluate.
struct RuleInput {
  const Rule& rule;
  const Record& old_r;
  const Record& new_r;
  const RecordStats& old_stats;
  const RecordStats& new_stats;
  uint32_t cacheline_size;
};

struct RuleDef {
  const char* name;      // flag (--NAME) and policy key
  ArgShape shape;
  const char* argument;  // e.g. "NAME[,NAME...]|all", for help and docs
  const char* help;      // one line: what must hold
  Unit unit;
  // The finding for one struct: numbers and verdict (Pass/Fail, or Error
  // with a Problem). subject, stats and where are filled in by the caller
  // unless evaluate sets where itself.
  Finding (*evaluate)(const RuleInput&);
  // Over "all": only the structs it applies to (nullptr: every struct).
  // A rule whose scope ends up empty checked nothing: an error.
  bool (*applies)(const Record&) = nullptr;
  // What it measures needs every member's size (holes, tail padding): a
  // struct with a member of unknown size on a side is an Error
  // (Problem::SizeUnknown), not judged. Rules measuring sizeof or marker
  // offsets need no member size; disjoint checks its own two members.
  bool member_sizes = false;
};

std::span<const RuleDef> rule_table();
const RuleDef* find_rule(std::string_view name);  // nullptr if unknown
std::string known_rule_names();                   // "no-growth, max-growth, ..."
// "; did you mean 'no-growth'?" for a misspelt rule, else "; known: ..." (all).
std::string rule_name_hint(std::string_view name);

// new - old, saturated to the int64 range (sizes are unsigned).
int64_t signed_delta(uint64_t old_v, uint64_t new_v);

}  // namespace padguard
