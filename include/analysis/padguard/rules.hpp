// Layout rules a CI gate checks between two builds, and their evaluation
// over one or many labelled before/after pairs. Results are data (numbers,
// verdict enums, problem kinds); every sentence is composed in report/. The
// rules themselves are rows of one table (rule_table.hpp). Pure: loading
// and policy files are the CLI's.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "padguard/diff.hpp"
#include "padguard/model.hpp"

namespace padguard {

struct RuleDef;  // rule_table.hpp

struct Rule {
  const RuleDef* def = nullptr;  // the table row: name, argument shape, evaluate
  // A struct subject (a name, or NAME@FILE, NAME#K as pairing.hpp selects);
  // "all" for every struct present on both sides; empty
  // (a limit-only rule) for every struct the check names.
  std::string target;
  std::string member_a, member_b;  // member-pair rules: C access paths inside target
  // Group rules (groups.hpp): the cacheline group of `target` ("" with
  // target "all": every group), and for group-member the members.
  std::string group;
  std::vector<std::string> members;
  uint64_t limit = 0;              // limit rules
  std::string_view name() const;   // "no-growth", ...
  // As spelled on the command line, e.g. "disjoint task_struct.rcu_users,task_struct.rcu".
  std::string spec() const;
  bool operator==(const Rule&) const = default;
};

// One flag's value, e.g. ("no-growth", "a,b") or ("max-growth", "task_struct=0").
// Throws InputError naming `origin` (a flag or a policy file) when malformed
// or when `name` is no rule of the table.
std::vector<Rule> parse_rule(std::string_view name, std::string_view value, const std::string& origin);

enum class Verdict { Pass, Fail, Error };  // worst last
const char* verdict_name(Verdict v);     // "PASS", "FAIL", "ERROR"
Verdict worst(Verdict a, Verdict b);

// What a rule measures; old/new/limit/delta of a Finding are in this unit.
enum class Unit { Bytes, Cachelines, Holes, BytesShared, TailPadding, GroupBytes, GroupCachelines, GroupMembersOutside };
// "bytes", "cachelines", "holes", "bytes-shared", "bytes-tail-padding",
// "group-bytes", "group-cachelines", "group-members-outside"
const char* unit_name(Unit u);

// Why a rule could not be evaluated on a struct (verdict Error).
// Ambiguous: the subject names several layouts on a side (pairing.hpp).
// NoGroup: the struct has no cacheline group of that name (missing_member
// holds it, member_suggestions the nearest groups); BadGroup: its markers
// are incomplete or out of order.
// SizeUnknown: what the rule measures depends on the size of a member whose
// type is declaration-only on a side (reduced debug info): unknown_size and
// unknown_in_old/new say which (docs/REDUCED-DEBUG-INFO.md).
enum class Problem {
  None, MissingOld, MissingNew, MissingBoth, NoMember, NothingInCommon, Ambiguous, NoGroup, BadGroup, SizeUnknown
};
const char* problem_name(Problem p);  // "none", "missing-old", ...

struct MemberSpan {
  std::string member;
  uint64_t begin = 0, end = 0;  // bytes [begin, end) after the change; a union of ranges' hull
};

// One struct under one rule: the numbers behind the verdict.
struct Finding {
  std::string subject;  // the struct
  Unit unit = Unit::Bytes;
  std::optional<uint64_t> old_value, new_value, limit;
  std::optional<int64_t> delta;  // new - old, saturated to int64
  Verdict verdict = Verdict::Pass;
  Problem problem = Problem::None;
  std::string missing_member;  // Problem::NoMember
  std::vector<std::string> member_suggestions;  // the struct's members nearest to missing_member
  std::vector<std::string> old_choices, new_choices;  // Problem::Ambiguous: subjects to pick from
  std::optional<UnknownSize> unknown_size;  // Problem::SizeUnknown: the first such member
  bool unknown_in_old = false, unknown_in_new = false;
  std::optional<RecordStats> old_stats, new_stats;
  std::vector<MemberSpan> spans;  // member-pair rules: the members after the change
  std::string group;              // group rules: the group measured (the first that failed, over all)
  std::vector<std::string> members_outside;  // group-member: the members not inside the group
  std::optional<SourceLoc> where;  // the declaration to point at
};

struct RuleResult {
  Rule rule;
  Verdict verdict = Verdict::Pass;
  size_t checked = 0;  // structs evaluated
  // Every struct a rule names; for a rule over "all", those that did not pass.
  std::vector<Finding> findings;
  std::vector<std::string> offenders() const;  // subjects that failed
  const Finding* first_offender() const;
};

// One struct of one config, for the table.
struct StructRow {
  std::string name;  // the subject
  std::optional<RecordStats> old_stats, new_stats;
  uint64_t slack_loss = 0;            // tail padding consumed with sizeof unchanged
  Problem problem = Problem::None;    // MissingOld / MissingNew / MissingBoth / Ambiguous
  std::vector<std::string> old_choices, new_choices;  // Ambiguous
  // Per rule (parallel to CheckResult::rules); nullopt where it does not apply.
  std::vector<std::optional<Verdict>> cells;
  // Members of the struct that left or entered an inline union (the seed's
  // rcu/rcu_users): a change of storage sharing the proof must explain.
  std::vector<MemberDiff> union_changes;
  std::vector<SuppressedChange> suppressed;  // what the suppressions hid there
  // CheckOptions::maps: the struct's diff with the layout map of each side
  // (one side only: status added/removed and that side's map; unchanged:
  // the new side's map alone), for the formats that draw them. Else null.
  std::shared_ptr<const RecordDiff> diff;
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
  std::string detail;  // why it was not checked, as reported (a manifest line, an input error)
  // Status Error because an input holds no struct definition: the file.
  std::string no_structs_in;
  std::string log;        // the build log the manifest points at, if any
  // Not checked: where the producer says it failed (a build's first compiler
  // error, from a manifest's "!build-failed@FILE:LINE"); file "" when unknown.
  SourceLoc where;
  bool allowed = false;   // named by --allow-skip: shown, but not held against the verdict
  std::vector<StructRow> structs;
  size_t rows_omitted = 0;  // offenders past the table's cap (0 with CheckOptions::all)
  bool all = false;         // CheckOptions::all: nothing capped
  std::vector<RuleResult> results;          // parallel to rules; empty unless Checked
  std::vector<std::string> unknown_names;   // -C names defined on neither side: an error
  // A missing struct's nearest names in the inputs (for "did you mean"),
  // filled by the caller that can read the files again.
  std::map<std::string, std::vector<std::string>> suggestions;
  Verdict verdict = Verdict::Pass;
};

// The tallies every renderer prints, computed once.
struct CheckSummary {
  size_t checks = 0;       // rule results over checked configs
  size_t failed = 0;       // of which FAIL
  size_t rule_errors = 0;  // of which ERROR (a struct or member missing), plus unknown -C names
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
  Suppressions suppress;  // for the union changes each struct row explains
  // Every offender gets a table row and a place in the rule line (--all);
  // otherwise 50 rows and 10 names, and the rest counted, never dropped silently.
  bool all = false;
  bool maps = false;  // StructRow::diff with layout maps (report/ FormatInfo::maps)
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
                           const std::string& log = "", const SourceLoc& where = {});

// Worst verdict over the configs; no configs, no rules or no checked config
// is an Error, and so is a not-checked config that o.allow_skip does not name.
CheckResult make_check_result(std::vector<Rule> rules, std::vector<ConfigResult> configs, const CheckOptions& o,
                              bool matrix);

}  // namespace padguard
