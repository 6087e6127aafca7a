// Facts files: Records to JSON and back. Every record is stored once in a
// "types" table and referred to by index (inline, direct and nested records
// are shared in the model), so the file stays small and the round trip keeps
// everything pahole prints. Default values are omitted.
#include "padguard/facts.hpp"

#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "padguard/error.hpp"
#include "padguard/schema.hpp"

namespace padguard {

using nlohmann::json;

namespace {

RecordKind kind_from(const std::string& s, const std::string& origin) {
  if (s == "struct") return RecordKind::Struct;
  if (s == "union") return RecordKind::Union;
  if (s == "class") return RecordKind::Class;
  throw InputError(origin, "facts: unknown record kind '" + s + "'");
}

json loc_json(const SourceLoc& l) { return json::array({l.file, l.line}); }

SourceLoc loc_from(const json& j) {
  SourceLoc l;
  l.file = j.at(0).get<std::string>();
  l.line = j.at(1).get<uint32_t>();
  return l;
}

json enum_json(const EnumType& e) {
  json en = json::array();
  for (const auto& [n, v] : e.enumerators) en.push_back(json::array({n, v}));
  return json{{"name", e.name}, {"size", e.byte_size}, {"enumerators", en}};
}

std::shared_ptr<const EnumType> enum_from(const json& j) {
  auto e = std::make_shared<EnumType>();
  e->name = j.at("name").get<std::string>();
  e->byte_size = j.at("size").get<uint64_t>();
  for (const json& p : j.at("enumerators")) e->enumerators.emplace_back(p.at(0).get<std::string>(), p.at(1).get<int64_t>());
  return e;
}

class Writer {
 public:
  size_t id(const Record& r) {
    if (auto it = ids_.find(&r); it != ids_.end()) return it->second;
    const size_t slot = types_.size();
    ids_.emplace(&r, slot);
    types_.push_back(nullptr);
    json j = record(r);
    types_[slot] = std::move(j);
    return slot;
  }
  json take() { return std::move(types_); }

 private:
  json record(const Record& r) {
    json j{{"kind", kind_keyword(r.kind)}, {"size", r.byte_size}};
    if (!r.name.empty()) j["name"] = r.name;
    if (r.alignment) j["alignment"] = r.alignment;
    j["address_size"] = r.address_size;
    if (!r.decl.file.empty() || r.decl.line) j["decl"] = loc_json(r.decl);
    json ms = json::array();
    for (const Member& m : r.members) ms.push_back(member(m));
    j["members"] = ms;
    if (!r.nested_types.empty()) {
      json ns = json::array();
      for (const NestedType& n : r.nested_types) {
        json nj{{"after", n.after_members}};
        if (n.record) nj["record"] = id(*n.record);
        if (n.enumeration) nj["enum"] = enum_json(*n.enumeration);
        ns.push_back(nj);
      }
      j["nested"] = ns;
    }
    return j;
  }

  json member(const Member& m) {
    json t = json::object();
    const TypeSpelling& s = m.spelling;
    for (auto [k, v] : {std::pair{"modifiers", &s.modifiers}, {"keyword", &s.keyword}, {"type", &s.type},
                        {"prefix", &s.prefix}, {"suffix", &s.suffix}})
      if (!v->empty()) t[k] = *v;
    json j{{"name", m.name}, {"type", t}, {"bit_offset", m.bit_offset}, {"size", m.byte_size}};
    if (m.bit_size) j["bit_size"] = m.bit_size;
    if (m.unit_size) j["unit_size"] = m.unit_size;
    if (m.alignment) j["alignment"] = m.alignment;
    if (!m.dims.empty()) j["dims"] = m.dims;
    if (m.natural_alignment != 1) j["natural_alignment"] = m.natural_alignment;
    if (m.inline_record) j["inline_record"] = id(*m.inline_record);
    if (m.inline_enum) j["inline_enum"] = enum_json(*m.inline_enum);
    if (m.inline_via_pointer) j["inline_via_pointer"] = true;
    if (m.direct_struct) j["direct_struct"] = id(*m.direct_struct);
    if (!m.decl.file.empty() || m.decl.line) j["decl"] = loc_json(m.decl);
    return j;
  }

  std::unordered_map<const Record*, size_t> ids_;
  json types_ = json::array();
};

class Reader {
 public:
  Reader(const json& types, const std::string& origin) : types_(types), origin_(origin) {}

