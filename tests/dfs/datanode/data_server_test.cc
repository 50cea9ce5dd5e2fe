#include "dfs/datanode/data_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <random>
#include <thread>

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "common/coding.h"
#include "dfs/dataplane/client.h"
#include "tests/common/idle_connection.h"
#include "tests/common/test_util.h"

DECLARE_int64(fault_inject_enospc_after_bytes);  // common/file.cc
DECLARE_bool(dfs_datanode_short_circuit_reads);    // local_replica_handler.cc

namespace mr::dfs {
namespace {

using testing::RandomBytes;
using testing::Eventually;

namespace dp = dataplane;
constexpr dp::Timeout kTimeout{5000};

// A port on 127.0.0.1 with nothing listening on it.
int ClosedPort() {
  boost::asio::io_context io;
  dp::tcp::acceptor acceptor(io, dp::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

struct Node {
  // `capacity`: --dfs_datanode_capacity_bytes of this node (0: the real disk).
  explicit Node(const std::string& id, int64_t capacity = 0) {
    DiskSpace::Options space;
    space.capacity_bytes = capacity;
    auto opened = ChunkStore::Open(dir.path(), space);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store = std::move(*opened);
    DataServer::Options options;
    options.datanode_id = id;
    options.io_timeout = kTimeout;
    server = std::make_unique<DataServer>(store.get(), options);
    EXPECT_TRUE(server->Start().ok());
    target.datanode_id = id;
    target.host = "127.0.0.1";
    target.port = server->port();
  }
  bool Empty() const {
    auto files = ListInputFiles(store->chunk_dir());
    return store->List().empty() && files.ok() && files->empty();
  }

  mr::testing::ScopedTempDir dir;
  std::unique_ptr<ChunkStore> store;
  std::unique_ptr<DataServer> server;
  dp::Target target;
};

class DataServerTest : public ::testing::Test {
 protected:
  DataServerTest() {
    for (int i = 1; i <= 3; ++i) nodes_.push_back(std::make_unique<Node>("dn" + std::to_string(i)));
  }
  std::vector<dp::Target> Targets() const {
    std::vector<dp::Target> targets;
    for (const auto& n : nodes_) targets.push_back(n->target);
    return targets;
  }
  // Writes `data` in uneven pieces through `targets`.
  Status WriteThrough(const std::vector<dp::Target>& targets, int64_t id, const std::string& data,
                      std::string* failed_id = nullptr, uint64_t reserve_bytes = 0) {
    dp::PipelineWriter writer({/*window=*/4, kTimeout});
    Status s = writer.Open(id, 1, targets, reserve_bytes);
    for (size_t pos = 0; s.ok() && pos < data.size(); pos += 100000) {
      s = writer.Write(std::string_view(data).substr(pos, 100000));
    }
    if (s.ok()) s = writer.Close();
    if (failed_id != nullptr) *failed_id = writer.failed_datanode_id();
    return s;
  }
  Status ReadFrom(const Node& node, int64_t id, std::string* out, uint64_t offset = 0,
                  uint64_t length = UINT64_MAX) {
    return dp::ReadChunkFrom("127.0.0.1", node.target.port, id, 1, offset, length, out, nullptr,
                             kTimeout);
  }

  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(DataServerTest, PipelinedWriteReachesEveryReplica) {
  std::string data = RandomBytes((3 << 20) + 12345, 1);
  ASSERT_TRUE(WriteThrough(Targets(), 7, data).ok());
  for (const auto& node : nodes_) {
    std::string back;
    ASSERT_TRUE(ReadFrom(*node, 7, &back).ok()) << node->target.datanode_id;
    EXPECT_EQ(back, data) << node->target.datanode_id;
    ASSERT_TRUE(ReadFrom(*node, 7, &back, 65530, 70000).ok());
    EXPECT_EQ(back, data.substr(65530, 70000));
  }
}

// 600 connections held open (half idle, half with a frame header begun and
// never finished) against a limit of 64 cannot keep a write and a read out:
// each new connection closes the one that waited longest for its request.
TEST_F(DataServerTest, HeldConnectionsDoNotKeepRequestsOut) {
  std::vector<std::unique_ptr<testing::IdleTcpConnection>> held;
  for (int i = 0; i < 600; ++i) {
    held.push_back(std::make_unique<testing::IdleTcpConnection>(nodes_[0]->target.port));
    if (i % 2 == 1) held.back()->Send(std::string("\x01\0", 2));
  }
  std::string data = RandomBytes(300000, 5);
  for (int round = 0; round < 3; ++round) {
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(WriteThrough(Targets(), 20 + round, data).ok()) << round;
    std::string back;
    ASSERT_TRUE(ReadFrom(*nodes_[0], 20 + round, &back).ok()) << round;
    EXPECT_EQ(back, data);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1)) << round;
  }
  int closed = 0;
  EXPECT_TRUE(Eventually([&] {
    closed = 0;
    for (auto& c : held) closed += c->ClosedByServer();
    return closed >= 600 - 64;
  }, std::chrono::seconds(10))) << closed;
}

TEST_F(DataServerTest, EmptyChunk) {
  ASSERT_TRUE(WriteThrough(Targets(), 8, "").ok());
  std::string back = "x";
  uint64_t length = 99;
  ASSERT_TRUE(dp::ReadChunkFrom("127.0.0.1", nodes_[2]->target.port, 8, 1, 0, 10, &back, &length,
                                kTimeout).ok());
  EXPECT_EQ(back, "");
  EXPECT_EQ(length, 0u);
}

TEST_F(DataServerTest, CorruptReplicaReadFails) {
  std::string data = RandomBytes(200000, 2);
  ASSERT_TRUE(WriteThrough({nodes_[0]->target}, 9, data).ok());
  std::string path = JoinPath(nodes_[0]->store->chunk_dir(), ChunkDataName(9, 1));
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "?", 1, 150000), 1);
  ::close(fd);
  std::string back;
  Status s = ReadFrom(*nodes_[0], 9, &back);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("chunk 9"), std::string::npos);
  EXPECT_TRUE(ReadFrom(*nodes_[0], 9, &back, 0, 65536).ok());  // Intact slices still read.
  EXPECT_TRUE(ReadFrom(*nodes_[0], 10, &back).IsNotFound());
}

