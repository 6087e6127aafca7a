// The libdwarf backend's pieces that need no binary input: the private
// libdwarf namespace loads, the DIE filter matches the libdw backend's rule,
// and bad paths become InputErrors that name the file.
#include <catch2/catch.hpp>

#include "../../src/inputs/libdwarf/compat.hpp"
#include "../../src/inputs/dwarf/die_filter.hpp"
#include "padguard/dwarf_source.hpp"
#include "padguard/error.hpp"

using namespace padguard;

TEST_CASE("libdwarf loads into its own namespace with every function", "[libdwarf][fast]") {
  const ldw::Api& api = ldw::api();
  INFO(api.load_error);
  CHECK(api.load_error.empty());
  CHECK(api.dwarf_init_b != nullptr);
  CHECK(api.dwarf_srclines_dealloc_b != nullptr);
  // The private copy, not libdw's function of the same name.
  CHECK(reinterpret_cast<void*>(api.dwarf_tag) != nullptr);
  CHECK(std::string(api.dwarf_package_version()).size() >= 8);
}

TEST_CASE("DIE filter keeps type DIEs and drops code", "[libdwarf][fast]") {
  CHECK(keep_child(DW_TAG_compile_unit, DW_TAG_structure_type));
  CHECK(keep_child(DW_TAG_compile_unit, DW_TAG_namespace));
  CHECK_FALSE(keep_child(DW_TAG_compile_unit, DW_TAG_subprogram));
  CHECK_FALSE(keep_child(DW_TAG_compile_unit, DW_TAG_variable));
  CHECK(keep_child(DW_TAG_structure_type, DW_TAG_member));
  CHECK(keep_child(DW_TAG_class_type, DW_TAG_inheritance));
  CHECK_FALSE(keep_child(DW_TAG_class_type, DW_TAG_subprogram));
  CHECK(keep_child(DW_TAG_array_type, DW_TAG_subrange_type));
  CHECK(keep_child(DW_TAG_enumeration_type, DW_TAG_enumerator));
  CHECK(keep_child(DW_TAG_subroutine_type, DW_TAG_unspecified_parameters));
  CHECK_FALSE(keep_child(DW_TAG_subprogram, DW_TAG_structure_type));
}

TEST_CASE("libdwarf backend names the file in input errors", "[libdwarf][fast]") {
  const std::string missing = "/nonexistent/padguard-no-such-file.o";
  try {
    open_dwarf(missing, BackendKind::Libdwarf);
    FAIL("no exception");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).rfind(missing + ": ", 0) == 0);
  }
}
