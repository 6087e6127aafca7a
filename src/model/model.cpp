// The model's own helpers: lookups, names and the member shape, none of which
// needs analysis.
#include "padguard/model.hpp"

namespace padguard {

const Record* RecordSet::find(std::string_view name) const {
  for (const auto& r : records)
    if (r->name == name) return r.get();
  return nullptr;
}

const char* kind_keyword(RecordKind k) {
  switch (k) {
    case RecordKind::Struct:
      return "struct";
    case RecordKind::Union:
      return "union";
    case RecordKind::Class:
      return "class";
  }
  return "struct";
}

const TypeRef& void_type() {
  static const TypeRef kVoid = std::make_shared<const Type>();
  return kVoid;
}

namespace {

const Type& deref(const TypeRef& t) { return t ? *t : *void_type(); }

bool is_top_modifier(const Type& t) {
  return t.kind == TypeKind::Qualified && (t.qualifier == Qualifier::Const || t.qualifier == Qualifier::Atomic);
}

bool is_const(const Type& t) { return t.kind == TypeKind::Qualified && t.qualifier == Qualifier::Const; }

}  // namespace

// pahole's type__fprintf walk: top-level const/_Atomic become a prefix,
// arrays put their dimensions after the name (gcc's const wrapped around a
// flexible array's element is dropped), anonymous types print inline.
MemberShape member_shape(const Type& type) {
  MemberShape s;
  const Type* t = &type;
  // Each step consumes one level; a (corrupt) cyclic graph cannot be built.
  while (true) {
    if (is_top_modifier(*t)) {
      s.modifiers.push_back(t);
      t = &deref(t->target);
    } else if (t->kind == TypeKind::Array) {
      const bool flexible = !t->dims.empty() && t->dims[0] == 0;
      s.dims.insert(s.dims.end(), t->dims.begin(), t->dims.end());
      t = &deref(t->target);
      if (flexible && is_const(*t)) t = &deref(t->target);
    } else {
      break;
    }
  }
  s.core = t;
  const Type* anon = t;
  if (t->kind == TypeKind::Pointer && !t->reference) {
    anon = &deref(t->target);
    s.via_pointer = anon->is_anonymous_record() || anon->is_anonymous_enum();
  }
  if (anon->is_anonymous_record()) s.inline_record = anon->record.get();
  if (anon->is_anonymous_enum()) s.inline_enum = anon->enumeration.get();
  return s;
}

const Record* Member::inline_record() const { return member_shape(*type).inline_record; }

const EnumType* Member::inline_enum() const { return member_shape(*type).inline_enum; }

const Record* Member::embedded_record() const {
  const MemberShape s = member_shape(*type);
  return s.via_pointer || !s.dims.empty() ? nullptr : s.inline_record;
}

}  // namespace padguard
