// JSON renderings of analysis results; see docs/JSON.md for the fields.
#include "padguard/json.hpp"

#include "padguard/diff.hpp"
#include "padguard/rule_table.hpp"
#include "padguard/type_name.hpp"
#include "padguard/version.hpp"
#include "sentences.hpp"

namespace padguard {

using nlohmann::json;

namespace {

json loc_json(const SourceLoc& l) {
  if (l.file.empty()) return nullptr;
  return json{{"file", l.file}, {"line", l.line}};
}

json stats_json(const RecordStats& s) {
  json j{{"size", s.size},           {"alignment", s.alignment},       {"cachelines", s.cachelines},
         {"nr_holes", s.nr_holes},   {"sum_holes", s.sum_holes},       {"nr_bit_holes", s.nr_bit_holes},
         {"sum_bit_holes", s.sum_bit_holes}, {"padding", s.padding},  {"end", s.end_byte}};
  if (s.unknown_sizes) j["unknown_sizes"] = s.unknown_sizes;
  return j;
}

json unknown_size_json(const UnknownSize& u) {
  return json{{"member", u.key}, {"type", std::string(kind_keyword(u.kind)) + " " + u.type}};
}

json unknown_sizes_json(const std::vector<UnknownSize>& v) {
  json a = json::array();
  for (const UnknownSize& u : v) a.push_back(unknown_size_json(u));
  return a;
}

json opt_stats(const std::optional<RecordStats>& s) { return s ? stats_json(*s) : json(nullptr); }

json flat_json(const FlatMember& m) {
  json j{{"key", m.key},
              {"path", m.path},
              {"type", type_text(*m.type)},
              {"offset", m.bit_offset / 8},
              {"bit_offset", m.bit_offset},
              {"bit_size", m.bit_size},
              {"size", m.byte_size},
              {"unions", m.unions},
              {"decl", loc_json(m.decl)}};
  if (m.size_unknown) j["size_unknown"] = true;
  return j;
}

json hole_json(const Hole& h) { return json{{"offset", h.offset}, {"size", h.size}, {"in", h.in}}; }

json holes_json(const std::vector<Hole>& hs) {
  json a = json::array();
  for (const Hole& h : hs) a.push_back(hole_json(h));
  return a;
}

json container_json(const FlatContainer& c) {
  return json{{"path", c.path}, {"kind", kind_keyword(c.kind)}, {"offset", c.offset}, {"size", c.size},
              {"members", c.keys}};
}

json containers_json(const std::vector<FlatContainer>& cs) {
  json a = json::array();
  for (const FlatContainer& c : cs) a.push_back(container_json(c));
  return a;
}

json member_diff_json(const MemberDiff& m) {
  json changes = json::array();
  for (Change c : m.changes) changes.push_back(change_name(c));
  return json{{"key", m.key},
              {"changes", changes},
              {"old", m.old_m ? flat_json(*m.old_m) : json(nullptr)},
              {"new", m.new_m ? flat_json(*m.new_m) : json(nullptr)},
              {"old_shares", m.old_shares},
              {"new_shares", m.new_shares}};
}

json container_changes_json(const std::vector<ContainerChange>& cs) {
  json a = json::array();
  for (const ContainerChange& c : cs)
    a.push_back({{"old", container_json(c.old_c)},
                 {"new", container_json(c.new_c)},
                 {"members_entered", c.keys_entered},
                 {"members_left", c.keys_left}});
  return a;
}

json suppressed_json(const std::vector<SuppressedChange>& v) {
  json a = json::array();
  for (const SuppressedChange& c : v) {
    json changes = json::array();
    for (Change ch : c.changes) changes.push_back(change_name(ch));
    a.push_back({{"key", c.key}, {"reason", suppress_reason_name(c.reason)}, {"pattern", c.pattern}, {"changes", changes}});
  }
  return a;
}

json because_json(const std::vector<EmbeddedChange>& es) {
  json a = json::array();
  for (const EmbeddedChange& e : es)
    a.push_back({{"member", e.member}, {"type", e.type}, {"kind", kind_keyword(e.kind)}, {"delta", e.delta}});
  return a;
}

json record_diff_json(const RecordDiff& d) {
  json members = json::array();
  for (const MemberDiff& m : d.members) members.push_back(member_diff_json(m));
  const uint64_t loss = d.old_stats && d.new_stats ? slack_loss(*d.old_stats, *d.new_stats) : 0;
  json j{{"name", d.name},
              {"kind", kind_keyword(d.kind)},
              {"status", status_name(d.status)},
              {"old", opt_stats(d.old_stats)},
              {"new", opt_stats(d.new_stats)},
              {"size_delta", d.size_delta()},
              {"slack_loss", loss},
              {"decl", loc_json(d.decl)},
              {"members", members},
              {"holes_filled", holes_json(d.holes_filled)},
              {"holes_opened", holes_json(d.holes_opened)},
              {"containers_removed", containers_json(d.containers_removed)},
              {"containers_added", containers_json(d.containers_added)},
              {"containers_changed", container_changes_json(d.containers_changed)},
              {"suppressed", suppressed_json(d.suppressed)},
              {"now_straddling", d.now_straddling}};
  if (!d.old_unknown.empty()) j["old_unknown_sizes"] = unknown_sizes_json(d.old_unknown);
  if (!d.new_unknown.empty()) j["new_unknown_sizes"] = unknown_sizes_json(d.new_unknown);
  if (!d.groups.empty()) {
    json groups = json::array();
    for (const GroupChange& g : d.groups)
      groups.push_back(json{{"name", g.name},
                            {"old", g.old_g ? group_json(*g.old_g) : json(nullptr)},
                            {"new", g.new_g ? group_json(*g.new_g) : json(nullptr)},
                            {"entered", g.entered},
                            {"left", g.left}});
    j["groups"] = groups;
  }
  if (d.status == RecordStatus::Changed)
    j["derived"] = d.derived, j["because"] = because_json(d.because), j["root_causes"] = d.root_causes;
  if (d.status == RecordStatus::Ambiguous) j["old_choices"] = d.old_choices, j["new_choices"] = d.new_choices;
  return j;
}

json rule_json(const Rule& r) {
  json j{{"kind", r.name()}, {"target", r.target}, {"spec", r.spec()}};
  switch (r.def->shape) {
    case ArgShape::MemberPair: j["members"] = json::array({r.member_a, r.member_b}); break;
    case ArgShape::NamedLimits:
    case ArgShape::LimitOrNamedLimits: j["limit"] = r.limit; break;
    case ArgShape::Names: break;
    case ArgShape::GroupLimits: j["group"] = r.group, j["limit"] = r.limit; break;
    case ArgShape::GroupNames: j["group"] = r.group; break;
    case ArgShape::GroupMembers: j["group"] = r.group, j["members"] = r.members; break;
  }
  return j;
}

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json finding_json(const Finding& f) {
  json spans = json::array();
  for (const MemberSpan& m : f.spans) spans.push_back(json{{"member", m.member}, {"begin", m.begin}, {"end", m.end}});
  json j{{"subject", f.subject},         {"unit", unit_name(f.unit)},   {"old", opt(f.old_value)},
         {"new", opt(f.new_value)},       {"limit", opt(f.limit)},       {"delta", opt(f.delta)},
         {"verdict", verdict_name(f.verdict)}, {"problem", problem_name(f.problem)},
         {"where", f.where ? loc_json(*f.where) : json(nullptr)}};
  if (!f.spans.empty()) j["spans"] = spans;
  if (!f.missing_member.empty()) j["missing_member"] = f.missing_member;
  if (!f.member_suggestions.empty()) j["member_suggestions"] = f.member_suggestions;
  if (!f.group.empty()) j["group"] = f.group;
  if (f.unit == Unit::GroupMembersOutside && f.problem == Problem::None) j["members_outside"] = f.members_outside;
  if (f.problem == Problem::Ambiguous) j["old_choices"] = f.old_choices, j["new_choices"] = f.new_choices;
  if (f.problem == Problem::SizeUnknown && f.unknown_size) {
    json sides = json::array();
    if (f.unknown_in_old) sides.push_back("old");
    if (f.unknown_in_new) sides.push_back("new");
    j["unknown_size"] = unknown_size_json(*f.unknown_size);
    j["unknown_size"]["in"] = sides;
  }
  return j;
}

json cell_json(const std::optional<Verdict>& v) { return v ? verdict_name(*v) : "-"; }

json struct_row_json(const StructRow& s, const ConfigResult& c) {
  json cells = json::array();
  for (const auto& v : s.cells) cells.push_back(cell_json(v));
  json row{{"name", s.name},     {"old", opt_stats(s.old_stats)}, {"new", opt_stats(s.new_stats)},
           {"slack_loss", s.slack_loss}, {"hidden_growth", s.slack_loss > 0}, {"rules", cells}};
  if (s.old_stats && s.new_stats) row["size_delta"] = signed_delta(s.old_stats->size, s.new_stats->size);
  json unions = json::array();
  for (const MemberDiff& m : s.union_changes) unions.push_back(member_diff_json(m));
  row["union_changes"] = unions;
  row["suppressed"] = suppressed_json(s.suppressed);
  if (s.problem != Problem::None) {
    row["problem"] = problem_name(s.problem);
    row["error"] = sentences::struct_problem(s, c);
  }
  return row;
}

json result_json(const RuleResult& r, const ConfigResult& c) {
  json findings = json::array();
  for (const Finding& f : r.findings) findings.push_back(finding_json(f));
  const Finding* off = r.first_offender();
  return json{{"rule", r.rule.spec()},
              {"verdict", verdict_name(r.verdict)},
              {"checked", r.checked},
              {"findings", findings},
              {"detail", sentences::rule_detail(r, c)},
              {"offenders", r.offenders()},
              {"where", off && off->where ? loc_json(*off->where) : json(nullptr)}};
}

json config_json(const ConfigResult& c) {
  json rows = json::array();
  for (const StructRow& s : c.structs) rows.push_back(struct_row_json(s, c));
  json results = json::array();
  for (const RuleResult& r : c.results) results.push_back(result_json(r, c));
  const bool checked = c.status == ConfigStatus::Checked;
  json j{{"label", c.label},    {"old", c.old_source},   {"new", c.new_source},
         {"verdict", verdict_name(c.verdict)}, {"status", config_status_name(c.status)},
         {"detail", checked ? "" : sentences::not_checked_reason(c)}, {"allowed", c.allowed},
         {"structs", rows},     {"results", results}};
  if (!c.log.empty()) j["log"] = c.log;
  if (!checked && !c.where.file.empty()) j["where"] = loc_json(c.where);  // 2.6
  if (c.rows_omitted) j["rows_omitted"] = c.rows_omitted;
  if (!c.unknown_names.empty()) j["unknown_names"] = c.unknown_names;
  // "error" predates "status": kept for readers of schema 1.0.
  if (!checked) j["error"] = j["detail"];
  return j;
}

}  // namespace

json group_json(const CacheGroup& g) {
  json j{{"name", g.name}, {"begin", g.begin}, {"end", g.end}, {"size", g.size}, {"first_cacheline", g.first_cacheline},
         {"cachelines", g.cachelines}, {"members", g.members}};
  if (g.pad_end) j["pad_end"] = *g.pad_end;
  if (!g.problem.empty()) j["problem"] = g.problem;
  return j;
}

json layout_json(const std::string& source, const std::vector<const Record*>& records, uint32_t cacheline_size) {
  json recs = json::array();
  for (const Record* r : records) {
    json members = json::array();
    for (const FlatMember& m : flatten(*r).members) members.push_back(flat_json(m));
    json j = stats_json(record_stats(*r, cacheline_size));
    j["name"] = r->name;
    j["kind"] = kind_keyword(r->kind);
    j["decl"] = loc_json(r->decl);
    j["members"] = members;
    j["holes"] = holes_json(find_holes(*r));
    recs.push_back(j);
  }
  return json{{"schema_version", kSchemaVersion}, {"tool_version", tool_version()}, {"kind", "layout"}, {"source", source},
              {"cacheline_size", cacheline_size}, {"records", recs}};
}

json diff_json(const DiffResult& d) {
  json recs = json::array();
  json summary{{"changed", 0}, {"added", 0}, {"removed", 0}, {"unchanged", 0}, {"missing", 0}};
  for (const RecordDiff& r : d.records) {
    if (r.status == RecordStatus::Ambiguous && !summary.contains("ambiguous")) summary["ambiguous"] = 0;
    if (r.status == RecordStatus::Suppressed && !summary.contains("suppressed")) summary["suppressed"] = 0;
    summary[status_name(r.status)] = summary[status_name(r.status)].get<int>() + 1;
    if (r.status != RecordStatus::Unchanged || d.explicit_names || r.incomplete()) recs.push_back(record_diff_json(r));
  }
  json roots = json::array();
  for (const RootCause& c : d.root_causes)
    roots.push_back({{"type", c.name}, {"kind", kind_keyword(c.kind)}, {"delta", c.delta}, {"affected", c.affected}});
  json j{{"schema_version", kSchemaVersion}, {"tool_version", tool_version()}, {"kind", "diff"},       {"old", d.old_source},
         {"new", d.new_source},              {"changed", d.changed()}, {"cacheline_size", d.cacheline_size},
         {"summary", summary},               {"root_causes", roots},   {"records", recs}};
  if (d.hidden) j["hidden"] = d.hidden, j["selection"] = d.selection;
  if (const size_t n = d.incomplete()) j["incomplete"] = n;
  return j;
}

json check_json(const CheckResult& r) {
  json rules = json::array();
  for (const Rule& x : r.rules) rules.push_back(rule_json(x));
  json configs = json::array();
  for (const ConfigResult& c : r.configs) configs.push_back(config_json(c));
  const CheckSummary& n = r.summary;
  json summary{{"checks", n.checks},   {"failed", n.failed},   {"rule_errors", n.rule_errors},
               {"errors", n.errors},   {"configs", n.configs}, {"checked", n.checked},
               {"not_checked", n.not_checked}, {"allowed", n.allowed}};
  return json{{"schema_version", kSchemaVersion}, {"tool_version", tool_version()}, {"kind", "check"}, {"verdict", verdict_name(r.verdict)},
              {"cacheline_size", r.cacheline_size}, {"rules", rules}, {"configs", configs}, {"summary", summary}};
}

std::string dump_json(const json& j, bool compact) { return j.dump(compact ? -1 : 2, ' ', false, json::error_handler_t::replace) + "\n"; }

}  // namespace padguard
