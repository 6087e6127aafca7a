// Facts files (padguard extract): JSON whose first non-blank byte is '{'
// (after an optional UTF-8 byte order mark), read back into Records by
// facts.cpp's records_from_facts.
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "../input_registry.hpp"
#include "padguard/error.hpp"
#include "padguard/facts.hpp"

namespace padguard {

namespace {

RecordSet only_named(RecordSet all, const std::vector<std::string>& names) {
  if (names.empty()) return all;
  RecordSet some;
  some.source = all.source;
  some.address_size = all.address_size;
  for (const auto& r : all.records)
    for (const std::string& n : names)
      if (r->name == n) some.records.push_back(r);
  return some;
}

class FactsInput final : public Input {
 public:
  std::string_view name() const override { return "facts"; }
  int probe(const FileHead& head, const LoadOptions&) const override {
    return head.text_start < head.bytes.size() && head.bytes[head.text_start] == '{' ? 2 : 0;
  }
  RecordSet load(const std::string& path, const LoadOptions& opts) const override {
    std::ifstream in(path, std::ios::binary);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);  // skips a UTF-8 byte order mark
    } catch (const nlohmann::json::exception& e) {
      throw InputError(path, fmt::format("starts like JSON but is not valid JSON ({}); expected a padguard facts "
                                         "file or an ELF file with DWARF", e.what()));
    }
    return only_named(records_from_facts(j, path), opts.names);
  }
};

}  // namespace

const Input& facts_input() {
  static const FactsInput facts;
  return facts;
}

}  // namespace padguard
