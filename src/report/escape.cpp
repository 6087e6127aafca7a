// Per-format escaping; see escape.hpp. One pass over UTF-8: valid sequences
// are kept, control characters and stray bytes are made visible.
#include "escape.hpp"

#include <fmt/format.h>

namespace padguard::esc {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t utf8_len(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  if (n == 2 && c < 0xc2) return 0;  // overlong
  return n;
}

std::string visible(unsigned char c) {
  switch (c) {
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: return fmt::format("\\x{:02x}", c);
  }
}

// Calls keep(byte-run) for safe runs and visible escapes for the rest;
// `special` may claim single ASCII bytes first.
template <class Special>
std::string walk(std::string_view s, Special special) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80 && special(static_cast<char>(c), out)) {
      ++i;
      continue;
    }
    const size_t n = utf8_len(s, i);
    if (n == 0 || c < 0x20 || c == 0x7f) {
      out += visible(c);
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace

std::string text(std::string_view s) {
  return walk(s, [](char, std::string&) { return false; });
}

std::string markdown(std::string_view s) {
  return walk(s, [](char c, std::string& out) {
    switch (c) {
      case '\\': case '|': case '`': case '*': case '_': case '[': case ']':
        out += '\\';
        out += c;
        return true;
      case '<': out += "&lt;"; return true;
      case '>': out += "&gt;"; return true;
      case '&': out += "&amp;"; return true;
      default: return false;
    }
  });
}

std::string github_data(std::string_view s) {
  return walk(s, [](char c, std::string& out) {
    switch (c) {
      case '%': out += "%25"; return true;
      case '\r': out += "%0D"; return true;
      case '\n': out += "%0A"; return true;
      default: return false;
    }
  });
}

std::string github_property(std::string_view s) {
  return walk(s, [](char c, std::string& out) {
    switch (c) {
      case '%': out += "%25"; return true;
      case '\r': out += "%0D"; return true;
      case '\n': out += "%0A"; return true;
      case ':': out += "%3A"; return true;
      case ',': out += "%2C"; return true;
      default: return false;
    }
  });
}

std::string xml(std::string_view s) {
  return walk(s, [](char c, std::string& out) {
    switch (c) {
      case '&': out += "&amp;"; return true;
      case '<': out += "&lt;"; return true;
      case '>': out += "&gt;"; return true;
      case '"': out += "&quot;"; return true;
      case '\'': out += "&apos;"; return true;
      case '\n': out += "&#10;"; return true;
      case '\r': out += "&#13;"; return true;
      case '\t': out += "&#9;"; return true;
      default: return false;
    }
  });
}

}  // namespace padguard::esc
