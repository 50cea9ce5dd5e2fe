// Byte-level encodings shared by on-disk and on-wire formats: little-endian
// fixed-width integers and LEB128 varints. Header-only, stateless.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace mr {

inline void PutFixed32(std::string* dst, uint32_t v) { dst->append(reinterpret_cast<char*>(&v), 4); }
inline void PutFixed64(std::string* dst, uint64_t v) { dst->append(reinterpret_cast<char*>(&v), 8); }
inline uint32_t DecodeFixed32(const char* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
inline uint64_t DecodeFixed64(const char* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }
inline void EncodeFixed32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }
inline void EncodeFixed64(char* p, uint64_t v) { std::memcpy(p, &v, 8); }

inline constexpr int kMaxVarint32Bytes = 5;

// Writes v at p; returns the byte after it.
inline char* EncodeVarint32(char* p, uint32_t v) {
  auto* u = reinterpret_cast<uint8_t*>(p);
  while (v >= 0x80) {
    *u++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *u++ = static_cast<uint8_t>(v);
  return reinterpret_cast<char*>(u);
}

inline void PutVarint32(std::string* dst, uint32_t v) {
  char buf[kMaxVarint32Bytes];
  dst->append(buf, EncodeVarint32(buf, v) - buf);
}

inline int Varint32Length(uint32_t v) {
  int len = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++len;
  }
  return len;
}

// Parses a varint in [p, limit); returns the byte after it, or nullptr if the
// input is truncated or longer than 5 bytes.
inline const char* DecodeVarint32(const char* p, const char* limit, uint32_t* v) {
  uint32_t result = 0;
  for (int shift = 0; shift <= 28 && p < limit; shift += 7) {
    uint32_t byte = static_cast<uint8_t>(*p++);
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      *v = result;
      return p;
    }
  }
  return nullptr;
}

}  // namespace mr
