// NodeManager: one server's Node Manager (docs/SCHEDULER.md), everything a
// daemon runs: the shuffle service over <dir>/apps, the containers, the
// NodeManagerService RPC server and the link to the RM.
//
//   ASSIGN_OR_RETURN(auto nm, NodeManager::Start(options));
//   ... nm->rpc_port(), nm->shuffle_port() ...
//   nm->Stop();  // Kills the containers.
//
// Thread-safety: Start/Stop from the owning thread; accessors from any.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/status.h"
#include "scheduler/nodemanager/app_cleaner.h"
#include "scheduler/nodemanager/container_manager.h"
#include "scheduler_types.h"

namespace mr::rpc {
class ThriftServer;
}
namespace mr::shuffle {
class ShuffleServer;
}

namespace mr::sched::nm {

class Localizer;
class RmLink;

class NodeManager {
 public:
  struct Options {
    std::string dir;                // Local state: <dir>/apps.
    std::string id;                 // Node id, e.g. "nm-0-1".
    std::string host = "127.0.0.1"; // As told to the RM and containers.
    std::string bind = "127.0.0.1"; // Where the servers listen.
    int port = 0;                   // NodeManagerService; 0 = ephemeral.
    int shuffle_port = 0;           // 0 = ephemeral.
    std::string rack = "/default-rack";
    std::string datanode_id;
    std::string rm_address;         // host:port
    std::string dfs_master;         // host:port
    int64_t dfs_chunk_size = 0;     // Told to containers (MR_DFS_CHUNK_SIZE); 0: not.
    wire::Resource capability;
    int heartbeat_ms = 200;
    // Stop grace and memory check period; FromFlags() fills these.
    ContainerManager::Options containers = ContainerManager::Options::FromFlags();
    // Log aggregation (node id, DFS and wait filled in by Start).
    AppCleaner::Options cleaner = AppCleaner::Options::FromFlags();
    // Replaces the DFS download (tests); empty: the DFS at dfs_master.
    Localizer* localizer = nullptr;
  };

  static Result<std::unique_ptr<NodeManager>> Start(Options options);
  ~NodeManager();  // Stop().
  NodeManager(const NodeManager&) = delete;
  NodeManager& operator=(const NodeManager&) = delete;

  void Stop();  // Idempotent.

  int rpc_port() const { return rpc_port_; }
  int shuffle_port() const { return shuffle_port_; }
  ContainerManager* containers() { return containers_.get(); }
  Localizer* localizer() { return localizer_; }
  const RmLink* rm_link() const { return rm_link_.get(); }

 private:
  NodeManager() = default;
  Status Init(Options options);

  std::unique_ptr<shuffle::ShuffleServer> shuffle_;
  std::unique_ptr<Localizer> own_localizer_;
  Localizer* localizer_ = nullptr;
  std::unique_ptr<ContainerManager> containers_;
  std::unique_ptr<AppCleaner> cleaner_;
  std::unique_ptr<rpc::ThriftServer> rpc_;
  // Set once, before the first container can start (the RM learns of the
  // node through it); read by container threads.
  std::atomic<RmLink*> rm_link_ptr_{nullptr};
  std::unique_ptr<RmLink> rm_link_;
  int rpc_port_ = 0;
  int shuffle_port_ = 0;
};

}  // namespace mr::sched::nm
