// Which padguard this is: "padguard 0.1.0 (git commit)", for --version and
// every JSON document's tool_version (bug reports and CI logs can say which
// padguard ran). Written at build time by scripts/version.cmake.
#pragma once

namespace padguard {

const char* tool_version();

}  // namespace padguard
