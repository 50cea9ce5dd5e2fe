// Frames on a data-plane TCP connection: `u32 length | u8 type | payload`,
// length little-endian and counting the type byte and the payload, at most
// kMaxFrameBytes. Oversized lengths and unknown types are Corruption; a peer
// that closes or stalls past the timeout is IOError/Unavailable. Nothing
// throws and nothing here can crash on hostile input.
//
// I/O is done with recv/send(MSG_DONTWAIT) + poll on the socket's descriptor,
// so every call is bounded by its timeout, and one thread may read a socket
// while another writes it (the write pipeline does this).
// Thread-safety: at most one reader and one writer per socket at a time.
#pragma once

#include <utility>  // Must precede Boost.Asio with C++20 on g++ 12.

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mr::dfs::dataplane {

using boost::asio::ip::tcp;
using Timeout = std::chrono::milliseconds;

inline constexpr uint32_t kMaxFrameBytes = (1 << 20) + 64;
// The most data one Packet may carry (receivers reject more). Senders cut
// packets of PacketDataBytes().
inline constexpr size_t kMaxPacketDataBytes = 1 << 20;

enum class FrameType : uint8_t {
  kReadRequest = 1,
  kReadResponse = 2,
  kWriteRequest = 3,
  kPacket = 4,
  kAck = 5,
  kLocalReplicaRequest = 6,
  kLocalReplicaResponse = 7,
};

struct Frame {
  FrameType type = FrameType::kAck;
  std::string payload;
};

// --dfs_dataplane_io_timeout_ms: the bound on one frame or connect.
Timeout DefaultIoTimeout();
// --dfs_dataplane_packet_bytes (default 64 KiB), clamped to [4 KiB,
// kMaxPacketDataBytes]: the data in each packet a writer or a datanode sends.
size_t PacketDataBytes();

Status WriteFrame(tcp::socket* socket, FrameType type, std::string_view payload, Timeout timeout);
Status ReadFrame(tcp::socket* socket, Frame* frame, Timeout timeout);

// The pieces of the two above, for frames read or written in parts under
// one deadline (packet_io.h).
using Deadline = std::chrono::steady_clock::time_point;
// Reads and checks a frame header; *payload_bytes is the length after it.
Status ReadFrameHeader(tcp::socket* socket, FrameType* type, uint32_t* payload_bytes,
                       Deadline deadline);
Status ReadFull(tcp::socket* socket, char* buf, size_t n, Deadline deadline);
// Sends every byte of `parts` in order, in as few sendmsg(2) calls as the
// socket buffer allows.
Status WriteFullV(tcp::socket* socket, std::initializer_list<std::string_view> parts,
                  Deadline deadline);

// Opens `socket` (not yet open) and connects it to host:port within timeout.
Status Connect(tcp::socket* socket, const std::string& host, int port, Timeout timeout);
// shutdown(2) on the descriptor: wakes a thread blocked on the socket.
// Safe to call from any thread.
void ShutdownSocket(tcp::socket* socket, bool reads_only = false);

}  // namespace mr::dfs::dataplane
