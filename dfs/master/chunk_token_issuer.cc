#include "dfs/master/chunk_token_issuer.h"

#include <gflags/gflags.h>

#include "common/clock.h"
#include "dfs/proto/chunk_token.h"
#include "security/identity.h"
#include "security/process_security.h"

DEFINE_int64(dfs_chunk_token_lifetime_ms, 10 * 3600 * 1000,
             "How long a chunk access token the master hands out with a chunk location or a "
             "replication command stays valid (HDFS's block tokens: 10 h). A reader whose "
             "token expires mid-file fetches the locations again.");

namespace mr::dfs {

std::string IssueChunkToken(int64_t chunk_id, int64_t generation, int32_t modes) {
  std::shared_ptr<const security::ServerSecurity> security = security::ProcessServerSecurity();
  if (security == nullptr) return "";
  return SignChunkToken(security->signer(), chunk_id, generation, modes,
                        security::CurrentIdentity().user,
                        WallClockMs() + FLAGS_dfs_chunk_token_lifetime_ms);
}

}  // namespace mr::dfs
