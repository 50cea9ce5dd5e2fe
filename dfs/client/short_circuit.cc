#include "dfs/client/short_circuit.h"

#include "dfs/dataplane/client.h"

namespace mr::dfs {

Result<std::unique_ptr<ChunkReader>> OpenLocalReplica(const DfsReplica& replica,
                                                      const DfsChunk& chunk) {
  dataplane::LocalReplicaResponse response;
  RETURN_NOT_OK(dataplane::LocateLocalReplica(replica.host, replica.port, chunk.chunk_id,
                                              chunk.generation, &response,
                                              dataplane::DefaultIoTimeout(), chunk.access_token));
  Result<std::unique_ptr<ChunkReader>> reader =
      OpenLocalReplicaFiles(chunk, response.data_path, response.meta_path);
  if (reader.status().IsPermissionDenied()) {
    // The replica files are the datanode user's alone (0600 in a 0700
    // directory): a client running as another user reads over the data plane.
    return Status::Aborted("cannot open the replica files of datanode " + replica.node_id +
                           " (another user's): " + reader.status().message());
  }
  return reader;
}

Result<std::unique_ptr<ChunkReader>> OpenLocalReplicaFiles(const DfsChunk& chunk,
                                                           const std::string& data_path,
                                                           const std::string& meta_path) {
  ChunkInfo info{chunk.chunk_id, chunk.generation, 0};
  ASSIGN_OR_RETURN(std::unique_ptr<ChunkReader> reader,
                   ChunkReader::Open(info, data_path, meta_path));
  if (reader->info().length != static_cast<uint64_t>(chunk.length)) {
    // As a remote read of it would end short (or long): not this replica's
    // fault as far as we know, so not reported; another replica is read.
    return Status::IOError(ChunkName(chunk.chunk_id, chunk.generation) + ": local replica has " +
                           std::to_string(reader->info().length) + " bytes, the file expects " +
                           std::to_string(chunk.length));
  }
  return reader;
}

}  // namespace mr::dfs
