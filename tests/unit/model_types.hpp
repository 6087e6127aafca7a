// Hand-built model types for unit tests: one constructor per Type kind.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "padguard/model.hpp"

namespace padguard::test {

inline TypeRef make(Type t) { return std::make_shared<const Type>(std::move(t)); }

inline TypeRef base(const std::string& name, uint64_t size) {
  Type t;
  t.kind = TypeKind::Base;
  t.name = name;
  t.byte_size = size;
  t.alignment = static_cast<uint32_t>(size ? (size > 8 ? 8 : size) : 1);
  return make(t);
}

inline TypeRef pointer(TypeRef to, uint64_t size = 8) {
  Type t;
  t.kind = TypeKind::Pointer;
  t.target = std::move(to);
  t.byte_size = size;
  t.alignment = static_cast<uint32_t>(size);
  return make(t);
}

inline TypeRef array(TypeRef elem, std::vector<uint64_t> dims) {
  Type t;
  t.kind = TypeKind::Array;
  t.byte_size = elem->byte_size;
  for (uint64_t d : dims) t.byte_size *= d;
  t.alignment = elem->alignment;
  t.target = std::move(elem);
  t.dims = std::move(dims);
  return make(t);
}

inline TypeRef qualified(Qualifier q, TypeRef of) {
  Type t;
  t.kind = TypeKind::Qualified;
  t.qualifier = q;
  t.byte_size = of->byte_size;
  t.alignment = of->alignment;
  t.target = std::move(of);
  return make(t);
}

inline TypeRef typedef_of(const std::string& name, TypeRef of) {
  Type t;
  t.kind = TypeKind::Typedef;
  t.name = name;
  t.byte_size = of->byte_size;
  t.alignment = of->alignment;
  t.target = std::move(of);
  return make(t);
}

inline TypeRef named_record(const std::string& name, uint64_t size, RecordKind k = RecordKind::Struct) {
  Type t;
  t.kind = TypeKind::Record;
  t.record_kind = k;
  t.name = name;
  t.byte_size = size;
  return make(t);
}

inline TypeRef anon_record(std::shared_ptr<const Record> r) {
  Type t;
  t.kind = TypeKind::Record;
  t.record_kind = r->kind;
  t.byte_size = r->byte_size;
  t.record = std::move(r);
  return make(t);
}

inline TypeRef named_enum(const std::string& name, uint64_t size = 4) {
  Type t;
  t.kind = TypeKind::Enum;
  t.name = name;
  t.byte_size = size;
  t.alignment = static_cast<uint32_t>(size);
  return make(t);
}

inline TypeRef anon_enum(std::shared_ptr<const EnumType> e) {
  Type t;
  t.kind = TypeKind::Enum;
  t.byte_size = e->byte_size;
  t.alignment = static_cast<uint32_t>(e->byte_size);
  t.enumeration = std::move(e);
  return make(t);
}

inline TypeRef function(TypeRef ret, std::vector<Param> params, bool variadic = false) {
  Type t;
  t.kind = TypeKind::Function;
  t.target = std::move(ret);
  t.params = std::move(params);
  t.variadic = variadic;
  t.prototyped = true;
  return make(t);
}

// A plain member: `int` (or `long` when 8 bytes) at byte `off`.
inline Member scalar_member(const std::string& name, uint64_t off, uint64_t size) {
  Member m;
  m.name = name;
  m.type = base(size == 8 ? "long" : "int", size);
  m.bit_offset = off * 8;
  m.byte_size = size;
  m.natural_alignment = static_cast<uint32_t>(size);
  return m;
}

// A record of `kind` with these members.
inline std::shared_ptr<Record> rec(const std::string& name, uint64_t size, std::vector<Member> ms,
                                   RecordKind k = RecordKind::Struct) {
  auto r = std::make_shared<Record>();
  r->kind = k;
  r->name = name;
  r->byte_size = size;
  r->members = std::move(ms);
  return r;
}

}  // namespace padguard::test
