// Completes members that hold a declaration-only struct by value from the
// definition another unit gives (complete_types.hpp): types and records are
// copied only where a completion changes them, each once (memoized by node),
// so the model's sharing is kept and an input without such members is left
// untouched.
#include "padguard/complete_types.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace padguard {

namespace {

// The builder and the facts reader bound type chains and record nesting far
// below this; it only keeps a walk over a hostile model finite.
constexpr int kMaxSteps = 4096;
constexpr uint64_t kMaxBytes = uint64_t{1} << 40;

using RecordPtr = std::shared_ptr<const Record>;

// The records a member's storage holds that pahole prints (or sizes) with
// it: anonymous records along typedefs, qualifiers and arrays or behind one
// pointer, -E's named definitions, and its direct struct (tail padding).
template <typename F>
void held_records(const Member& m, F&& f) {
  const Type* t = m.type.get();
  for (int i = 0; t != nullptr && i < kMaxSteps; ++i) {
    if (t->kind == TypeKind::Typedef || t->kind == TypeKind::Qualified || t->kind == TypeKind::Array) {
      t = t->target.get();
      continue;
    }
    if (t->kind == TypeKind::Pointer && t->target && t->target->is_anonymous_record()) f(t->target->record);
    if (t->kind == TypeKind::Record && t->record) f(t->record);
    break;
  }
  if (m.direct_struct) f(m.direct_struct);
}

uint32_t max_natural(const Record& r) {
  uint32_t a = 0;
  for (const Member& m : r.members) a = std::max(a, m.natural_alignment);
  return a ? a : 1;
}

// Equal for every figure a layout shows of a member holding it.
bool same_layout(const Record& a, const Record& b) {
  if (a.is_union() != b.is_union() || a.byte_size != b.byte_size || a.alignment != b.alignment ||
      a.members.size() != b.members.size())
    return false;
  for (size_t i = 0; i < a.members.size(); ++i) {
    const Member& x = a.members[i];
    const Member& y = b.members[i];
    if (x.name != y.name || x.bit_offset != y.bit_offset || x.bit_size != y.bit_size || x.byte_size != y.byte_size ||
        x.natural_alignment != y.natural_alignment || x.size_unknown() != y.size_unknown())
      return false;
  }
  return true;
}

using Reason = UnresolvedDeclaration::Reason;
using Defs = std::map<std::string, std::vector<RecordPtr>>;

class Completer {
 public:
  Completer(const Defs& defs, bool expand_types) : defs_(defs), expand_(expand_types) {}

  // `r` with its members completed; `r` itself when nothing changed; null
  // when `r` is being completed already (a definition holding itself).
  RecordPtr record(const RecordPtr& r) {
    if (!r) return r;
    if (auto it = records_.find(r.get()); it != records_.end()) return it->second;
    if (!building_.insert(r.get()).second) return nullptr;
    std::shared_ptr<Record> copy;
    auto writable = [&]() -> Record& {
      if (!copy) copy = std::make_shared<Record>(*r);
      return *copy;
    };
    for (size_t i = 0; i < r->members.size(); ++i) {
      const Member& m = r->members[i];
      Member done = member(m, *r, i);
      if (done.type != m.type || done.direct_struct != m.direct_struct) writable().members[i] = std::move(done);
    }
    for (size_t i = 0; i < r->nested_types.size(); ++i) {
      const RecordPtr& n = r->nested_types[i].record;
      if (RecordPtr done = record(n); done && done != n) writable().nested_types[i].record = done;
    }
    building_.erase(r.get());
    RecordPtr out = copy ? RecordPtr(copy) : r;
    records_.emplace(r.get(), out);
    records_.emplace(out.get(), out);
    return out;
  }

  std::vector<UnresolvedDeclaration> unresolved() const {
    std::vector<UnresolvedDeclaration> out;
    for (const auto& [key, u] : unresolved_) out.push_back(u);
    return out;
  }

 private:
  struct Choice {
    RecordPtr def;  // null: unresolved, for `reason`
    Reason reason = Reason::NoDefinition;
    size_t layouts = 0;
    bool done = false;  // false while its definition is being completed
  };
  using Key = std::pair<bool, std::string>;  // (union, name): struct and class share C's tag namespace
  static Key key_of(const Type& t) { return {t.record_kind == RecordKind::Union, t.name}; }

