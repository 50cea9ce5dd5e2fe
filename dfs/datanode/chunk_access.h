// ChunkAccessChecker: the datanode's check of the chunk access tokens its
// data-plane requests carry (dfs/proto/chunk_token.h, docs/DFS.md "Chunk
// access tokens"). With security off (security::ProcessServerSecurity()
// unset) every request passes, as before tokens. With it on, a request is
// served only with a token the master signed for exactly its chunk id and
// generation that grants the access it needs; a refusal is counted and
// logged at WARNING at most once a second (with the count), so a flood of
// forged requests cannot flood the log.
// Thread-safety: Check and refusals() from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mr::dfs {

class ChunkAccessChecker {
 public:
  explicit ChunkAccessChecker(std::string datanode_id) : datanode_id_(std::move(datanode_id)) {}

  // OK, or PermissionDenied saying why. `any_of`: wire::ChunkAccess bits,
  // one of which the token must grant; `request` and `peer()` name the
  // request and the caller in the log (peer is called only for a refusal).
  Status Check(std::string_view token, int64_t chunk_id, int64_t generation, int32_t any_of,
               std::string_view request, const std::function<std::string()>& peer);

  // Requests refused since start.
  uint64_t refusals() const { return refusals_.load(); }

 private:
  const std::string datanode_id_;
  std::atomic<uint64_t> refusals_{0};
  std::atomic<int64_t> last_log_ms_{0};
};

}  // namespace mr::dfs
