// The first 8 bytes of a key as a big-endian integer, zero-padded: integer
// order of prefixes agrees with memcmp order of keys, and equal prefixes
// send the comparison on to the full keys. Sorting and merging compare these
// first, which settles most comparisons without touching the key bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace mr {

inline uint64_t KeyPrefix(std::string_view key) {
  uint64_t prefix = 0;
  if (key.size() >= 8) {
    std::memcpy(&prefix, key.data(), 8);
  } else {
    std::memcpy(&prefix, key.data(), key.size());
  }
  return __builtin_bswap64(prefix);
}

}  // namespace mr
