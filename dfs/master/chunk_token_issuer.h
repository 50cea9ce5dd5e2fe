// The master's side of chunk access tokens (dfs/proto/chunk_token.h): the
// token it attaches to each chunk location and replication command.
// Thread-safety: stateless; reads the process's server security.
#pragma once

#include <cstdint>
#include <string>

namespace mr::dfs {

// A token granting `modes` (wire::ChunkAccess bits) on replica (chunk_id,
// generation) to the caller of the RPC being served, for
// --dfs_chunk_token_lifetime_ms; "" when the process runs without security
// (security::ProcessServerSecurity() unset), as datanodes then ask for none.
std::string IssueChunkToken(int64_t chunk_id, int64_t generation, int32_t modes);

}  // namespace mr::dfs
