// The shuffle under injected faults (--shuffle_fault_drop_fraction): a server
// that drops half the requests still delivers every segment to a reduce's
// copy phase (FetchPartition) that retries; one that drops them all, or a
// service that is gone, becomes a fetch failure naming the map once it has
// been unreachable for the bound; one that is out for less than the bound
// (its connections all taken) costs time only.
#include <utility>  // Must precede Boost.Asio with C++20 on g++ 12.

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "mapreduce/map_output_index.h"
#include "mapreduce/segment.h"
#include "mapreduce/shuffle_fetcher.h"
#include "scheduler/shuffle/shuffle_server.h"
#include "tests/common/idle_connection.h"
#include "test_util.h"

namespace mr::shuffle {
namespace {

constexpr char kApp[] = "app_1764237600000_0003";
constexpr int kMaps = 8;
constexpr int kRecords = 100;  // Per map, all in partition 0.

class ShuffleFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    apps_ = dir_.Join("apps");
    std::string output = JoinPath(JoinPath(apps_, kApp), "output");
    ASSERT_TRUE(CreateDirs(output).ok());
    ASSERT_TRUE(CreateDirs(dir_.Join("fetched")).ok());
    for (int m = 0; m < kMaps; ++m) {
      auto writer = SegmentFileWriter::Create(JoinPath(output, Name(m)), 1);
      ASSERT_TRUE(writer.ok());
      ASSERT_TRUE((*writer)->StartPartition(0).ok());
      for (int i = 0; i < kRecords; ++i) {
        std::string key = "k";
        key += std::to_string(i);
        ASSERT_TRUE((*writer)->Append(key, std::to_string(m)).ok());
      }
      auto file = (*writer)->Finish();
      ASSERT_TRUE(file.ok());
      ASSERT_TRUE(WriteMapOutputIndex(*file, m).ok());
    }
  }

  static std::string Name(int m) { return "m_00000" + std::to_string(m) + "_0.out"; }

  std::unique_ptr<ShuffleServer> StartServer(double drop_fraction) {
    ShuffleServer::Options options;
    options.apps_dir = apps_;
    options.fault_drop_fraction = drop_fraction;
    options.fault_seed = 42;
    auto server = ShuffleServer::Start(options);
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    return server.ok() ? std::move(server).value() : nullptr;
  }

  FetchRequest Request(int port, int64_t unreachable_ms) {
    FetchRequest request;
    request.app_id = kApp;
    request.partition = 0;
    for (int m = 0; m < kMaps; ++m) {
      request.sources.push_back({"127.0.0.1", port, kApp, Name(m), ""});
    }
    request.dir = dir_.Join("fetched");
    request.unreachable_ms = unreachable_ms;
    return request;
  }

  testing::ScopedTempDir dir_;
  std::string apps_;
};

TEST_F(ShuffleFaultTest, HalfTheRequestsDroppedEverySegmentStillArrives) {
  auto server = StartServer(0.5);
  ASSERT_NE(server, nullptr);
  std::atomic<bool> cancelled{false};
  FetchStats stats;
  auto segments = FetchPartition(Request(server->port(), 10000), cancelled, &stats);
  ASSERT_TRUE(segments.ok()) << segments.status().ToString();
  ASSERT_EQ(segments->size(), static_cast<size_t>(kMaps));
  EXPECT_TRUE(stats.failures.empty());
  EXPECT_EQ(stats.records, static_cast<uint64_t>(kMaps * kRecords));
  for (const SegmentRef& s : *segments) EXPECT_EQ(s.info.records, static_cast<uint64_t>(kRecords));
}

