// The model's own helpers: lookups and names that need no analysis.
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

std::string TypeSpelling::full() const {
  std::string s = modifiers;
  if (!keyword.empty()) s += keyword + " ";
  s += type;
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s + prefix + suffix;
}

}  // namespace padguard
