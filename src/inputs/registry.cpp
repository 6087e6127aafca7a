// The list of inputs: adding an input format is its folder plus one line here.
#include "input_registry.hpp"

namespace padguard {

const std::vector<const Input*>& inputs() {
  static const std::vector<const Input*> all = {
      &dwarf_input(BackendKind::Libdw),
      &dwarf_input(BackendKind::Libdwarf),
      &facts_input(),
      &btf_input(),
  };
  return all;
}

}  // namespace padguard