  // The one definition a declaration-only record takes, by the rule.
  const Choice& choose(const Type& decl) {
    const Key key = key_of(decl);
    if (auto it = choices_.find(key); it != choices_.end()) {
      // Reached again while its definition is completed: it holds itself.
      if (!it->second.done) return cycle_;
      return it->second;
    }
    choices_[key];  // in progress
    Choice c;
    std::vector<RecordPtr> layouts;
    if (auto it = defs_.find(decl.name); it != defs_.end())
      for (const RecordPtr& d : it->second) {
        if (d->is_union() != key.first) continue;
        const RecordPtr done = record(d);
        if (!done) continue;
        if (std::none_of(layouts.begin(), layouts.end(), [&](const RecordPtr& l) { return same_layout(*l, *done); }))
          layouts.push_back(done);
      }
    c.layouts = layouts.size();
    if (layouts.size() == 1)
      c.def = layouts.front();
    else
      c.reason = layouts.empty() ? Reason::NoDefinition : Reason::Ambiguous;
    c.done = true;
    return choices_[key] = std::move(c);
  }

  // The declaration as the builder types a named record held by value.
  TypeRef resolved(const Type& decl, const RecordPtr& def) const {
    auto t = std::make_shared<Type>(decl);
    t->declaration = false;
    t->byte_size = def->byte_size;
    t->alignment = 0;  // a named record's is its definition's
    if (expand_) t->record = def;
    return t;
  }

  // `t` with its declaration-only records completed (typedefs, qualifiers
  // and arrays resized), or `t` itself.
  TypeRef type(const TypeRef& t, int depth) {
    if (!t || depth > kMaxSteps) return t;
    if (auto it = types_.find(t.get()); it != types_.end()) return it->second;
    TypeRef out = t;
    switch (t->kind) {
      case TypeKind::Record:
        if (t->declaration && !t->name.empty()) {
          if (const Choice& c = choose(*t); c.def) out = resolved(*t, c.def);
        } else if (t->record) {
          const RecordPtr r = record(t->record);
          if (r && r != t->record) {
            auto n = std::make_shared<Type>(*t);
            n->record = r;
            if (n->name.empty()) n->alignment = max_natural(*r);
            out = n;
          }
        }
        break;
      case TypeKind::Typedef:
      case TypeKind::Qualified:
      case TypeKind::Array: {
        const TypeRef target = type(t->target, depth + 1);
        if (target == t->target) break;
        uint64_t size = target->byte_size;
        bool plausible = true;
        if (t->kind == TypeKind::Array)
          for (uint64_t d : t->dims) plausible = plausible && !__builtin_mul_overflow(size, d, &size) && size <= kMaxBytes;
        if (!plausible) break;
        auto n = std::make_shared<Type>(*t);
        n->target = target;
        n->byte_size = size;
        n->alignment = target->alignment;
        out = n;
        break;
      }
      case TypeKind::Pointer:
        if (t->target && t->target->is_anonymous_record()) {
          const TypeRef target = type(t->target, depth + 1);
          if (target != t->target) {
            auto n = std::make_shared<Type>(*t);
            n->target = target;
            out = n;
          }
        }
        break;
      default:
        break;
    }
    types_.emplace(t.get(), out);
    return out;
  }

  // pahole's natural alignment of a member of (completed) type `t`: its
  // core record's, behind typedefs, qualifiers and arrays.
  uint32_t natural(const Type& t, uint32_t otherwise) {
    const Type* c = &t;
    for (int i = 0; i < kMaxSteps && c != nullptr &&
                    (c->kind == TypeKind::Typedef || c->kind == TypeKind::Qualified || c->kind == TypeKind::Array);
         ++i)
      c = c->target.get();
    if (c == nullptr || c->kind != TypeKind::Record || c->declaration) return otherwise;
    if (c->record) return max_natural(*c->record);
    if (auto it = choices_.find(key_of(*c)); it != choices_.end() && it->second.def) return max_natural(*it->second.def);
    return otherwise;
  }

