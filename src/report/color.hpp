// Terminal colour for the text reports: a word or a line wrapped in one SGR
// sequence, only when RenderOptions::color is set (the CLI decides: a
// terminal, NO_COLOR unset, or --color=always). Applied after escaping, so
// the only escape sequences in the output are these.
#pragma once

#include <string>
#include <string_view>

namespace padguard::color {

enum class Paint { Pass, Fail, Error, Warn, Added, Removed, Header };

inline std::string paint(Paint p, std::string_view text, bool on) {
  if (!on || text.empty()) return std::string(text);
  const char* sgr = "";
  switch (p) {
    case Paint::Pass: sgr = "32"; break;       // green
    case Paint::Fail: sgr = "1;31"; break;     // bold red
    case Paint::Error: sgr = "1;35"; break;    // bold magenta
    case Paint::Warn: sgr = "33"; break;       // yellow
    case Paint::Added: sgr = "32"; break;
    case Paint::Removed: sgr = "31"; break;
    case Paint::Header: sgr = "1"; break;      // bold
  }
  return std::string("\x1b[") + sgr + "m" + std::string(text) + "\x1b[m";
}

// A line ending in '\n': the colour stops before the newline.
inline std::string paint_line(Paint p, std::string_view line, bool on) {
  if (!on || line.empty()) return std::string(line);
  const bool nl = line.back() == '\n';
  return paint(p, nl ? line.substr(0, line.size() - 1) : line, on) + (nl ? "\n" : "");
}

}  // namespace padguard::color
