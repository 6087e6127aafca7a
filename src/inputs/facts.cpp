// Facts files (version 2): Records and their Types as JSON and back. Records
// are stored once in "record_table", types once in "types" (identical types
// of different units share an entry), both referred to by index, so the file
// stays small and the round trip keeps everything pahole prints. Default
// values are omitted. Version 1 files (pahole spellings) are refused with the
// way to regenerate them.
#include "padguard/facts.hpp"

#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "padguard/error.hpp"
#include "padguard/schema.hpp"
#include "padguard/version.hpp"

namespace padguard {

using nlohmann::json;

namespace {

// Facts nest records in types in records; deeper than this is not a real
// program (the builder stops at 256 levels of types) and would exhaust the
// stack while reading.
constexpr int kMaxFactsDepth = 2048;
// The builder's bounds on a member type's spelling and on the lines a record
// prints with its anonymous types expanded inline (model_builder.cpp): types
// and records are shared by index, so a few KB can otherwise ask for 2^40
// lines (fuzz_facts, issue 12).
constexpr uint64_t kMaxNameSteps = uint64_t{1} << 16;
constexpr uint64_t kMaxExpandedMembers = uint64_t{1} << 16;
// And over the whole file: "records" may list one record many times (a
// 5 KB file asked for 10^7 lines, 17 s and 1 GB); the running kernel's BTF
// extracted whole prints 137 k lines, 30 times less.
constexpr uint64_t kMaxFileLines = uint64_t{1} << 22;

// The exact integer at `v`, in T's range: a negative, fractional, too large
// or non-numeric value is refused with its JSON pointer (nlohmann would wrap
// -1, truncate 40.9 and read 2^70 as 0).
template <typename T>
T exact(const json& v, const std::string& at, const std::string& origin) {
  using L = std::numeric_limits<T>;
  if (v.is_number_unsigned()) {
    const auto u = v.get<uint64_t>();
    if (u <= static_cast<uint64_t>(L::max())) return static_cast<T>(u);
  } else if (v.is_number_integer()) {
    const auto i = v.get<int64_t>();
    if (L::is_signed ? i >= static_cast<int64_t>(L::min()) : i >= 0) return static_cast<T>(i);
  }
  throw InputError(origin, fmt::format("facts: {}: {} is not an integer in {}..{}; re-run padguard extract", at,
                                       v.dump(), L::min(), L::max()));
}

RecordKind kind_from(const std::string& s, const std::string& origin) {
  if (s == "struct") return RecordKind::Struct;
  if (s == "union") return RecordKind::Union;
  if (s == "class") return RecordKind::Class;
  throw InputError(origin, "facts: unknown record kind '" + s + "'");
}

// Type kinds and qualifiers by their facts names, one table each way.
constexpr std::pair<TypeKind, const char*> kTypeKinds[] = {
    {TypeKind::Void, "void"},         {TypeKind::Base, "base"},       {TypeKind::Pointer, "pointer"},
    {TypeKind::Array, "array"},       {TypeKind::Typedef, "typedef"}, {TypeKind::Qualified, "qualified"},
    {TypeKind::Record, "record"},     {TypeKind::Enum, "enum"},       {TypeKind::Function, "function"},
    {TypeKind::Unspecified, "unspecified"}, {TypeKind::Unknown, "unknown"},
};
constexpr std::pair<Qualifier, const char*> kQualifiers[] = {
    {Qualifier::Const, "const"}, {Qualifier::Volatile, "volatile"},
    {Qualifier::Restrict, "restrict"}, {Qualifier::Atomic, "_Atomic"},
};

template <typename E, size_t N>
const char* name_of(const std::pair<E, const char*> (&table)[N], E e) {
  for (const auto& [v, n] : table)
    if (v == e) return n;
  return "?";
}

template <typename E, size_t N>
E value_of(const std::pair<E, const char*> (&table)[N], const std::string& s, const std::string& origin) {
  for (const auto& [v, n] : table)
    if (s == n) return v;
  throw InputError(origin, "facts: unknown type kind or qualifier '" + s + "'; re-run padguard extract");
}

json loc_json(const SourceLoc& l) { return json::array({l.file, l.line}); }

SourceLoc loc_from(const json& j, const std::string& at, const std::string& origin) {
  SourceLoc l;
  l.file = j.at(0).get<std::string>();
  l.line = exact<uint32_t>(j.at(1), at + "/1", origin);
  return l;
}

json enum_json(const EnumType& e) {
  json en = json::array();
  for (const auto& [n, v] : e.enumerators) en.push_back(json::array({n, v}));
  return json{{"name", e.name}, {"size", e.byte_size}, {"enumerators", en}};
}

std::shared_ptr<const EnumType> enum_from(const json& j, const std::string& at, const std::string& origin) {
  auto e = std::make_shared<EnumType>();
  e->name = j.at("name").get<std::string>();
  e->byte_size = exact<uint64_t>(j.at("size"), at + "/size", origin);
  if (e->byte_size > 16)
    throw InputError(origin, fmt::format("facts: {}/size: an enum of {} bytes is implausible; re-run padguard extract",
                                         at, e->byte_size));
  size_t k = 0;
  for (const json& p : j.at("enumerators")) {
    e->enumerators.emplace_back(p.at(0).get<std::string>(),
                                exact<int64_t>(p.at(1), fmt::format("{}/enumerators/{}/1", at, k), origin));
    ++k;
  }
  return e;
}

class Writer {
 public:
  size_t record_id(const Record& r) {
    if (auto it = record_ids_.find(&r); it != record_ids_.end()) return it->second;
    const size_t slot = records_.size();
    record_ids_.emplace(&r, slot);
    records_.push_back(nullptr);
    json j = record(r);
    records_[slot] = std::move(j);
    return slot;
  }

