// Packet frames without copying their data: the hot path of reads (a
// datanode streaming a chunk, a client receiving it).
//
// SendPacket writes exactly the frame SendMessage(Packet) would (the
// thrift-compact encoding of dataplane.thrift's Packet), but builds the few
// bytes around the data by hand and hands header, data and trailer to one
// sendmsg(2), instead of copying the data twice into a Thrift buffer.
// ReceivePacket reads a Packet frame with the data going straight from the
// socket into the caller's string; a frame of another type is returned
// whole, and a Packet encoded in any other valid way (field order, extra
// fields) is decoded by Thrift, only slower. framing_test checks the bytes
// against Thrift's.
// Thread-safety: as framing.h (one reader and one writer per socket).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "dfs/dataplane/framing.h"

namespace mr::dfs::dataplane {

struct PacketHeader {
  int64_t seq = 0;
  int64_t offset = 0;
  bool last = false;
};

// `data` is at most kMaxPacketDataBytes.
Status SendPacket(tcp::socket* socket, const PacketHeader& header, std::string_view data,
                  Timeout timeout);

// Reads one frame. A Packet: *is_packet = true, its fields in *header and its
// data replacing *data (whose capacity is reused). Any other frame type:
// *is_packet = false and the frame in *other.
Status ReceivePacket(tcp::socket* socket, Timeout timeout, bool* is_packet, PacketHeader* header,
                     std::string* data, Frame* other);

// The thrift-compact bytes of a Packet before and after its data (exposed
// for tests).
std::string EncodePacketPrefix(const PacketHeader& header, size_t data_bytes);
std::string EncodePacketSuffix(const PacketHeader& header);

}  // namespace mr::dfs::dataplane
