// Serves one data-plane ReadRequest on a connection (dataplane.thrift):
// a ReadResponse, then verified Packets of at most 64 KiB. A replica that
// fails verification mid-stream gets a ReadResponse with Corruption instead
// of the next Packet. Thread-safety: as ChunkStore; one call per connection.
#pragma once

#include "dfs/dataplane/messages.h"
#include "dfs/datanode/chunk_store.h"

namespace mr::dfs {

// Returns the first error (the client may have gone away); the caller logs
// it and closes the connection.
Status ServeRead(ChunkStore* store, dataplane::tcp::socket* socket,
                 const dataplane::ReadRequest& request, dataplane::Timeout timeout);

}  // namespace mr::dfs
