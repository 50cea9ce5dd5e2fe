// Datanode: one whole datanode process in a library — the chunk store, the
// data-plane server, the scrubber and the agent that keeps it registered with
// the master over Thrift (ThriftMasterLink). dfs_datanode's main is a thin
// wrapper; an in-process mini cluster can run several.
//
// Tuning comes from the --dfs_* flags of the parts (DataServer, Scrubber,
// DatanodeAgent, ChunkReplicator, ThriftMasterLink). Start() also routes
// Thrift's own diagnostics (a process-wide setting) to glog at VLOG(1).
//
// Ownership and shutdown: the Datanode owns every part. Stop() (and the
// destructor) stops the scrubber and the data server first, whose callbacks
// feed the agent, then the agent, then closes the master link.
// Thread-safety: Start/Stop from one thread; the accessors from any.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "dfs/datanode/chunk_store.h"
#include "dfs/datanode/data_server.h"
#include "dfs/datanode/datanode_agent.h"
#include "dfs/datanode/scrubber.h"
#include "dfs/datanode/thrift_master_link.h"

namespace mr::dfs {

class Datanode {
 public:
  struct Options {
    std::string dir;               // Data directory; required.
    std::string id;                // Empty: the one stored in `dir`, else a new one.
    std::string rack = "/default-rack";
    std::string bind = "127.0.0.1";  // Data-plane listen address.
    int port = 0;                  // Data-plane port; 0 picks a free one.
    std::string host = "127.0.0.1";  // Advertised to the master for the data plane.
    std::string master;            // "HOST:PORT" of the master; required.
  };

  // Opens the store, starts serving and starts registering with the master
  // (in the background: the master may come up later).
  static Result<std::unique_ptr<Datanode>> Start(const Options& options);
  ~Datanode();
  Datanode(const Datanode&) = delete;
  Datanode& operator=(const Datanode&) = delete;

  void Stop();

  const std::string& id() const { return id_; }
  int port() const { return server_->port(); }
  bool registered() const { return agent_->registered(); }
  // Data-plane requests refused for their chunk access token.
  uint64_t access_refusals() const { return server_->access_refusals(); }

 private:
  Datanode() = default;

  std::string id_;
  // Declared so that destruction runs in the stop order, last to first.
  std::unique_ptr<ChunkStore> store_;
  std::unique_ptr<ThriftMasterLink> link_;
  std::unique_ptr<DatanodeAgent> agent_;
  std::unique_ptr<DataServer> server_;
  std::unique_ptr<Scrubber> scrubber_;
};

}  // namespace mr::dfs
