// Renders a Record exactly as `pahole -F dwarf` 1.24 prints it. The column
// arithmetic mirrors pahole's (type column 26, name column 23, 21 for a
// top-level union, both shifted by 8 per nesting level), including its use of
// printf's negative field widths. See docs/pahole-notes.md.
#include "padguard/pahole_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <cstdlib>

#include "padguard/layout.hpp"
#include "padguard/type_name.hpp"
#include "escape.hpp"

namespace padguard {

namespace {

struct Conf {
  int indent = 0;
  int type_spacing = 26;
  int name_spacing = 23;
  uint64_t base_offset = 0;
  // pahole's rel_offset, set behind a pointer to an anonymous type: every
  // member below prints its offset within its own record, not from the top.
  bool rel_offset = false;
  uint32_t* cacheline = nullptr;
  uint32_t cacheline_size = 64;
  bool union_member = false;
  bool first_member = false;
  bool last_member = false;
  bool emit_stats = true;
};

// pahole prints indentation from a fixed string of 16 tabs
// ("%.*s", indent, tabs), so deeper nesting stays at 16.
std::string_view tabs(int n) {
  static constexpr std::string_view kTabs = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
  return kTabs.substr(0, static_cast<size_t>(std::clamp(n, 0, 16)));
}

// printf("%-*s", width, s) appended to `out`: a negative width also left-justifies.
void append_padded(std::string& out, std::string_view s, int width) {
  const size_t w = static_cast<size_t>(std::abs(width));
  out += s;
  if (s.size() < w) out.append(w - s.size(), ' ');
}

// printf("%*s", width, " "): at least one character.
void append_spaces(std::string& out, int width) {
  const size_t w = static_cast<size_t>(std::abs(width));
  out.append(w > 0 ? w : 1, ' ');
}

// fmt::format appended to `out` through a stack buffer (fmt's back_inserter
// into a std::string pushes one character at a time).
template <typename... Args>
void put(std::string& out, fmt::format_string<Args...> f, Args&&... args) {
  fmt::memory_buffer b;
  fmt::format_to(fmt::appender(b), f, std::forward<Args>(args)...);
  out.append(b.data(), b.size());
}

// printf("%*llu", width, v): right-aligned in at least `width` columns.
void put_uint(std::string& out, uint64_t v, size_t width) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  const auto n = static_cast<size_t>(end - buf);
  if (n < width) out.append(width - n, ' ');
  out.append(buf, n);
}

// printf("%#*llx", width, v): "0x" and lowercase hex digits, right-aligned in
// at least `width` columns; 0 is "0" (C's '#' flag adds no prefix to zero).
void put_hex(std::string& out, uint64_t v, size_t width) {
  char buf[24] = {'0', 'x'};
  const auto [end, ec] = std::to_chars(buf + 2, buf + sizeof buf, v, 16);
  const char* begin = v == 0 ? buf + 2 : buf;
  const auto n = static_cast<size_t>(end - begin);
  if (n < width) out.append(width - n, ' ');
  out.append(begin, n);
}

// Input names (DWARF, BTF, facts) are hostile: control characters and stray
// bytes are made visible (esc::text), so a newline in a name cannot start a
// line of its own in a CI log. Plain ASCII, the only kind pahole's users
// see, goes through untouched.
bool plain(std::string_view s) {
  for (const unsigned char c : s)
    if (c < 0x20 || c >= 0x7f) return false;
  return true;
}
void put_name(std::string& out, std::string_view s) {
  if (plain(s))
    out += s;
  else
    out += esc::text(s);
}
std::string safe(std::string_view s) { return plain(s) ? std::string(s) : esc::text(s); }

const char* plural(uint64_t n) { return n != 1 ? "s" : ""; }

class Printer {
 public:
  Printer(std::string& out, const PaholeOptions& opts)
      : out_(out), force_paddings_(opts.force_paddings), hex_(opts.hex), expand_(opts.expand_types) {}
  void use_top_layout(const Layout* l) { top_layout_ = l; }

  void top_level(const Record& r, uint32_t cacheline_size) {
    uint32_t cacheline = 0;
    Conf c;
    c.cacheline = &cacheline;
    c.cacheline_size = cacheline_size;
    if (expand_) c.name_spacing = 55;  // tag__fprintf: 55 with expand_types, for unions too
    if (r.is_union()) {
      if (!expand_) c.name_spacing = 21;
      union_body(r, c, "");
    } else {
      class_body(r, c, false, "");
    }
    out_ += ";\n";
  }

