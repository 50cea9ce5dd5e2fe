#include "dfs/dataplane/client.h"

#include <algorithm>

#include "dfs/dataplane/packet_io.h"

namespace mr::dfs::dataplane {

Status ChunkReadStream::Fail(Status status) {
  error_ = status;
  done_ = true;
  ShutdownSocket(&socket_);
  return status;
}

Status ChunkReadStream::Open(const std::string& host, int port, int64_t chunk_id,
                             int64_t generation, uint64_t offset, uint64_t length,
                             Timeout timeout, const std::string& access_token) {
  timeout_ = timeout;
  position_ = offset;
  Status s = Connect(&socket_, host, port, timeout);
  if (!s.ok()) return Fail(s);
  ReadRequest request;
  request.chunk_id = chunk_id;
  request.generation = generation;
  request.offset = static_cast<int64_t>(offset);
  request.length = static_cast<int64_t>(std::min<uint64_t>(length, INT64_MAX));
  request.access_token = access_token;
  s = SendMessage(&socket_, request, timeout);
  ReadResponse response;
  if (s.ok()) s = ReceiveMessage(&socket_, &response, timeout);
  if (s.ok()) s = StatusFromWire(response.code, response.message);
  if (!s.ok()) return Fail(s);
  chunk_length_ = response.chunk_length;
  error_ = Status::OK();
  return Status::OK();
}

Status ChunkReadStream::Next(std::string* data) {
  // *data keeps its size until the packet arrives: a buffer of the packet's
  // size is reused as it is, without zeroing it first.
  Status s = ReceiveNext(data);
  if (!s.ok()) data->clear();
  return s;
}

Status ChunkReadStream::ReceiveNext(std::string* data) {
  RETURN_NOT_OK(error_);
  if (done_) return Status::Aborted("chunk read stream is at its end");
  bool is_packet = false;
  PacketHeader packet;
  Frame other;
  // The data lands in *data straight from the socket (packet_io.h).
  Status s = ReceivePacket(&socket_, timeout_, &is_packet, &packet, data, &other);
  if (!s.ok()) return Fail(s);
  if (!is_packet && other.type == FrameType::kReadResponse) {  // An error mid-stream.
    ReadResponse response;
    s = DecodeMessage(other.payload, &response);
    if (s.ok()) s = StatusFromWire(response.code, response.message);
    return Fail(s.ok() ? Status::Corruption("read stream ended without a last packet") : s);
  }
  if (!is_packet) return Fail(Status::Corruption("unexpected frame in read"));
  if (packet.seq != next_seq_ || packet.offset != static_cast<int64_t>(position_)) {
    return Fail(Status::Corruption("read packet out of order"));
  }
  ++next_seq_;
  position_ += data->size();
  if (packet.last) {
    done_ = true;
    boost::system::error_code ec;
    socket_.close(ec);
  }
  return Status::OK();
}

Status ReadChunkFrom(const std::string& host, int port, int64_t chunk_id, int64_t generation,
                     uint64_t offset, uint64_t length, std::string* out, uint64_t* chunk_length,
                     Timeout timeout, const std::string& access_token) {
  out->clear();
  ChunkReadStream stream;
  RETURN_NOT_OK(
      stream.Open(host, port, chunk_id, generation, offset, length, timeout, access_token));
  if (chunk_length != nullptr) *chunk_length = stream.chunk_length();
  std::string packet;
  while (!stream.done()) {
    RETURN_NOT_OK(stream.Next(out->empty() ? out : &packet));
    if (!packet.empty()) out->append(packet);
  }
  return Status::OK();
}

Status LocateLocalReplica(const std::string& host, int port, int64_t chunk_id, int64_t generation,
                          LocalReplicaResponse* out, Timeout timeout,
                          const std::string& access_token) {
  *out = LocalReplicaResponse();
  boost::asio::io_context io;
  tcp::socket socket(io);
  RETURN_NOT_OK(Connect(&socket, host, port, timeout));
  LocalReplicaRequest request;
  request.chunk_id = chunk_id;
  request.generation = generation;
  request.access_token = access_token;
  RETURN_NOT_OK(SendMessage(&socket, request, timeout));
  RETURN_NOT_OK(ReceiveMessage(&socket, out, timeout));
  return StatusFromWire(out->code, out->message);
}

Status OpenWriteStream(tcp::socket* socket, const Target& first, const WriteRequest& request,
                       Timeout timeout, std::string* failed_datanode_id) {
  *failed_datanode_id = first.datanode_id;
  RETURN_NOT_OK(Connect(socket, first.host, first.port, timeout));
  RETURN_NOT_OK(SendMessage(socket, request, timeout));
  Ack ack;
  RETURN_NOT_OK(ReceiveMessage(socket, &ack, timeout));
  if (ack.seq != kSetupAckSeq) return Status::Corruption("bad setup ack");
  Status s = StatusFromWire(ack.code, ack.message);
  if (!s.ok() && !ack.failed_datanode_id.empty()) *failed_datanode_id = ack.failed_datanode_id;
  if (s.ok()) failed_datanode_id->clear();
  return s;
}

Status PipelineWriter::Fail(Status status) {
  error_ = status;
  ShutdownSocket(&socket_);
  return status;
}

Status PipelineWriter::Open(int64_t chunk_id, int64_t generation,
                            const std::vector<Target>& targets, uint64_t reserve_bytes,
                            const std::string& access_token) {
  if (targets.empty()) return Fail(Status::InvalidArgument("write pipeline without targets"));
  first_datanode_id_ = targets[0].datanode_id;
  WriteRequest request;
  request.chunk_id = chunk_id;
  request.generation = generation;
  request.targets.assign(targets.begin() + 1, targets.end());
  request.reserve_bytes = static_cast<int64_t>(std::min<uint64_t>(reserve_bytes, INT64_MAX));
  request.access_token = access_token;
  error_ = OpenWriteStream(&socket_, targets[0], request, options_.io_timeout,
                           &failed_datanode_id_);
  if (!error_.ok()) return Fail(error_);
  return Status::OK();
}

Status PipelineWriter::ReceiveAck() {
  Ack ack;
  Status s = ReceiveMessage(&socket_, &ack, options_.io_timeout);
  if (!s.ok()) {
    failed_datanode_id_ = first_datanode_id_;  // The link to it broke.
    return Fail(s.Prepend("pipeline ack"));
  }
  s = StatusFromWire(ack.code, ack.message);
  if (!s.ok()) {
    failed_datanode_id_ = ack.failed_datanode_id;
    return Fail(s);
  }
  if (ack.seq != acked_seq_ + 1 || in_flight_.empty()) {
    return Fail(Status::Corruption("pipeline ack out of order"));
  }
  acked_seq_ = ack.seq;
  bytes_acked_ += in_flight_.front();
  in_flight_.pop_front();
  return Status::OK();
}

Status PipelineWriter::SendPacket(bool last) {
  while (static_cast<int>(in_flight_.size()) >= std::max(1, options_.window)) {
    RETURN_NOT_OK(ReceiveAck());
  }
  Packet packet;
  packet.seq = next_seq_++;
  packet.offset = static_cast<int64_t>(offset_);
  packet.data = std::move(buffer_);
  packet.last = last;
  buffer_.clear();
  Status s = SendMessage(&socket_, packet, options_.io_timeout);
  if (!s.ok()) {
    // The pipeline may have failed first and said why in an ack.
    while (ReceiveAck().ok()) {
    }
    if (failed_datanode_id_.empty()) failed_datanode_id_ = first_datanode_id_;
    return Fail(error_.ok() ? s.Prepend("pipeline send") : error_);
  }
  offset_ += packet.data.size();
  in_flight_.push_back(packet.data.size());
  return Status::OK();
}

Status PipelineWriter::Write(std::string_view data) {
  RETURN_NOT_OK(error_);
  const size_t packet_bytes = PacketDataBytes();
  while (!data.empty()) {
    size_t take = std::min(packet_bytes - std::min(packet_bytes, buffer_.size()), data.size());
    buffer_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (buffer_.size() >= packet_bytes) RETURN_NOT_OK(SendPacket(/*last=*/false));
  }
  return Status::OK();
}

Status PipelineWriter::Close() {
  RETURN_NOT_OK(error_);
  RETURN_NOT_OK(SendPacket(/*last=*/true));
  while (!in_flight_.empty()) RETURN_NOT_OK(ReceiveAck());
  error_ = Status::Aborted("pipeline writer closed");
  boost::system::error_code ec;
  socket_.close(ec);
  return Status::OK();
}

}  // namespace mr::dfs::dataplane