  size_t type_id(const Type& t) {
    if (auto it = type_ids_.find(&t); it != type_ids_.end()) return it->second;
    json j = type(t);
    // Units each have their own `int`: one entry per distinct type.
    std::string key = j.dump();
    auto [it, fresh] = by_text_.emplace(std::move(key), types_.size());
    if (fresh) types_.push_back(std::move(j));
    type_ids_.emplace(&t, it->second);
    return it->second;
  }

  json take_records() { return std::move(records_); }
  json take_types() { return std::move(types_); }

 private:
  json record(const Record& r) {
    json j{{"kind", kind_keyword(r.kind)}};
    if (!r.name.empty()) j["name"] = r.name;
#define PADGUARD_PUT(f) j[#f] = r.f;
    PADGUARD_RECORD_NUMBERS(PADGUARD_PUT)
#undef PADGUARD_PUT
    if (!r.decl.file.empty() || r.decl.line) j["decl"] = loc_json(r.decl);
    if (!r.unit.empty()) j["unit"] = r.unit;
    json ms = json::array();
    for (const Member& m : r.members) ms.push_back(member(m));
    j["members"] = ms;
    if (!r.nested_types.empty()) {
      json ns = json::array();
      for (const NestedType& n : r.nested_types) {
        json nj{{"after", n.after_members}};
        if (n.record) nj["record"] = record_id(*n.record);
        if (n.enumeration) nj["enum"] = enum_json(*n.enumeration);
        ns.push_back(nj);
      }
      j["nested"] = ns;
    }
    return j;
  }

  json member(const Member& m) {
    static const Member kDefault;
    json j{{"name", m.name}, {"type", type_id(*m.type)}};
#define PADGUARD_PUT(f) \
  if (m.f != kDefault.f) j[#f] = m.f;
    PADGUARD_MEMBER_NUMBERS(PADGUARD_PUT)
#undef PADGUARD_PUT
    if (m.direct_struct) j["direct_struct"] = record_id(*m.direct_struct);
    if (!m.decl.file.empty() || m.decl.line) j["decl"] = loc_json(m.decl);
    return j;
  }

  json type(const Type& t) {
    json j{{"kind", name_of(kTypeKinds, t.kind)}};
    if (!t.name.empty()) j["name"] = t.name;
    if (t.byte_size) j["byte_size"] = t.byte_size;
    if (t.alignment != 1) j["alignment"] = t.alignment;
    if (t.kind == TypeKind::Qualified) j["qualifier"] = name_of(kQualifiers, t.qualifier);
    if (t.kind == TypeKind::Record) j["record_kind"] = kind_keyword(t.record_kind);
    if (t.declaration) j["declaration"] = true;
    if (t.reference) j["reference"] = true;
    if (t.variadic) j["variadic"] = true;
    if (t.prototyped) j["prototyped"] = true;
    if (t.target) j["target"] = type_id(*t.target);
    if (!t.dims.empty()) j["dims"] = t.dims;
    if (!t.params.empty()) {
      json ps = json::array();
      for (const Param& p : t.params) ps.push_back(json::array({p.name, type_id(p.type ? *p.type : *void_type())}));
      j["params"] = ps;
    }
    if (t.record) j["record"] = record_id(*t.record);
    if (t.enumeration) j["enum"] = enum_json(*t.enumeration);
    return j;
  }

  std::unordered_map<const Record*, size_t> record_ids_;
  std::unordered_map<const Type*, size_t> type_ids_;
  std::unordered_map<std::string, size_t> by_text_;
  json records_ = json::array();
  json types_ = json::array();
};

// Reads records and types by index, each once; an index that refers back to
// an entry being read is a loop, refused like the builder refuses DWARF ones.
class Reader {
 public:
  Reader(const json& records, const json& types, const std::string& origin)
      : records_(records), types_(types), origin_(origin) {}