  // Inside `r`, and before the next member of a struct: C lays members
  // out one after another, so a definition that does not fit is not the
  // one this unit saw.
  static bool fits(const Member& m, const Record& r, size_t index) {
    if (m.byte_size > kMaxBytes) return false;
    const uint64_t end = m.bit_offset + m.byte_size * 8;
    if (end > r.byte_size * 8) return false;
    if (r.is_union()) return true;
    for (size_t j = index + 1; j < r.members.size(); ++j)
      if (r.members[j].bit_offset > m.bit_offset) return end <= r.members[j].bit_offset;
    return true;
  }

  Member member(const Member& m, const Record& in, size_t index) {
    Member out = m;
    if (m.direct_struct)
      if (RecordPtr d = record(m.direct_struct)) out.direct_struct = d;
    const TypeRef t = type(m.type, 0);
    const Type* decl = m.unknown_size_type();
    if (t != m.type) {
      out.type = t;
      if (!m.is_bitfield()) out.byte_size = t->byte_size;
      out.natural_alignment = natural(*t, m.natural_alignment);
      if (decl && !out.size_unknown()) {
        if (!fits(out, in, index)) {
          note(*decl, Reason::DoesNotFit, 1);
          return m;
        }
        // The builder's direct struct: the member's type is the struct itself.
        if (t->kind == TypeKind::Record && t->record_kind != RecordKind::Union)
          if (const Choice& c = choose(*decl); c.def) out.direct_struct = c.def;
      }
    }
    if (const Type* still = out.unknown_size_type()) {
      const Choice& c = choose(*still);
      note(*still, c.def ? Reason::DoesNotFit : c.reason, c.layouts);
    }
    return out;
  }

  void note(const Type& decl, Reason reason, size_t layouts) {
    auto [it, fresh] = unresolved_.try_emplace(key_of(decl));
    if (!fresh) return;
    it->second.kind = decl.record_kind;
    it->second.name = decl.name;
    it->second.reason = reason;
    it->second.layouts = layouts;
  }

  const Defs& defs_;
  bool expand_;
  std::map<Key, Choice> choices_;
  Choice cycle_{nullptr, Reason::DoesNotFit, 1, true};
  std::unordered_map<const Type*, TypeRef> types_;
  std::unordered_map<const Record*, RecordPtr> records_;
  std::unordered_set<const Record*> building_;
  std::map<Key, UnresolvedDeclaration> unresolved_;
};

}  // namespace

std::vector<std::string> declared_by_value(const std::vector<RecordPtr>& records) {
  std::set<std::string> names;
  std::unordered_set<const Record*> seen;
  std::vector<const Record*> todo;
  for (const RecordPtr& r : records)
    if (r && seen.insert(r.get()).second) todo.push_back(r.get());
  while (!todo.empty()) {
    const Record* r = todo.back();
    todo.pop_back();
    auto visit = [&](const RecordPtr& x) {
      if (x && seen.insert(x.get()).second) todo.push_back(x.get());
    };
    for (const Member& m : r->members) {
      if (const Type* d = m.unknown_size_type(); d && !d->name.empty()) names.insert(d->name);
      held_records(m, visit);
    }
    for (const NestedType& n : r->nested_types) visit(n.record);
  }
  return {names.begin(), names.end()};
}

void complete_declarations(RecordSet& set, const DefinitionLookup& lookup, bool expand_types) {
  std::vector<std::string> pending = declared_by_value(set.records);
  if (pending.empty()) return;
  Defs defs;
  // Definitions may declare more names in turn: ask for those, each once.
  while (!pending.empty()) {
    for (const std::string& n : pending) defs[n];
    std::vector<RecordPtr> fresh;
    for (RecordPtr& r : lookup(pending))
      if (auto it = defs.find(r->name); it != defs.end()) {
        it->second.push_back(r);
        fresh.push_back(std::move(r));
      }
    pending.clear();
    for (std::string& n : declared_by_value(fresh))
      if (!defs.count(n)) pending.push_back(std::move(n));
  }
  Completer c(defs, expand_types);
  for (RecordPtr& r : set.records)
    if (RecordPtr done = c.record(r)) r = std::move(done);
  set.unresolved = c.unresolved();
}

}  // namespace padguard
