#include "dfs/datanode/read_handler.h"

#include <algorithm>

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
  dataplane::Packet packet;
  const uint64_t packet_bytes = dataplane::PacketDataBytes();
  for (packet.seq = 0;; ++packet.seq) {
    uint64_t n = std::min<uint64_t>(packet_bytes, end - offset);
    Status s = (*reader)->Read(offset, n, &packet.data);
    if (!s.ok()) return SendError(socket, s, timeout);
    packet.offset = static_cast<int64_t>(offset);
    offset += n;
    packet.last = offset == end;
    RETURN_NOT_OK(dataplane::SendMessage(socket, packet, timeout));
    if (packet.last) return Status::OK();
  }
}

}  // namespace mr::dfs
