// Checks a parsed BTF before any DIE is made from it: libbpf 1.1 checks the
// header and section bounds but not every type id or string offset, and no
// reference loops. Every failure is one InputError naming the file and a fix.
#include <fmt/format.h>

#include "btf_file.hpp"
#include "padguard/error.hpp"

namespace padguard::btf {

namespace {

std::string fix_hint(bool split, const std::string& base_path) {
  if (split)
    return fmt::format("check that --btf_base {} is the BTF this file was split from", base_path);
  return "regenerate it (pahole -J), or if it is a module's split BTF give its base with "
         "--btf_base /sys/kernel/btf/vmlinux";
}

struct Checker {
  const BtfFile& f;
  bool split;
  const std::string& base_path;

  [[noreturn]] void fail(const std::string& what, uint32_t id) const {
    throw InputError(f.path, fmt::format("corrupt BTF: {} (type id {}); {}", what, id, fix_hint(split, base_path)));
  }
  void check_id(uint32_t ref, uint32_t id) const {
    if (ref >= f.type_cnt) fail(fmt::format("reference to type id {} out of range (last is {})", ref, f.type_cnt - 1), id);
  }
  void check_str(uint32_t off, uint32_t id) const {
    if (btf__name_by_offset(f.btf, off) == nullptr) fail(fmt::format("string offset {} past the end", off), id);
  }

  void check_type(uint32_t id) const {
    const struct btf_type* t = btf__type_by_id(f.btf, id);
    if (t == nullptr) fail("missing type", id);
    check_str(t->name_off, id);
    const uint16_t n = btf_vlen(t);
    switch (btf_kind(t)) {
      case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_VAR: case BTF_KIND_TYPE_TAG:
      case BTF_KIND_DECL_TAG:
        check_id(t->type, id);
        break;
      case BTF_KIND_ARRAY:
        check_id(btf_array(t)->type, id);
        check_id(btf_array(t)->index_type, id);
        break;
      case BTF_KIND_STRUCT: case BTF_KIND_UNION:
        for (uint16_t i = 0; i < n; ++i) {
          check_id(btf_members(t)[i].type, id);
          check_str(btf_members(t)[i].name_off, id);
        }
        break;
      case BTF_KIND_ENUM:
        for (uint16_t i = 0; i < n; ++i) check_str(btf_enum(t)[i].name_off, id);
        break;
      case BTF_KIND_ENUM64:
        for (uint16_t i = 0; i < n; ++i) check_str(btf_enum64(t)[i].name_off, id);
        break;
      case BTF_KIND_FUNC_PROTO:
        check_id(t->type, id);
        for (uint16_t i = 0; i < n; ++i) {
          check_id(btf_params(t)[i].type, id);
          check_str(btf_params(t)[i].name_off, id);
        }
        break;
      case BTF_KIND_DATASEC:
        for (uint16_t i = 0; i < n; ++i) check_id(btf_var_secinfos(t)[i].type, id);
        break;
      default:
        break;
    }
  }

  // Depth-first search for a cycle over the edges `edges(id, out)` appends;
  // iterative, so a long chain cannot overflow the stack. The pending edges
  // of every node on the stack share one buffer: no allocation per node.
  template <typename Edges>
  void find_cycle(Edges&& edges, const char* what) const {
    struct Frame {
      uint32_t node;
      size_t begin;  // this node's pending edges are pending[begin, end of its part)
    };
    std::vector<uint8_t> color(f.type_cnt, 0);  // 0 new, 1 on the stack, 2 done
    std::vector<Frame> stack;
    std::vector<uint32_t> pending;
    auto enter = [&](uint32_t id) {
      color[id] = 1;
      stack.push_back({id, pending.size()});
      edges(id, pending);
    };
    for (uint32_t root = 1; root < f.type_cnt; ++root) {
      if (color[root]) continue;
      enter(root);
      while (!stack.empty()) {
        if (pending.size() == stack.back().begin) {
          color[stack.back().node] = 2;
          stack.pop_back();
          continue;
        }
        const uint32_t to = pending.back();
        pending.pop_back();
        if (to == 0 || color[to] == 2) continue;
        if (color[to] == 1) fail(what, to);
        enter(to);
      }
    }
  }
};

// Edges a type's name or size is computed through. `through_pointers`: the
// name graph (pointers and prototypes, not members); otherwise the size
// graph (members and arrays, not pointers).
void type_edges(const struct btf* b, uint32_t id, bool names, std::vector<uint32_t>& out) {
  const struct btf_type* t = btf__type_by_id(b, id);
  const uint16_t n = btf_vlen(t);
  switch (btf_kind(t)) {
    case BTF_KIND_PTR:
      if (names) out.push_back(t->type);
      break;
    case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG:
      out.push_back(t->type);
      break;
    case BTF_KIND_ARRAY:
      out.push_back(btf_array(t)->type);
      break;
    case BTF_KIND_FUNC_PROTO:
      if (!names) break;
      out.push_back(t->type);
      for (uint16_t i = 0; i < n; ++i) out.push_back(btf_params(t)[i].type);
      break;
    case BTF_KIND_STRUCT: case BTF_KIND_UNION:
      if (names) break;
      for (uint16_t i = 0; i < n; ++i) out.push_back(btf_members(t)[i].type);
      break;
    default:
      break;
  }
}

}  // namespace

uint32_t skip_type_tags(const struct btf* b, uint32_t id) {
  // Bounded: validate() has rejected loops through type tags.
  while (id != 0) {
    const struct btf_type* t = btf__type_by_id(b, id);
    if (btf_kind(t) != BTF_KIND_TYPE_TAG) break;
    id = t->type;
  }
  return id;
}

void validate(const BtfFile& f, bool split, const std::string& base_path) {
  Checker c{f, split, base_path};
  for (uint32_t id = 1; id < f.type_cnt; ++id) c.check_type(id);
  c.find_cycle([&](uint32_t id, std::vector<uint32_t>& out) { type_edges(f.btf, id, true, out); },
               "loop in type references");
  c.find_cycle([&](uint32_t id, std::vector<uint32_t>& out) { type_edges(f.btf, id, false, out); },
               "a struct or union contains itself");
}

}  // namespace padguard::btf