  // pahole -C NAME of a typedef (typedef__fprintf) or an enum
  // (enumeration__fprintf) at the top level, ending in ";\n". Returns false
  // for what pahole spells in a way padguard does not reproduce (a typedef of
  // an array of an anonymous record, printed as a member would be).
  bool named_type(const Type& t, uint32_t cacheline_size) {
    uint32_t cacheline = 0;
    Conf c;
    c.cacheline = &cacheline;
    c.cacheline_size = cacheline_size;
    if (expand_) c.name_spacing = 55;  // tag__fprintf with expand_types
    if (t.kind == TypeKind::Enum) {
      if (!t.enumeration) return false;
      inline_enum(*t.enumeration, c, "");
      out_ += ";\n";
      return true;
    }
    if (t.kind != TypeKind::Typedef) return false;
    const std::string name = safe(t.name);
    const Type* target = t.target.get();
    out_ += "typedef ";
    if (target == nullptr || target->kind == TypeKind::Void) {
      out_ += "void " + name;
    } else if (target->kind == TypeKind::Array && expand_) {
      // -E: array_type__fprintf's element through type__fprintf, typedefs
      // shown and structs expanded as in a member line.
      bool packed = false;
      expanded_type(*target, &name, c, false, packed);
    } else if (target->kind == TypeKind::Array) {
      // array_type__fprintf: the element spelled as in a member line; an
      // anonymous one with its body, the name and dimensions after it.
      const MemberSpelling& sp = spelling(*target);
      if (sp.shape.via_pointer) return false;
      if (sp.shape.inline_record || sp.shape.inline_enum) {
        Conf ic = c;
        ic.type_spacing -= static_cast<int>(sp.modifiers.size());
        out_ += sp.modifiers;
        if (sp.shape.inline_record)
          inline_record(*sp.shape.inline_record, ic, false, name, !sp.modifiers.empty());
        else
          inline_enum(*sp.shape.inline_enum, ic, name);
        dims_to(out_, sp.shape, c);
      } else {
        spelled_to(out_, sp, name, c);
      }
    } else if (target->kind == TypeKind::Function ||
               (target->kind == TypeKind::Pointer && target->target && target->target->kind == TypeKind::Function)) {
      // ftype__fprintf with no padding: "int (*fn_t)(int)", "void (fn_t)(long int)".
      Type ptr;
      ptr.kind = TypeKind::Pointer;
      ptr.target = target->kind == TypeKind::Function ? t.target : target->target;
      MemberSpelling sp = spell_member(ptr);
      if (target->kind == TypeKind::Function && sp.prefix.starts_with("(*")) sp.prefix.erase(1, 1);
      out_ += safe(sp.type) + " " + safe(sp.prefix) + name + safe(sp.suffix);
    } else if (target->kind == TypeKind::Record && target->record_kind != RecordKind::Union) {
      if (target->name.empty()) {
        if (!target->record) return false;
        class_body(*target->record, c, false, name);
      } else {
        out_ += "struct " + safe(target->name) + " " + name;
      }
    } else if (target->kind == TypeKind::Enum) {
      if (target->name.empty()) {
        if (!target->enumeration) return false;
        inline_enum(*target->enumeration, c, name);
      } else {
        out_ += "enum " + safe(target->name) + " " + name;
      }
    } else {
      out_ += safe(type_name(*target)) + " " + name;  // tag__name: unions, pointers, qualifiers, typedefs, bases
    }
    out_ += ";\n";
    return true;
  }

 private:
  // pahole's array_type__fprintf dimension rule: "[]" only for a zero-sized
  // dimension of the last of several members, outside unions.
  void dims_to(std::string& out, const MemberShape& shape, const Conf& c) { dims_to(out, shape.dims, c); }
  void dims_to(std::string& out, const std::vector<uint64_t>& dims, const Conf& c) {
    const bool single = c.last_member && c.first_member;
    for (uint64_t d : dims) {
      if (d != 0 || !c.last_member || single || c.union_member)
      {
        out += '[';
        put_uint(out, d, 0);
        out += ']';
      }
      else
        out += "[]";
    }
  }

  // type__fprintf for a type that is not printed inline, appended to `out`.
  void spelled_to(std::string& out, const MemberSpelling& sp, std::string_view name, const Conf& c) {
    const int width = c.type_spacing - static_cast<int>(sp.modifiers.size());
    out += sp.modifiers;
    if (!sp.keyword.empty()) {
      out += sp.keyword;
      out += ' ';
      append_padded(out, sp.type, width - static_cast<int>(sp.keyword.size()) - 1);
    } else {
      append_padded(out, sp.type, width);
    }
    out += ' ';
    out += sp.prefix;
    out += name;
    out += sp.suffix;
    dims_to(out, sp.shape, c);
  }

