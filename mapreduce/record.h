// The record encoding inside the sort buffer, spill segments and map outputs
// (docs/FORMATS.md): varint32 key length, varint32 value length, key bytes,
// value bytes. The sort buffer stores records in exactly this encoding, so a
// spill copies a sorted record to disk without re-encoding it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/coding.h"

namespace mr {

inline size_t EncodedRecordSize(std::string_view key, std::string_view value) {
  return Varint32Length(static_cast<uint32_t>(key.size())) +
         Varint32Length(static_cast<uint32_t>(value.size())) + key.size() + value.size();
}

// Writes the record at dst, which has room for EncodedRecordSize() bytes;
// returns the byte after it.
inline char* EncodeRecord(char* dst, std::string_view key, std::string_view value) {
  dst = EncodeVarint32(dst, static_cast<uint32_t>(key.size()));
  dst = EncodeVarint32(dst, static_cast<uint32_t>(value.size()));
  std::memcpy(dst, key.data(), key.size());
  std::memcpy(dst + key.size(), value.data(), value.size());
  return dst + key.size() + value.size();
}

inline void AppendRecord(std::string* dst, std::string_view key, std::string_view value) {
  size_t old = dst->size();
  dst->resize(old + EncodedRecordSize(key, value));
  EncodeRecord(dst->data() + old, key, value);
}

// Parses the record at [p, limit); returns the byte after it, or nullptr if
// the bytes do not hold a whole record.
inline const char* DecodeRecord(const char* p, const char* limit, std::string_view* key,
                                std::string_view* value) {
  uint32_t key_len, value_len;
  p = DecodeVarint32(p, limit, &key_len);
  if (p == nullptr) return nullptr;
  p = DecodeVarint32(p, limit, &value_len);
  if (p == nullptr || static_cast<uint64_t>(limit - p) < uint64_t{key_len} + value_len) {
    return nullptr;
  }
  *key = std::string_view(p, key_len);
  *value = std::string_view(p + key_len, value_len);
  return p + key_len + value_len;
}

}  // namespace mr
