// The version of padguard's JSON documents (reports and facts files), one
// schema for all: docs/schema/padguard.schema.json.
#pragma once

namespace padguard {

// Bump the minor version for additions, the major one for changes.
inline constexpr const char* kSchemaVersion = "2.6";

}  // namespace padguard
