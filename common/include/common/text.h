// Text helpers shared by every tool: UTF-8 decoding, and making untrusted
// names (file names, paths) safe to print to a terminal.
// Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mr {

// Length (1-4) of the well-formed UTF-8 sequence at s[i] (no overlong forms,
// no surrogates, at most U+10FFFF), with its code point in *code_point;
// 0 if the bytes there are not one.
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* code_point);

bool IsValidUtf8(std::string_view s);

// The longest prefix of `s` of at most `max_bytes` bytes that does not end
// inside a UTF-8 sequence: a prefix of valid UTF-8 stays valid.
std::string_view Utf8Prefix(std::string_view s, size_t max_bytes);

// `s` as `ls -b` would show it: control characters as C escapes (\n, \t,
// ...; others as \ooo octal bytes, e.g. ESC as \033), a backslash as \\,
// bytes that are not valid UTF-8 as \ooo, and the Unicode characters that
// reorder or break lines (C1 controls, U+2028/U+2029, the bidirectional
// controls U+200E/F, U+202A-E, U+2066-9) as the \ooo escapes of their
// bytes. Everything else, spaces and printable non-ASCII included, as is.
// An escaped name cannot end a line, move the cursor or hide text.
std::string EscapeForTerminal(std::string_view s);

}  // namespace mr