  // spell_member, once per type per printer: members share their types.
  const MemberSpelling& spelling(const Type& t) {
    auto [it, fresh] = spellings_.try_emplace(&t);
    if (fresh) {
      MemberSpelling sp = spell_member(t);
      sp.type = safe(sp.type);
      sp.prefix = safe(sp.prefix);
      sp.suffix = safe(sp.suffix);
      it->second = std::move(sp);
    }
    return it->second;
  }

  // compute_layout's tail padding of a member's struct, once per struct.
  uint64_t tail_padding(const Record& r) {
    auto [it, fresh] = paddings_.try_emplace(&r, 0);
    if (fresh) it->second = compute_layout(r).padding;
    return it->second;
  }

  void cacheline_boundary(const Conf& c, uint64_t offset) {
    const auto line = static_cast<uint32_t>(offset / c.cacheline_size);
    if (line <= *c.cacheline) return;
    const auto pos = static_cast<uint32_t>(offset % c.cacheline_size);
    const uint64_t at = offset - pos;
    if (pos == 0)
      put(out_, "/* --- cacheline {} boundary ({} bytes) --- */\n", line, at);
    else
      put(out_, "/* --- cacheline {} boundary ({} bytes) was {} byte{} ago --- */\n", line,
                          at, pos, plural(pos));
    out_ += tabs(c.indent);
    *c.cacheline = line;
  }

  // A number of the offset comment: %*u, or %#*x with --hex.
  void put_number(uint64_t v, size_t width) {
    if (hex_)
      put_hex(out_, v, width);
    else
      put_uint(out_, v, width);
  }

  void offset_comment(uint64_t offset, const Member& m, const MemberLayout& ml) {
    out_ += "/* ";
    put_number(offset, 5);
    if (m.is_bitfield()) {
      out_ += ':';
      put_number(ml.bitfield_offset, 2);
      out_ += ' ';
      put_number(m.byte_size, 2);
    } else if (ml.size_unknown) {
      out_ += "     ?";  // a declaration-only type: not pahole's 0
    } else {
      out_ += ' ';
      put_number(m.byte_size, 5);
    }
    out_ += " */";
  }

  // What stands after a member of unknown size in place of pahole's 0 and
  // the fake hole after it (docs/REDUCED-DEBUG-INFO.md).
  void unknown_size_note(const Member& m, int indent) {
    const Type* t = m.unknown_size_type();
    if (t == nullptr) return;
    put(out_, "{}/* XXX {} ", tabs(indent), kind_keyword(t->record_kind));
    put_name(out_, t->name);
    out_ += " is declaration-only here; its size is unknown */";
  }

  // class_member__fprintf. The caller has printed the indent.
  void member(const Member& m, const MemberLayout& ml, bool forced_packed, const Conf& conf) {
    if (expand_) return expanded_member(m, ml, forced_packed, conf);
    const uint64_t offset = conf.rel_offset ? ml.byte_offset : ml.byte_offset + conf.base_offset;
    std::string escaped;
    std::string_view name = m.name;
    if (!plain(name)) name = escaped = esc::text(name);
    Conf sconf = conf;
    sconf.base_offset = offset;
    cacheline_boundary(conf, offset);

    const std::string align_attr =
        m.alignment ? fmt::format(" __attribute__((__aligned__({})))", m.alignment) : "";
    const MemberSpelling& sp = spelling(*m.type);
    const MemberShape& shape = sp.shape;
    const bool inline_type = shape.inline_record || shape.inline_enum;
    if (inline_type && shape.dims.empty() && !shape.via_pointer && sp.modifiers.empty()) {
      bool packed = false;
      if (shape.inline_record) {
        packed = inline_record(*shape.inline_record, sconf, forced_packed, "");
      } else {
        inline_enum(*shape.inline_enum, sconf, "");
      }
      if (!name.empty()) {
        out_ += ' ';
        out_ += name;
      }
      if (m.is_bitfield()) put(out_, ":{}", m.bit_size);
      out_ += align_attr;
      out_ += ';';
      int slen = static_cast<int>(align_attr.size()) + (name.empty() ? -1 : static_cast<int>(name.size()));
      if (packed) slen += static_cast<int>(sizeof("__attribute__((__packed__))"));
      append_spaces(out_, sconf.type_spacing + sconf.name_spacing - slen - 3);
      offset_comment(offset, m, ml);
      return;
    }
    const size_t text_start = out_.size();
    if (inline_type) {
      // A pointer to, or an array of, an anonymous type: pahole prints the
      // body with the name as its suffix and counts every character of it
      // when aligning the comment.
      Conf ic = sconf;
      std::string suffix(name);
      bool keep_stats = false;
      if (shape.via_pointer) {
        ic.type_spacing -= 8;
        ic.base_offset = 0;  // offsets inside print relative to each record
        ic.rel_offset = true;
        suffix = "* " + suffix;
      } else if (!sp.modifiers.empty()) {
        // "const struct {...}": pahole prints the qualifier, narrows the
        // columns by its width, keeps the enclosing statistics setting, and
        // loses the member name (we keep a name when there is one).
        ic.type_spacing -= static_cast<int>(sp.modifiers.size());
        keep_stats = true;
      }
      if (!shape.via_pointer) out_ += sp.modifiers;
      if (shape.inline_record)
        inline_record(*shape.inline_record, ic, forced_packed, suffix, keep_stats);
      else
        inline_enum(*shape.inline_enum, ic, suffix);
      dims_to(out_, shape, sconf);
    } else {
      spelled_to(out_, sp, name, sconf);
    }
    if (m.is_bitfield()) put(out_, ":{}", m.bit_size);
    out_ += align_attr;
    out_ += ';';
    const int spacing = sconf.type_spacing + sconf.name_spacing - static_cast<int>(out_.size() - text_start);
    append_spaces(out_, spacing > 0 ? spacing : 0);
    offset_comment(offset, m, ml);
  }

