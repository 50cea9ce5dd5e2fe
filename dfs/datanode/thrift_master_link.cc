#include "dfs/datanode/thrift_master_link.h"

#include <algorithm>
#include <charconv>

#include <gflags/gflags.h>

DEFINE_int32(dfs_datanode_master_rpc_timeout_ms, 10000,
             "Bound on one call of a datanode to the master (connect, send, receive); a "
             "stopping datanode waits at most this long for a call in flight.");

namespace mr::dfs {

ThriftMasterLink::Options ThriftMasterLink::Options::FromFlags() {
  Options options;
  int timeout_ms = std::max(1, FLAGS_dfs_datanode_master_rpc_timeout_ms);
  options.client.rpc_timeout_ms = timeout_ms;
  options.client.connect_timeout_ms = std::min(timeout_ms, 2000);
  return options;
}

Status ThriftMasterLink::EnsureConnected() {
  if (client_ != nullptr) return Status::OK();
  ASSIGN_OR_RETURN(client_, MasterClient::Connect(options_.host, options_.port, options_.client));
  return Status::OK();
}

Status ThriftMasterLink::Register(const wire::DatanodeInfo& info) {
  std::lock_guard lock(mu_);
  RETURN_NOT_OK(EnsureConnected());
  return client_->RegisterDatanode(info);
}

Status ThriftMasterLink::Heartbeat(const DatanodeStats& stats,
                                   std::vector<wire::DatanodeCommand>* commands) {
  commands->clear();
  std::lock_guard lock(mu_);
  RETURN_NOT_OK(EnsureConnected());
  auto result = client_->Heartbeat(options_.datanode_id, stats.capacity_bytes, stats.used_bytes,
                                   stats.active_transfers, stats.lost_replicas);
  if (!result.ok()) return result.status();
  *commands = std::move(result).value();
  return Status::OK();
}

Status ThriftMasterLink::ChunkReport(const std::vector<wire::ChunkReplicaInfo>& chunks) {
  std::lock_guard lock(mu_);
  RETURN_NOT_OK(EnsureConnected());
  return client_->ChunkReport(options_.datanode_id, chunks);
}

Status ThriftMasterLink::ChunkReceived(const wire::ChunkReplicaInfo& chunk) {
  std::lock_guard lock(mu_);
  RETURN_NOT_OK(EnsureConnected());
  return client_->ChunkReceived(options_.datanode_id, chunk);
}

Status ThriftMasterLink::ReportBadReplica(int64_t chunk_id) {
  std::lock_guard lock(mu_);
  RETURN_NOT_OK(EnsureConnected());
  return client_->ReportBadReplica(chunk_id, options_.datanode_id);
}

}  // namespace mr::dfs
