// The one hash of the system: xxHash's XXH3 (64-bit). Used for partitioning,
// hash tables and checksums alike; stable across processes and hosts.
#pragma once

#include <cstdint>
#include <string_view>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace mr {

inline uint64_t Hash64(std::string_view data, uint64_t seed = 0) {
  return XXH3_64bits_withSeed(data.data(), data.size(), seed);
}

}  // namespace mr