  std::shared_ptr<const Record> record_at(const json& index, const std::string& at) {
    return record_at(num<size_t>(index, at));
  }
  std::shared_ptr<const Record> record_at(size_t id) {
    if (auto it = records_done_.find(id); it != records_done_.end()) return it->second;
    if (id >= records_.size()) fail(fmt::format("record index {} out of range", id));
    if (!records_busy_.insert(id).second) fail(fmt::format("record {} contains itself", id));
    Deeper guard(*this);
    auto r = record(records_.at(id), fmt::format("/record_table/{}", id));
    records_busy_.erase(id);
    records_done_.emplace(id, r);
    return r;
  }

  // Lines `r` prints with its anonymous types expanded (a record read here).
  uint64_t expanded(const Record* r) const {
    const auto it = expanded_.find(r);
    return it == expanded_.end() ? 0 : it->second;
  }

  TypeRef type_at(size_t id) {
    if (auto it = types_done_.find(id); it != types_done_.end()) return it->second.type;
    if (id >= types_.size()) fail(fmt::format("type index {} out of range", id));
    if (!types_busy_.insert(id).second) fail(fmt::format("type {} refers to itself", id));
    Deeper guard(*this);
    auto t = std::make_shared<Type>();
    const uint64_t steps = type(types_.at(id), *t, fmt::format("/types/{}", id));
    types_busy_.erase(id);
    types_done_.emplace(id, Built{t, steps});
    return t;
  }

 private:
  struct Deeper {
    explicit Deeper(Reader& r) : rd(r) {
      if (++rd.depth_ > kMaxFactsDepth) rd.fail("records and types nested too deeply");
    }
    ~Deeper() { --rd.depth_; }
    Reader& rd;
  };

  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(origin_, "facts: " + what + "; re-run padguard extract");
  }
  template <typename T>
  T num(const json& v, const std::string& at) const { return exact<T>(v, at, origin_); }
  // An optional numeric field: its default when absent.
  template <typename T>
  T opt(const json& j, const char* key, const std::string& at, T dflt) const {
    if (!j.contains(key)) return dflt;
    return num<T>(j[key], at + "/" + key);
  }

  uint64_t steps_at(size_t id) const { return types_done_.at(id).steps; }
  static uint64_t add(uint64_t a, uint64_t b) { return a + b > kMaxNameSteps ? kMaxNameSteps + 1 : a + b; }

  std::shared_ptr<const Record> record(const json& j, const std::string& at) {
    auto r = std::make_shared<Record>();
    r->kind = kind_from(j.at("kind").get<std::string>(), origin_);
    r->name = j.value("name", std::string());
#define PADGUARD_GET(f) r->f = num<decltype(r->f)>(j.at(#f), at + "/" #f);
    PADGUARD_RECORD_NUMBERS(PADGUARD_GET)
#undef PADGUARD_GET
    if (r->address_size != 2 && r->address_size != 4 && r->address_size != 8)
      fail(fmt::format("{}/address_size: {} is not 2, 4 or 8", at, r->address_size));
    if (j.contains("decl")) r->decl = loc_from(j["decl"], at + "/decl", origin_);
    if (j.contains("unit")) r->unit = j["unit"].get<std::string>();
    size_t k = 0;
    for (const json& mj : j.at("members")) r->members.push_back(member(mj, fmt::format("{}/members/{}", at, k++)));
    if (j.contains("nested")) {
      k = 0;
      for (const json& nj : j["nested"]) {
        const std::string nat = fmt::format("{}/nested/{}", at, k++);
        NestedType n;
        n.after_members = num<size_t>(nj.at("after"), nat + "/after");
        if (n.after_members > r->members.size())
          fail(fmt::format("{}/after: {} is past the record's {} members", nat, n.after_members, r->members.size()));
        // A type defined among the members: a record or an enum, as the builder makes them.
        if (nj.contains("record") == nj.contains("enum"))
          fail(fmt::format("{}: needs exactly one of \"record\" and \"enum\"", nat));
        if (nj.contains("record")) n.record = record_at(nj["record"], nat + "/record");
        if (nj.contains("enum")) n.enumeration = enum_from(nj["enum"], nat + "/enum", origin_);
        r->nested_types.push_back(std::move(n));
      }
    }
    // Lines the record prints with its inline types expanded, as the builder counts them.
    uint64_t lines = r->members.size() + r->nested_types.size();
    for (const Member& m : r->members)
      if (const Record* ir = m.inline_record()) lines += expanded(ir);
    for (const NestedType& n : r->nested_types)
      if (n.record) lines += expanded(n.record.get());
    if (lines > kMaxExpandedMembers) fail(at + ": anonymous types nested too often (over 2^16 lines inline)");
    if (const std::string bad = record_violation(*r); !bad.empty()) fail(at + ": " + bad);
    expanded_[r.get()] = lines;
    return r;
  }

