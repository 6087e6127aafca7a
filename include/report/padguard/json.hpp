// JSON renderings of layout, diff and check results, all under one versioned
// schema (docs/schema/padguard.schema.json, "kind" tells them apart). Facts
// files (the model itself) are in facts.hpp. Keys are sorted: output is
// byte-for-byte deterministic.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "padguard/diff.hpp"
#include "padguard/model.hpp"
#include "padguard/rules.hpp"
#include "padguard/schema.hpp"

namespace padguard {

nlohmann::json layout_json(const std::string& source, const std::vector<const Record*>& records,
                           uint32_t cacheline_size);
nlohmann::json diff_json(const DiffResult& d);
nlohmann::json check_json(const CheckResult& r);

// Pretty (2-space) or compact, newline-terminated.
std::string dump_json(const nlohmann::json& j, bool compact = false);

// One cacheline group (groups.hpp), as `groups` and `diff` write it.
nlohmann::json group_json(const CacheGroup& g);

}  // namespace padguard