TEST_F(DataServerTest, DownThirdTargetIsReportedAndNothingIsKept) {
  std::vector<dp::Target> targets = Targets();
  nodes_[2]->server->Stop();
  targets[2].port = ClosedPort();
  std::string failed;
  Status s = WriteThrough(targets, 11, RandomBytes(300000, 3), &failed);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.ToString();
  EXPECT_EQ(failed, "dn3");
  EXPECT_TRUE(Eventually([&] { return nodes_[0]->Empty() && nodes_[1]->Empty(); }));
}

TEST_F(DataServerTest, ThirdTargetDyingMidStreamAbortsEveryReplica) {
  dp::PipelineWriter writer({/*window=*/4, kTimeout});
  ASSERT_TRUE(writer.Open(12, 1, Targets()).ok());
  ASSERT_TRUE(writer.Write(RandomBytes(1 << 20, 4)).ok());
  nodes_[2]->server->Stop();  // Drops its connections.
  std::string more = RandomBytes(1 << 20, 5);
  Status s = writer.Write(more);
  if (s.ok()) s = writer.Close();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(writer.failed_datanode_id(), "dn3") << s.ToString();
  for (const auto& node : nodes_) {
    EXPECT_TRUE(Eventually([&] { return node->Empty(); })) << node->target.datanode_id;
  }
}

TEST_F(DataServerTest, MalformedFramesDoNotStopTheServer) {
  const std::vector<std::string> garbage = [] {
    std::string too_long, bad_type, bad_payload;
    PutFixed32(&too_long, 0xffffffffu);
    too_long.push_back(4);
    PutFixed32(&bad_type, 1);
    bad_type.push_back(77);
    PutFixed32(&bad_payload, 6);
    bad_payload.push_back(static_cast<char>(dp::FrameType::kWriteRequest));
    bad_payload.append("\xff\xff\xff\xff\xff", 5);
    return std::vector<std::string>{too_long, bad_type, bad_payload, "xy"};
  }();
  for (const std::string& bytes : garbage) {
    boost::asio::io_context io;
    dp::tcp::socket socket(io);
    ASSERT_TRUE(dp::Connect(&socket, "127.0.0.1", nodes_[0]->target.port, kTimeout).ok());
    boost::system::error_code ec;
    boost::asio::write(socket, boost::asio::buffer(bytes), ec);
    socket.shutdown(dp::tcp::socket::shutdown_send, ec);
    dp::Frame frame;
    EXPECT_FALSE(dp::ReadFrame(&socket, &frame, kTimeout).ok());  // Closed, no answer.
  }
  std::string data = RandomBytes(70000, 6);
  ASSERT_TRUE(WriteThrough({nodes_[0]->target}, 13, data).ok());
  std::string back;
  ASSERT_TRUE(ReadFrom(*nodes_[0], 13, &back).ok());
  EXPECT_EQ(back, data);
}