  Member member(const json& j, const std::string& at) {
    Member m;
    m.name = j.at("name").get<std::string>();
    const auto tid = num<size_t>(j.at("type"), at + "/type");
    m.type = type_at(tid);
    if (steps_at(tid) > kMaxNameSteps) fail("a member's type name is too complex");
#define PADGUARD_GET(f) m.f = opt<decltype(m.f)>(j, #f, at, m.f);
    PADGUARD_MEMBER_NUMBERS(PADGUARD_GET)
#undef PADGUARD_GET
    if (m.natural_alignment == 0) fail(at + "/natural_alignment: 0 (never 0; 1 for unaligned types)");
    if (m.byte_size != m.type->byte_size)
      fail(fmt::format("{}/byte_size: {} contradicts its type's size {}", at, m.byte_size, m.type->byte_size));
    if (j.contains("direct_struct")) m.direct_struct = record_at(j["direct_struct"], at + "/direct_struct");
    if (j.contains("decl")) m.decl = loc_from(j["decl"], at + "/decl", origin_);
    return m;
  }

  // Fills `t`; returns its spelling steps (as the builder counts them).
  uint64_t type(const json& j, Type& t, const std::string& at) {
    t.kind = value_of(kTypeKinds, j.at("kind").get<std::string>(), origin_);
    t.name = j.value("name", std::string());
    t.byte_size = opt<uint64_t>(j, "byte_size", at, 0);
    t.alignment = opt<uint32_t>(j, "alignment", at, 1u);
    if (t.byte_size > (uint64_t{1} << 40)) fail(fmt::format("{}/byte_size: {} is implausible (over 2^40)", at, t.byte_size));
    if (j.contains("qualifier")) t.qualifier = value_of(kQualifiers, j["qualifier"].get<std::string>(), origin_);
    if (j.contains("record_kind")) t.record_kind = kind_from(j["record_kind"].get<std::string>(), origin_);
    t.declaration = t.kind == TypeKind::Record && j.value("declaration", false);
    if (t.declaration && t.byte_size != 0)
      fail(fmt::format("{}/declaration: a declaration-only type has no size, yet byte_size is {}", at, t.byte_size));
    t.reference = j.value("reference", false);
    t.variadic = j.value("variadic", false);
    t.prototyped = j.value("prototyped", false);
    if (j.contains("dims")) {
      size_t k = 0;
      uint64_t elements = 1;
      for (const json& d : j["dims"]) {
        t.dims.push_back(num<uint64_t>(d, fmt::format("{}/dims/{}", at, k++)));
        if (t.dims.back() != 0 && elements > (uint64_t{1} << 40) / t.dims.back())
          fail(fmt::format("{}/dims: more than 2^40 elements", at));
        elements *= t.dims.back() ? t.dims.back() : 1;
      }
    }
    uint64_t steps = 1;
    if (j.contains("target")) {
      const auto id = num<size_t>(j["target"], at + "/target");
      t.target = type_at(id);
      if (t.kind != TypeKind::Typedef) steps = add(steps, steps_at(id));
    } else if (t.kind == TypeKind::Pointer || t.kind == TypeKind::Array || t.kind == TypeKind::Typedef ||
               t.kind == TypeKind::Qualified || t.kind == TypeKind::Function) {
      t.target = void_type();
    }
    if (j.contains("params")) {
      size_t k = 0;
      for (const json& p : j["params"]) {
        const auto id = num<size_t>(p.at(1), fmt::format("{}/params/{}/1", at, k++));
        t.params.push_back(Param{p.at(0).get<std::string>(), type_at(id)});
        steps = add(steps, steps_at(id));
      }
    }
    if (j.contains("record")) t.record = record_at(j["record"], at + "/record");
    if (j.contains("enum")) t.enumeration = enum_from(j["enum"], at + "/enum", origin_);
    return steps;
  }

