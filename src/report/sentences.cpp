// Sentences for check results; see sentences.hpp. Wording is part of the
// text/GitHub/JUnit goldens (fixtures/diff/goldens).
#include "sentences.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fmt/ranges.h>

#include "padguard/error.hpp"
#include "padguard/spelling.hpp"

#include "padguard/rule_table.hpp"

namespace padguard::sentences {

namespace {

std::string hint(const ConfigResult& c, const std::string& name) {
  auto it = c.suggestions.find(name);
  return it == c.suggestions.end() ? "" : did_you_mean(it->second);
}

}  // namespace

std::string missing_struct(const std::string& name, Problem p, const ConfigResult& c) {
  if (p == Problem::MissingBoth)
    return fmt::format("struct '{}' not found in {} nor in {}{}", name, c.old_source, c.new_source, hint(c, name));
  return fmt::format("struct '{}' not found in {}{}", name, p == Problem::MissingOld ? c.old_source : c.new_source,
                     hint(c, name));
}

std::string ambiguous(const std::string& name, const std::vector<std::string>& old_choices,
                      const std::vector<std::string>& new_choices, const std::string& old_source,
                      const std::string& new_source) {
  auto side = [](const std::vector<std::string>& c, const std::string& src) {
    return fmt::format("{} ways in {} ({})", c.size(), src, fmt::join(c, ", "));
  };
  std::string s = fmt::format("struct '{}' is defined ", name);
  if (old_choices == new_choices)
    s += fmt::format("{} ways in {} and in {} ({})", old_choices.size(), old_source, new_source,
                     fmt::join(old_choices, ", "));
  else if (!old_choices.empty() && !new_choices.empty())
    s += side(old_choices, old_source) + " and " + side(new_choices, new_source);
  else
    s += old_choices.empty() ? side(new_choices, new_source) : side(old_choices, old_source);
  const std::string& example = new_choices.empty() ? old_choices.front() : new_choices.front();
  return s + fmt::format(" and padguard will not pick one; name it by source file or unit, e.g. {}", example);
}

std::string struct_problem(const StructRow& s, const ConfigResult& c) {
  if (s.problem == Problem::Ambiguous)
    return ambiguous(s.name, s.old_choices, s.new_choices, c.old_source, c.new_source);
  return missing_struct(s.name, s.problem, c);
}

namespace {

std::string missing(const Finding& f, const Rule& r, const ConfigResult& c) {
  switch (f.problem) {
    case Problem::MissingBoth:
    case Problem::MissingOld:
    case Problem::MissingNew: return missing_struct(f.subject, f.problem, c);
    case Problem::NoMember:
      if (!f.group.empty())
        return fmt::format("struct {} in {} has no member '{}'{}", f.subject, c.new_source, f.missing_member,
                           did_you_mean(f.member_suggestions));
      if (!f.member_suggestions.empty())
        return fmt::format("struct {} in {} has no member '{}'{}", r.target, c.new_source, f.missing_member,
                           did_you_mean(f.member_suggestions));
      return fmt::format("struct {} in {} has no member '{}'; name it by its C access path (anonymous unions are "
                         "transparent, e.g. rcu_users)",
                         r.target, c.new_source, f.missing_member);
    case Problem::Ambiguous:
      return ambiguous(f.subject, f.old_choices, f.new_choices, c.old_source, c.new_source);
    case Problem::NothingInCommon:
      if (r.def && r.def->applies)
        return fmt::format("no struct in both {} and {} has a cacheline group (__cacheline_group_begin): nothing to "
                           "check", c.old_source, c.new_source);
      return fmt::format("no struct is defined in both {} and {}: nothing to check", c.old_source, c.new_source);
    case Problem::NoGroup:
      return fmt::format("struct {} in {} has no cacheline group '{}'{}", f.subject, c.new_source, f.group,
                         f.member_suggestions.empty() ? "; padguard groups -C " + f.subject + " lists its groups"
                                                      : did_you_mean(f.member_suggestions));
    case Problem::BadGroup:
      return fmt::format("struct {} in {}: the markers of cacheline group '{}' are incomplete or out of order (padguard "
                         "groups -C {} shows them)", f.subject, c.new_source, f.group, f.subject);
    case Problem::SizeUnknown: {
      const std::string where = f.unknown_in_old && f.unknown_in_new
                                    ? fmt::format("in {} and in {}", c.old_source, c.new_source)
                                    : fmt::format("in {}", f.unknown_in_new ? c.new_source : c.old_source);
      const std::string member = f.unknown_size ? f.unknown_size->key : std::string("?");
      const std::string type = f.unknown_size ? fmt::format("{} {}", kind_keyword(f.unknown_size->kind), f.unknown_size->type)
                                              : std::string("its type");
      return fmt::format("struct {}: member '{}' has unknown size {}: {} is declaration-only there, and {} needs its "
                         "size; {}",
                         f.subject, member, where, type, r.name(), kReducedDebugInfoFix);
    }
    case Problem::None: break;
  }
  return "";
}

std::string sharing(uint64_t n) { return n ? fmt::format("share {} byte{}", n, n == 1 ? "" : "s") : "share no byte"; }

std::string shared_text(const Finding& f) {
  const MemberSpan& a = f.spans.at(0);
  const MemberSpan& b = f.spans.at(1);
  std::string s = fmt::format("{} [{}, {}) and {} [{}, {}): {}", a.member, a.begin, a.end, b.member, b.begin, b.end,
                              sharing(f.new_value.value_or(0)));
  if (f.old_value) s += fmt::format(" (before: {})", sharing(*f.old_value));
  return s;
}

std::string padding_text(const Finding& f) {
  const RecordStats& a = *f.old_stats;
  const RecordStats& b = *f.new_stats;
  const uint64_t loss = slack_loss(a, b);
  if (loss)
    return fmt::format("tail padding {} -> {} with sizeof {} unchanged: {} bytes of slack lost (hidden growth), {} "
                       "left, limit {}",
                       a.padding, b.padding, b.size, loss, b.padding, f.limit.value_or(0));
  return fmt::format("no slack lost (size {} -> {}, tail padding {} -> {}), limit {}", a.size, b.size, a.padding,
                     b.padding, f.limit.value_or(0));
}

}  // namespace

std::string finding(const Finding& f, const Rule& r, const ConfigResult& c) {
  if (f.problem != Problem::None) return missing(f, r, c);
  const uint64_t a = f.old_value.value_or(0), b = f.new_value.value_or(0);
  switch (f.unit) {
    case Unit::Bytes: {
      std::string s = fmt::format("{} -> {} bytes ({:+})", a, b, f.delta.value_or(0));
      return f.limit ? s + fmt::format(", limit +{}", *f.limit) : s;
    }
    case Unit::Cachelines:
      return fmt::format("{} -> {} cachelines ({} bytes), limit {}", a, b, f.new_stats ? f.new_stats->size : 0,
                         f.limit.value_or(0));
    case Unit::Holes:
      return fmt::format("holes {} ({} bytes) -> {} ({} bytes)", a, f.old_stats ? f.old_stats->sum_holes : 0, b,
                         f.new_stats ? f.new_stats->sum_holes : 0);
    case Unit::BytesShared: return shared_text(f);
    case Unit::TailPadding: return f.old_stats && f.new_stats ? padding_text(f) : "";
    case Unit::GroupBytes:
    case Unit::GroupCachelines: {
      const char* what = f.unit == Unit::GroupBytes ? "bytes" : "cachelines";
      std::string s = f.old_value ? fmt::format("group {} {} -> {} {} ({:+})", f.group, a, b, what, f.delta.value_or(0))
                                  : fmt::format("group {} {} {} (new)", f.group, b, what);
      return f.limit ? s + fmt::format(", limit {}", *f.limit) : s;
    }
    case Unit::GroupMembersOutside: {
      if (f.members_outside.empty()) return fmt::format("group {}: every member inside", f.group);
      std::string s = fmt::format("group {}:", f.group);
      for (size_t i = 0; i < f.members_outside.size(); ++i) {
        const std::string& m = f.members_outside[i];
        auto it = std::find_if(f.spans.begin(), f.spans.end(), [&](const MemberSpan& x) { return x.member == m; });
        s += fmt::format("{} {} at [{}, {}) is outside", i ? "," : "", m, it == f.spans.end() ? 0 : it->begin,
                         it == f.spans.end() ? 0 : it->end);
      }
      return s;
    }
  }
  return "";
}

std::string rule_detail(const RuleResult& rr, const ConfigResult& c) {
  std::vector<std::string> errors, fails;
  for (const Finding& f : rr.findings) {
    if (f.verdict == Verdict::Error) errors.push_back(finding(f, rr.rule, c));
    if (f.verdict == Verdict::Fail) fails.push_back(f.subject + " " + finding(f, rr.rule, c));
  }
  auto join = [](const std::vector<std::string>& v, size_t most) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < most; ++i) s += (i ? "; " : "") + v[i];
    if (v.size() > most) s += fmt::format("; and {} more (--all lists them)", v.size() - most);
    return s;
  };
  if (!errors.empty()) return join(errors, SIZE_MAX);
  if (rr.checked == 1 && rr.findings.size() == 1) {
    const Finding& f = rr.findings[0];
    const bool named = rr.rule.target == f.subject || f.problem != Problem::None;
    return (named ? "" : f.subject + " ") + finding(f, rr.rule, c);
  }
  if (!fails.empty()) return fmt::format("{} of {} structs: {}", fails.size(), rr.checked, join(fails, c.all ? SIZE_MAX : 10));
  if (rr.rule.def && rr.rule.def->applies)
    return fmt::format("{} struct{} with cacheline groups checked", rr.checked, rr.checked == 1 ? "" : "s");
  return fmt::format("{} struct{} checked", rr.checked, rr.checked == 1 ? "" : "s");
}