  // Prints an anonymous struct/union body; returns whether it printed __packed__.
  bool inline_record(const Record& r, const Conf& conf, bool forced_packed, const std::string& suffix,
                     bool keep_stats = false) {
    Conf c = conf;
    c.type_spacing -= 8;
    if (r.is_union()) {
      union_body(r, c, suffix);
      return false;
    }
    if (!keep_stats) c.emit_stats = false;
    return class_body(r, c, forced_packed, suffix);
  }

  // `bare_suffix`: print " " + suffix even when it is empty (pahole's
  // non-null "" suffix, -E's filler lines of an inline type).
  void inline_enum(const EnumType& e, const Conf& c, const std::string& suffix, bool bare_suffix = false) {
    out_ += "enum";
    if (!e.name.empty()) {
      out_ += ' ';
      put_name(out_, e.name);
    }
    if (e.enumerators.empty()) return;
    out_ += " {\n";
    size_t width = 0;
    for (const auto& [name, value] : e.enumerators) width = std::max(width, safe(name).size());
    for (const auto& [name, value] : e.enumerators) {
      out_ += tabs(c.indent);
      out_ += '\t';
      append_padded(out_, safe(name), static_cast<int>(width));
      out_ += " = ";
      if (hex_)
        put_hex(out_, static_cast<uint64_t>(value), 0);  // pahole: %#llx of the value's 64 bits
      else
        put(out_, "{}", value);
      out_ += ",\n";
    }
    out_ += tabs(c.indent);
    out_ += '}';
    if (e.byte_size != 4) out_ += " __attribute__((__packed__))";
    if (!suffix.empty() || bare_suffix) out_ += " " + suffix;
  }

  void union_body(const Record& r, const Conf& conf, const std::string& suffix, bool bare_suffix = false) {
    out_ += "union ";
    if (!r.name.empty()) {
      put_name(out_, r.name);
      out_ += ' ';
    }
    out_ += "{\n";
    Conf uc = conf;
    uc.indent = conf.indent + 1;
    uc.union_member = true;
    const Layout l = compute_layout(r);
    const std::vector<bool> forced = members_forced_packed(r, l, expand_);
    const uint32_t initial = *uc.cacheline;
    for (size_t i = 0; i < r.members.size(); ++i) {
      out_ += tabs(uc.indent);
      member(r.members[i], l.members[i], forced[i], uc);
      out_ += "\n";
      if (l.members[i].size_unknown) {
        unknown_size_note(r.members[i], uc.indent);
        out_ += "\n";
      }
      *uc.cacheline = initial;
    }
    out_ += tabs(conf.indent);
    out_ += '}';
    if (!suffix.empty() || bare_suffix) out_ += " " + suffix;
  }

  // pahole prints a type defined among the members (clang's DWARF) as a
  // standalone definition at the member indent, with the enclosing columns
  // and the enclosing suffix: inside "struct {...} * p" or "struct {...} a[2]"
  // it closes with "} * p;" / "} a;" too (tag__fprintf inherits the conf).
  void nested_definition(const NestedType& n, const Conf& cc, const std::string& suffix) {
    out_ += tabs(cc.indent);
    if (n.enumeration) {
      inline_enum(*n.enumeration, cc, suffix);
    } else if (n.record->is_union()) {
      union_body(*n.record, cc, suffix);
    } else {
      class_body(*n.record, cc, false, suffix);
    }
    out_ += ";\n\n";
  }

