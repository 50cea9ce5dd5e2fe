// MasterLink: the datanode's side of MasterService (dfs/proto/dfs.thrift),
// as an interface so that DatanodeAgent can be tested against a fake master.
// ThriftMasterLink (thrift_master_link.h) is the real one.
//
// A link speaks for one datanode: the id is fixed when the link is built, and
// every call names it to the master. Values are the generated wire structs of
// dfs.thrift (mr::dfs::wire::DatanodeInfo, ChunkReplicaInfo, DatanodeCommand):
// they are plain copyable values, the datanode library already depends on
// mr_dfs_proto, and mirroring them in own structs would only add a
// conversion layer that can drift from the IDL.
//
// Errors: every call returns a Status; nothing throws. A master that cannot
// be reached is Unavailable (or IOError). NotFound from Heartbeat or
// ChunkReport means "the master does not know this datanode" (it restarted,
// or declared the node dead): the caller registers again.
//
// Thread-safety: implementations must allow calls from any thread but may
// serialize them; DatanodeAgent calls from one thread at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "dfs_types.h"

namespace mr::dfs {

// What a heartbeat tells the master: the node's load, and the replicas its
// directory scan found lost since the last heartbeat.
struct DatanodeStats {
  int64_t capacity_bytes = 0;  // Size of the file system holding the chunks.
  int64_t used_bytes = 0;      // capacity - bytes still available to us.
  int32_t active_transfers = 0;
  std::vector<wire::ChunkReplicaInfo> lost_replicas;
};

class MasterLink {
 public:
  virtual ~MasterLink() = default;

  virtual Status Register(const wire::DatanodeInfo& info) = 0;
  // Replaces *commands with what the master wants done.
  virtual Status Heartbeat(const DatanodeStats& stats,
                           std::vector<wire::DatanodeCommand>* commands) = 0;
  // Every finalized replica the node holds (the full report).
  virtual Status ChunkReport(const std::vector<wire::ChunkReplicaInfo>& chunks) = 0;
  // One replica finalized since the last report.
  virtual Status ChunkReceived(const wire::ChunkReplicaInfo& chunk) = 0;
  // This node's replica of `chunk_id` failed verification.
  virtual Status ReportBadReplica(int64_t chunk_id) = 0;
};

}  // namespace mr::dfs
