#include "dfs/dataplane/framing.h"

#include <utility>  // Before Boost.Asio (C++20, g++ 12).

#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "common/coding.h"
#include "dfs/dataplane/messages.h"
#include "dfs/dataplane/packet_io.h"
#include "tests/common/test_util.h"

namespace mr::dfs::dataplane {
namespace {

constexpr Timeout kTimeout{5000};

// A connected pair of sockets on 127.0.0.1.
class FramingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tcp::acceptor acceptor(io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    ASSERT_TRUE(Connect(&client_, "127.0.0.1", acceptor.local_endpoint().port(), kTimeout).ok());
    acceptor.accept(server_);
  }
  // Writes raw bytes on the client side.
  void SendRaw(const std::string& bytes) {
    boost::system::error_code ec;
    boost::asio::write(client_, boost::asio::buffer(bytes), ec);
    ASSERT_FALSE(ec);
  }

  boost::asio::io_context io_;
  tcp::socket client_{io_};
  tcp::socket server_{io_};
};

TEST_F(FramingTest, RoundTrip) {
  std::string big(kMaxPacketDataBytes, 'x');
  ASSERT_TRUE(WriteFrame(&client_, FrameType::kPacket, big, kTimeout).ok());
  ASSERT_TRUE(WriteFrame(&client_, FrameType::kAck, "", kTimeout).ok());
  Frame frame;
  ASSERT_TRUE(ReadFrame(&server_, &frame, kTimeout).ok());
  EXPECT_EQ(frame.type, FrameType::kPacket);
  EXPECT_EQ(frame.payload, big);
  ASSERT_TRUE(ReadFrame(&server_, &frame, kTimeout).ok());
  EXPECT_EQ(frame.type, FrameType::kAck);
  EXPECT_EQ(frame.payload, "");
}

TEST_F(FramingTest, MessagesRoundTrip) {
  Packet packet;
  packet.seq = 7;
  packet.offset = 1 << 20;
  packet.data = std::string("\0\1binary", 8);
  packet.last = true;
  ASSERT_TRUE(SendMessage(&client_, packet, kTimeout).ok());
  WriteRequest request;
  request.chunk_id = 42;
  request.generation = 3;
  Target t;
  t.datanode_id = "node-r1-2";
  t.host = "127.0.0.1";
  t.port = 5000;
  request.targets = {t, t};
  ASSERT_TRUE(SendMessage(&client_, request, kTimeout).ok());
  Packet got_packet;
  ASSERT_TRUE(ReceiveMessage(&server_, &got_packet, kTimeout).ok());
  EXPECT_EQ(got_packet, packet);
  // Asking for the wrong type is an error, not a misparse.
  Ack ack;
  EXPECT_TRUE(ReceiveMessage(&server_, &ack, kTimeout).IsCorruption());
}

TEST_F(FramingTest, OversizedLengthRejected) {
  std::string header;
  PutFixed32(&header, kMaxFrameBytes + 1);
  header.push_back(static_cast<char>(FrameType::kPacket));
  SendRaw(header);
  Frame frame;
  Status s = ReadFrame(&server_, &frame, kTimeout);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_FALSE(WriteFrame(&client_, FrameType::kPacket, std::string(kMaxFrameBytes, 'x'),
                          kTimeout).ok());
}

TEST_F(FramingTest, TruncatedStreamIsAnError) {
  std::string bytes;
  PutFixed32(&bytes, 100);
  bytes.push_back(static_cast<char>(FrameType::kPacket));
  bytes.append(10, 'x');
  SendRaw(bytes);
  client_.close();
  Frame frame;
  Status s = ReadFrame(&server_, &frame, kTimeout);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
}

TEST_F(FramingTest, GarbageTypeAndPayloadAreErrors) {
  std::string bytes;
  PutFixed32(&bytes, 1);
  bytes.push_back(static_cast<char>(99));
  SendRaw(bytes);
  Frame frame;
  EXPECT_TRUE(ReadFrame(&server_, &frame, kTimeout).IsCorruption());
  Packet packet;
  EXPECT_TRUE(DecodeMessage(std::string("\xff\xff\xff\xff\x0f\x99garbage"), &packet)
                  .IsCorruption());
}

TEST_F(FramingTest, SilentPeerTimesOut) {
  Frame frame;
  auto start = std::chrono::steady_clock::now();
  Status s = ReadFrame(&server_, &frame, Timeout(200));
  EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(StatusWireTest, RoundTrip) {
  Status s = StatusFromWire(StatusToWire(Status::Corruption("bad")), "bad");
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_TRUE(StatusFromWire(0, "").ok());
  EXPECT_EQ(StatusFromWire(1234, "x").code(), Status::Code::kInternal);
}

TEST(PacketIoTest, EncodesExactlyAsThrift) {
  for (int64_t seq : {int64_t{0}, int64_t{1}, int64_t{63}, int64_t{64}, int64_t{1} << 40}) {
    for (int64_t offset : {int64_t{0}, int64_t{65536}, (int64_t{1} << 35) + 7}) {
      for (size_t size : {size_t{0}, size_t{1}, size_t{27}, size_t{200000}}) {
        for (bool last : {false, true}) {
          Packet packet;
          packet.seq = seq;
          packet.offset = offset;
          packet.data = mr::testing::RandomBytes(size, seq + size);
          packet.last = last;
          PacketHeader header{seq, offset, last};
          EXPECT_EQ(EncodePacketPrefix(header, size) + packet.data + EncodePacketSuffix(header),
                    EncodeMessage(packet))
              << seq << " " << offset << " " << size << " " << last;
        }
      }
    }
  }
}

TEST_F(FramingTest, PacketsRoundTripWithoutThrift) {
  const std::vector<size_t> sizes = {0, 1, 20, 30, kMaxPacketDataBytes};
  std::thread sender([&] {
    for (size_t i = 0; i < sizes.size(); ++i) {
      PacketHeader header{static_cast<int64_t>(i), static_cast<int64_t>(i * 1000),
                          i + 1 == sizes.size()};
      EXPECT_TRUE(
          SendPacket(&client_, header, mr::testing::RandomBytes(sizes[i], i), kTimeout).ok());
    }
    // Thrift's own encoding reads the same way.
    Packet packet;
    packet.seq = 9;
    packet.data = "thrift";
    EXPECT_TRUE(SendMessage(&client_, packet, kTimeout).ok());
    // An unknown field (a newer sender): decoded by Thrift, the field skipped.
    PacketHeader header{10, 5, true};
    std::string payload = EncodePacketPrefix(header, 3) + "abc";
    payload += std::string("\x11\x15\x0e\x00", 4);  // last = true, field 5 (i32) = 7, stop.
    EXPECT_TRUE(WriteFrame(&client_, FrameType::kPacket, payload, kTimeout).ok());
    Ack ack;
    EXPECT_TRUE(SendMessage(&client_, ack, kTimeout).ok());
  });
  std::string data = "old";
  PacketHeader header;
  bool is_packet = false;
  Frame other;
  for (size_t i = 0; i < sizes.size(); ++i) {
    ASSERT_TRUE(ReceivePacket(&server_, kTimeout, &is_packet, &header, &data, &other).ok());
    ASSERT_TRUE(is_packet);
    EXPECT_EQ(header.seq, static_cast<int64_t>(i));
    EXPECT_EQ(header.offset, static_cast<int64_t>(i * 1000));
    EXPECT_EQ(header.last, i + 1 == sizes.size());
    EXPECT_EQ(data, mr::testing::RandomBytes(sizes[i], i));
  }
  ASSERT_TRUE(ReceivePacket(&server_, kTimeout, &is_packet, &header, &data, &other).ok());
  EXPECT_TRUE(is_packet);
  EXPECT_EQ(header.seq, 9);
  EXPECT_EQ(data, "thrift");
  ASSERT_TRUE(ReceivePacket(&server_, kTimeout, &is_packet, &header, &data, &other).ok());
  EXPECT_TRUE(is_packet);
  EXPECT_EQ(header.seq, 10);
  EXPECT_TRUE(header.last);
  EXPECT_EQ(data, "abc");
  ASSERT_TRUE(ReceivePacket(&server_, kTimeout, &is_packet, &header, &data, &other).ok());
  EXPECT_FALSE(is_packet);
  EXPECT_EQ(other.type, FrameType::kAck);
  sender.join();
}

}  // namespace
}  // namespace mr::dfs::dataplane
