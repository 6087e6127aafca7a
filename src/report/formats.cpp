// The format registry: one row per output format, naming the renderer of
// each result type it supports. Adding a format = its renderer file, one
// Format enumerator (render.hpp) and one row here.
#include <stdexcept>

#include "padguard/json.hpp"
#include "padguard/layout_map.hpp"
#include "padguard/pahole_text.hpp"
#include "padguard/render.hpp"
#include "padguard/report_ci.hpp"
#include "padguard/report_html.hpp"
#include "padguard/report_text.hpp"
#include "padguard/svg_map.hpp"

namespace padguard {

namespace {

std::string check_text(const CheckResult& r, const RenderOptions& o) { return render_check_text(r, o.color); }
std::string check_json_text(const CheckResult& r, const RenderOptions&) { return dump_json(check_json(r)); }
std::string check_github(const CheckResult& r, const RenderOptions& o) { return render_github(r, {o.source_root}); }
std::string check_junit(const CheckResult& r, const RenderOptions& o) { return render_junit(r, {o.source_root}); }
std::string check_md(const CheckResult& r, const RenderOptions&) { return render_check_markdown(r); }

std::string diff_text(const DiffResult& d, const RenderOptions& o) {
  if (o.stat) return render_diff_stat(d, o.color);
  return render_diff_text(d, {.color = o.color, .leaf_only = o.leaf_changes_only, .verbose = o.verbose});
}
std::string diff_json_text(const DiffResult& d, const RenderOptions&) { return dump_json(diff_json(d)); }
std::string diff_md(const DiffResult& d, const RenderOptions&) { return render_diff_markdown(d); }

std::string layout_text(const LayoutView& v, const RenderOptions& o) {
  if (v.sizes_only) {
    std::string text = render_pahole_sizes(v.records);
    if (!o.sink) return text;
    o.sink(text);
    return {};
  }
  PaholeOptions po;
  po.cacheline_size = v.cacheline_size;
  po.force_paddings = v.force_paddings;
  po.hex = v.hex;
  po.expand_types = v.expand_types;
  if (!o.sink) return render_pahole(v.records, po, o.threads);
  render_pahole(v.records, po, o.threads, o.sink);
  return {};
}
std::string layout_json_text(const LayoutView& v, const RenderOptions&) {
  return dump_json(layout_json(v.source, v.records, v.cacheline_size));
}

std::string layout_svg(const LayoutView& v, const RenderOptions&) {
  if (v.records.size() != 1) throw std::logic_error("svg draws one record");  // the CLI refuses others (one_record)
  return render_layout_svg(layout_map(*v.records[0], v.cacheline_size), v.source);
}
std::string check_html(const CheckResult& r, const RenderOptions&) { return render_check_html(r); }
std::string diff_html(const DiffResult& d, const RenderOptions&) { return render_diff_html(d); }

// Order: --help lists them so; the first is each command's default.
constexpr FormatInfo kFormats[] = {
    {Format::Text, "text", "the default", check_text, diff_text, layout_text, false, false},
    {Format::Json, "json", "docs/JSON.md", check_json_text, diff_json_text, layout_json_text, false, false},
    {Format::Github, "github", "GitHub Actions annotations", check_github, nullptr, nullptr, false, false},
    {Format::Junit, "junit", "JUnit XML", check_junit, nullptr, nullptr, false, false},
    {Format::Markdown, "markdown", "GitHub-flavoured markdown", check_md, diff_md, nullptr, false, false},
    {Format::Svg, "svg", "a cacheline map of one struct", nullptr, nullptr, layout_svg, false, true},
    {Format::Html, "html", "a self-contained page with cacheline maps", check_html, diff_html, nullptr, true, false},
};

bool supports(const FormatInfo& f, ResultKind k) {
  switch (k) {
    case ResultKind::Check: return f.check != nullptr;
    case ResultKind::Diff: return f.diff != nullptr;
    case ResultKind::Layout: return f.layout != nullptr;
  }
  return false;
}

[[noreturn]] void unsupported(Format f, const char* what) {
  throw std::logic_error(std::string("format ") + format_info(f).name + " cannot render a " + what);
}

}  // namespace

std::span<const FormatInfo> format_registry() { return kFormats; }

const FormatInfo& format_info(Format f) {
  for (const FormatInfo& i : kFormats)
    if (i.format == f) return i;
  throw std::logic_error("unregistered format");
}

std::optional<Format> parse_format(std::string_view name, ResultKind kind) {
  for (const FormatInfo& i : kFormats)
    if (name == i.name && supports(i, kind)) return i.format;
  return std::nullopt;
}

std::vector<std::string> format_names(ResultKind kind) {
  std::vector<std::string> out;
  for (const FormatInfo& i : kFormats)
    if (supports(i, kind)) out.push_back(i.name);
  return out;
}

std::string format_help(ResultKind kind) {
  std::string s;
  for (const FormatInfo& i : kFormats)
    if (supports(i, kind)) s += (s.empty() ? "" : ", ") + std::string(i.name) + " (" + i.help + ")";
  return s;
}

std::string render(const CheckResult& r, Format f, const RenderOptions& o) {
  if (!format_info(f).check) unsupported(f, "check result");
  return format_info(f).check(r, o);
}

std::string render(const DiffResult& r, Format f, const RenderOptions& o) {
  if (!format_info(f).diff) unsupported(f, "diff");
  return format_info(f).diff(r, o);
}

std::string render(const LayoutView& r, Format f, const RenderOptions& o) {
  if (!format_info(f).layout) unsupported(f, "layout");
  return format_info(f).layout(r, o);
}

}  // namespace padguard