  // ---- pahole -E (expand_types) ------------------------------------------
  // dwarves_fprintf.c's class_member__fprintf and type__fprintf with
  // expand_types set, re-derived (docs/pahole-notes.md §16).

  // A bitfield filler or "Force padding" line's type (type__fprintf with the
  // name ""): under -E a typedef is shown and an inline type printed whole.
  void filler_type(const Type& t, const Conf& c) {
    if (!expand_) {
      spelled_to(out_, spelling(t), "", c);
      return;
    }
    static const std::string kNone;
    bool packed = false;
    expanded_type(t, &kNone, c, false, packed);
  }

  // A type pahole does not expand (base, pointer, function, volatile, a
  // named enum): "%-*s %s" in the type column, as without -E.
  void plain_type(const Type& t, const std::string* name, const Conf& c) {
    spelled_to(out_, spelling(t), name ? std::string_view(*name) : std::string_view(), c);
  }

  // type__fprintf. `name` is null for a member whose type is directly a
  // struct, union or enum (the caller prints the name); `packed` says whether
  // a struct body printed __packed__.
  void expanded_type(const Type& type, const std::string* name, const Conf& conf, bool forced_packed, bool& packed) {
    const Type* t = &type;
    if (t->kind == TypeKind::Typedef && t->target) {
      out_ += "/* typedef ";
      put_name(out_, t->name);
      for (t = t->target.get(); t->kind == TypeKind::Typedef && t->target; t = t->target.get()) {
        out_ += " -> ";
        put_name(out_, t->name);
      }
      out_ += " */ ";
    }
    Conf tc = conf;
    // pahole's tconf.suffix: the member name, set where the type (after the
    // typedefs) is a struct, union or enum, with the footer off.
    const std::string* suffix = nullptr;
    std::string pointer_name;
    auto inner = [&] {
      suffix = name;
      tc.emit_stats = false;
    };
    if (t->kind == TypeKind::Record || t->kind == TypeKind::Enum) inner();
    for (int steps = 0; steps <= 4096; ++steps) {  // the builder bounds type chains far below
      switch (t->kind) {
        case TypeKind::Pointer:
          if (!t->reference && t->target) {
            const Type& p = *t->target;
            if (!(p.kind == TypeKind::Function) && (p.is_anonymous_record() || p.is_anonymous_enum())) {
              // A pointer to an anonymous type: its body, offsets relative
              // to itself, then "* name".
              pointer_name = "* " + (name ? *name : std::string());
              name = &pointer_name;
              tc.rel_offset = true;
              tc.base_offset = 0;
              tc.type_spacing -= 8;
              t = &p;
              inner();
              forced_packed = false;
              continue;
            }
          }
          plain_type(*t, name, tc);
          return;
        case TypeKind::Qualified:
          if (t->target && (t->qualifier == Qualifier::Const || t->qualifier == Qualifier::Atomic)) {
            // "const " narrows the type column and the walk goes on. pahole
            // keeps the enclosing suffix and footer setting here, so a const
            // struct member loses its name; padguard keeps the name
            // (docs/pahole-differences.md §2), not the footer setting.
            const std::string_view q = t->qualifier == Qualifier::Const ? "const " : "_Atomic ";
            out_ += q;
            tc.type_spacing -= static_cast<int>(q.size());
            t = t->target.get();
            if (t->kind == TypeKind::Record || t->kind == TypeKind::Enum) suffix = name;
            continue;
          }
          plain_type(*t, name, tc);
          return;
        case TypeKind::Array: {
          // array_type__fprintf: the element (a zero-length array drops a
          // const around it), then every dimension.
          const Type* elem = t->target ? t->target.get() : void_type().get();
          if (!t->dims.empty() && t->dims[0] == 0 && elem->kind == TypeKind::Qualified &&
              elem->qualifier == Qualifier::Const && elem->target)
            elem = elem->target.get();
          bool elem_packed = false;
          expanded_type(*elem, name, tc, false, elem_packed);
          dims_to(out_, t->dims, tc);
          return;
        }
        case TypeKind::Record: {
          if (!t->record) {  // no definition (a facts file): spelled as without -E
            plain_type(*t, name, tc);
            return;
          }
          tc.type_spacing -= 8;
          const std::string s = suffix ? *suffix : std::string();
          const bool bare = suffix != nullptr && suffix->empty();
          if (t->record->is_union())
            union_body(*t->record, tc, s, bare);
          else
            packed = class_body(*t->record, tc, forced_packed, s, bare);
          return;
        }
        case TypeKind::Enum:
          if (!t->name.empty() || !t->enumeration) {  // named enums are never expanded
            plain_type(*t, name, tc);
            return;
          }
          inline_enum(*t->enumeration, tc, suffix ? *suffix : std::string(), suffix != nullptr && suffix->empty());
          return;
        default:
          plain_type(*t, name, tc);
          return;
      }
    }
    plain_type(*t, name, tc);
  }

