// Escaping of hostile names (from DWARF, facts files, manifests) per output
// format, so no name can forge a line, an annotation, a table cell or markup.
#pragma once

#include <string>
#include <string_view>

namespace padguard::esc {

// Text: control characters and invalid UTF-8 become visible escapes
// ("\n" -> "\\n", ESC -> "\\x1b", a stray byte 0xff -> "\\xff"); a backslash
// stays as is.
std::string text(std::string_view s);

// A GitHub-flavoured markdown table cell or inline text: text() plus
// '\\', '|', '`', '*', '_', '[', ']', '<', '>' and '&' neutralised.
std::string markdown(std::string_view s);

// GitHub workflow commands: message data ('%', CR, LF) and properties
// (also ':' and ','). Other control characters are made visible first.
std::string github_data(std::string_view s);
std::string github_property(std::string_view s);

// XML 1.0 attribute values and text: &<>"' as entities, LF/CR/TAB as
// character references (kept in attributes), every other control character
// and invalid UTF-8 made visible (XML 1.0 forbids them even as references).
std::string xml(std::string_view s);

}  // namespace padguard::esc
