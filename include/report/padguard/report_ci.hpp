// CI renderings of a check result: GitHub Actions workflow annotations and
// JUnit XML (one test case per rule and config). Pure: they return text.
#pragma once

#include <string>

#include "padguard/rules.hpp"

namespace padguard {

struct CiOptions {
  // Declaration paths under this directory are made relative to it, since
  // GitHub and JUnit readers resolve paths from the repository root. Empty: as is.
  std::string source_root;
};

// FILE relative to ROOT when it lies under it (ROOT absolute, normalised), else FILE.
std::string relative_to_source_root(const std::string& file, const std::string& root);

// `::error file=F,line=L,title=T::message` per failed or errored rule, then a
// plain verdict line.
std::string render_github(const CheckResult& r, const CiOptions& o);

// Deterministic JUnit XML (no timestamps): a testsuite per config, a
// testcase per rule; FAIL is <failure>, ERROR is <error>. A rule that did not
// pass carries file= and line= (the pytest/GitLab dialect) of the first
// declaration it blames, relative to o.source_root like the annotations.
std::string render_junit(const CheckResult& r, const CiOptions& o);

}  // namespace padguard
