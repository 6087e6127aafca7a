// The note on members of unknown size (declaration-only types, reduced debug
// info) that layout and diff print on stderr; docs/REDUCED-DEBUG-INFO.md.
#include <fmt/format.h>

#include <algorithm>

#include "escape.hpp"
#include "padguard/error.hpp"
#include "padguard/report_text.hpp"

namespace padguard {

namespace {

std::string why(const UnresolvedDeclaration& u) {
  switch (u.reason) {
    case UnresolvedDeclaration::Reason::NoDefinition: return "no unit defines it";
    case UnresolvedDeclaration::Reason::Ambiguous:
      return fmt::format("defined {} different ways, padguard does not guess which", u.layouts);
    case UnresolvedDeclaration::Reason::DoesNotFit: return "its definition here does not fit where it is held";
  }
  return "";
}

}  // namespace

std::string unknown_sizes_note(const std::string& source, const std::vector<const Record*>& records,
                               const std::vector<UnresolvedDeclaration>& unresolved) {
  // Types in first-seen order, with how many records hold each.
  std::vector<std::pair<RecordKind, std::string>> types;
  size_t holders = 0;
  for (const Record* r : records) {
    const std::vector<UnknownSize> u = unknown_sizes(*r);
    if (u.empty()) continue;
    ++holders;
    for (const UnknownSize& x : u)
      if (std::find(types.begin(), types.end(), std::make_pair(x.kind, x.type)) == types.end())
        types.emplace_back(x.kind, x.type);
  }
  if (holders == 0) return "";
  constexpr size_t kListed = 5;
  std::string list;
  for (size_t i = 0; i < types.size() && i < kListed; ++i) {
    const auto& [kind, name] = types[i];
    list += (i ? ", " : "") + std::string(kind_keyword(kind)) + " " + esc::text(name);
    for (const UnresolvedDeclaration& u : unresolved)
      if (u.name == name && (u.kind == RecordKind::Union) == (kind == RecordKind::Union)) list += " (" + why(u) + ")";
  }
  if (types.size() > kListed) list += fmt::format(" and {} more", types.size() - kListed);
  return fmt::format("{}: {} struct{} hold{} members of unknown size, their type declaration-only: {}; their sizes, "
                     "and holes and padding next to them, are not shown: {}",
                     esc::text(source), holders, holders == 1 ? "" : "s", holders == 1 ? "s" : "", list,
                     kReducedDebugInfoFix);
}

}  // namespace padguard
