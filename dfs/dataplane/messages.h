// The thrift-compact payloads of data-plane frames (dataplane.thrift), sent
// and received as whole frames, and Status <-> wire code mapping.
// Decoding garbage yields Corruption (Thrift exceptions are caught here).
// Thread-safety: stateless.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "dataplane_types.h"
#include "dfs/dataplane/framing.h"

namespace mr::dfs::dataplane {

// The seq of the Ack that reports the pipeline as set up (or not).
inline constexpr int64_t kSetupAckSeq = -1;

template <typename T> constexpr FrameType FrameTypeOf();
template <> constexpr FrameType FrameTypeOf<ReadRequest>() { return FrameType::kReadRequest; }
template <> constexpr FrameType FrameTypeOf<ReadResponse>() { return FrameType::kReadResponse; }
template <> constexpr FrameType FrameTypeOf<WriteRequest>() { return FrameType::kWriteRequest; }
template <> constexpr FrameType FrameTypeOf<Packet>() { return FrameType::kPacket; }
template <> constexpr FrameType FrameTypeOf<Ack>() { return FrameType::kAck; }
template <> constexpr FrameType FrameTypeOf<LocalReplicaRequest>() {
  return FrameType::kLocalReplicaRequest;
}
template <> constexpr FrameType FrameTypeOf<LocalReplicaResponse>() {
  return FrameType::kLocalReplicaResponse;
}

// Defined for the message types of dataplane.thrift.
template <typename T> std::string EncodeMessage(const T& message);
template <typename T> Status DecodeMessage(std::string_view bytes, T* message);

template <typename T>
Status SendMessage(tcp::socket* socket, const T& message, Timeout timeout) {
  return WriteFrame(socket, FrameTypeOf<T>(), EncodeMessage(message), timeout);
}

// Reads one frame and decodes it as T; Corruption if it is another type.
template <typename T>
Status ReceiveMessage(tcp::socket* socket, T* message, Timeout timeout) {
  Frame frame;
  RETURN_NOT_OK(ReadFrame(socket, &frame, timeout));
  if (frame.type != FrameTypeOf<T>()) {
    return Status::Corruption("unexpected frame type " +
                              std::to_string(static_cast<int>(frame.type)));
  }
  return DecodeMessage(frame.payload, message);
}

int32_t StatusToWire(const Status& status);
// An unknown non-zero code becomes Internal.
Status StatusFromWire(int32_t code, const std::string& message);

}  // namespace mr::dfs::dataplane
