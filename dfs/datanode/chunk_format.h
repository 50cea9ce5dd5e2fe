// On-disk format of a chunk replica (docs/DFS.md, "Datanode chunk store").
//
//   <dir>/chunks/<chunk_id>_<generation>.data   the chunk's bytes
//   <dir>/chunks/<chunk_id>_<generation>.meta   header + one checksum per slice:
//     "MRCM" | u32 version (1) | u64 length | u32 slice_bytes (65536) |
//     u64 XXH3-64 of each slice (the last slice may be short)
//   All integers little-endian. A zero-length chunk has no checksums.
//
// While a chunk is written both files carry a ".tmp" suffix; finalizing
// renames .data first and .meta last, so a .meta under its final name is the
// commit record. Both files are mode 0600 and the data directory and its
// chunks/ 0700: only the datanode's user (and short-circuit readers running
// as it) opens replicas; everyone else reads through the data plane, which
// asks for a chunk access token. Stateless helpers; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mr::dfs {

inline constexpr uint32_t kChunkSliceBytes = 64 * 1024;
inline constexpr uint32_t kChunkMetaVersion = 1;
inline constexpr size_t kChunkMetaHeaderBytes = 4 + 4 + 8 + 4;
inline constexpr std::string_view kTempSuffix = ".tmp";
inline constexpr unsigned kReplicaFileMode = 0600;
inline constexpr unsigned kReplicaDirMode = 0700;

// Identity and size of one finalized replica.
struct ChunkInfo {
  int64_t chunk_id = 0;
  int64_t generation = 0;
  uint64_t length = 0;
};

struct ChunkMeta {
  uint64_t length = 0;
  std::vector<uint64_t> checksums;  // One per slice of kChunkSliceBytes.
};

inline uint64_t SliceCount(uint64_t length) {
  return (length + kChunkSliceBytes - 1) / kChunkSliceBytes;
}

std::string EncodeChunkMeta(const ChunkMeta& meta);
// `what` names the file in error messages.
Status DecodeChunkMeta(std::string_view bytes, const std::string& what, ChunkMeta* meta);

// "<id>_<gen>.data" / "<id>_<gen>.meta".
std::string ChunkDataName(int64_t chunk_id, int64_t generation);
std::string ChunkMetaName(int64_t chunk_id, int64_t generation);

// Parses a final (not temp) file name; false for anything else.
enum class ChunkFileKind { kData, kMeta };
bool ParseChunkFileName(std::string_view name, int64_t* chunk_id, int64_t* generation,
                        ChunkFileKind* kind);

// "chunk 12 gen 3", for messages.
std::string ChunkName(int64_t chunk_id, int64_t generation);

}  // namespace mr::dfs
