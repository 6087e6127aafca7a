// TOML policy parsing: each key is looked up in the rule table and its value
// converted, by the rule's argument shape, to the flag spelling parse_rule
// reads. Type errors say what was expected and what was found.
#include "policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <toml++/toml.h>

#include "padguard/error.hpp"
#include "padguard/rule_table.hpp"

namespace padguard::cli {

namespace {

[[noreturn]] void bad(const std::string& origin, const std::string& msg) { throw InputError(origin, msg); }

const char* type_of(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::array: return "array";
    case toml::node_type::table: return "table";
    default: return "date/time";
  }
}

// What a key of each shape may hold, for the error message.
const char* expected(ArgShape s) {
  switch (s) {
    case ArgShape::Names: return "a string or array of strings";
    case ArgShape::NamedLimits: return "a table of NAME = N, or an array of \"NAME=N\" strings";
    case ArgShape::LimitOrNamedLimits: return "a non-negative integer, a table of NAME = N, or an array of strings";
    case ArgShape::MemberPair: return "a string \"S.a,S.b\", or an array of such strings or of [\"S.a\", \"S.b\"] pairs";
    case ArgShape::GroupLimits: return "a table of \"STRUCT.GROUP\" = N, or an array of \"STRUCT.GROUP=N\" strings";
    case ArgShape::GroupNames: return "a string \"STRUCT.GROUP\" or \"all\", or an array of strings";
    case ArgShape::GroupMembers: return "a table of \"STRUCT.GROUP\" = [\"member\", ...], or a string \"STRUCT.GROUP=a,b\"";
  }
  return "?";
}

struct Key {
  const RuleDef& def;
  const std::string& origin;

  [[noreturn]] void wrong(const toml::node& n) const {
    bad(origin, fmt::format("line {}: {} must be {}, got {}", n.source().begin.line, def.name, expected(def.shape),
                            type_of(n)));
  }

  std::string limit(const toml::node& n) const {
    const auto i = n.value<int64_t>();
    if (!i || *i < 0 || !n.is_integer())
      bad(origin, fmt::format("line {}: {}: limits must be non-negative integers, got {}", n.source().begin.line,
                              def.name, n.is_integer() ? "a negative integer" : type_of(n)));
    return std::to_string(*i);
  }

  // One array element or the whole scalar value, as a flag value.
  std::string scalar(const toml::node& n) const {
    if (auto s = n.value_exact<std::string>()) return *s;
    if (n.is_integer() && def.shape == ArgShape::LimitOrNamedLimits) return limit(n);
    if (const toml::array* a = n.as_array(); a && def.shape == ArgShape::MemberPair) {
      std::string joined;
      for (const toml::node& e : *a) {
        auto s = e.value_exact<std::string>();
        if (!s) wrong(n);
        joined += (joined.empty() ? "" : ",") + *s;
      }
      return joined;
    }
    wrong(n);
  }

  std::vector<std::string> values(const toml::node& v) const {
    std::vector<std::string> out;
    if (const toml::array* a = v.as_array()) {
      for (const toml::node& e : *a) out.push_back(scalar(e));
    } else if (const toml::table* t = v.as_table()) {
      if (def.shape == ArgShape::GroupMembers) {
        for (const auto& [name, n] : *t) {
          const toml::array* list = n.as_array();
          if (!list) wrong(n);
          std::string joined;
          for (const toml::node& e : *list) {
            auto s = e.value_exact<std::string>();
            if (!s) wrong(n);
            joined += (joined.empty() ? "" : ",") + *s;
          }
          out.push_back(std::string(name.str()) + "=" + joined);
        }
        return out;
      }
      if (def.shape != ArgShape::NamedLimits && def.shape != ArgShape::LimitOrNamedLimits &&
          def.shape != ArgShape::GroupLimits)
        wrong(v);
      for (const auto& [name, n] : *t) out.push_back(std::string(name.str()) + "=" + limit(n));
    } else {
      out.push_back(scalar(v));
    }
    return out;
  }
};

}  // namespace

namespace {

std::vector<std::string> strings(const toml::node& n, const std::string& origin, const char* key) {
  std::vector<std::string> out;
  const toml::array* a = n.as_array();
  if (!a) bad(origin, fmt::format("line {}: suppress.{} must be an array of strings, got {}", n.source().begin.line, key,
                                  type_of(n)));
  for (const toml::node& e : *a) {
    auto s = e.value_exact<std::string>();
    if (!s) bad(origin, fmt::format("line {}: suppress.{} must be an array of strings, got an element of type {}",
                                    e.source().begin.line, key, type_of(e)));
    out.push_back(*s);
  }
  return out;
}

Suppressions parse_suppress(const toml::node& n, const std::string& origin) {
  const toml::table* t = n.as_table();
  if (!t) bad(origin, fmt::format("line {}: suppress must be a table ([suppress]), got {}", n.source().begin.line, type_of(n)));
  Suppressions s;
  for (const auto& [k, v] : *t) {
    const std::string key(k.str());
    if (key == "ignore-members") {
      s.ignore_members = strings(v, origin, "ignore-members");
    } else if (key == "reserved") {
      if (auto b = v.value_exact<bool>()) {
        if (!*b) s.reserved.clear();
      } else {
        s.reserved = strings(v, origin, "reserved");
      }
    } else if (key == "struct-group") {
      auto b = v.value_exact<bool>();
      if (!b) bad(origin, fmt::format("line {}: suppress.struct-group must be true or false, got {}",
                                      v.source().begin.line, type_of(v)));
      s.struct_group = *b;
    } else {
      bad(origin, fmt::format("line {}: unknown key 'suppress.{}' (known: ignore-members, reserved, struct-group)",
                              v.source().begin.line, key));
    }
  }
  return s;
}

}  // namespace

std::vector<Rule> parse_policy_toml(std::string_view text, const std::string& origin) {
  Policy p = parse_policy(text, origin);
  if (p.rules.empty()) bad(origin, "policy has no rules");
  return std::move(p.rules);
}

Policy parse_policy(std::string_view text, const std::string& origin) {
  toml::table tbl;
  try {
    tbl = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    bad(origin, fmt::format("line {}, column {}: {} (not valid TOML)", b.line, b.column, e.description()));
  }
  // In the file's order, so the verdict lines follow the policy.
  std::vector<std::pair<std::string, const toml::node*>> entries;
  for (const auto& [k, v] : tbl) entries.emplace_back(std::string(k.str()), &v);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.second->source().begin.line < b.second->source().begin.line;
  });
  Policy out;
  bool suppress = false;
  for (const auto& [key, node] : entries) {
    if (key == "suppress") {
      out.suppress = parse_suppress(*node, origin);
      suppress = true;
      continue;
    }
    const RuleDef* d = find_rule(key);
    if (!d) bad(origin, fmt::format("unknown key '{}'{}", key, rule_name_hint(key)));
    for (const std::string& v : Key{*d, origin}.values(*node))
      for (Rule& r : parse_rule(key, v, origin)) out.rules.push_back(std::move(r));
  }
  if (out.rules.empty() && !suppress) bad(origin, "policy has no rules");
  return out;
}

}  // namespace padguard::cli
