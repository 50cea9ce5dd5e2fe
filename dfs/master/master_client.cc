#include "dfs/master/master_client.h"

#include "MasterService.h"

namespace mr::dfs {

Result<std::unique_ptr<MasterClient>> MasterClient::Connect(const std::string& host, int port,
                                                            Options options) {
  rpc::ClientOptions rpc_options;
  rpc_options.connect_timeout_ms = options.connect_timeout_ms;
  rpc_options.rpc_timeout_ms = options.rpc_timeout_ms;
  rpc_options.max_frame_bytes = options.max_frame_bytes;
  ASSIGN_OR_RETURN(std::unique_ptr<Rpc> rpc, Rpc::Connect("dfs master", host, port, rpc_options));
  return std::unique_ptr<MasterClient>(new MasterClient(std::move(rpc)));
}

MasterClient::MasterClient(std::unique_ptr<Rpc> rpc) : rpc_(std::move(rpc)) {}

MasterClient::~MasterClient() = default;

Status MasterClient::Call(const char* method,
                          const std::function<void(wire::MasterServiceClient&)>& fn) {
  bool answered = false;  // A reply or a DfsError came back.
  Status s = rpc_->Call(method, [&](wire::MasterServiceClient& stub) {
    try {
      fn(stub);
    } catch (const wire::DfsError&) {
      answered = true;
      throw;
    }
    answered = true;
  });
  last_call_failed_in_transport_ = !answered && s.IsUnavailable();
  return s;
}

template <typename T>
Result<T> MasterClient::CallFor(const char* method,
                                const std::function<void(wire::MasterServiceClient&, T&)>& fn) {
  T out{};
  Status s = Call(method, [&](wire::MasterServiceClient& stub) { fn(stub, out); });
  if (!s.ok()) return s;
  return out;
}

Result<wire::FileStatus> MasterClient::Stat(const std::string& path) {
  return CallFor<wire::FileStatus>("Stat", [&](auto& stub, auto& out) { stub.Stat(out, path); });
}

Result<std::vector<wire::FileStatus>> MasterClient::List(const std::string& path) {
  return CallFor<std::vector<wire::FileStatus>>(
      "List", [&](auto& stub, auto& out) { stub.List(out, path); });
}

Status MasterClient::Mkdirs(const std::string& path, int32_t umask, int32_t mode) {
  return Call("Mkdirs", [&](auto& stub) { stub.Mkdirs(path, umask, mode); });
}

Status MasterClient::SetPermission(const std::string& path, int32_t mode) {
  return Call("SetPermission", [&](auto& stub) { stub.SetPermission(path, mode); });
}

Status MasterClient::SetOwner(const std::string& path, const std::string& owner,
                              const std::string& group) {
  return Call("SetOwner", [&](auto& stub) { stub.SetOwner(path, owner, group); });
}

Result<wire::CallerInfo> MasterClient::WhoAmI() {
  return CallFor<wire::CallerInfo>("WhoAmI", [&](auto& stub, auto& out) { stub.WhoAmI(out); });
}

Status MasterClient::Delete(const std::string& path, bool recursive) {
  return Call("Delete", [&](auto& stub) { stub.Delete(path, recursive); });
}

Status MasterClient::Rename(const std::string& src, const std::string& dst, bool overwrite) {
  return Call("Rename", [&](auto& stub) { stub.Rename(src, dst, overwrite); });
}

Result<wire::FileStatus> MasterClient::Create(const std::string& path, int32_t replication,
                                              int64_t chunk_size, const std::string& client_name,
                                              const std::string& client_host, int32_t umask,
                                              int32_t mode) {
  return CallFor<wire::FileStatus>("Create", [&](auto& stub, auto& out) {
    stub.Create(out, path, replication, chunk_size, client_name, client_host, umask, mode);
  });
}

Result<wire::LocatedChunk> MasterClient::AddChunk(
    const std::string& path, const std::string& client_name,
    const std::vector<std::string>& excluded_datanodes, int64_t previous_chunk_id) {
  return CallFor<wire::LocatedChunk>("AddChunk", [&](auto& stub, auto& out) {
    stub.AddChunk(out, path, client_name, excluded_datanodes, previous_chunk_id);
  });
}

Status MasterClient::AbandonChunk(const std::string& path, const std::string& client_name,
                                  int64_t chunk_id) {
  return Call("AbandonChunk", [&](auto& stub) { stub.AbandonChunk(path, client_name, chunk_id); });
}

Result<int64_t> MasterClient::BumpChunkGeneration(const std::string& path,
                                                  const std::string& client_name,
                                                  int64_t chunk_id) {
  return CallFor<int64_t>("BumpChunkGeneration", [&](auto& stub, auto& out) {
    out = stub.BumpChunkGeneration(path, client_name, chunk_id);
  });
}

Result<wire::LocatedChunk> MasterClient::BumpChunkGenerationWithToken(
    const std::string& path, const std::string& client_name, int64_t chunk_id) {
  return CallFor<wire::LocatedChunk>("BumpChunkGenerationWithToken", [&](auto& stub, auto& out) {
    stub.BumpChunkGenerationWithToken(out, path, client_name, chunk_id);
  });
}

Result<bool> MasterClient::Complete(const std::string& path, const std::string& client_name,
                                    int64_t last_chunk_length) {
  return CallFor<bool>("Complete", [&](auto& stub, auto& out) {
    out = stub.Complete(path, client_name, last_chunk_length);
  });
}

Result<std::vector<wire::LocatedChunk>> MasterClient::GetChunkLocations(const std::string& path,
                                                                        int64_t offset,
                                                                        int64_t length,
                                                                        bool include_incomplete) {
  return CallFor<std::vector<wire::LocatedChunk>>("GetChunkLocations", [&](auto& stub, auto& out) {
    stub.GetChunkLocations(out, path, offset, length, include_incomplete);
  });
}

Status MasterClient::RenewLease(const std::string& client_name) {
  return Call("RenewLease", [&](auto& stub) { stub.RenewLease(client_name); });
}

Status MasterClient::ReportBadReplica(int64_t chunk_id, const std::string& datanode_id) {
  return Call("ReportBadReplica", [&](auto& stub) { stub.ReportBadReplica(chunk_id, datanode_id); });
}

Result<std::vector<wire::MemberStatus>> MasterClient::ListMembers() {
  return CallFor<std::vector<wire::MemberStatus>>(
      "ListMembers", [&](auto& stub, auto& out) { stub.ListMembers(out); });
}

Result<std::vector<wire::DatanodeStatus>> MasterClient::ListDatanodes() {
  return CallFor<std::vector<wire::DatanodeStatus>>(
      "ListDatanodes", [&](auto& stub, auto& out) { stub.ListDatanodes(out); });
}

Status MasterClient::RegisterDatanode(const wire::DatanodeInfo& info) {
  return Call("RegisterDatanode", [&](auto& stub) { stub.RegisterDatanode(info); });
}

Result<std::vector<wire::DatanodeCommand>> MasterClient::Heartbeat(
    const std::string& datanode_id, int64_t capacity_bytes, int64_t used_bytes,
    int32_t active_transfers, const std::vector<wire::ChunkReplicaInfo>& lost_replicas) {
  return CallFor<std::vector<wire::DatanodeCommand>>("Heartbeat", [&](auto& stub, auto& out) {
    stub.Heartbeat(out, datanode_id, capacity_bytes, used_bytes, active_transfers, lost_replicas);
  });
}

Status MasterClient::ChunkReport(const std::string& datanode_id,
                                 const std::vector<wire::ChunkReplicaInfo>& chunks) {
  return Call("ChunkReport", [&](auto& stub) { stub.ChunkReport(datanode_id, chunks); });
}

Status MasterClient::ChunkReceived(const std::string& datanode_id,
                                   const wire::ChunkReplicaInfo& chunk) {
  return Call("ChunkReceived", [&](auto& stub) { stub.ChunkReceived(datanode_id, chunk); });
}

}  // namespace mr::dfs
