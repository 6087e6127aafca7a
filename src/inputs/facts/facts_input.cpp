// Facts files (padguard extract): JSON whose first non-blank byte is '{'
// (after an optional UTF-8 byte order mark), read back into Records by
// facts.cpp's records_from_facts.
#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <string_view>
#include <unordered_set>
#include <vector>
#include <nlohmann/json.hpp>

#include "../input_registry.hpp"
#include "padguard/error.hpp"
#include "padguard/facts.hpp"

namespace padguard {

namespace {

RecordSet only_named(RecordSet all, const std::vector<std::string>& names) {
  if (names.empty()) return all;
  std::vector<std::shared_ptr<const Record>> records = std::move(all.records);
  RecordSet some = std::move(all);  // source, address size, states_alignment
  some.records.clear();
  for (const auto& r : records)
    for (const std::string& n : names)
      if (r->name == n) some.records.push_back(r);
  return some;
}

// RFC 6901: "~" and "/" in a key are escaped.
std::string pointer_token(std::string_view key) {
  std::string out;
  for (const char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

// Follows the parse to name the first duplicate key by its JSON pointer:
// nlohmann keeps the later value silently, a facts file from another job
// could hide a second definition that way.
class DuplicateKeys {
 public:
  bool operator()(int, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    switch (ev) {
      case E::object_start: element(); open(false); break;
      case E::array_start: element(); open(true); break;
      case E::object_end: case E::array_end: frames_.pop_back(); break;
      case E::key: {
        Frame& f = frames_.back();
        f.label = pointer_token(parsed.get<std::string>());
        if (!f.keys.insert(f.label).second && first_.empty()) first_ = pointer();
        break;
      }
      case E::value: element(); break;
    }
    return true;
  }
  const std::string& first() const { return first_; }

 private:
  struct Frame {
    bool array = false;
    size_t next = 0;
    std::string label;
    std::unordered_set<std::string> keys;
  };
  void open(bool array) {
    frames_.emplace_back();
    frames_.back().array = array;
  }
  void element() {
    if (!frames_.empty() && frames_.back().array) frames_.back().label = std::to_string(frames_.back().next++);
  }
  std::string pointer() const {
    std::string p;
    for (const Frame& f : frames_) p += "/" + f.label;
    return p;
  }
  std::vector<Frame> frames_;
  std::string first_;
};

class FactsInput final : public Input {
 public:
  std::string_view name() const override { return "facts"; }
  int probe(const FileHead& head, const LoadOptions&) const override {
    return head.text_start < head.bytes.size() && head.bytes[head.text_start] == '{' ? 2 : 0;
  }
  RecordSet load(const std::string& path, const LoadOptions& opts) const override {
    std::ifstream in(path, std::ios::binary);
    nlohmann::json j;
    DuplicateKeys dups;
    try {
      j = nlohmann::json::parse(in, std::ref(dups));  // skips a UTF-8 byte order mark
    } catch (const nlohmann::json::exception& e) {
      throw InputError(path, fmt::format("starts like JSON but is not valid JSON ({}); expected a padguard facts "
                                         "file or an ELF file with DWARF", e.what()));
    }
    if (!dups.first().empty())
      throw InputError(path, fmt::format("facts: {}: duplicate key (JSON keeps one value silently); re-run padguard "
                                         "extract", dups.first()));
    return only_named(records_from_facts(j, path), opts.names);
  }
};

}  // namespace

const Input& facts_input() {
  static const FactsInput facts;
  return facts;
}

}  // namespace padguard