std::string not_checked_reason(const ConfigResult& c) {
  if (!c.no_structs_in.empty())
    return fmt::format("no struct definitions readable in {}: {}", c.no_structs_in, kNoStructsReason);
  return c.detail.empty() ? "no reason given" : c.detail;
}

std::string status_message(const ConfigResult& c) {
  std::string s = not_checked_reason(c);
  if (!c.log.empty()) s += fmt::format(" (log: {})", c.log);
  if (c.allowed) s += " (allowed by --allow-skip)";
  return s;
}

std::string status(const ConfigResult& c) {
  return fmt::format("{}: {}", config_status_title(c.status), status_message(c));
}

std::string unknown_name(const ConfigResult& c, const std::string& name) {
  const std::string h = hint(c, name);
  return fmt::format("no struct or union named '{}' in {} nor in {}{}", name, c.old_source, c.new_source,
                     h.empty() ? "; check the spelling" : h);
}

std::string hidden_growth(const StructRow& s) {
  return fmt::format("{}: hidden growth, tail padding {} -> {} with sizeof {} unchanged ({} bytes of slack lost, {} "
                     "left)",
                     s.name, s.old_stats->padding, s.new_stats->padding, s.new_stats->size, s.slack_loss,
                     s.new_stats->padding);
}

}  // namespace padguard::sentences
