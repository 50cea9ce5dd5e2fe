// Serves one data-plane LocalReplicaRequest (dataplane.thrift): the paths of
// a replica's files, for a short-circuit read by a client on this host
// (docs/DFS.md, "Short-circuit reads"). The paths are only ever those of a
// finalized replica in this datanode's store, looked up by (chunk id,
// generation); the client names no path. Refused (Aborted) unless
// --dfs_datanode_short_circuit_reads, and to a peer not on this host.
// Thread-safety: as ChunkStore; one call per connection.
#pragma once

#include "dfs/dataplane/messages.h"
#include "dfs/datanode/chunk_store.h"

namespace mr::dfs {

// Answers one LocalReplicaResponse. Returns an error only if the answer
// could not be sent (a refusal or a missing replica is the client's news).
Status ServeLocalReplica(const ChunkStore& store, dataplane::tcp::socket* socket,
                         const dataplane::LocalReplicaRequest& request,
                         dataplane::Timeout timeout);

}  // namespace mr::dfs
