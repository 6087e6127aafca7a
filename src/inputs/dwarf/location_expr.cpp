// The member location evaluator (see location_expr.hpp).
#include "location_expr.hpp"

#include <cstdio>

namespace padguard::dwarf {

namespace {

// DWARF 5 section 7.7.1 (values, so that no dwarf.h is needed here).
enum : uint8_t {
  kAddr = 0x03, kDeref = 0x06,
  kConst1u = 0x08, kConst1s = 0x09, kConst2u = 0x0a, kConst2s = 0x0b, kConst4u = 0x0c, kConst4s = 0x0d,
  kConst8u = 0x0e, kConst8s = 0x0f, kConstu = 0x10, kConsts = 0x11,
  kDup = 0x12, kDrop = 0x13, kOver = 0x14, kSwap = 0x16,
  kMinus = 0x1c, kPlus = 0x22, kPlusUconst = 0x23,
  kLit0 = 0x30, kLit31 = 0x4f, kNop = 0x96,
};

constexpr size_t kMaxStack = 64;

struct Cursor {
  const uint8_t* p;
  const uint8_t* end;
  bool big_endian;

  bool fixed(unsigned n, bool is_signed, uint64_t& out) {
    if (static_cast<size_t>(end - p) < n) return false;
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) {
      const unsigned shift = big_endian ? 8 * (n - 1 - i) : 8 * i;
      v |= static_cast<uint64_t>(p[i]) << shift;
    }
    p += n;
    if (is_signed && n < 8 && (v >> (8 * n - 1)) != 0) v |= ~uint64_t{0} << (8 * n);
    out = v;
    return true;
  }

  bool leb(bool is_signed, uint64_t& out) {
    uint64_t v = 0;
    unsigned shift = 0;
    while (p < end) {
      const uint8_t b = *p++;
      if (shift < 64) v |= static_cast<uint64_t>(b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) == 0) {
        if (is_signed && shift < 64 && (b & 0x40) != 0) v |= ~uint64_t{0} << shift;
        out = v;
        return true;
      }
    }
    return false;
  }
};

MemberLocation problem(LocationProblem why, uint8_t op) {
  MemberLocation m;
  m.problem = why;
  m.detail = op;
  return m;
}

}  // namespace

MemberLocation evaluate_member_location(const uint8_t* expr, size_t len, bool big_endian) {
  if (len == 0) return problem(LocationProblem::Empty, 0);
  uint64_t stack[kMaxStack];
  size_t n = 0;
  stack[n++] = 0;  // the address of the containing object (section 2.5)
  Cursor c{expr, expr + len, big_endian};
  while (c.p < c.end) {
    const uint8_t op = *c.p++;
    uint64_t v = 0;
    bool push = true, ok = true;
    auto need = [&](size_t k) { return n >= k; };
    if (op >= kLit0 && op <= kLit31) {
      v = op - kLit0;
    } else {
      switch (op) {
        case kConst1u: ok = c.fixed(1, false, v); break;
        case kConst1s: ok = c.fixed(1, true, v); break;
        case kConst2u: ok = c.fixed(2, false, v); break;
        case kConst2s: ok = c.fixed(2, true, v); break;
        case kConst4u: ok = c.fixed(4, false, v); break;
        case kConst4s: ok = c.fixed(4, true, v); break;
        case kConst8u: ok = c.fixed(8, false, v); break;
        case kConst8s: ok = c.fixed(8, true, v); break;
        case kConstu: ok = c.leb(false, v); break;
        case kConsts: ok = c.leb(true, v); break;
        case kDup:
          if (!need(1)) return problem(LocationProblem::Underflow, op);
          v = stack[n - 1];
          break;
        case kOver:
          if (!need(2)) return problem(LocationProblem::Underflow, op);
          v = stack[n - 2];
          break;
        case kDrop:
          if (!need(1)) return problem(LocationProblem::Underflow, op);
          --n, push = false;
          break;
        case kSwap:
          if (!need(2)) return problem(LocationProblem::Underflow, op);
          std::swap(stack[n - 1], stack[n - 2]);
          push = false;
          break;
        case kPlus:
        case kMinus:
          if (!need(2)) return problem(LocationProblem::Underflow, op);
          v = op == kPlus ? stack[n - 2] + stack[n - 1] : stack[n - 2] - stack[n - 1];
          n -= 2;
          break;
        case kPlusUconst: {
          if (!need(1)) return problem(LocationProblem::Underflow, op);
          uint64_t k = 0;
          ok = c.leb(false, k);
          v = stack[--n] + k;
          break;
        }
        case kNop:
          push = false;
          break;
        default:
          return problem(LocationProblem::Unsupported, op);
      }
    }
    if (!ok) return problem(LocationProblem::Truncated, op);
    if (push) {
      if (n == kMaxStack) return problem(LocationProblem::TooDeep, op);
      stack[n++] = v;
    }
  }
  if (n == 0) return problem(LocationProblem::Underflow, 0);
  MemberLocation m;
  m.offset = stack[n - 1];
  return m;
}