  // class_member__fprintf under -E. The caller has printed the indent.
  void expanded_member(const Member& m, const MemberLayout& ml, bool forced_packed, const Conf& conf) {
    const uint64_t offset = conf.rel_offset ? ml.byte_offset : ml.byte_offset + conf.base_offset;
    const std::string name = safe(m.name);
    Conf sconf = conf;
    sconf.base_offset = offset;
    cacheline_boundary(conf, offset);

    const Type& t = *m.type;
    // A member whose type is directly a struct, union or enum: the type is
    // printed without the name, which follows the closing brace (with no
    // blank when the type is named: "}name;").
    const bool direct = t.kind == TypeKind::Record || t.kind == TypeKind::Enum;
    const size_t text_start = out_.size();
    bool packed = false;
    if (direct) {
      expanded_type(t, nullptr, sconf, forced_packed, packed);
      if (!name.empty()) {
        if (t.name.empty()) out_ += ' ';
        out_ += name;
      }
    } else {
      // An anonymous member has no name at all (pahole's NULL), not "":
      // `const struct {...};` closes without a blank.
      expanded_type(t, name.empty() ? nullptr : &name, sconf, forced_packed, packed);
    }
    if (m.is_bitfield()) put(out_, ":{}", m.bit_size);
    const std::string align_attr =
        m.alignment ? fmt::format(" __attribute__((__aligned__({})))", m.alignment) : "";
    out_ += align_attr;
    out_ += ';';
    if (direct && t.name.empty()) {
      // An anonymous type: the comment column from the name's length alone.
      int slen = static_cast<int>(align_attr.size()) + (name.empty() ? -1 : static_cast<int>(name.size()));
      if (packed && t.kind == TypeKind::Record) slen += static_cast<int>(sizeof("__attribute__((__packed__))"));
      append_spaces(out_, sconf.type_spacing + sconf.name_spacing - slen - 3);
    } else {
      // Everything printed counts, bodies included: after a body the
      // comment follows one blank.
      const int spacing = sconf.type_spacing + sconf.name_spacing - static_cast<int>(out_.size() - text_start);
      append_spaces(out_, spacing > 0 ? spacing : 0);
    }
    offset_comment(offset, m, ml);
  }

