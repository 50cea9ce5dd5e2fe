// Short-circuit local reads (docs/DFS.md, "Short-circuit reads"; HDFS's
// dfs.client.read.shortcircuit): a client on a datanode's host asks that
// datanode where its replica of a chunk is on disk (a LocalReplicaRequest on
// the data plane), opens the replica's .data and .meta files itself and
// reads them with pread, checking each 64 KiB slice against the stored
// checksums with the datanode's own ChunkReader. No socket carries the data.
//
// The datanode answers only with the files of a finalized replica of the
// exact (chunk id, generation) asked for; it never opens a path the client
// names. Between its answer and the open the replica may be deleted or
// replaced (a new generation has other names): the open then fails and the
// caller reads over the data plane. Once open, the files stay readable even
// if the replica is deleted later (POSIX keeps unlinked files).
// Thread-safety: stateless functions.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "dfs/client/dfs_client_types.h"
#include "dfs/datanode/chunk_reader.h"

namespace mr::dfs {

// Asks `replica`'s datanode for its files of `chunk` and opens them. Aborted
// if the datanode refuses (--dfs_datanode_short_circuit_reads off there),
// IOError from a datanode that does not know the request (it closes the
// connection), NotFound if it holds no replica of that generation; then the
// errors of the open, as below.
Result<std::unique_ptr<ChunkReader>> OpenLocalReplica(const DfsReplica& replica,
                                                      const DfsChunk& chunk);

// Opens a replica's files as named by its datanode: loads the checksums and
// checks that both files agree on the length (Corruption if not) and that
// it is the chunk's length (IOError if not). NotFound/IOError if a file is
// gone.
Result<std::unique_ptr<ChunkReader>> OpenLocalReplicaFiles(const DfsChunk& chunk,
                                                           const std::string& data_path,
                                                           const std::string& meta_path);

}  // namespace mr::dfs
