#include "dfs/datanode/read_handler.h"

#include <algorithm>

#include <gflags/gflags.h>

#include "dfs/dataplane/packet_io.h"

DEFINE_int64(dfs_datanode_read_packet_bytes, 1 << 20,
             "Data bytes per packet a datanode sends for a read, between 64 KiB and 1 MiB "
             "(each packet is verified against its slices' checksums before it is sent).");

namespace mr::dfs {

namespace {
Status SendError(dataplane::tcp::socket* socket, const Status& error, dataplane::Timeout timeout) {
  dataplane::ReadResponse response;
  response.code = dataplane::StatusToWire(error);
  response.message = error.message();
  RETURN_NOT_OK(dataplane::SendMessage(socket, response, timeout));
  return error;
}
}  // namespace

Status ServeRead(ChunkStore* store, dataplane::tcp::socket* socket,
                 const dataplane::ReadRequest& request, dataplane::Timeout timeout) {
  Result<std::unique_ptr<ChunkReader>> reader =
      store->OpenChunk(request.chunk_id, request.generation);
  if (!reader.ok()) return SendError(socket, reader.status(), timeout);
  uint64_t length = (*reader)->info().length;
  if (request.offset < 0 || request.length < 0 || static_cast<uint64_t>(request.offset) > length) {
    return SendError(socket, Status::InvalidArgument("read range outside the chunk"), timeout);
  }
  uint64_t offset = request.offset;
  uint64_t end = offset + std::min<uint64_t>(request.length, length - offset);
  dataplane::ReadResponse response;
  response.chunk_length = static_cast<int64_t>(length);
  RETURN_NOT_OK(dataplane::SendMessage(socket, response, timeout));
  // Packets as big as a frame allows: a chunk streams in few, large
  // sendmsg calls, with no copy of the data beyond the verified read.
  const uint64_t packet_bytes = std::clamp<uint64_t>(
      static_cast<uint64_t>(std::max<int64_t>(FLAGS_dfs_datanode_read_packet_bytes, 0)),
      kChunkSliceBytes, dataplane::kMaxPacketDataBytes);
  std::string data;
  dataplane::PacketHeader packet;
  for (packet.seq = 0;; ++packet.seq) {
    uint64_t n = std::min<uint64_t>(packet_bytes, end - offset);
    Status s = (*reader)->Read(offset, n, &data);
    if (!s.ok()) return SendError(socket, s, timeout);
    packet.offset = static_cast<int64_t>(offset);
    offset += n;
    packet.last = offset == end;
    RETURN_NOT_OK(dataplane::SendPacket(socket, packet, data, timeout));
    if (packet.last) return Status::OK();
  }
}

}  // namespace mr::dfs
