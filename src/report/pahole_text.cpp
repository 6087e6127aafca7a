// Renders a Record exactly as `pahole -F dwarf` 1.24 prints it. The column
// arithmetic mirrors pahole's (type column 26, name column 23, 21 for a
// top-level union, both shifted by 8 per nesting level), including its use of
// printf's negative field widths. See docs/pahole-notes.md.
#include "padguard/pahole_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>
#include <cstdlib>

#include "padguard/layout.hpp"
#include "padguard/type_name.hpp"

namespace padguard {

namespace {

struct Conf {
  int indent = 0;
  int type_spacing = 26;
  int name_spacing = 23;
  uint64_t base_offset = 0;
  uint32_t* cacheline = nullptr;
  uint32_t cacheline_size = 64;
  bool union_member = false;
  bool first_member = false;
  bool last_member = false;
  bool emit_stats = true;
};

// pahole prints indentation from a fixed string of 16 tabs
// ("%.*s", indent, tabs), so deeper nesting stays at 16.
std::string tabs(int n) { return std::string(static_cast<size_t>(std::clamp(n, 0, 16)), '\t'); }

// printf("%-*s", width, s): a negative width also left-justifies.
std::string pad_right(const std::string& s, int width) {
  const size_t w = static_cast<size_t>(std::abs(width));
  if (s.size() >= w) return s;
  return s + std::string(w - s.size(), ' ');
}

// printf("%*s", width, " "): at least one character.
std::string spaces(int width) {
  const size_t w = static_cast<size_t>(std::abs(width));
  return std::string(w > 0 ? w : 1, ' ');
}

const char* plural(uint64_t n) { return n != 1 ? "s" : ""; }

class Printer {
 public:
  explicit Printer(std::string& out, bool force_paddings = true) : out_(out), force_paddings_(force_paddings) {}

  void top_level(const Record& r, uint32_t cacheline_size) {
    uint32_t cacheline = 0;
    Conf c;
    c.cacheline = &cacheline;
    c.cacheline_size = cacheline_size;
    if (r.is_union()) {
      c.name_spacing = 21;
      union_body(r, c, "");
    } else {
      class_body(r, c, false, "");
    }
    out_ += ";\n";
  }

 private:
  // pahole's array_type__fprintf dimension rule: "[]" only for a zero-sized
  // dimension of the last of several members, outside unions.
  std::string dims(const MemberShape& shape, const Conf& c) {
    std::string s;
    const bool single = c.last_member && c.first_member;
    for (uint64_t d : shape.dims) {
      if (d != 0 || !c.last_member || single || c.union_member)
        s += fmt::format("[{}]", d);
      else
        s += "[]";
    }
    return s;
  }

  // type__fprintf for a type that is not printed inline.
  std::string spelled(const MemberSpelling& sp, const std::string& name, const Conf& c) {
    int width = c.type_spacing - static_cast<int>(sp.modifiers.size());
    std::string s = sp.modifiers;
    if (!sp.keyword.empty()) {
      s += sp.keyword + " " + pad_right(sp.type, width - static_cast<int>(sp.keyword.size()) - 1);
    } else {
      s += pad_right(sp.type, width);
    }
    return s + " " + sp.prefix + name + sp.suffix + dims(sp.shape, c);
  }

  void cacheline_boundary(const Conf& c, uint64_t offset) {
    const auto line = static_cast<uint32_t>(offset / c.cacheline_size);
    if (line <= *c.cacheline) return;
    const auto pos = static_cast<uint32_t>(offset % c.cacheline_size);
    const uint64_t at = offset - pos;
    if (pos == 0)
      out_ += fmt::format("/* --- cacheline {} boundary ({} bytes) --- */\n", line, at);
    else
      out_ += fmt::format("/* --- cacheline {} boundary ({} bytes) was {} byte{} ago --- */\n", line,
                          at, pos, plural(pos));
    out_ += tabs(c.indent);
    *c.cacheline = line;
  }

  std::string offset_comment(uint64_t offset, const Member& m, const MemberLayout& ml) {
    if (m.is_bitfield())
      return fmt::format("/* {:5}:{:2} {:2} */", offset, ml.bitfield_offset, m.byte_size);
    return fmt::format("/* {:5} {:5} */", offset, m.byte_size);
  }