TEST_F(DataServerTest, FullDatanodeRefusesTheWriteAndNamesItself) {
  constexpr uint64_t kChunkBytes = 1 << 20;
  for (size_t full = 0; full < nodes_.size(); ++full) {
    // Room for 300000 bytes, but the write may bring a whole chunk.
    nodes_[full] = std::make_unique<Node>("dn" + std::to_string(full + 1), 300000);
    std::string failed;
    Status s = WriteThrough(Targets(), 20 + full, RandomBytes(200000, 7), &failed, kChunkBytes);
    EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
    EXPECT_EQ(failed, nodes_[full]->target.datanode_id);
    EXPECT_EQ(s.message(), "datanode " + failed + " is full: 300000 bytes free, needs " +
                               std::to_string(kChunkBytes));
    for (const auto& node : nodes_) {
      EXPECT_TRUE(Eventually([&] { return node->Empty(); })) << node->target.datanode_id;
    }
    // Within its space, the same node takes a write.
    ASSERT_TRUE(WriteThrough(Targets(), 30 + full, RandomBytes(200000, 8), nullptr, 250000).ok());
    for (const auto& node : nodes_) ASSERT_TRUE(node->store->Delete(30 + full).ok());
    nodes_[full] = std::make_unique<Node>("dn" + std::to_string(full + 1));
  }
}

TEST_F(DataServerTest, DiskFullMidWriteNamesTheNodeAndLeavesNoReplica) {
  gflags::FlagSaver saver;
  FLAGS_fault_inject_enospc_after_bytes = 150000;  // Every WritableFile in this process.
  std::string failed;
  Status s = WriteThrough({nodes_[0]->target}, 40, RandomBytes(400000, 9), &failed);
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  EXPECT_EQ(failed, "dn1");
  EXPECT_EQ(s.message().rfind("datanode dn1 is full: ", 0), 0u) << s.message();
  EXPECT_TRUE(Eventually([&] { return nodes_[0]->Empty(); }));
}

// Short-circuit reads: the datanode names its own replica's files, by
// (chunk id, generation) only, and refuses when told to.
TEST_F(DataServerTest, LocalReplicaRequestNamesTheReplicaFiles) {
  std::string data = RandomBytes(200000, 5);
  ASSERT_TRUE(WriteThrough({nodes_[0]->target}, 11, data).ok());
  const int port = nodes_[0]->target.port;
  dp::LocalReplicaResponse response;
  ASSERT_TRUE(dp::LocateLocalReplica("127.0.0.1", port, 11, 1, &response, kTimeout).ok());
  EXPECT_EQ(response.chunk_length, 200000);
  EXPECT_EQ(response.data_path[0], '/');
  Result<std::string> bytes = ReadFileToString(response.data_path);
  ASSERT_TRUE(bytes.ok()) << response.data_path;
  EXPECT_TRUE(*bytes == data);
  EXPECT_TRUE(PathExists(response.meta_path));
  EXPECT_EQ(response.meta_path, JoinPath(nodes_[0]->store->chunk_dir(), ChunkMetaName(11, 1)));

  // Another generation, another chunk: no files named.
  Status s = dp::LocateLocalReplica("127.0.0.1", port, 11, 2, &response, kTimeout);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  s = dp::LocateLocalReplica("127.0.0.1", port, 12, 1, &response, kTimeout);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();

  FLAGS_dfs_datanode_short_circuit_reads = false;
  s = dp::LocateLocalReplica("127.0.0.1", port, 11, 1, &response, kTimeout);
  FLAGS_dfs_datanode_short_circuit_reads = true;
  EXPECT_TRUE(s.IsAborted()) << s.ToString();
  EXPECT_TRUE(response.data_path.empty());
}

}  // namespace
}  // namespace mr::dfs