  // __class__fprintf for a struct or class; returns whether it printed __packed__.
  bool class_body(const Record& r, const Conf& conf, bool forced_packed, const std::string& suffix,
                  bool bare_suffix = false) {
    out_ += kind_keyword(r.kind);
    if (!r.name.empty()) {
      out_ += ' ';
      put_name(out_, r.name);
    }
    out_ += " {\n";
    Conf cc = conf;
    cc.indent = conf.indent + 1;
    const Layout l = conf.indent == 0 && top_layout_ ? *top_layout_ : compute_layout(r);
    const bool packed = forced_packed || infer_packed(r, l);
    const std::vector<bool> forced = members_forced_packed(r, l, expand_);

    int newline = 0;
    auto open_comment = [&] {
      if (!newline++) out_ += "\n";
    };
    uint64_t sum_holes = 0, sum_bit_holes = 0;
    if (l.pre_bit_hole > 0) {
      open_comment();
      put(out_, "{}/* XXX {} bit{} hole, try to pack */\n", tabs(cc.indent), l.pre_bit_hole,
                          plural(l.pre_bit_hole));
      sum_bit_holes += l.pre_bit_hole;
    }
    if (l.pre_hole > 0) {
      open_comment();
      put(out_, "{}/* XXX {} byte{} hole, try to pack */\n", tabs(cc.indent), l.pre_hole,
                          plural(l.pre_hole));
      sum_holes += l.pre_hole;
    }

    uint32_t nr_forced = 0, nr_forced_holes = 0;
    uint64_t sum_forced_holes = 0, sum_paddings = 0;
    uint32_t nr_paddings = 0;
    uint64_t last_size = 0;
    const Member* last = nullptr;
    const MemberLayout* last_l = nullptr;

    size_t next_nested = 0;
    auto print_nested_until = [&](size_t members_before) {
      for (; next_nested < r.nested_types.size() &&
             r.nested_types[next_nested].after_members <= members_before;
           ++next_nested)
        nested_definition(r.nested_types[next_nested], cc, suffix);
    };
    const bool type_after_last =
        !r.nested_types.empty() && r.nested_types.back().after_members == r.members.size();

    for (size_t i = 0; i < r.members.size(); ++i) {
      print_nested_until(i);
      const Member& m = r.members[i];
      const MemberLayout& ml = l.members[i];
      if (m.alignment != 0) {
        const uint64_t forced_hole = last_l ? last_l->hole : l.pre_hole;
        if (forced_hole != 0) ++nr_forced_holes, sum_forced_holes += forced_hole;
        ++nr_forced;
      }
      if (last != nullptr && last_size != 0) {
        if (last_l->bit_hole != 0 && m.is_bitfield()) {
          uint32_t bitfield_size = last_l->bit_hole;
          if (last_l->byte_offset != ml.byte_offset) {
            put(out_, "\n{}/* Force alignment to the next boundary: */\n", tabs(cc.indent));
            bitfield_size = 0;
          }
          out_ += tabs(cc.indent);
          filler_type(*m.type, cc);
          put(out_, ":{};\n", bitfield_size);
        }
        if (ml.byte_offset < last_l->byte_offset ||
            (ml.byte_offset == last_l->byte_offset && !last->is_bitfield() && m.is_bitfield())) {
          open_comment();
          out_ += tabs(cc.indent);
          out_ += "/* Bitfield combined with previous fields */\n";
        } else {
          const int64_t cc_last_size =
              static_cast<int64_t>(ml.byte_offset) - static_cast<int64_t>(last_l->byte_offset);
          if (cc_last_size > 0 && static_cast<uint64_t>(cc_last_size) < last_size) {
            open_comment();
            out_ += tabs(cc.indent);
            out_ += "/* Bitfield combined with next fields */\n";
          }
        }
      }
      if (newline) {
        out_ += "\n";
        newline = 0;
      }
      cc.last_member = i + 1 == r.members.size() && !type_after_last;
      cc.first_member = last == nullptr;
      out_ += tabs(cc.indent);
      member(m, ml, forced[i], cc);

      if (ml.size_unknown) {
        open_comment();
        out_ += "\n";
        unknown_size_note(m, cc.indent);
      }
      if (m.direct_struct) {
        const uint64_t padding = tail_padding(*m.direct_struct);
        if (padding > 0) {
          ++nr_paddings;
          sum_paddings += padding;
          open_comment();
          put(out_, "\n{}/* XXX last struct has {} byte{} of padding */", tabs(cc.indent),
                              padding, plural(padding));
        }
      }
      if (ml.bit_hole != 0) {
        open_comment();
        put(out_, "\n{}/* XXX {} bit{} hole, try to pack */", tabs(cc.indent), ml.bit_hole,
                            plural(ml.bit_hole));
        sum_bit_holes += ml.bit_hole;
      }
      if (ml.hole > 0) {
        open_comment();
        put(out_, "\n{}/* XXX {} byte{} hole, try to pack */", tabs(cc.indent), ml.hole,
                            plural(ml.hole));
        sum_holes += ml.hole;
      }
      out_ += "\n";

      if (last == nullptr || last_size == 0 || last_l->byte_offset != ml.byte_offset)
        last_size = m.byte_size;
      else if (!last->is_bitfield() && m.is_bitfield())
        last_size = m.byte_size;
      last = &m;
      last_l = &ml;
    }
    print_nested_until(r.members.size());

    // DWARF-only (pahole's has_alignment_info): pahole re-creates padding as unnamed bitfields of the last
    // member's type when it exceeds a word and the record has no alignment.
    if (l.padding != 0 && r.alignment == 0 && force_paddings_ && last != nullptr) {
      const uint64_t size = last->byte_size;
      if (size != 0 && (size & (size - 1)) == 0 && l.padding > r.address_size) {
        put(out_, "\n{}/* Force padding: */\n", tabs(cc.indent));
        // pahole prints one line per `size` bytes; a (corrupt) padding of
        // terabytes would print forever, so stop after kMaxForcePadding lines.
        constexpr uint64_t kMaxForcePadding = 4096;
        uint64_t lines = 0;
        const MemberSpelling& last_sp = spelling(*last->type);
        for (uint64_t added = 0; added < l.padding; added += size, ++lines) {
          if (lines == kMaxForcePadding) {
            put(out_, "{}/* ... {} more bytes of padding */\n", tabs(cc.indent), l.padding - added);
            break;
          }
          out_ += tabs(cc.indent);
          if (expand_)
            filler_type(*last->type, cc);
          else
            spelled_to(out_, last_sp, "", cc);
          put(out_, ":{};\n", size * 8);
        }
      }
    }

    if (cc.emit_stats) {
      const uint64_t cl = cc.cacheline_size;
      put(out_, "\n{}/* size: {}, cachelines: {}, members: {} */\n", tabs(cc.indent), r.byte_size,
                          (r.byte_size + cl - 1) / cl, r.members.size());
      if (sum_holes > 0 || sum_bit_holes > 0) {
        if (l.sum_member_bytes > 0) {
          put(out_, "{}/* sum members: {}", tabs(cc.indent), l.sum_member_bytes);
          if (sum_holes > 0) put(out_, ", holes: {}, sum holes: {}", l.nr_holes, sum_holes);
          out_ += " */\n";
        }
        if (l.sum_bitfield_bits > 0) {
          put(out_, "{}/* sum bitfield members: {} bits", tabs(cc.indent), l.sum_bitfield_bits);
          if (sum_bit_holes > 0)
            put(out_, ", bit holes: {}, sum bit holes: {} bits", l.nr_bit_holes, sum_bit_holes);
          else
            put(out_, " ({} bytes)", l.sum_bitfield_bits / 8);
          out_ += " */\n";
        }
      }
      if (l.nr_unknown_sizes > 0)
        put(out_, "{}/* members of unknown size: {} (declaration-only types; no holes counted next to them) */\n",
            tabs(cc.indent), l.nr_unknown_sizes);
      if (l.padding > 0) put(out_, "{}/* padding: {} */\n", tabs(cc.indent), l.padding);
      if (nr_paddings > 0)
        put(out_, "{}/* paddings: {}, sum paddings: {} */\n", tabs(cc.indent), nr_paddings,
                            sum_paddings);
      if (l.bit_padding > 0)
        put(out_, "{}/* bit_padding: {} bits */\n", tabs(cc.indent), l.bit_padding);
      if (nr_forced != 0) {
        put(out_, "{}/* forced alignments: {}", tabs(cc.indent), nr_forced);
        if (nr_forced_holes != 0)
          put(out_, ", forced holes: {}, sum forced holes: {}", nr_forced_holes, sum_forced_holes);
        out_ += " */\n";
      }
      const uint64_t last_line = (cc.base_offset + r.byte_size) % cl;
      if (last_line != 0) put(out_, "{}/* last cacheline: {} bytes */\n", tabs(cc.indent), last_line);
    }

    out_ += tabs(conf.indent);
    out_ += '}';
    if (packed) out_ += " __attribute__((__packed__))";
    if (!suffix.empty() || bare_suffix) out_ += " " + suffix;
    if (r.alignment != 0 && !packed) put(out_, " __attribute__((__aligned__({})))", r.alignment);
    return packed;
  }

