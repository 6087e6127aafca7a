// Layout rules a CI gate checks between two builds (no-growth, max-growth,
// max-cachelines, disjoint, no-new-holes, max-slack-loss), their parsing from
// flags and TOML policies, and their evaluation over one or many labelled
// before/after pairs. Pure: text in, values out; loading is the CLI's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "padguard/diff.hpp"
#include "padguard/model.hpp"

namespace padguard {

enum class RuleKind { NoGrowth, MaxGrowth, MaxCachelines, Disjoint, NoNewHoles, MaxSlackLoss };

// The flag / policy key: "no-growth", "max-growth", ...
const char* rule_kind_name(RuleKind k);

struct Rule {
  RuleKind kind = RuleKind::NoGrowth;
  // A struct name; "all" for every struct present on both sides; empty
  // (max-slack-loss only) for every struct the check names.
  std::string target;
  std::string member_a, member_b;  // disjoint: C access paths inside target
  uint64_t limit = 0;              // max-growth, max-cachelines, max-slack-loss
  // As spelled on the command line, e.g. "disjoint task_struct.rcu_users,task_struct.rcu".
  std::string spec() const;
  bool operator==(const Rule&) const = default;
};

// One flag's value, e.g. ("no-growth", "a,b") or ("max-growth", "task_struct=0").
// Throws InputError naming `origin` (a flag or a policy file) when malformed.
std::vector<Rule> parse_rule(std::string_view name, std::string_view value, const std::string& origin);

// A TOML policy with the flag names as keys:
//   no-growth = ["task_struct"]            # or "all", or "a,b"
//   max-growth = { task_struct = 0 }       # or ["task_struct=0"]
//   max-cachelines = { task_struct = 9 }
//   disjoint = ["task_struct.rcu_users,task_struct.rcu"]
//   no-new-holes = ["task_struct"]
//   max-slack-loss = 0                     # or { task_struct = 0 }
// Unknown keys are errors: a typo must not silently weaken the gate.
std::vector<Rule> parse_policy_toml(std::string_view text, const std::string& origin);

enum class Verdict { Pass, Fail, Error };  // worst last
const char* verdict_name(Verdict v);     // "PASS", "FAIL", "ERROR"

struct RuleResult {
  Rule rule;
  Verdict verdict = Verdict::Pass;
  std::string detail;                // the numbers behind the verdict
  std::vector<std::string> offenders;  // structs that failed it
  std::optional<SourceLoc> where;    // the declaration to point at
};

// One struct of one config, for the table.
struct StructRow {
  std::string name;
  std::optional<RecordStats> old_stats, new_stats;
  uint64_t slack_loss = 0;  // tail padding consumed with sizeof unchanged
  std::string error;        // e.g. missing on one side
  // Per rule (parallel to CheckResult::rules): "PASS", "FAIL", "ERROR", or "-"
  // when the rule does not apply to this struct.
  std::vector<std::string> rule_cells;
};

// Whether a config was checked at all. Anything but Checked is a row that
// makes the verdict ERROR unless the user allowed it (--allow-skip).
enum class ConfigStatus { Checked, BuildFailed, Skipped, Error };
const char* config_status_name(ConfigStatus s);   // "checked", "build-failed", "skipped", "error"
const char* config_status_title(ConfigStatus s);  // "CHECKED", "BUILD-FAILED", "SKIPPED", "ERROR"
std::optional<ConfigStatus> config_status_from_name(std::string_view name);

struct ConfigResult {
  std::string label;  // "" for a single unlabelled pair
  std::string old_source, new_source;
  ConfigStatus status = ConfigStatus::Checked;
  std::string detail;  // why it was not checked (status != Checked), as reported
  std::string log;     // the build log the manifest points at, if any
  bool allowed = false;  // named by --allow-skip: shown, but not held against the verdict
  std::vector<StructRow> structs;
  std::vector<RuleResult> results;  // parallel to rules; empty unless Checked
  Verdict verdict = Verdict::Pass;
};

// The tallies every renderer prints, computed once.
struct CheckSummary {
  size_t checks = 0;       // rule results over checked configs
  size_t failed = 0;       // of which FAIL
  size_t rule_errors = 0;  // of which ERROR (a struct or member missing)
  size_t errors = 0;       // rule_errors plus the not-checked configs that were not allowed
  size_t configs = 0;      // every config, checked or not
  size_t checked = 0;      // configs with status Checked
  size_t not_checked = 0;  // configs with another status (allowed or not)
  size_t allowed = 0;      // of which --allow-skip named
};

struct CheckResult {
  std::vector<Rule> rules;
  std::vector<ConfigResult> configs;
  uint32_t cacheline_size = 64;
  bool matrix = false;  // labelled pairs: render the table
  CheckSummary summary;
  Verdict verdict = Verdict::Pass;
};

struct CheckOptions {
  uint32_t cacheline_size = 64;
  std::vector<std::string> names;  // extra structs to show in the table
  // Labels of configs that may go unchecked (build-failed, skipped, error)
  // without failing the gate; allow_all_skips for every label.
  std::vector<std::string> allow_skip;
  bool allow_all_skips = false;
};

// The struct names a config must load; empty when a rule covers "all".
std::vector<std::string> structs_needed(const std::vector<Rule>& rules, const CheckOptions& o);

ConfigResult evaluate_config(const std::vector<Rule>& rules, const RecordSet& old_s, const RecordSet& new_s,
                             const CheckOptions& o);

// A config whose inputs could not be read: never a pass.
ConfigResult error_config(const std::string& label, const std::string& old_source,
                          const std::string& new_source, const std::string& message);

// A config reported as not checked (e.g. by kernel-matrix: its build failed).
ConfigResult status_config(const std::string& label, ConfigStatus status, const std::string& message,
                           const std::string& log = "");

// Worst verdict over the configs; no configs, no rules or no checked config
// is an Error, and so is a not-checked config that o.allow_skip does not name.
CheckResult make_check_result(std::vector<Rule> rules, std::vector<ConfigResult> configs, const CheckOptions& o,
                              bool matrix);

}  // namespace padguard
