// The AM's calls to Node Managers (start, poll, stop containers) and to its
// Resource Manager, behind small interfaces so the driver can be exercised
// with fakes. The Thrift implementations keep one connection per NM
// (rpc::ThriftClient reopens it after a transport error).
// Thread-safety: none; the driver's one thread owns them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "scheduler_types.h"

namespace mr::am {

class NodeManagers {
 public:
  virtual ~NodeManagers() = default;
  virtual Status StartContainer(const sched::wire::NodeInfo& node,
                                const sched::wire::LaunchContext& context) = 0;
  virtual Status StopContainer(const sched::wire::NodeInfo& node,
                               const std::string& container_id) = 0;
  virtual Result<std::vector<sched::wire::ContainerStatus>> GetContainerStatuses(
      const sched::wire::NodeInfo& node, const std::vector<std::string>& container_ids) = 0;
  // The last `max_bytes` of a container's "stdout" or "stderr".
  virtual Result<std::string> GetContainerLog(const sched::wire::NodeInfo& node,
                                              const std::string& container_id,
                                              const std::string& stream, int64_t max_bytes) = 0;
};

// Thrift clients to NMs at NodeInfo.host:rpc_port, made on first use.
std::unique_ptr<NodeManagers> NewThriftNodeManagers(int rpc_timeout_ms);

class ResourceManagerLink {
 public:
  virtual ~ResourceManagerLink() = default;
  virtual Result<sched::wire::RegisterResponse> Register(const std::string& app_id,
                                                         const std::string& am_container_id) = 0;
  virtual Result<sched::wire::AllocateResponse> Allocate(
      const sched::wire::AllocateRequest& request) = 0;
  virtual Result<std::vector<sched::wire::NodeReport>> ListNodes() = 0;
  // Aborted if `am_container_id` is no longer the application's AM (its
  // attempt was replaced).
  virtual Status Finish(const std::string& app_id, const std::string& am_container_id,
                        sched::wire::AppState::type state, const std::string& diagnostics,
                        const std::string& counters_json) = 0;
};

// `addresses`: "host:port[,host:port...]" (MR_RM_ADDRESS), every RM, the
// active one first. A call that finds no RM serving (down, or a standby)
// tries them in turn for up to `failover_wait_ms`, which covers a standby's
// takeover; then the call fails with Unavailable. After a takeover the new
// RM answers Allocate with NotFound until the AM registers again.
// `app_token`: the AM's application token (AmConfig), sent with every call
// that needs it; empty on a cluster without security.
Result<std::unique_ptr<ResourceManagerLink>> ConnectResourceManagers(const std::string& addresses,
                                                                     int rpc_timeout_ms,
                                                                     std::string app_token = "",
                                                                     int failover_wait_ms = 15000);
// One RM (no failover).
Result<std::unique_ptr<ResourceManagerLink>> ConnectResourceManager(const std::string& host,
                                                                    int port, int rpc_timeout_ms);

}  // namespace mr::am