  // class_member__fprintf. The caller has printed the indent.
  void member(const Member& m, const MemberLayout& ml, bool forced_packed, const Conf& conf) {
    const uint64_t offset = ml.byte_offset + conf.base_offset;
    Conf sconf = conf;
    sconf.base_offset = offset;
    cacheline_boundary(conf, offset);

    const std::string align_attr =
        m.alignment ? fmt::format(" __attribute__((__aligned__({})))", m.alignment) : "";
    const MemberSpelling sp = spell_member(*m.type);
    const MemberShape& shape = sp.shape;
    const bool inline_type = shape.inline_record || shape.inline_enum;
    if (inline_type && shape.dims.empty() && !shape.via_pointer && sp.modifiers.empty()) {
      bool packed = false;
      if (shape.inline_record) {
        packed = inline_record(*shape.inline_record, sconf, forced_packed, "");
      } else {
        inline_enum(*shape.inline_enum, sconf, "");
      }
      if (!m.name.empty()) out_ += " " + m.name;
      if (m.is_bitfield()) out_ += fmt::format(":{}", m.bit_size);
      out_ += align_attr + ";";
      int slen = static_cast<int>(align_attr.size()) + (m.name.empty() ? -1 : static_cast<int>(m.name.size()));
      if (packed) slen += static_cast<int>(sizeof("__attribute__((__packed__))"));
      out_ += spaces(sconf.type_spacing + sconf.name_spacing - slen - 3);
      out_ += offset_comment(offset, m, ml);
      return;
    }
    std::string text;
    if (inline_type) {
      // A pointer to, or an array of, an anonymous type: pahole prints the
      // body with the name as its suffix and counts every character of it
      // when aligning the comment.
      Conf ic = sconf;
      std::string suffix = m.name;
      bool keep_stats = false;
      if (shape.via_pointer) {
        ic.type_spacing -= 8;
        ic.base_offset = 0;  // offsets inside print relative to the pointee
        suffix = "* " + m.name;
      } else if (!sp.modifiers.empty()) {
        // "const struct {...}": pahole prints the qualifier, narrows the
        // columns by its width, keeps the enclosing statistics setting, and
        // loses the member name (we keep a name when there is one).
        ic.type_spacing -= static_cast<int>(sp.modifiers.size());
        keep_stats = true;
      }
      std::string saved;
      saved.swap(out_);
      out_ += shape.via_pointer ? "" : sp.modifiers;
      if (shape.inline_record)
        inline_record(*shape.inline_record, ic, forced_packed, suffix, keep_stats);
      else
        inline_enum(*shape.inline_enum, ic, suffix);
      out_.swap(saved);
      text = saved + dims(shape, sconf);
    } else {
      text = spelled(sp, m.name, sconf);
    }
    if (m.is_bitfield()) text += fmt::format(":{}", m.bit_size);
    text += align_attr + ";";
    const int spacing = sconf.type_spacing + sconf.name_spacing - static_cast<int>(text.size());
    out_ += text + spaces(spacing > 0 ? spacing : 0) + offset_comment(offset, m, ml);
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

  void inline_enum(const EnumType& e, const Conf& c, const std::string& suffix) {
    out_ += e.name.empty() ? "enum" : "enum " + e.name;
    if (e.enumerators.empty()) return;
    out_ += " {\n";
    size_t width = 0;
    for (const auto& [name, value] : e.enumerators) width = std::max(width, name.size());
    for (const auto& [name, value] : e.enumerators)
      out_ += tabs(c.indent) + "\t" + pad_right(name, static_cast<int>(width)) + fmt::format(" = {},\n", value);
    out_ += tabs(c.indent) + "}";
    if (e.byte_size != 4) out_ += " __attribute__((__packed__))";
    if (!suffix.empty()) out_ += " " + suffix;
  }

  void union_body(const Record& r, const Conf& conf, const std::string& suffix) {
    out_ += r.name.empty() ? "union {\n" : "union " + r.name + " {\n";
    Conf uc = conf;
    uc.indent = conf.indent + 1;
    uc.union_member = true;
    const Layout l = compute_layout(r);
    const std::vector<bool> forced = members_forced_packed(r, l);
    const uint32_t initial = *uc.cacheline;
    for (size_t i = 0; i < r.members.size(); ++i) {
      out_ += tabs(uc.indent);
      member(r.members[i], l.members[i], forced[i], uc);
      out_ += "\n";
      *uc.cacheline = initial;
    }
    out_ += tabs(conf.indent) + "}";
    if (!suffix.empty()) out_ += " " + suffix;
  }

  // pahole prints a type defined among the members (clang's DWARF) as a
  // standalone definition at the member indent, with the enclosing columns.
  void nested_definition(const NestedType& n, const Conf& cc) {
    out_ += tabs(cc.indent);
    if (n.enumeration) {
      inline_enum(*n.enumeration, cc, "");
    } else if (n.record->is_union()) {
      union_body(*n.record, cc, "");
    } else {
      class_body(*n.record, cc, false, "");
    }
    out_ += ";\n\n";
  }

  // __class__fprintf for a struct or class; returns whether it printed __packed__.
  bool class_body(const Record& r, const Conf& conf, bool forced_packed, const std::string& suffix) {
    out_ += kind_keyword(r.kind);
    if (!r.name.empty()) out_ += " " + r.name;
    out_ += " {\n";
    Conf cc = conf;
    cc.indent = conf.indent + 1;
    const Layout l = compute_layout(r);
    const bool packed = forced_packed || infer_packed(r, l);
    const std::vector<bool> forced = members_forced_packed(r, l);

    int newline = 0;
    auto open_comment = [&] {
      if (!newline++) out_ += "\n";
    };
    uint64_t sum_holes = 0, sum_bit_holes = 0;
    if (l.pre_bit_hole > 0) {
      open_comment();
      out_ += fmt::format("{}/* XXX {} bit{} hole, try to pack */\n", tabs(cc.indent), l.pre_bit_hole,
                          plural(l.pre_bit_hole));
      sum_bit_holes += l.pre_bit_hole;
    }
    if (l.pre_hole > 0) {
      open_comment();
      out_ += fmt::format("{}/* XXX {} byte{} hole, try to pack */\n", tabs(cc.indent), l.pre_hole,
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
        nested_definition(r.nested_types[next_nested], cc);
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
            out_ += fmt::format("\n{}/* Force alignment to the next boundary: */\n", tabs(cc.indent));
            bitfield_size = 0;
          }
          out_ += tabs(cc.indent) + spelled(spell_member(*m.type), "", cc) + fmt::format(":{};\n", bitfield_size);
        }
        if (ml.byte_offset < last_l->byte_offset ||
            (ml.byte_offset == last_l->byte_offset && !last->is_bitfield() && m.is_bitfield())) {
          open_comment();
          out_ += tabs(cc.indent) + "/* Bitfield combined with previous fields */\n";
        } else {
          const int64_t cc_last_size =
              static_cast<int64_t>(ml.byte_offset) - static_cast<int64_t>(last_l->byte_offset);
          if (cc_last_size > 0 && static_cast<uint64_t>(cc_last_size) < last_size) {
            open_comment();
            out_ += tabs(cc.indent) + "/* Bitfield combined with next fields */\n";
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

      if (m.direct_struct) {
        const Layout tl = compute_layout(*m.direct_struct);
        if (tl.padding > 0) {
          ++nr_paddings;
          sum_paddings += tl.padding;
          open_comment();
          out_ += fmt::format("\n{}/* XXX last struct has {} byte{} of padding */", tabs(cc.indent),
                              tl.padding, plural(tl.padding));
        }
      }
      if (ml.bit_hole != 0) {
        open_comment();
        out_ += fmt::format("\n{}/* XXX {} bit{} hole, try to pack */", tabs(cc.indent), ml.bit_hole,
                            plural(ml.bit_hole));
        sum_bit_holes += ml.bit_hole;
      }
      if (ml.hole > 0) {
        open_comment();
        out_ += fmt::format("\n{}/* XXX {} byte{} hole, try to pack */", tabs(cc.indent), ml.hole,
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
        out_ += fmt::format("\n{}/* Force padding: */\n", tabs(cc.indent));
        // pahole prints one line per `size` bytes; a (corrupt) padding of
        // terabytes would print forever, so stop after kMaxForcePadding lines.
        constexpr uint64_t kMaxForcePadding = 4096;
        uint64_t lines = 0;
        const MemberSpelling last_sp = spell_member(*last->type);
        for (uint64_t added = 0; added < l.padding; added += size, ++lines) {
          if (lines == kMaxForcePadding) {
            out_ += fmt::format("{}/* ... {} more bytes of padding */\n", tabs(cc.indent), l.padding - added);
            break;
          }
          out_ += tabs(cc.indent) + spelled(last_sp, "", cc) + fmt::format(":{};\n", size * 8);
        }
      }
    }

    if (cc.emit_stats) {
      const uint64_t cl = cc.cacheline_size;
      out_ += fmt::format("\n{}/* size: {}, cachelines: {}, members: {} */\n", tabs(cc.indent), r.byte_size,
                          (r.byte_size + cl - 1) / cl, r.members.size());
      if (sum_holes > 0 || sum_bit_holes > 0) {
        if (l.sum_member_bytes > 0) {
          out_ += fmt::format("{}/* sum members: {}", tabs(cc.indent), l.sum_member_bytes);
          if (sum_holes > 0) out_ += fmt::format(", holes: {}, sum holes: {}", l.nr_holes, sum_holes);
          out_ += " */\n";
        }
        if (l.sum_bitfield_bits > 0) {
          out_ += fmt::format("{}/* sum bitfield members: {} bits", tabs(cc.indent), l.sum_bitfield_bits);
          if (sum_bit_holes > 0)
            out_ += fmt::format(", bit holes: {}, sum bit holes: {} bits", l.nr_bit_holes, sum_bit_holes);
          else
            out_ += fmt::format(" ({} bytes)", l.sum_bitfield_bits / 8);
          out_ += " */\n";
        }
      }
      if (l.padding > 0) out_ += fmt::format("{}/* padding: {} */\n", tabs(cc.indent), l.padding);
      if (nr_paddings > 0)
        out_ += fmt::format("{}/* paddings: {}, sum paddings: {} */\n", tabs(cc.indent), nr_paddings,
                            sum_paddings);
      if (l.bit_padding > 0)
        out_ += fmt::format("{}/* bit_padding: {} bits */\n", tabs(cc.indent), l.bit_padding);
      if (nr_forced != 0) {
        out_ += fmt::format("{}/* forced alignments: {}", tabs(cc.indent), nr_forced);
        if (nr_forced_holes != 0)
          out_ += fmt::format(", forced holes: {}, sum forced holes: {}", nr_forced_holes, sum_forced_holes);
        out_ += " */\n";
      }
      const uint64_t last_line = (cc.base_offset + r.byte_size) % cl;
      if (last_line != 0) out_ += fmt::format("{}/* last cacheline: {} bytes */\n", tabs(cc.indent), last_line);
    }

    out_ += tabs(conf.indent) + "}";
    if (packed) out_ += " __attribute__((__packed__))";
    if (!suffix.empty()) out_ += " " + suffix;
    if (r.alignment != 0 && !packed) out_ += fmt::format(" __attribute__((__aligned__({})))", r.alignment);
    return packed;
  }

  std::string& out_;
  bool force_paddings_;  // pahole: only for inputs with alignment info (not BTF)
};

}  // namespace

std::string render_pahole(const Record& r, const PaholeOptions& opts) {
  std::string out;
  Printer p(out, opts.force_paddings);
  p.top_level(r, opts.cacheline_size);
  return out;
}

std::string render_pahole(const std::vector<const Record*>& records, const PaholeOptions& opts, unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // Contiguous slices, one per thread, joined in order.
  const size_t n = records.size();
  const size_t slices = std::min<size_t>(threads, std::max<size_t>(1, n / 256));
  std::vector<std::string> parts(slices);
  auto render_slice = [&](size_t s) {
    Printer p(parts[s], opts.force_paddings);
    for (size_t i = n * s / slices; i < n * (s + 1) / slices; ++i) p.top_level(*records[i], opts.cacheline_size);
  };
  std::vector<std::thread> pool;
  for (size_t s = 1; s < slices; ++s) pool.emplace_back(render_slice, s);
  render_slice(0);
  for (auto& t : pool) t.join();
  size_t total = 0;
  for (const auto& part : parts) total += part.size();
  std::string out;
  out.reserve(total);
  for (const auto& part : parts) out += part;
  return out;
}

}  // namespace padguard
