#include "common/text.h"

#include <cstdio>

namespace mr {

size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* code_point) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t len;
  uint32_t cp;
  uint32_t min;
  if (c < 0x80) {
    *code_point = c;
    return 1;
  } else if ((c >> 5) == 0x6) {
    len = 2, cp = c & 0x1f, min = 0x80;
  } else if ((c >> 4) == 0xe) {
    len = 3, cp = c & 0x0f, min = 0x800;
  } else if ((c >> 3) == 0x1e) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  *code_point = cp;
  return len;
}

bool IsValidUtf8(std::string_view s) {
  uint32_t cp;
  for (size_t i = 0; i < s.size();) {
    size_t len = DecodeUtf8(s, i, &cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

namespace {

// Characters that move the cursor, break lines or reorder text.
bool IsUnsafeCodePoint(uint32_t cp) {
  return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

void AppendOctal(std::string* out, unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "\\%03o", c);
  *out += buf;
}

}  // namespace

std::string_view Utf8Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t n = max_bytes;  // s[n] starts what is cut off: not a continuation byte.
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
  return s.substr(0, n);
}

std::string EscapeForTerminal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(s, i, &cp);
    if (len == 0) {  // Not UTF-8: the byte.
      AppendOctal(&out, static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    if (!IsUnsafeCodePoint(cp)) {
      if (cp == '\\') {
        out += "\\\\";
      } else {
        out.append(s.substr(i, len));
      }
      i += len;
      continue;
    }
    switch (cp) {
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        for (size_t k = 0; k < len; ++k) AppendOctal(&out, static_cast<unsigned char>(s[i + k]));
    }
    i += len;
  }
  return out;
}

}  // namespace mr
