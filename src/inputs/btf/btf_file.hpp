// Private to the BTF backend: one parsed BTF file (libbpf handle, its base,
// the units its records are grouped into) shared by every clone.
#pragma once

#include <bpf/btf.h>

#include <cstdint>
#include <string>
#include <vector>

namespace padguard::btf {

struct BtfFile {
  std::string path;
  struct btf* base = nullptr;  // owned; null unless split
  struct btf* btf = nullptr;   // owned
  uint32_t type_cnt = 0;       // ids 1 .. type_cnt-1 (base ids included)
  uint8_t address_size = 8;
  uint16_t machine = 0;        // ELF e_machine, 0 for raw BTF
  bool big_endian = false;
  unsigned cacheline_size = 64;
  // Unit u holds the named struct/union definitions record_ids[unit_begin[u]
  // .. unit_begin[u+1]): pseudo-units of a few hundred records, so the loader
  // can read them in parallel; unit order is type id order.
  std::vector<uint32_t> record_ids;
  std::vector<size_t> unit_begin;
  std::vector<bool> type_tag;  // type_tag[id]: id is a BTF_KIND_TYPE_TAG

  // skip_type_tags through the table (validate() has rejected tag loops).
  uint32_t skip_tags(uint32_t id) const {
    while (id != 0 && id < type_tag.size() && type_tag[id]) id = btf__type_by_id(btf, id)->type;
    return id;
  }

  BtfFile() = default;
  BtfFile(const BtfFile&) = delete;
  BtfFile& operator=(const BtfFile&) = delete;
  ~BtfFile() {
    btf__free(btf);
    btf__free(base);
  }
};

// Every type id and string offset in range, no loops the builder could not
// end (a modifier/pointer chain or a record that contains itself). Throws
// InputError naming the file and, for split BTF, the base.
void validate(const BtfFile& f, bool split, const std::string& base_path);

// The type a reference means once BTF_KIND_TYPE_TAG links are skipped
// (pahole 1.24 does not know them); 0 is void.
uint32_t skip_type_tags(const struct btf* b, uint32_t id);

}  // namespace padguard::btf
