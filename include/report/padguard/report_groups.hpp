// `padguard groups`: cacheline groups as text and JSON, for one input or a
// table across configs. Pure: they return text; every name is escaped.
#pragma once

#include <string>
#include <vector>

#include "padguard/groups.hpp"

namespace padguard {

struct GroupsView {
  std::string source;  // one input (configs empty)
  uint32_t cacheline_size = 64;
  bool verbose = false;               // text: every member, not a few and "... and N more"
  std::vector<StructGroups> structs;  // one input
  std::vector<std::string> absent;    // -C names the input defines without groups
  std::vector<GroupsConfig> configs;  // --pair/--manifest
  std::vector<GroupRow> rows;         // group_matrix(configs, limits)
};

std::string render_groups_text(const GroupsView& v);
std::string render_groups_json(const GroupsView& v);

}  // namespace padguard
