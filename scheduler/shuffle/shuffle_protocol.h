// The shuffle wire format, shared by ShuffleServer and ShuffleClient.
//
// It rides on the data-plane framing (dfs/dataplane/framing.h: `u32 length |
// u8 type | payload`, bounded frames, poll timeouts), with fixed binary
// payloads, all integers little-endian:
//
//   request  (type kReadRequest, payload at most kMaxRequestBytes):
//     u8 version (1) | u32 partition | u16 n | app_id[n] | u16 m | output_name[m]
//   or, signed (a cluster with security: scheduler/auth/sched_auth.h):
//     u8 version (2) | the same fields | u16 k | mac[k]
//   where mac is HMAC-SHA256 under the job's shuffle secret of the bytes
//   after the version up to the mac (SignedRequestBytes).
//   response (type kReadResponse):
//     u8 version (1) | i32 code (mr::Status::Code) | u64 length | u64 raw_bytes |
//     u64 records | u16 k | message[k]
//   then, if code is OK, the segment's `length` stored bytes (an LZ4 block
//   stream with an XXH3 checksum per block, exactly as in the map output
//   file) in kPacket frames of at most kMaxPacketDataBytes each.
//
// A connection carries any number of request/response exchanges in turn;
// the server closes it after an idle period or on any malformed request.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mr::shuffle {

inline constexpr uint8_t kShuffleProtocolVersion = 1;
inline constexpr uint8_t kSignedRequestVersion = 2;
inline constexpr size_t kMaxRequestBytes = 1024;

struct ShuffleRequest {
  std::string app_id;
  std::string output_name;
  uint32_t partition = 0;
  std::string mac;  // Empty: unsigned (version 1).
};

struct ShuffleResponse {
  Status status;  // OK: the segment follows.
  uint64_t length = 0;
  uint64_t raw_bytes = 0;
  uint64_t records = 0;
};

std::string EncodeRequest(const ShuffleRequest& request);
// The bytes a request's mac covers: partition, app id, output name.
std::string SignedRequestBytes(const ShuffleRequest& request);
// Corruption for anything but one whole well-formed request (names are not
// validated here; the server does that).
Status DecodeRequest(std::string_view bytes, ShuffleRequest* request);

std::string EncodeResponse(const ShuffleResponse& response);
Status DecodeResponse(std::string_view bytes, ShuffleResponse* response);

}  // namespace mr::shuffle
