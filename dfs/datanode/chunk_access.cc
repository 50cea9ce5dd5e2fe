#include "dfs/datanode/chunk_access.h"

#include <glog/logging.h>

#include "common/clock.h"
#include "dfs/proto/chunk_token.h"
#include "security/process_security.h"

namespace mr::dfs {

namespace {
constexpr int64_t kLogIntervalMs = 1000;
}

Status ChunkAccessChecker::Check(std::string_view token, int64_t chunk_id, int64_t generation,
                                 int32_t any_of, std::string_view request,
                                 const std::function<std::string()>& peer) {
  std::shared_ptr<const security::ServerSecurity> security = security::ProcessServerSecurity();
  if (security == nullptr) return Status::OK();
  const int64_t now = WallClockMs();
  Status s = VerifyChunkToken(security->signer(), token, chunk_id, generation, any_of, now);
  if (s.ok()) return s;
  const uint64_t refused = ++refusals_;
  int64_t last = last_log_ms_.load();
  if (now - last >= kLogIntervalMs && last_log_ms_.compare_exchange_strong(last, now)) {
    LOG(WARNING) << "datanode " << datanode_id_ << ": refused a " << request << " from " << peer()
                 << ": " << s.message() << " (" << refused
                 << " requests refused since start; logged at most once a second)";
  }
  return Status::PermissionDenied("datanode " + datanode_id_ + " refused the " +
                                  std::string(request) + ": " + s.message());
}

}  // namespace mr::dfs
