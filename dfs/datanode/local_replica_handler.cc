#include "dfs/datanode/local_replica_handler.h"

#include <gflags/gflags.h>

DEFINE_bool(dfs_datanode_short_circuit_reads, true,
            "Tell DFS clients on this host where a replica's files are, so that they read "
            "and verify them directly instead of through the data plane (short-circuit "
            "reads); false refuses, and such clients read over TCP as any other.");

namespace mr::dfs {

namespace {

// Whether the peer runs on this host: it connected over loopback or to our
// own address from it. A remote peer could do nothing with a local path.
bool PeerIsLocal(dataplane::tcp::socket* socket) {
  boost::system::error_code ec1, ec2;
  auto remote = socket->remote_endpoint(ec1).address();
  auto local = socket->local_endpoint(ec2).address();
  if (ec1 || ec2) return false;
  return remote.is_loopback() || remote == local;
}

Result<ReplicaFiles> Locate(const ChunkStore& store, dataplane::tcp::socket* socket,
                            const dataplane::LocalReplicaRequest& request) {
  if (!FLAGS_dfs_datanode_short_circuit_reads) {
    return Status::Aborted("short-circuit reads are off on this datanode");
  }
  if (!PeerIsLocal(socket)) return Status::Aborted("short-circuit read from another host");
  return store.LocateChunk(request.chunk_id, request.generation);
}

}  // namespace

Status ServeLocalReplica(const ChunkStore& store, dataplane::tcp::socket* socket,
                         const dataplane::LocalReplicaRequest& request,
                         dataplane::Timeout timeout) {
  dataplane::LocalReplicaResponse response;
  Result<ReplicaFiles> files = Locate(store, socket, request);
  if (files.ok()) {
    response.data_path = files->data_path;
    response.meta_path = files->meta_path;
    response.chunk_length = static_cast<int64_t>(files->info.length);
  } else {
    response.code = dataplane::StatusToWire(files.status());
    response.message = files.status().message();
  }
  return dataplane::SendMessage(socket, response, timeout);
}

}  // namespace mr::dfs
