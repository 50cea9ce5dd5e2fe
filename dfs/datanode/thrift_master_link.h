// ThriftMasterLink: MasterLink over the real MasterService, through
// MasterClient (dfs/master/master_client.h: TFramedTransport +
// TCompactProtocol, every Thrift exception mapped to a Status there).
//
// The connection is opened lazily, on the first call and again after a call
// found the master unreachable, so a link can be built before the master is
// up; until then every call is Unavailable. Each call is bounded by
// --dfs_datanode_master_rpc_timeout_ms.
//
// Thread-safety: all methods may be called concurrently; `mu_` serializes
// them over the one connection (MasterClient is not thread-safe).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/host_port.h"
#include "common/status.h"
#include "dfs/datanode/master_link.h"
#include "dfs/master/master_client.h"

namespace mr::dfs {

class ThriftMasterLink : public MasterLink {
 public:
  struct Options {
    std::string host;
    int port = 0;
    std::string datanode_id;  // Named in every call.
    MasterClient::Options client;
    // client timeouts from --dfs_datanode_master_rpc_timeout_ms.
    static Options FromFlags();
  };

  explicit ThriftMasterLink(Options options) : options_(std::move(options)) {}

  Status Register(const wire::DatanodeInfo& info) override;
  Status Heartbeat(const DatanodeStats& stats,
                   std::vector<wire::DatanodeCommand>* commands) override;
  Status ChunkReport(const std::vector<wire::ChunkReplicaInfo>& chunks) override;
  Status ChunkReceived(const wire::ChunkReplicaInfo& chunk) override;
  Status ReportBadReplica(int64_t chunk_id) override;

 private:
  // Connects if needed; caller holds mu_.
  Status EnsureConnected();

  const Options options_;
  std::mutex mu_;
  std::unique_ptr<MasterClient> client_;  // GUARDED_BY(mu_); null until connected.
};

}  // namespace mr::dfs
