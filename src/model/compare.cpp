// Structural comparison of types and records (compare.hpp). Recursion is
// bounded: the builder and the facts reader refuse deeper nesting.
#include <string>

#include "padguard/compare.hpp"

namespace padguard {

namespace {

using Diff = std::optional<Difference>;
constexpr int kMaxDepth = 512;

std::string text(const std::string& s) { return "\"" + s + "\""; }
std::string text(uint64_t v) { return std::to_string(v); }
std::string text(int64_t v) { return std::to_string(v); }
std::string text(uint32_t v) { return std::to_string(v); }
std::string text(uint8_t v) { return std::to_string(v); }
std::string text(bool v) { return v ? "true" : "false"; }
std::string text(RecordKind k) { return kind_keyword(k); }
std::string text(TypeKind k) { return std::to_string(static_cast<int>(k)); }
std::string text(Qualifier q) { return std::to_string(static_cast<int>(q)); }

template <typename T>
Diff field(const std::string& path, const T& a, const T& b) {
  if (a == b) return std::nullopt;
  return Difference{path, text(a), text(b)};
}

Diff size_field(const std::string& path, size_t a, size_t b) { return field(path, uint64_t{a}, uint64_t{b}); }

template <typename T, typename F>
Diff compare_ptr(const std::shared_ptr<const T>& a, const std::shared_ptr<const T>& b, const std::string& path,
                 F&& cmp) {
  if (!a && !b) return std::nullopt;
  if (!a || !b) return Difference{path, a ? "present" : "absent", b ? "present" : "absent"};
  return cmp(*a, *b);
}

Diff compare_enums(const EnumType& a, const EnumType& b, const std::string& path) {
  if (Diff d = field(path + ".name", a.name, b.name)) return d;
  if (Diff d = field(path + ".byte_size", a.byte_size, b.byte_size)) return d;
  if (Diff d = size_field(path + ".enumerators.size", a.enumerators.size(), b.enumerators.size())) return d;
  for (size_t i = 0; i < a.enumerators.size(); ++i) {
    const std::string p = path + ".enumerators[" + std::to_string(i) + "]";
    if (Diff d = field(p + ".name", a.enumerators[i].first, b.enumerators[i].first)) return d;
    if (Diff d = field(p + ".value", a.enumerators[i].second, b.enumerators[i].second)) return d;
  }
  return std::nullopt;
}

Diff compare_loc(const SourceLoc& a, const SourceLoc& b, const std::string& path) {
  if (Diff d = field(path + ".file", a.file, b.file)) return d;
  return field(path + ".line", a.line, b.line);
}

Diff records(const Record& a, const Record& b, const std::string& path, int depth);

Diff types(const Type& a, const Type& b, const std::string& path, int depth) {
  if (&a == &b) return std::nullopt;
  if (depth > kMaxDepth) return std::nullopt;
  if (Diff d = field(path + ".kind", a.kind, b.kind)) return d;
  if (Diff d = field(path + ".qualifier", a.qualifier, b.qualifier)) return d;
  if (Diff d = field(path + ".record_kind", a.record_kind, b.record_kind)) return d;
  if (Diff d = field(path + ".reference", a.reference, b.reference)) return d;
  if (Diff d = field(path + ".variadic", a.variadic, b.variadic)) return d;
  if (Diff d = field(path + ".prototyped", a.prototyped, b.prototyped)) return d;
  if (Diff d = field(path + ".name", a.name, b.name)) return d;
  if (Diff d = field(path + ".byte_size", a.byte_size, b.byte_size)) return d;
  if (Diff d = field(path + ".alignment", a.alignment, b.alignment)) return d;
  if (Diff d = size_field(path + ".dims.size", a.dims.size(), b.dims.size())) return d;
  for (size_t i = 0; i < a.dims.size(); ++i)
    if (Diff d = field(path + ".dims[" + std::to_string(i) + "]", a.dims[i], b.dims[i])) return d;
  auto type_cmp = [&](const std::string& p) {
    return [&, p](const Type& x, const Type& y) { return types(x, y, p, depth + 1); };
  };
  if (Diff d = compare_ptr(a.target, b.target, path + ".target", type_cmp(path + ".target"))) return d;
  if (Diff d = size_field(path + ".params.size", a.params.size(), b.params.size())) return d;
  for (size_t i = 0; i < a.params.size(); ++i) {
    const std::string p = path + ".params[" + std::to_string(i) + "]";
    if (Diff d = field(p + ".name", a.params[i].name, b.params[i].name)) return d;
    if (Diff d = compare_ptr(a.params[i].type, b.params[i].type, p + ".type", type_cmp(p + ".type"))) return d;
  }
  if (Diff d = compare_ptr(a.enumeration, b.enumeration, path + ".enumeration",
                           [&](const EnumType& x, const EnumType& y) { return compare_enums(x, y, path + ".enumeration"); }))
    return d;
  return compare_ptr(a.record, b.record, path + ".record", [&](const Record& x, const Record& y) {
    return records(x, y, path + ".record", depth + 1);
  });
}

Diff members(const Member& a, const Member& b, const std::string& path, int depth) {
  if (Diff d = field(path + ".name", a.name, b.name)) return d;
#define PADGUARD_CMP(f) \
  if (Diff d = field(path + "." #f, a.f, b.f)) return d;
  PADGUARD_MEMBER_NUMBERS(PADGUARD_CMP)
#undef PADGUARD_CMP
  if (Diff d = compare_loc(a.decl, b.decl, path + ".decl")) return d;
  if (Diff d = types(*a.type, *b.type, path + ".type", depth + 1)) return d;
  // The member's struct type is a record in its own right, reported under
  // its own name; here only its identity and size matter (pahole paddings).
  return compare_ptr(a.direct_struct, b.direct_struct, path + ".direct_struct",
                     [&](const Record& x, const Record& y) -> Diff {
                       if (Diff d = field(path + ".direct_struct.name", x.name, y.name)) return d;
                       return field(path + ".direct_struct.byte_size", x.byte_size, y.byte_size);
                     });
}

Diff records(const Record& a, const Record& b, const std::string& path, int depth) {
  if (depth > kMaxDepth) return std::nullopt;
  if (Diff d = field(path + ".kind", a.kind, b.kind)) return d;
  if (Diff d = field(path + ".name", a.name, b.name)) return d;
#define PADGUARD_CMP(f) \
  if (Diff d = field(path + "." #f, a.f, b.f)) return d;
  PADGUARD_RECORD_NUMBERS(PADGUARD_CMP)
#undef PADGUARD_CMP
  if (Diff d = compare_loc(a.decl, b.decl, path + ".decl")) return d;
  if (Diff d = size_field(path + ".members.size", a.members.size(), b.members.size())) return d;
  for (size_t i = 0; i < a.members.size(); ++i)
    if (Diff d = members(a.members[i], b.members[i], path + ".members[" + std::to_string(i) + "]", depth)) return d;
  if (Diff d = size_field(path + ".nested_types.size", a.nested_types.size(), b.nested_types.size())) return d;
  for (size_t i = 0; i < a.nested_types.size(); ++i) {
    const NestedType& x = a.nested_types[i];
    const NestedType& y = b.nested_types[i];
    const std::string p = path + ".nested_types[" + std::to_string(i) + "]";
    if (Diff d = size_field(p + ".after_members", x.after_members, y.after_members)) return d;
    if (Diff d = compare_ptr(x.record, y.record, p + ".record",
                             [&](const Record& r, const Record& s) { return records(r, s, p + ".record", depth + 1); }))
      return d;
    if (Diff d = compare_ptr(x.enumeration, y.enumeration, p + ".enumeration",
                             [&](const EnumType& r, const EnumType& s) { return compare_enums(r, s, p + ".enumeration"); }))
      return d;
  }
  return std::nullopt;
}

bool same_target(const TypeRef& a, const TypeRef& b) { return same_type(a ? *a : *void_type(), b ? *b : *void_type()); }

}  // namespace

std::optional<Difference> compare_records(const Record& a, const Record& b, const std::string& path) {
  return records(a, b, path, 0);
}

std::optional<Difference> compare_types(const Type& a, const Type& b, const std::string& path) {
  return types(a, b, path, 0);
}

bool same_type(const Type& a, const Type& b) {
  if (&a == &b) return true;
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case TypeKind::Void:
      return true;
    case TypeKind::Base:
    case TypeKind::Typedef:
    case TypeKind::Enum:
    case TypeKind::Unspecified:
    case TypeKind::Unknown:
      return a.name == b.name;
    case TypeKind::Record:
      return a.record_kind == b.record_kind && a.name == b.name;
    case TypeKind::Pointer:
      return a.reference == b.reference && same_target(a.target, b.target);
    case TypeKind::Array:
      return a.dims == b.dims && same_target(a.target, b.target);
    case TypeKind::Qualified:
      return a.qualifier == b.qualifier && same_target(a.target, b.target);
    case TypeKind::Function:
      if (a.variadic != b.variadic || a.params.size() != b.params.size() || !same_target(a.target, b.target))
        return false;
      for (size_t i = 0; i < a.params.size(); ++i)
        if (!same_target(a.params[i].type, b.params[i].type)) return false;
      return true;
  }
  return false;
}

}  // namespace padguard
