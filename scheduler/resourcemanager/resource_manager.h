// ResourceManager: the RM daemon as a library, RmService served by a
// ThriftServer, with its checkpoint store and, when it has peers, the
// failover logic (RmFailover). Thread-safety: Start, port and Stop from one
// thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "rpc/thrift_server.h"
#include "scheduler/resourcemanager/rm_failover.h"
#include "scheduler/resourcemanager/rm_service.h"

namespace mr::sched {

class LogRetention;

class ResourceManager {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 0;  // 0 = ephemeral; see port().
    RmService::Options service;
    // Where checkpoints (rm_state.thrift) go: the DFS file state_dfs_path
    // through the master at dfs_master, or else <state_dir>/rm_state; both
    // empty: none. An active RM loads the checkpoint found there when it
    // starts; a standby when it takes over.
    std::string state_dfs_path;
    std::string dfs_master;  // host:port
    std::string state_dir;
    // Start as a standby of `failover.peers`. Without it, an RM with peers
    // still starts as a standby if one of them is active already.
    bool standby = false;
    RmFailover::Options failover;
    // Aggregated logs older than this are deleted (negative: never), looked
    // for every log_retention_check_ms (log_retention.h). Needs dfs_master.
    int64_t log_retention_ms = -1;
    int64_t log_retention_check_ms = 3600 * 1000;
    // Options with the values of the --rm_* flags (host, port unset);
    // InvalidArgument for a bad --rm_queues or --rm_max_am_share.
    static Result<Options> FromFlags();
  };

  static Result<std::unique_ptr<ResourceManager>> Start(Options options);
  ~ResourceManager();
  int port() const { return server_->port(); }
  // The handler, for the daemon's membership hook.
  RmService* service() const { return service_.get(); }
  void Stop();  // Idempotent.

 private:
  ResourceManager() = default;
  std::shared_ptr<RmService> service_;
  std::unique_ptr<rpc::ThriftServer> server_;
  std::unique_ptr<RmFailover> failover_;
  std::unique_ptr<LogRetention> log_retention_;
};

}  // namespace mr::sched
