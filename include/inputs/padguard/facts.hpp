// Facts files: the model's Records as compact JSON ("kind": "facts", same
// schema as the reports), so one CI job per config can extract and another
// check them all; a checked-in facts file is also a baseline. Reading one
// back yields Records that render exactly as the originals did.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "padguard/loader.hpp"
#include "padguard/model.hpp"

namespace padguard {

// The records (and every record their members refer to) as a facts document.
// `states_alignment`: false for BTF (no alignment attributes), kept so that a
// layout read back from the file prints what the input printed.
nlohmann::json facts_json(const std::string& source, uint32_t address_size,
                          const std::vector<const Record*>& records, bool states_alignment = true);

// Throws InputError naming `origin` when the document is not a facts file
// this version understands.
// The same for `records` of `set`, with its architecture (machine, byte
// order) when known, as extract writes it.
nlohmann::json facts_json(const RecordSet& set, const std::vector<const Record*>& records);

RecordSet records_from_facts(const nlohmann::json& j, const std::string& origin);

}  // namespace padguard
