// MasterClient: MasterService over TFramedTransport + TCompactProtocol (as
// MasterServer serves it), with every call returning Status or Result. A
// DfsError becomes the Status it stands for (rpc/status_codes.h); a transport
// failure becomes Unavailable and closes the connection, which the next call
// reopens; last_call_failed_in_transport() tells it apart from an
// Unavailable the master answered. Calls are never retried here: the caller
// knows which are safe to repeat (DfsClient retries transport failures).
//
// Thread-safety: none; use one client per thread (connections are cheap).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "dfs_types.h"
#include "rpc/thrift_client.h"

namespace mr::dfs {

namespace wire {
class MasterServiceClient;
class DfsError;
}

class MasterClient {
 public:
  struct Options {
    int connect_timeout_ms = 5000;
    int rpc_timeout_ms = 30000;  // Send and receive.
    int32_t max_frame_bytes = 16 << 20;
  };

  // Connects to host:port; Unavailable if it cannot.
  static Result<std::unique_ptr<MasterClient>> Connect(const std::string& host, int port,
                                                       Options options);
  static Result<std::unique_ptr<MasterClient>> Connect(const std::string& host, int port) {
    return Connect(host, port, Options());
  }
  ~MasterClient();
  MasterClient(const MasterClient&) = delete;
  MasterClient& operator=(const MasterClient&) = delete;

  // Clients.
  Result<wire::FileStatus> Stat(const std::string& path);
  Result<std::vector<wire::FileStatus>> List(const std::string& path);
  // umask and mode: -1 for the master's defaults (dfs.thrift).
  Status Mkdirs(const std::string& path, int32_t umask = -1, int32_t mode = -1);
  // chmod; chown/chgrp (empty: unchanged); who the master takes us for.
  Status SetPermission(const std::string& path, int32_t mode);
  Status SetOwner(const std::string& path, const std::string& owner, const std::string& group);
  Result<wire::CallerInfo> WhoAmI();
  Status Delete(const std::string& path, bool recursive);
  // overwrite: a closed file src replaces a closed file dst.
  Status Rename(const std::string& src, const std::string& dst, bool overwrite = false);
  Result<wire::FileStatus> Create(const std::string& path, int32_t replication,
                                  int64_t chunk_size, const std::string& client_name,
                                  const std::string& client_host, int32_t umask = -1,
                                  int32_t mode = -1);
  // The pipeline avoids `excluded_datanodes` (ids). `previous_chunk_id`:
  // the file's last chunk as the caller knows it (0: none; -1: do not
  // check), which makes a retry return the chunk it allocated (dfs.thrift).
  Result<wire::LocatedChunk> AddChunk(const std::string& path, const std::string& client_name,
                                      const std::vector<std::string>& excluded_datanodes = {},
                                      int64_t previous_chunk_id = -1);
  // Removes the file's last chunk, which no datanode stored. Idempotent.
  Status AbandonChunk(const std::string& path, const std::string& client_name,
                      int64_t chunk_id);
  // A new generation for the file's last chunk (pipeline recovery).
  Result<int64_t> BumpChunkGeneration(const std::string& path, const std::string& client_name,
                                      int64_t chunk_id);
  // The same, answering with the new generation and a WRITE token for it.
  Result<wire::LocatedChunk> BumpChunkGenerationWithToken(const std::string& path,
                                                          const std::string& client_name,
                                                          int64_t chunk_id);
  // True once the file is closed; false: not enough replicas yet, retry.
  Result<bool> Complete(const std::string& path, const std::string& client_name,
                        int64_t last_chunk_length);
  // include_incomplete: also for a file lease recovery closed as incomplete.
  Result<std::vector<wire::LocatedChunk>> GetChunkLocations(const std::string& path,
                                                            int64_t offset, int64_t length,
                                                            bool include_incomplete = false);
  Status RenewLease(const std::string& client_name);
  Status ReportBadReplica(int64_t chunk_id, const std::string& datanode_id);
  // Every datanode the master knows, live and dead, sorted by id.
  Result<std::vector<wire::DatanodeStatus>> ListDatanodes();
  Result<std::vector<wire::MemberStatus>> ListMembers();

  // Datanodes.
  Status RegisterDatanode(const wire::DatanodeInfo& info);
  // lost_replicas: replicas found missing or cut short on the node's disk.
  Result<std::vector<wire::DatanodeCommand>> Heartbeat(
      const std::string& datanode_id, int64_t capacity_bytes, int64_t used_bytes,
      int32_t active_transfers, const std::vector<wire::ChunkReplicaInfo>& lost_replicas = {});
  Status ChunkReport(const std::string& datanode_id,
                     const std::vector<wire::ChunkReplicaInfo>& chunks);
  Status ChunkReceived(const std::string& datanode_id, const wire::ChunkReplicaInfo& chunk);

  // Whether the last call failed without an answer from the master (could
  // not connect, connection lost, timed out): it may or may not have run.
  bool last_call_failed_in_transport() const { return last_call_failed_in_transport_; }

 private:
  using Rpc = rpc::ThriftClient<wire::MasterServiceClient, wire::DfsError>;
  explicit MasterClient(std::unique_ptr<Rpc> rpc);
  Status Call(const char* method, const std::function<void(wire::MasterServiceClient&)>& fn);
  template <typename T>
  Result<T> CallFor(const char* method,
                    const std::function<void(wire::MasterServiceClient&, T&)>& fn);

  std::unique_ptr<Rpc> rpc_;
  bool last_call_failed_in_transport_ = false;
};

}  // namespace mr::dfs
