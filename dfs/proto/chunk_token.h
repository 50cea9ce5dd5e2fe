// Chunk access tokens (docs/DFS.md, "Chunk access tokens"), as HDFS's block
// tokens: the master signs a "chunk" token (security/token.h, identifier a
// wire::ChunkTokenId) with every chunk location it hands out; datanodes
// check it before they serve a replica. Both ends use this file, so the
// identifier has one encoding and one check.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "dfs_types.h"
#include "security/token.h"

namespace mr::dfs {

inline constexpr char kChunkTokenKind[] = "chunk";

// A token granting `modes` (a bit set of wire::ChunkAccess) on replica (chunk_id, generation) until `expires_ms`
// (wall clock).
std::string SignChunkToken(const security::TokenSigner& signer, int64_t chunk_id,
                           int64_t generation, int32_t modes, const std::string& user,
                           int64_t expires_ms);

// OK if `token` was signed by a key of the signer's ring, is unexpired at
// `now_ms`, names exactly (chunk_id, generation) and grants one of the
// access bits in `any_of`; else PermissionDenied saying why. *id, if set,
// receives the identifier (who asked for it).
Status VerifyChunkToken(const security::TokenSigner& signer, std::string_view token,
                        int64_t chunk_id, int64_t generation, int32_t any_of, int64_t now_ms,
                        wire::ChunkTokenId* id = nullptr);

// "READ", "WRITE|REPLICATE", ... for messages.
std::string ChunkAccessName(int32_t modes);

}  // namespace mr::dfs
