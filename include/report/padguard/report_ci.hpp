// CI renderings of a check result: GitHub Actions workflow annotations and
// JUnit XML (one test case per rule and config). Pure: they return text.
#pragma once

#include <string>

#include "padguard/rules.hpp"

namespace padguard {

struct GithubOptions {
  // Declaration paths under this directory are made relative to it, since
  // GitHub resolves annotation paths from the repository root. Empty: as is.
  std::string source_root;
};

// `::error file=F,line=L,title=T::message` per failed or errored rule, then a
// plain verdict line.
std::string render_github(const CheckResult& r, const GithubOptions& o);

// Deterministic JUnit XML (no timestamps): a testsuite per config, a
// testcase per rule; FAIL is <failure>, ERROR is <error>.
std::string render_junit(const CheckResult& r);

}  // namespace padguard