std::string op_name(uint8_t op) {
  static const struct {
    uint8_t op;
    const char* name;
  } kNames[] = {
      {0x03, "addr"}, {0x06, "deref"}, {0x08, "const1u"}, {0x09, "const1s"}, {0x0a, "const2u"},
      {0x0b, "const2s"}, {0x0c, "const4u"}, {0x0d, "const4s"}, {0x0e, "const8u"}, {0x0f, "const8s"},
      {0x10, "constu"}, {0x11, "consts"}, {0x12, "dup"}, {0x13, "drop"}, {0x14, "over"}, {0x15, "pick"},
      {0x16, "swap"}, {0x17, "rot"}, {0x18, "xderef"}, {0x19, "abs"}, {0x1a, "and"}, {0x1b, "div"},
      {0x1c, "minus"}, {0x1d, "mod"}, {0x1e, "mul"}, {0x1f, "neg"}, {0x20, "not"}, {0x21, "or"},
      {0x22, "plus"}, {0x23, "plus_uconst"}, {0x24, "shl"}, {0x25, "shr"}, {0x26, "shra"}, {0x27, "xor"},
      {0x28, "bra"}, {0x29, "eq"}, {0x2a, "ge"}, {0x2b, "gt"}, {0x2c, "le"}, {0x2d, "lt"}, {0x2e, "ne"},
      {0x2f, "skip"}, {0x90, "regx"}, {0x91, "fbreg"}, {0x92, "bregx"}, {0x93, "piece"},
      {0x94, "deref_size"}, {0x95, "xderef_size"}, {0x96, "nop"}, {0x97, "push_object_address"},
      {0x98, "call2"}, {0x99, "call4"}, {0x9a, "call_ref"}, {0x9b, "form_tls_address"},
      {0x9c, "call_frame_cfa"}, {0x9d, "bit_piece"}, {0x9e, "implicit_value"}, {0x9f, "stack_value"},
      {0xa0, "implicit_pointer"}, {0xa1, "addrx"}, {0xa2, "constx"}, {0xa3, "entry_value"},
      {0xa4, "const_type"}, {0xa5, "regval_type"}, {0xa6, "deref_type"}, {0xa7, "xderef_type"},
      {0xa8, "convert"}, {0xa9, "reinterpret"}, {0xe0, "GNU_push_tls_address"}, {0xf0, "GNU_uninit"},
      {0xf1, "GNU_encoded_addr"}, {0xf2, "GNU_implicit_pointer"}, {0xf3, "GNU_entry_value"},
      {0xf4, "GNU_const_type"}, {0xf5, "GNU_regval_type"}, {0xf6, "GNU_deref_type"}, {0xf7, "GNU_convert"},
      {0xf9, "GNU_reinterpret"}, {0xfa, "GNU_parameter_ref"}, {0xfb, "GNU_addr_index"},
      {0xfc, "GNU_const_index"}, {0xfd, "GNU_variable_value"},
  };
  char buf[32];
  if (op >= 0x30 && op <= 0x4f) {
    snprintf(buf, sizeof buf, "DW_OP_lit%u", op - 0x30u);
  } else if (op >= 0x50 && op <= 0x6f) {
    snprintf(buf, sizeof buf, "DW_OP_reg%u", op - 0x50u);
  } else if (op >= 0x70 && op <= 0x8f) {
    snprintf(buf, sizeof buf, "DW_OP_breg%u", op - 0x70u);
  } else {
    for (const auto& n : kNames)
      if (n.op == op) return std::string("DW_OP_") + n.name;
    snprintf(buf, sizeof buf, "DW_OP_0x%02x", op);
  }
  return buf;
}

}  // namespace padguard::dwarf