  std::string& out_;
  bool force_paddings_;
  bool hex_;
  bool expand_;  // pahole -E
  const Layout* top_layout_ = nullptr;  // PaholeOptions::layout
  std::unordered_map<const Type*, MemberSpelling> spellings_;
  std::unordered_map<const Record*, uint64_t> paddings_;  // pahole: only for inputs with alignment info (not BTF)
};

}  // namespace

std::string render_pahole(const Record& r, const PaholeOptions& opts) {
  std::string out;
  Printer p(out, opts);
  p.use_top_layout(opts.layout);
  p.top_level(r, opts.cacheline_size);
  return out;
}

std::optional<std::string> render_pahole_named_type(const Type& t, const PaholeOptions& opts) {
  std::string out;
  Printer p(out, opts);
  if (!p.named_type(t, opts.cacheline_size)) return std::nullopt;
  return out;
}

void render_pahole(const std::vector<const Record*>& records, const PaholeOptions& opts, unsigned threads,
                   const TextSink& sink) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // Batches of records, each cut into contiguous slices rendered one per
  // thread and handed to the sink in order: output is identical for any
  // thread count, and only one batch's text is held at a time.
  const size_t n = records.size();
  const size_t batch = size_t{threads} * 512;
  std::vector<std::string> parts;
  for (size_t begin = 0; begin < n; begin += batch) {
    const size_t end = std::min(n, begin + batch);
    const size_t slices = std::min<size_t>(threads, std::max<size_t>(1, (end - begin) / 256));
    parts.assign(slices, std::string());
    auto render_slice = [&](size_t s) {
      Printer p(parts[s], opts);
      for (size_t i = begin + (end - begin) * s / slices; i < begin + (end - begin) * (s + 1) / slices; ++i)
        p.top_level(*records[i], opts.cacheline_size);
    };
    std::vector<std::thread> pool;
    for (size_t s = 1; s < slices; ++s) pool.emplace_back(render_slice, s);
    render_slice(0);
    for (auto& t : pool) t.join();
    for (const std::string& part : parts) sink(part);
  }
}

std::string render_pahole(const std::vector<const Record*>& records, const PaholeOptions& opts, unsigned threads) {
  std::string out;
  render_pahole(records, opts, threads, [&out](std::string_view text) { out += text; });
  return out;
}

}  // namespace padguard
