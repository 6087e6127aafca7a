// Type spelling, pahole 1.24 style (type_name.hpp). Each function follows one
// of pahole's: tag__name (type_name), ftype__fprintf (function), and
// type__fprintf's top level (spell_member). The walks are as deep as the
// type's spelling, as pahole's are; the builder bounds that (kMaxNameSteps).
#include "padguard/type_name.hpp"

#include <fmt/format.h>

namespace padguard {

namespace {

const Type& deref(const TypeRef& t) { return t ? *t : *void_type(); }

bool is_plain_pointer(const Type& t) { return t.kind == TypeKind::Pointer && !t.reference; }

std::string params_text(const Type& fn);

// "ret (*name)(params)" with an empty type column (ftype__fprintf).
std::string function_text(const Type& fn, const std::string& name, bool is_pointer) {
  return type_name(deref(fn.target)) + " (" + (is_pointer ? "*" : "") + name + ")" + params_text(fn);
}

std::string params_text(const Type& fn) {
  if (fn.params.empty()) return "(void)";
  std::string out = "(";
  for (size_t i = 0; i < fn.params.size(); ++i) {
    if (i) out += ", ";
    const Param& p = fn.params[i];
    const Type& t = deref(p.type);
    // A function-pointer parameter prints its name inside: "int (*cb)(int)".
    if (is_plain_pointer(t) && deref(t.target).kind == TypeKind::Function) {
      out += function_text(deref(t.target), p.name, true);
      continue;
    }
    out += type_name(t);
    if (!p.name.empty()) out += " " + p.name;
  }
  return out + (fn.variadic ? ", ...)" : ")");
}

// pahole prints `T *const *` as "T * const *": a const around a pointer moves
// between the stars.
std::string pointer_text(const Type& p) {
  const char* star = p.reference ? "&" : "*";
  const Type* t = &deref(p.target);
  if (t->kind == TypeKind::Void) return std::string("void ") + star;
  const char* const_pointer = "";
  if (t->kind == TypeKind::Qualified && t->qualifier == Qualifier::Const && is_plain_pointer(deref(t->target))) {
    const_pointer = "const ";
    t = &deref(t->target);
  }
  return type_name(*t) + " " + const_pointer + star;
}

const char* qualifier_prefix(Qualifier q) {
  switch (q) {
    case Qualifier::Const: return "const ";
    case Qualifier::Volatile: return "volatile ";
    case Qualifier::Atomic: return "_Atomic ";
    case Qualifier::Restrict: return "";
  }
  return "";
}

}  // namespace

std::string type_name(const Type& t) {
  switch (t.kind) {
    case TypeKind::Void:
      return "void";
    case TypeKind::Base:
      return t.name.empty() ? "nameless base type!" : t.name;
    case TypeKind::Pointer:
      return pointer_text(t);
    case TypeKind::Qualified:
      // The trailing blank is pahole's: "const char  *" has two spaces.
      return qualifier_prefix(t.qualifier) + type_name(deref(t.target)) +
             (t.qualifier == Qualifier::Restrict ? " restrict" : "") + " ";
    case TypeKind::Unspecified:
      return type_name(deref(t.target)) + " ";
    case TypeKind::Array:
      return type_name(deref(t.target));  // pahole drops the dimensions here
    case TypeKind::Function:
      return function_text(t, "", false);
    case TypeKind::Record:
      return std::string(kind_keyword(t.record_kind)) + " " + t.name;
    case TypeKind::Enum:
      return "enum " + t.name;
    case TypeKind::Typedef:
    case TypeKind::Unknown:
      return t.name;
  }
  return t.name;
}

MemberSpelling spell_member(const Type& type) {
  MemberSpelling s;
  s.shape = member_shape(type);
  for (const Type* q : s.shape.modifiers) s.modifiers += qualifier_prefix(q->qualifier);
  const Type& core = *s.shape.core;
  if (s.shape.inline_record || s.shape.inline_enum) return s;
  switch (core.kind) {
    case TypeKind::Pointer:
      if (!core.reference && deref(core.target).kind == TypeKind::Function) {
        const Type& fn = deref(core.target);
        s.type = type_name(deref(fn.target));
        s.prefix = "(*";
        s.suffix = ")" + params_text(fn);
        return s;
      }
      break;
    case TypeKind::Record:
      s.keyword = kind_keyword(core.record_kind);
      s.type = core.name;
      return s;
    case TypeKind::Enum:
      s.keyword = "enum";
      s.type = core.name;
      return s;
    case TypeKind::Function:
      s.type = type_name(deref(core.target));
      s.prefix = "(";
      s.suffix = ")" + params_text(core);
      return s;
    default:
      break;
  }
  s.type = type_name(core);
  return s;
}

std::string type_text(const Type& t) {
  const MemberSpelling sp = spell_member(t);
  std::string s = sp.modifiers;
  if (!sp.keyword.empty()) s += sp.keyword + " ";
  if (sp.shape.inline_record)
    s += std::string(kind_keyword(sp.shape.inline_record->kind)) + " {...}";
  else if (sp.shape.inline_enum)
    s += "enum {...}";
  else
    s += sp.type;
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (sp.shape.via_pointer) s += " *";
  s += sp.prefix + sp.suffix;
  for (uint64_t d : sp.shape.dims) s += fmt::format("[{}]", d);
  return s;
}

}  // namespace padguard
