#include "dfs/dataplane/framing.h"

#include <utility>  // Before Boost.Asio (C++20, g++ 12).

#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

#include <gtest/gtest.h>

#include "common/coding.h"
#include "dfs/dataplane/messages.h"

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

}  // namespace
}  // namespace mr::dfs::dataplane
