// Client side of the data plane (protocol: dataplane.thrift): read a chunk
// range from one datanode, and write a chunk through a datanode pipeline.
// Used by the DFS client library and by datanodes forwarding a write.
#pragma once

#include <utility>  // Must precede Boost.Asio with C++20 on g++ 12.

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "dfs/dataplane/framing.h"
#include "dfs/dataplane/messages.h"

namespace mr::dfs::dataplane {

// Reads bytes [offset, offset + length) of a replica (clamped to the chunk's
// end) into *out; *chunk_length, if set, receives the chunk's length. The
// datanode's error (e.g. Corruption of the replica) comes back as the Status.
// `access_token`: the master's READ token for the chunk (dataplane.thrift);
// a secure datanode answers PermissionDenied without a valid one.
Status ReadChunkFrom(const std::string& host, int port, int64_t chunk_id, int64_t generation,
                     uint64_t offset, uint64_t length, std::string* out,
                     uint64_t* chunk_length = nullptr, Timeout timeout = DefaultIoTimeout(),
                     const std::string& access_token = "");

// Asks the datanode at host:port for the absolute paths of its replica of
// (chunk_id, generation), for a short-circuit read by a client on its host
// (dataplane.thrift). A refusal or a missing replica comes back as the
// Status (Aborted, NotFound); a datanode without short-circuit support
// closes the connection (IOError). Needs a READ token as a read does.
Status LocateLocalReplica(const std::string& host, int port, int64_t chunk_id, int64_t generation,
                          LocalReplicaResponse* out, Timeout timeout = DefaultIoTimeout(),
                          const std::string& access_token = "");

// A read of one replica's byte range as a stream of packets: Open sends the
// request, each Next() returns the next packet's bytes as they arrive. A
// sequential reader keeps one stream per chunk, so the datanode reads and
// sends ahead (up to the socket buffers) while the reader consumes, instead
// of one connection and one round trip per piece.
// After an error the stream is dead (every later call fails).
// Thread-safety: one thread at a time.
class ChunkReadStream {
 public:
  ChunkReadStream() : socket_(io_) {}
  ChunkReadStream(const ChunkReadStream&) = delete;
  ChunkReadStream& operator=(const ChunkReadStream&) = delete;

  // Requests bytes [offset, offset + length) (clamped to the chunk's end),
  // presenting the chunk's READ token.
  Status Open(const std::string& host, int port, int64_t chunk_id, int64_t generation,
              uint64_t offset, uint64_t length, Timeout timeout = DefaultIoTimeout(),
              const std::string& access_token = "");
  // Replaces *data with the next packet's bytes (empty only for an empty
  // range). The datanode's error (e.g. Corruption) comes back as the Status.
  Status Next(std::string* data);

  bool done() const { return done_; }
  // Chunk offset of the next byte Next() returns.
  uint64_t position() const { return position_; }
  uint64_t chunk_length() const { return chunk_length_; }

 private:
  Status ReceiveNext(std::string* data);
  Status Fail(Status status);

  boost::asio::io_context io_;
  tcp::socket socket_;
  Timeout timeout_ = DefaultIoTimeout();
  int64_t next_seq_ = 0;
  uint64_t position_ = 0;
  uint64_t chunk_length_ = 0;
  bool done_ = false;
  Status error_ = Status::Aborted("chunk read stream not open");
};

// Connects `socket` to `first`, sends `request` (its targets are the nodes
// after `first`) and waits for the setup ack. On failure *failed_datanode_id
// names the datanode at fault.
Status OpenWriteStream(tcp::socket* socket, const Target& first, const WriteRequest& request,
                       Timeout timeout, std::string* failed_datanode_id);

// Writes one chunk through a pipeline of datanodes: the bytes go once to the
// first, which forwards them. Data is cut into packets of PacketDataBytes() with at most
// `window` packets awaiting their ack. Close() sends the last packet and
// waits for every ack; after it returns OK every replica is finalized.
// On any error the writer is dead, failed_datanode_id() names the datanode
// at fault (empty if unknown), and the datanodes abort their temp replicas.
// Thread-safety: one thread at a time.
class PipelineWriter {
 public:
  struct Options {
    int window = 16;
    Timeout io_timeout = DefaultIoTimeout();
  };
  explicit PipelineWriter(Options options) : options_(options), socket_(io_) {}
  PipelineWriter(const PipelineWriter&) = delete;
  PipelineWriter& operator=(const PipelineWriter&) = delete;

  // targets[0] is connected to; the rest get forwarded copies. Each datanode
  // refuses (NoSpace, naming itself) unless it has `reserve_bytes` free: the
  // most this write will bring (0: unknown, checked as bytes arrive).
  // `access_token`: the master's WRITE (or REPLICATE) token for the chunk,
  // forwarded by each datanode to the next.
  Status Open(int64_t chunk_id, int64_t generation, const std::vector<Target>& targets,
              uint64_t reserve_bytes = 0, const std::string& access_token = "");
  Status Write(std::string_view data);
  Status Close();

  const std::string& failed_datanode_id() const { return failed_datanode_id_; }
  uint64_t bytes_acked() const { return bytes_acked_; }

 private:
  Status SendPacket(bool last);
  Status ReceiveAck();
  Status Fail(Status status);

  const Options options_;
  boost::asio::io_context io_;
  tcp::socket socket_;
  std::string buffer_;               // Bytes of the next packet.
  std::deque<uint64_t> in_flight_;   // Sizes of sent, unacked packets, by seq.
  int64_t next_seq_ = 0;
  int64_t acked_seq_ = -1;
  uint64_t offset_ = 0;
  uint64_t bytes_acked_ = 0;
  std::string first_datanode_id_;
  std::string failed_datanode_id_;
  Status error_ = Status::Aborted("pipeline writer not open");
};

}  // namespace mr::dfs::dataplane
