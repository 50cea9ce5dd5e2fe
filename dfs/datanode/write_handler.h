// Serves one pipelined write (dataplane.thrift) on a connection.
//
// Two threads per write: the connection's thread receives Packets from
// upstream, forwards each downstream (if there is a next target) and appends
// it to the local replica; a responder thread reads the downstream acks and
// sends an Ack upstream for a packet only after its local write and its
// downstream ack. On the `last` packet the responder finalizes the replica
// before acking it.
//
// Space: at setup, before it connects downstream, the node reserves the
// request's reserve_bytes in its ChunkStore's DiskSpace or refuses with
// NoSpace "datanode <self> is full: N bytes free, needs M" (disk_space.h).
//
// Failure policy (all-or-nothing per pipeline): any failure ends the stream
// with one error Ack naming the datanode at fault (this node if its disk
// failed, the next node if the link to it broke or it did not answer, or
// whatever node the downstream ack named); the node then shuts its downstream
// link (so later nodes abort too) and aborts its own temp replica. Nothing is
// finalized unless the last packet was acked from downstream first, so a
// failed pipeline leaves no replica upstream of the failure. The client
// retries the chunk with a new generation (pipeline recovery).
#pragma once

#include <string>

#include "dfs/dataplane/messages.h"
#include "dfs/datanode/chunk_store.h"

namespace mr::dfs {

// Blocks until the stream ends; returns why it ended (OK once finalized, and
// then *finalized, if given, describes the new replica).
// `self_id` is this datanode's id, used in Acks.
Status ServeWrite(ChunkStore* store, const std::string& self_id, dataplane::tcp::socket* upstream,
                  const dataplane::WriteRequest& request, dataplane::Timeout timeout,
                  ChunkInfo* finalized = nullptr);

}  // namespace mr::dfs