  struct Built {
    TypeRef type;
    uint64_t steps = 1;
  };
  const json& records_;
  const json& types_;
  const std::string& origin_;
  std::unordered_map<size_t, std::shared_ptr<const Record>> records_done_;
  std::unordered_set<size_t> records_busy_;
  std::unordered_map<size_t, Built> types_done_;
  std::unordered_set<size_t> types_busy_;
  std::unordered_map<const Record*, uint64_t> expanded_;  // lines printed inline, per record read
  int depth_ = 0;
};

// A facts file of another major version: named, with the way out.
void check_version(const json& j, const std::string& origin) {
  const std::string version = j.value("schema_version", std::string());
  const std::string major = version.substr(0, version.find('.'));
  const std::string ours = std::string(kSchemaVersion).substr(0, std::string(kSchemaVersion).find('.'));
  if (major == ours) return;
  if (major == "1")
    throw InputError(origin, fmt::format("facts schema_version '{}' (version 1, types as pahole spellings) is no "
                                         "longer read; re-run padguard extract on the ELF file to regenerate it",
                                         version));
  throw InputError(origin, fmt::format("facts schema_version '{}' is not supported (this padguard reads {}.x); "
                                       "re-run padguard extract with this padguard", version, ours));
}

}  // namespace

json facts_json(const std::string& source, uint32_t address_size, const std::vector<const Record*>& records,
                bool states_alignment) {
  Writer w;
  json ids = json::array();
  for (const Record* r : records) ids.push_back(w.record_id(*r));
  json doc{{"schema_version", kSchemaVersion}, {"tool_version", tool_version()}, {"kind", "facts"},   {"source", source},
           {"address_size", address_size},     {"records", ids},    {"record_table", w.take_records()},
           {"types", w.take_types()}};
  if (!states_alignment) doc["states_alignment"] = false;
  return doc;
}

json facts_json(const RecordSet& set, const std::vector<const Record*>& records) {
  json doc = facts_json(set.source, set.address_size, records, set.states_alignment);
  if (set.machine) doc["machine"] = set.machine;
  if (set.byte_order != ByteOrder::Unknown) doc["byte_order"] = set.byte_order == ByteOrder::Little ? "little" : "big";
  return doc;
}

RecordSet records_from_facts(const json& j, const std::string& origin) {
  try {
    if (!j.is_object() || j.value("kind", std::string()) != "facts")
      throw InputError(origin, "not a padguard facts file (no \"kind\": \"facts\"); make one with padguard extract");
    check_version(j, origin);
    RecordSet set;
    set.source = origin;
    set.address_size = j.contains("address_size") ? exact<uint32_t>(j["address_size"], "/address_size", origin) : 8u;
    if (set.address_size != 2 && set.address_size != 4 && set.address_size != 8)
      throw InputError(origin, fmt::format("facts: /address_size: {} is not 2, 4 or 8; re-run padguard extract",
                                           set.address_size));
    if (j.contains("states_alignment")) {
      if (!j["states_alignment"].is_boolean())
        throw InputError(origin, "facts: /states_alignment: not true or false; re-run padguard extract");
      set.states_alignment = j["states_alignment"].get<bool>();
    }
    if (j.contains("machine")) set.machine = exact<uint16_t>(j["machine"], "/machine", origin);
    if (j.contains("byte_order")) {
      const json& b = j["byte_order"];
      if (!b.is_string() || (b != "little" && b != "big"))
        throw InputError(origin, "facts: /byte_order: not \"little\" or \"big\"; re-run padguard extract");
      set.byte_order = b == "little" ? ByteOrder::Little : ByteOrder::Big;
    }
    Reader rd(j.at("record_table"), j.at("types"), origin);
    size_t k = 0;
    uint64_t lines = 0;
    for (const json& id : j.at("records")) {
      set.records.push_back(rd.record_at(id, fmt::format("/records/{}", k)));
      lines += rd.expanded(set.records.back().get()) + 1;
      if (lines > kMaxFileLines)
        throw InputError(origin, fmt::format("facts: /records/{}: the records listed print more than 2^22 lines "
                                             "with their anonymous types expanded; re-run padguard extract", k));
      ++k;
    }
    return set;
  } catch (const json::exception& e) {
    throw InputError(origin, fmt::format("malformed facts file ({}); re-extract it with padguard extract", e.what()));
  }
}

}  // namespace padguard
