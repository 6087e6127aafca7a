// The model's own helpers: lookups, names and the member shape, none of which
// needs analysis.
#include "padguard/model.hpp"

namespace padguard {

const Record* RecordSet::find(std::string_view name) const {
  for (const auto& r : records)
    if (r->name == name) return r.get();
  return nullptr;
}

namespace {

const char* machine_name(uint16_t m) {
  switch (m) {
    case 3: return "i386";
    case 8: return "mips";
    case 20: return "powerpc";
    case 21: return "powerpc64";
    case 22: return "s390";
    case 40: return "arm";
    case 62: return "x86_64";
    case 183: return "aarch64";
    case 243: return "riscv";
    case 258: return "loongarch";
  }
  return nullptr;
}

}  // namespace

std::string architecture_name(const RecordSet& s) {
  std::string out;
  if (s.machine) {
    const char* n = machine_name(s.machine);
    out = n ? n : "ELF machine " + std::to_string(s.machine);
  } else {
    out = "unknown machine";
  }
  out += " (" + std::to_string(s.address_size * 8) + "-bit";
  if (s.byte_order != ByteOrder::Unknown) out += s.byte_order == ByteOrder::Little ? ", little-endian" : ", big-endian";
  return out + ")";
}

std::string architecture_mismatch(const RecordSet& a, const RecordSet& b) {
  const bool machine = a.machine && b.machine && a.machine != b.machine;
  const bool order = a.byte_order != ByteOrder::Unknown && b.byte_order != ByteOrder::Unknown &&
                     a.byte_order != b.byte_order;
  const bool width = !a.records.empty() && !b.records.empty() && a.address_size != b.address_size;
  if (!machine && !order && !width) return "";
  return a.source + " is " + architecture_name(a) + " and " + b.source + " is " + architecture_name(b);
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

const Type* Member::unknown_size_type() const { return type ? declaration_held(*type) : nullptr; }

const Type* declaration_held(const Type& type) {
  const Type* t = &type;
  // Typedefs, qualifiers and arrays down to what the member stores; the
  // builder and the facts reader bound these chains far below the limit.
  for (int steps = 0; t != nullptr && steps < 4096; ++steps) {
    switch (t->kind) {
      case TypeKind::Typedef:
      case TypeKind::Qualified:
        t = t->target.get();
        continue;
      case TypeKind::Array:
        // A zero-length (flexible) dimension stores nothing, whatever the element.
        for (uint64_t d : t->dims)
          if (d == 0) return nullptr;
        t = t->target.get();
        continue;
      case TypeKind::Record:
        return t->declaration ? t : nullptr;
      default:
        return nullptr;
    }
  }
  return nullptr;
}

namespace {
constexpr uint64_t kMaxModelBytes = uint64_t{1} << 40;
bool power_of_two_or_zero(uint64_t a) { return (a & (a - 1)) == 0; }
}  // namespace

std::string record_violation(const Record& r) {
  if (r.byte_size > kMaxModelBytes) return "record size " + std::to_string(r.byte_size) + " is implausible (over 2^40)";
  if (!power_of_two_or_zero(r.alignment)) return "record alignment " + std::to_string(r.alignment) + " is not a power of two";
  const uint64_t record_bits = r.byte_size * 8;
  for (const Member& m : r.members) {
    const std::string who = "member '" + m.name + "'";
    if (m.byte_size > kMaxModelBytes) return who + " size " + std::to_string(m.byte_size) + " is implausible";
    if (!power_of_two_or_zero(m.alignment)) return who + " alignment " + std::to_string(m.alignment) + " is not a power of two";
    if (m.bit_offset > record_bits) return who + " starts at bit " + std::to_string(m.bit_offset) + ", past the record's " + std::to_string(record_bits);
    const uint64_t extent = m.is_bitfield() ? m.bit_size : m.byte_size * 8;
    if (extent > record_bits - m.bit_offset)
      return who + " ends at bit " + std::to_string(m.bit_offset + extent) + ", past the record's " + std::to_string(record_bits);
    if (m.is_bitfield() && m.unit_size != 0 && m.bit_size > m.unit_size * 8)
      return who + " is a bitfield of " + std::to_string(m.bit_size) + " bits in a " + std::to_string(m.unit_size) + "-byte type";
  }
  return "";
}

}  // namespace padguard

