// The member location evaluator (src/inputs/dwarf/location_expr.cpp) on
// hand-written expressions: constant ones evaluate with the object's
// address pushed first as 0; the rest say which operation stopped them.
#include <catch2/catch.hpp>

#include <vector>

#include "../../src/inputs/dwarf/location_expr.hpp"

using namespace padguard;
using padguard::dwarf::evaluate_member_location;

namespace {
dwarf::MemberLocation eval(std::vector<uint8_t> e, bool be = false) {
  return evaluate_member_location(e.data(), e.size(), be);
}
}  // namespace

TEST_CASE("constant member location expressions evaluate", "[location][fast]") {
  CHECK(eval({0x23, 0x10}).offset == 16u);                  // DW_OP_plus_uconst 16
  CHECK(eval({0x23, 0x80, 0x01}).offset == 128u);           // ULEB over two bytes
  CHECK(eval({0x10, 0x08}).offset == 8u);                   // DW_OP_constu 8
  CHECK(eval({0x11, 0x08}).offset == 8u);                   // DW_OP_consts 8
  CHECK(eval({0x30}).offset == 0u);                         // DW_OP_lit0
  CHECK(eval({0x4f}).offset == 31u);                        // DW_OP_lit31
  CHECK(eval({0x08, 0xff}).offset == 255u);                 // DW_OP_const1u
  CHECK(eval({0x09, 0xff}).offset == UINT64_MAX);           // DW_OP_const1s -1
  CHECK(eval({0x0a, 0x34, 0x12}).offset == 0x1234u);        // DW_OP_const2u, little-endian
  CHECK(eval({0x0a, 0x12, 0x34}, true).offset == 0x1234u);  // big-endian
  CHECK(eval({0x0c, 1, 0, 0, 0}).offset == 1u);             // DW_OP_const4u
  CHECK(eval({0x0d, 0xfe, 0xff, 0xff, 0xff}).offset == static_cast<uint64_t>(-2));
  CHECK(eval({0x0e, 0, 0, 0, 0, 1, 0, 0, 0}).offset == (uint64_t{1} << 32));  // DW_OP_const8u
  CHECK(eval({0x10, 0x04, 0x22}).offset == 4u);             // DW_OP_constu 4 DW_OP_plus (0 + 4)
  CHECK(eval({0x36, 0x32, 0x1c, 0x22}).offset == 4u);       // lit6 lit2 minus plus
  CHECK(eval({0x34, 0x12, 0x22}).offset == 8u);             // lit4 dup plus (0 + ... 4 + 4)
  CHECK(eval({0x34, 0x35, 0x16, 0x13}).offset == 5u);       // lit4 lit5 swap drop
  CHECK(eval({0x96, 0x23, 0x02}).offset == 2u);             // DW_OP_nop
}

TEST_CASE("other member location expressions say why they have no offset", "[location][fast]") {
  auto problem = [](std::vector<uint8_t> e) {
    const dwarf::MemberLocation m = eval(std::move(e));
    CHECK(!m.offset);
    return std::pair<LocationProblem, uint16_t>(m.problem, m.detail);
  };
  using P = std::pair<LocationProblem, uint16_t>;
  CHECK(problem({}) == P{LocationProblem::Empty, 0});
  CHECK(problem({0x06}) == P{LocationProblem::Unsupported, 0x06});                    // DW_OP_deref
  CHECK(problem({0x12, 0x06, 0x48, 0x1c, 0x06, 0x22}) == P{LocationProblem::Unsupported, 0x06});  // virtual base
  CHECK(problem({0x03, 0, 0, 0, 0, 0, 0, 0, 0}) == P{LocationProblem::Unsupported, 0x03});  // DW_OP_addr
  CHECK(problem({0x91, 0x00}) == P{LocationProblem::Unsupported, 0x91});              // DW_OP_fbreg
  CHECK(problem({0x10}) == P{LocationProblem::Truncated, 0x10});
  CHECK(problem({0x10, 0x80}) == P{LocationProblem::Truncated, 0x10});
  CHECK(problem({0x0c, 1, 0}) == P{LocationProblem::Truncated, 0x0c});
  CHECK(problem({0x22}) == P{LocationProblem::Underflow, 0x22});
  CHECK(problem({0x13, 0x13}) == P{LocationProblem::Underflow, 0x13});
  CHECK(problem(std::vector<uint8_t>(100, 0x30)) == P{LocationProblem::TooDeep, 0x30});
}

TEST_CASE("DW_OP names", "[location][fast]") {
  CHECK(dwarf::op_name(0x06) == "DW_OP_deref");
  CHECK(dwarf::op_name(0x34) == "DW_OP_lit4");
  CHECK(dwarf::op_name(0x77) == "DW_OP_breg7");
  CHECK(dwarf::op_name(0xe5) == "DW_OP_0xe5");
}
