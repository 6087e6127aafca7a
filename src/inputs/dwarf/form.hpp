// How many bytes an attribute value takes in .debug_info (DWARF 5 section
// 7.5.6, plus the GNU forms gcc emits), and the LEB128/fixed-width integer
// reads every DWARF step needs, so the reader (reader.hpp) can step from one
// attribute to the next. Anything not understood here answers kUnknownSize.
#pragma once

#include <dwarf.h>  // elfutils: DW_FORM_* as enums

#include <cstdint>
#include <cstring>

namespace padguard::dwarf {

struct UnitShape {
  uint8_t address_size = 8;
  uint8_t offset_size = 4;  // 8 for 64-bit DWARF
  uint16_t version = 5;
  bool big_endian = false;
};

inline constexpr uint64_t kUnknownSize = UINT64_MAX;

// LEB128 length in bytes at p (either signedness), 0 when it runs past `end`
// or over 10 bytes (no 64-bit value needs more).
inline uint64_t leb_size(const uint8_t* p, const uint8_t* end) {
  for (uint64_t n = 0; n < 10 && p + n < end; ++n)
    if ((p[n] & 0x80) == 0) return n + 1;
  return 0;
}

inline bool read_uleb(const uint8_t*& p, const uint8_t* end, uint64_t& v) {
  const uint64_t n = leb_size(p, end);
  if (n == 0) return false;
  v = 0;
  for (uint64_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i] & 0x7f) << (7 * i);
  p += n;
  return true;
}

inline bool read_sleb(const uint8_t*& p, const uint8_t* end, int64_t& v) {
  const uint64_t n = leb_size(p, end);
  if (n == 0) return false;
  uint64_t u = 0;
  for (uint64_t i = 0; i < n; ++i) u |= static_cast<uint64_t>(p[i] & 0x7f) << (7 * i);
  if (n < 10 && (p[n - 1] & 0x40) != 0) u |= ~uint64_t{0} << (7 * n);
  v = static_cast<int64_t>(u);
  p += n;
  return true;
}

inline uint64_t read_fixed(const uint8_t* p, int bytes, bool big_endian) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | p[big_endian ? i : bytes - 1 - i];
  return v;
}

// Bytes of a value of `form` at p, within [p, end); kUnknownSize when the
// form is unknown or the value runs past `end`.
// Size of a form whose values all take the same bytes in a unit of `u`'s
// shape; -1 for forms of variable (or unknown) size.
inline int fixed_form_size(uint32_t form, const UnitShape& u) {
  switch (form) {
    case DW_FORM_flag_present:
    case DW_FORM_implicit_const:
      return 0;
    case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag: case DW_FORM_strx1: case DW_FORM_addrx1:
      return 1;
    case DW_FORM_data2: case DW_FORM_ref2: case DW_FORM_strx2: case DW_FORM_addrx2:
      return 2;
    case DW_FORM_strx3: case DW_FORM_addrx3:
      return 3;
    case DW_FORM_data4: case DW_FORM_ref4: case DW_FORM_ref_sup4: case DW_FORM_strx4: case DW_FORM_addrx4:
      return 4;
    case DW_FORM_data8: case DW_FORM_ref8: case DW_FORM_ref_sig8: case DW_FORM_ref_sup8:
      return 8;
    case DW_FORM_data16:
      return 16;
    case DW_FORM_addr:
      return u.address_size;
    case DW_FORM_ref_addr:
      return u.version <= 2 ? u.address_size : u.offset_size;
    case DW_FORM_strp: case DW_FORM_line_strp: case DW_FORM_sec_offset: case DW_FORM_strp_sup:
    case DW_FORM_GNU_ref_alt: case DW_FORM_GNU_strp_alt:
      return u.offset_size;
    default:
      return -1;
  }
}

// DW_FORM_indirect is unknown here: libdw resolves it while iterating.
inline uint64_t form_size(uint32_t form, const uint8_t* p, const uint8_t* end, const UnitShape& u) {
  const uint64_t avail = static_cast<uint64_t>(end - p);
  auto fixed = [&](uint64_t n) { return n <= avail ? n : kUnknownSize; };
  auto leb = [&]() { const uint64_t n = leb_size(p, end); return n != 0 ? n : kUnknownSize; };
  auto block = [&](int len_bytes) {
    if (static_cast<uint64_t>(len_bytes) > avail) return kUnknownSize;
    const uint64_t len = read_fixed(p, len_bytes, u.big_endian);
    return len <= avail - static_cast<uint64_t>(len_bytes) ? len + static_cast<uint64_t>(len_bytes) : kUnknownSize;
  };
  switch (form) {
    case DW_FORM_flag_present:
    case DW_FORM_implicit_const:
      return 0;
    case DW_FORM_data1:
    case DW_FORM_ref1:
    case DW_FORM_flag:
    case DW_FORM_strx1:
    case DW_FORM_addrx1:
      return fixed(1);
    case DW_FORM_data2:
    case DW_FORM_ref2:
    case DW_FORM_strx2:
    case DW_FORM_addrx2:
      return fixed(2);
    case DW_FORM_strx3:
    case DW_FORM_addrx3:
      return fixed(3);
    case DW_FORM_data4:
    case DW_FORM_ref4:
    case DW_FORM_ref_sup4:
    case DW_FORM_strx4:
    case DW_FORM_addrx4:
      return fixed(4);
    case DW_FORM_data8:
    case DW_FORM_ref8:
    case DW_FORM_ref_sig8:
    case DW_FORM_ref_sup8:
      return fixed(8);
    case DW_FORM_data16:
      return fixed(16);
    case DW_FORM_addr:
      return fixed(u.address_size);
    case DW_FORM_ref_addr:
      return fixed(u.version <= 2 ? u.address_size : u.offset_size);
    case DW_FORM_strp:
    case DW_FORM_line_strp:
    case DW_FORM_sec_offset:
    case DW_FORM_strp_sup:
    case DW_FORM_GNU_ref_alt:
    case DW_FORM_GNU_strp_alt:
      return fixed(u.offset_size);
    case DW_FORM_udata:
    case DW_FORM_sdata:
    case DW_FORM_ref_udata:
    case DW_FORM_strx:
    case DW_FORM_addrx:
    case DW_FORM_loclistx:
    case DW_FORM_rnglistx:
    case DW_FORM_GNU_addr_index:
    case DW_FORM_GNU_str_index:
      return leb();
    case DW_FORM_string: {
      const void* nul = std::memchr(p, 0, avail);
      return nul != nullptr ? static_cast<uint64_t>(static_cast<const uint8_t*>(nul) - p) + 1 : kUnknownSize;
    }
    case DW_FORM_block1:
      return block(1);
    case DW_FORM_block2:
      return block(2);
    case DW_FORM_block4:
      return block(4);
    case DW_FORM_block:
    case DW_FORM_exprloc: {
      const uint8_t* q = p;
      uint64_t len = 0;
      if (!read_uleb(q, end, len)) return kUnknownSize;
      const auto head = static_cast<uint64_t>(q - p);
      return len <= avail - head ? head + len : kUnknownSize;
    }
    default:
      return kUnknownSize;
  }
}

}  // namespace padguard::dwarf
