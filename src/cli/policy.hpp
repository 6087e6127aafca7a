// TOML policy files for `check --policy`: the keys are the rule table's
// names, the value types follow each rule's argument shape.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "padguard/rules.hpp"

namespace padguard::cli {

//   no-growth = ["task_struct"]            # or "all", or "a,b"
//   max-growth = { task_struct = 0 }       # or ["task_struct=0"]
//   disjoint = ["task_struct.rcu_users,task_struct.rcu"]  # or [["a.x", "a.y"]]
//   max-slack-loss = 0                     # or { task_struct = 0 }
// Unknown keys and values of the wrong type are errors naming `origin`: a
// typo must not silently weaken the gate. Rules come in the file's order.
std::vector<Rule> parse_policy_toml(std::string_view text, const std::string& origin);

//   [suppress]
//   ignore-members = ["*.__pad*"]   # shell patterns on "key" or "STRUCT.key"
//   reserved = ["pad*", "rsvd*"]    # replaces the default patterns; false: none
//   struct-group = true             # the default
struct Policy {
  std::vector<Rule> rules;
  Suppressions suppress;
};
// As parse_policy_toml, plus the [suppress] table (a policy may hold only that).
Policy parse_policy(std::string_view text, const std::string& origin);

}  // namespace padguard::cli
