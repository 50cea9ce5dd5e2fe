// The hash partitioner's mapping, shared with the map-side aggregation that
// already holds the key's hash.
#pragma once

#include <cstdint>

namespace mr {

// Multiply-shift maps a 64-bit hash onto [0, n) without modulo bias.
inline uint32_t PartitionOfHash(uint64_t hash, uint32_t n) {
  return static_cast<uint32_t>((static_cast<unsigned __int128>(hash) * n) >> 64);
}

}  // namespace mr
