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

// Sets out->access_token (a wire::LocatedChunk or wire::DatanodeCommand) to
// such a token; leaves it unset without security, so that the message is
// as it was before tokens.
template <typename WireMessage>
void AttachChunkToken(WireMessage* out, int64_t chunk_id, int64_t generation, int32_t modes) {
  std::string token = IssueChunkToken(chunk_id, generation, modes);
  if (!token.empty()) out->__set_access_token(std::move(token));
}

}  // namespace mr::dfs