TEST_F(ShuffleFaultTest, EveryRequestDroppedIsAFetchFailureOfEachMap) {
  auto server = StartServer(1.0);
  ASSERT_NE(server, nullptr);
  std::atomic<bool> cancelled{false};
  FetchStats stats;
  auto start = std::chrono::steady_clock::now();
  auto segments = FetchPartition(Request(server->port(), 1000), cancelled, &stats);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_EQ(segments.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(segments.status().message().find("m_000000_0.out on 127.0.0.1:"), std::string::npos)
      << segments.status().ToString();
  ASSERT_EQ(stats.failures.size(), static_cast<size_t>(kMaps));
  for (int m = 0; m < kMaps; ++m) EXPECT_EQ(stats.failures[m].source, static_cast<size_t>(m));
}

// Only the outputs on the lost service fail; the others are fetched.
TEST_F(ShuffleFaultTest, OnlyTheMapsOfAnUnreachableServiceFail) {
  auto server = StartServer(0);
  ASSERT_NE(server, nullptr);
  auto gone = StartServer(0);
  ASSERT_NE(gone, nullptr);
  int gone_port = gone->port();
  gone->Stop();
  gone.reset();
  FetchRequest request = Request(server->port(), 1000);
  request.sources[2].port = gone_port;
  request.sources[6].port = gone_port;
  std::atomic<bool> cancelled{false};
  FetchStats stats;
  auto segments = FetchPartition(request, cancelled, &stats);
  EXPECT_EQ(segments.status().code(), Status::Code::kUnavailable);
  ASSERT_EQ(stats.failures.size(), 2u);
  EXPECT_EQ(stats.failures[0].source, 2u);
  EXPECT_EQ(stats.failures[1].source, 6u);
  EXPECT_EQ(stats.records, static_cast<uint64_t>((kMaps - 2) * kRecords));
}

// A service that refuses for a while (every connection closed, as at an
// outage): the reduce backs off and tries again, and once it serves again
// the reduce fetches everything, with no fetch failure.
TEST_F(ShuffleFaultTest, AServiceRefusingForAWhileCostsTimeNotOutputs) {
  ShuffleServer::Options options;
  options.apps_dir = apps_;
  options.fault_refuse_file = apps_ + "/refuse";
  ASSERT_TRUE(WriteStringToFile(options.fault_refuse_file, "", false).ok());
  auto started = ShuffleServer::Start(options);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  std::unique_ptr<ShuffleServer> server = std::move(started).value();
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    EXPECT_TRUE(RemoveAll(options.fault_refuse_file).ok());
  });
  std::atomic<bool> cancelled{false};
  FetchStats stats;
  auto start = std::chrono::steady_clock::now();
  auto segments = FetchPartition(Request(server->port(), 10000), cancelled, &stats);
  release.join();
  ASSERT_TRUE(segments.ok()) << segments.status().ToString();
  EXPECT_TRUE(stats.failures.empty());
  EXPECT_EQ(stats.records, static_cast<uint64_t>(kMaps * kRecords));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(800));
}

// Connections held open (idle, or with a request header begun) far past
// the limit cannot keep a reduce out: each new connection closes the one
// that waited longest for a request, and the fetch is prompt and whole.
TEST_F(ShuffleFaultTest, HeldConnectionsDoNotKeepAFetchOut) {
  ShuffleServer::Options options;
  options.apps_dir = apps_;
  options.max_connections = 4;
  auto started = ShuffleServer::Start(options);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  std::unique_ptr<ShuffleServer> server = std::move(started).value();
  std::vector<std::unique_ptr<mr::testing::IdleTcpConnection>> held;
  for (int i = 0; i < 200; ++i) {
    held.push_back(std::make_unique<mr::testing::IdleTcpConnection>(server->port()));
    if (i % 2 == 1) held.back()->Send(std::string("\0\0", 2));
  }
  std::atomic<bool> cancelled{false};
  FetchStats stats;
  auto start = std::chrono::steady_clock::now();
  auto segments = FetchPartition(Request(server->port(), 10000), cancelled, &stats);
  ASSERT_TRUE(segments.ok()) << segments.status().ToString();
  EXPECT_TRUE(stats.failures.empty());
  EXPECT_EQ(stats.records, static_cast<uint64_t>(kMaps * kRecords));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  int closed = 0;
  EXPECT_TRUE(mr::testing::Eventually([&] {
    closed = 0;
    for (auto& c : held) closed += c->ClosedByServer();
    return closed >= 200 - 4;
  }, std::chrono::seconds(10))) << closed;
}

}  // namespace
}  // namespace mr::shuffle