  std::shared_ptr<const Record> get(size_t id) {
    if (auto it = done_.find(id); it != done_.end()) return it->second;
    if (id >= types_.size()) throw InputError(origin_, fmt::format("facts: record index {} out of range", id));
    if (!busy_.insert(id).second) throw InputError(origin_, fmt::format("facts: record {} contains itself", id));
    auto r = record(types_.at(id));
    busy_.erase(id);
    done_.emplace(id, r);
    return r;
  }

 private:
  std::shared_ptr<const Record> record(const json& j) {
    auto r = std::make_shared<Record>();
    r->kind = kind_from(j.at("kind").get<std::string>(), origin_);
    r->name = j.value("name", std::string());
    r->byte_size = j.at("size").get<uint64_t>();
    r->alignment = j.value("alignment", 0u);
    r->address_size = j.value<uint8_t>("address_size", 8);
    if (j.contains("decl")) r->decl = loc_from(j["decl"]);
    for (const json& mj : j.at("members")) r->members.push_back(member(mj));
    if (j.contains("nested")) {
      for (const json& nj : j["nested"]) {
        NestedType n;
        n.after_members = nj.at("after").get<size_t>();
        if (nj.contains("record")) n.record = get(nj["record"].get<size_t>());
        if (nj.contains("enum")) n.enumeration = enum_from(nj["enum"]);
        r->nested_types.push_back(std::move(n));
      }
    }
    return r;
  }

  Member member(const json& j) {
    Member m;
    m.name = j.at("name").get<std::string>();
    const json& t = j.at("type");
    m.spelling.modifiers = t.value("modifiers", std::string());
    m.spelling.keyword = t.value("keyword", std::string());
    m.spelling.type = t.value("type", std::string());
    m.spelling.prefix = t.value("prefix", std::string());
    m.spelling.suffix = t.value("suffix", std::string());
    m.bit_offset = j.at("bit_offset").get<uint64_t>();
    m.byte_size = j.at("size").get<uint64_t>();
    m.bit_size = j.value("bit_size", 0u);
    m.unit_size = j.value<uint64_t>("unit_size", 0);
    m.alignment = j.value("alignment", 0u);
    if (j.contains("dims")) m.dims = j["dims"].get<std::vector<uint64_t>>();
    m.natural_alignment = j.value("natural_alignment", 1u);
    if (j.contains("inline_record")) m.inline_record = get(j["inline_record"].get<size_t>());
    if (j.contains("inline_enum")) m.inline_enum = enum_from(j["inline_enum"]);
    m.inline_via_pointer = j.value("inline_via_pointer", false);
    if (j.contains("direct_struct")) m.direct_struct = get(j["direct_struct"].get<size_t>());
    if (j.contains("decl")) m.decl = loc_from(j["decl"]);
    return m;
  }

  const json& types_;
  const std::string& origin_;
  std::unordered_map<size_t, std::shared_ptr<const Record>> done_;
  std::unordered_set<size_t> busy_;
};

}  // namespace

json facts_json(const std::string& source, uint32_t address_size, const std::vector<const Record*>& records) {
  Writer w;
  json ids = json::array();
  for (const Record* r : records) ids.push_back(w.id(*r));
  return json{{"schema_version", kSchemaVersion}, {"kind", "facts"}, {"source", source},
              {"address_size", address_size},     {"records", ids},  {"types", w.take()}};
}

RecordSet records_from_facts(const json& j, const std::string& origin) {
  try {
    if (!j.is_object() || j.value("kind", std::string()) != "facts")
      throw InputError(origin, "not a padguard facts file (no \"kind\": \"facts\"); make one with padguard extract");
    const std::string version = j.value("schema_version", std::string());
    if (version.substr(0, version.find('.')) != std::string(kSchemaVersion).substr(0, 1))
      throw InputError(origin, fmt::format("facts schema_version '{}' is not supported (this padguard reads {}.x); "
                                           "re-extract it with this padguard", version, kSchemaVersion[0]));
    RecordSet set;
    set.source = origin;
    set.address_size = j.value("address_size", 8u);
    Reader rd(j.at("types"), origin);
    for (const json& id : j.at("records")) set.records.push_back(rd.get(id.get<size_t>()));
    return set;
  } catch (const json::exception& e) {
    throw InputError(origin, fmt::format("malformed facts file ({}); re-extract it with padguard extract", e.what()));
  }
}

}  // namespace padguard
