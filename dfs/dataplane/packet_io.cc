#include "dfs/dataplane/packet_io.h"

#include <algorithm>
#include <cstring>

#include "common/coding.h"
#include "dfs/dataplane/messages.h"

namespace mr::dfs::dataplane {

namespace {

using Clock = std::chrono::steady_clock;

// Thrift compact protocol: a field header is (id delta << 4) | type; a bool
// field carries its value in the type; integers are zigzag varints.
constexpr uint8_t kCompactTrue = 1;
constexpr uint8_t kCompactFalse = 2;
constexpr uint8_t kCompactI64 = 6;
constexpr uint8_t kCompactBinary = 8;
constexpr uint8_t kSeqField = (1 << 4) | kCompactI64;
constexpr uint8_t kOffsetField = (1 << 4) | kCompactI64;  // Delta 1 from seq.
constexpr uint8_t kDataField = (1 << 4) | kCompactBinary;
constexpr uint8_t kLastTrue = (1 << 4) | kCompactTrue;
constexpr uint8_t kLastFalse = (1 << 4) | kCompactFalse;
constexpr uint8_t kStop = 0;
// The longest prefix: 3 field headers, two 10-byte varints, a 5-byte length.
constexpr size_t kMaxPrefixBytes = 28;
constexpr size_t kSuffixBytes = 2;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Parses a varint at *pos of `in`; false if it does not end inside `in`.
bool GetVarint(std::string_view in, size_t* pos, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && *pos < in.size(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(in[(*pos)++]);
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// Parses the prefix EncodePacketPrefix makes; false on anything else.
bool ParsePrefix(std::string_view in, PacketHeader* header, size_t* prefix_bytes,
                 uint64_t* data_bytes) {
  size_t pos = 0;
  uint64_t seq, offset;
  if (in.size() < 1 || static_cast<uint8_t>(in[pos++]) != kSeqField) return false;
  if (!GetVarint(in, &pos, &seq)) return false;
  if (pos >= in.size() || static_cast<uint8_t>(in[pos++]) != kOffsetField) return false;
  if (!GetVarint(in, &pos, &offset)) return false;
  if (pos >= in.size() || static_cast<uint8_t>(in[pos++]) != kDataField) return false;
  if (!GetVarint(in, &pos, data_bytes)) return false;
  header->seq = UnZigZag(seq);
  header->offset = UnZigZag(offset);
  *prefix_bytes = pos;
  return true;
}

// The whole frame went through Thrift (an unusual encoding).
Status DecodeSlowly(const std::string& payload, PacketHeader* header, std::string* data) {
  Packet packet;
  RETURN_NOT_OK(DecodeMessage(payload, &packet));
  header->seq = packet.seq;
  header->offset = packet.offset;
  header->last = packet.last;
  data->swap(packet.data);
  return Status::OK();
}

}  // namespace

std::string EncodePacketPrefix(const PacketHeader& header, size_t data_bytes) {
  std::string out;
  out.push_back(static_cast<char>(kSeqField));
  PutVarint(&out, ZigZag(header.seq));
  out.push_back(static_cast<char>(kOffsetField));
  PutVarint(&out, ZigZag(header.offset));
  out.push_back(static_cast<char>(kDataField));
  PutVarint(&out, data_bytes);
  return out;
}

std::string EncodePacketSuffix(const PacketHeader& header) {
  return {static_cast<char>(header.last ? kLastTrue : kLastFalse), static_cast<char>(kStop)};
}

Status SendPacket(tcp::socket* socket, const PacketHeader& header, std::string_view data,
                  Timeout timeout) {
  if (data.size() > kMaxPacketDataBytes) {
    return Status::InvalidArgument("packet of " + std::to_string(data.size()) + " bytes too big");
  }
  if (!socket->is_open()) return Status::IOError("socket is closed");
  std::string prefix = EncodePacketPrefix(header, data.size());
  std::string suffix = EncodePacketSuffix(header);
  std::string frame;
  PutFixed32(&frame, static_cast<uint32_t>(1 + prefix.size() + data.size() + suffix.size()));
  frame.push_back(static_cast<char>(FrameType::kPacket));
  frame += prefix;
  return WriteFullV(socket, {frame, data, suffix}, Clock::now() + timeout);
}

Status ReceivePacket(tcp::socket* socket, Timeout timeout, bool* is_packet, PacketHeader* header,
                     std::string* data, Frame* other) {
  const Deadline deadline = Clock::now() + timeout;
  FrameType type;
  uint32_t n = 0;
  RETURN_NOT_OK(ReadFrameHeader(socket, &type, &n, deadline));
  *is_packet = type == FrameType::kPacket;
  if (!*is_packet) {
    other->type = type;
    other->payload.resize(n);
    return ReadFull(socket, other->payload.data(), n, deadline);
  }
  // The first bytes hold the prefix (and, for a tiny packet, more).
  char head[kMaxPrefixBytes];
  const size_t head_bytes = std::min<size_t>(n, sizeof(head));
  RETURN_NOT_OK(ReadFull(socket, head, head_bytes, deadline));
  size_t prefix_bytes = 0;
  uint64_t data_bytes = 0;
  if (!ParsePrefix(std::string_view(head, head_bytes), header, &prefix_bytes, &data_bytes) ||
      prefix_bytes + data_bytes + kSuffixBytes != n) {
    std::string payload(head, head_bytes);
    payload.resize(n);
    RETURN_NOT_OK(ReadFull(socket, payload.data() + head_bytes, n - head_bytes, deadline));
    return DecodeSlowly(payload, header, data);
  }
  // Data: what came with the head, then straight from the socket.
  data->resize(data_bytes);
  size_t in_head = std::min<size_t>(head_bytes - prefix_bytes, data_bytes);
  std::memcpy(data->data(), head + prefix_bytes, in_head);
  RETURN_NOT_OK(ReadFull(socket, data->data() + in_head, data_bytes - in_head, deadline));
  char suffix[kSuffixBytes];
  size_t suffix_in_head = head_bytes - prefix_bytes - in_head;
  std::memcpy(suffix, head + prefix_bytes + in_head, suffix_in_head);
  RETURN_NOT_OK(ReadFull(socket, suffix + suffix_in_head, kSuffixBytes - suffix_in_head, deadline));
  uint8_t last = static_cast<uint8_t>(suffix[0]);
  if ((last != kLastTrue && last != kLastFalse) || suffix[1] != kStop) {
    // Valid Thrift, but not as we write it: reassemble and decode.
    std::string payload = EncodePacketPrefix(*header, data_bytes) + *data;
    payload.append(suffix, kSuffixBytes);
    return DecodeSlowly(payload, header, data);
  }
  header->last = last == kLastTrue;
  return Status::OK();
}

}  // namespace mr::dfs::dataplane
