// DatanodeAgent against a fake master (an in-memory MasterLink), with real
// chunk stores and in-process data servers on 127.0.0.1.
#include "dfs/datanode/datanode_agent.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "dfs/dataplane/client.h"
#include "dfs/datanode/scrubber.h"
#include "tests/common/test_util.h"

namespace mr::dfs {
namespace {

using testing::RandomBytes;
using testing::Eventually;

namespace dp = dataplane;
constexpr dp::Timeout kTimeout{5000};

// A master in memory: records every call, answers as told. Thread-safe.
class FakeMasterLink : public MasterLink {
 public:
  Status Register(const wire::DatanodeInfo& info) override {
    std::lock_guard lock(mu_);
    ++register_calls_;
    if (failing_registers_ > 0) {
      --failing_registers_;
      return Status::Unavailable("fake master down");
    }
    info_ = info;
    known_ = true;
    ++registrations_;
    return Status::OK();
  }
  Status Heartbeat(const DatanodeStats& stats,
                   std::vector<wire::DatanodeCommand>* commands) override {
    std::lock_guard lock(mu_);
    commands->clear();
    if (!known_) {
      ++unknown_calls_;
      return Status::NotFound("unknown datanode");
    }
    if (failing_heartbeats_ > 0) {
      --failing_heartbeats_;
      return Status::Unavailable("fake master down");
    }
    ++heartbeats_;
    stats_ = stats;
    lost_.insert(lost_.end(), stats.lost_replicas.begin(), stats.lost_replicas.end());
    commands->assign(commands_.begin(), commands_.end());
    commands_.clear();
    return Status::OK();
  }
  Status ChunkReport(const std::vector<wire::ChunkReplicaInfo>& chunks) override {
    std::lock_guard lock(mu_);
    if (!known_) {
      ++unknown_calls_;
      return Status::NotFound("unknown datanode");
    }
    reports_.push_back(chunks);
    return Status::OK();
  }
  Status ChunkReceived(const wire::ChunkReplicaInfo& chunk) override {
    std::lock_guard lock(mu_);
    if (!known_) return Status::NotFound("unknown datanode");
    received_.push_back(chunk);
    return Status::OK();
  }
  Status ReportBadReplica(int64_t chunk_id) override {
    std::lock_guard lock(mu_);
    if (!known_) return Status::NotFound("unknown datanode");
    bad_.push_back(chunk_id);
    return Status::OK();
  }

  // ---- Test controls and observations.
  void FailRegisters(int n) { std::lock_guard lock(mu_); failing_registers_ = n; }
  void FailHeartbeats(int n) { std::lock_guard lock(mu_); failing_heartbeats_ = n; }
  // Every lost replica heartbeats carried, in order.
  std::vector<wire::ChunkReplicaInfo> lost() const { std::lock_guard lock(mu_); return lost_; }
  // As after a master restart: the node must register again.
  void Forget() { std::lock_guard lock(mu_); known_ = false; }
  void Send(wire::DatanodeCommand command) {
    std::lock_guard lock(mu_);
    commands_.push_back(std::move(command));
  }
  int register_calls() const { std::lock_guard lock(mu_); return register_calls_; }
  int registrations() const { std::lock_guard lock(mu_); return registrations_; }
  int heartbeats() const { std::lock_guard lock(mu_); return heartbeats_; }
  int unknown_calls() const { std::lock_guard lock(mu_); return unknown_calls_; }
  wire::DatanodeInfo info() const { std::lock_guard lock(mu_); return info_; }
  DatanodeStats stats() const { std::lock_guard lock(mu_); return stats_; }
  std::vector<std::vector<wire::ChunkReplicaInfo>> reports() const {
    std::lock_guard lock(mu_);
    return reports_;
  }
  std::vector<wire::ChunkReplicaInfo> received() const { std::lock_guard lock(mu_); return received_; }
  std::vector<int64_t> bad() const { std::lock_guard lock(mu_); return bad_; }

 private:
  mutable std::mutex mu_;
  int failing_registers_ = 0;
  int failing_heartbeats_ = 0;
  bool known_ = false;
  int register_calls_ = 0;
  int registrations_ = 0;
  int heartbeats_ = 0;
  int unknown_calls_ = 0;
  wire::DatanodeInfo info_;
  DatanodeStats stats_;
  std::deque<wire::DatanodeCommand> commands_;
  std::vector<std::vector<wire::ChunkReplicaInfo>> reports_;
  std::vector<wire::ChunkReplicaInfo> received_;
  std::vector<int64_t> bad_;
  std::vector<wire::ChunkReplicaInfo> lost_;
};

// One datanode: a store, a data server and an agent talking to its own fake
// master. The data server stops before the agent (its callback calls the
// agent), as in dfs_datanode_main.cc.
struct TestNode {
  explicit TestNode(const std::string& id,
                    std::chrono::milliseconds report_interval = std::chrono::seconds(60)) {
    auto opened = ChunkStore::Open(dir.path());
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store = std::move(*opened);
    DatanodeAgent::Options options;
    options.self.id = id;
    options.self.host = "127.0.0.1";
    options.self.rack = "/r1";
    options.heartbeat_interval = std::chrono::milliseconds(20);
    options.chunk_report_interval = report_interval;
    options.register_backoff_initial = std::chrono::milliseconds(5);
    options.register_backoff_max = std::chrono::milliseconds(40);
    options.replication.io_timeout = kTimeout;
    DataServer::Options server_options;
    server_options.datanode_id = id;
    server_options.io_timeout = kTimeout;
    server_options.on_chunk_written = [this](const ChunkInfo& c) { agent->OnChunkWritten(c); };
    server = std::make_unique<DataServer>(store.get(), server_options);
    EXPECT_TRUE(server->Start().ok());
    agent = std::make_unique<DatanodeAgent>(&master, store.get(), server.get(), options);
  }
  ~TestNode() {
    server->Stop();
    agent->Stop();
  }
  wire::DatanodeInfo Info() const {
    wire::DatanodeInfo info;
    info.id = master.info().id;
    info.host = "127.0.0.1";
    info.data_port = server->port();
    return info;
  }
  void WriteChunk(int64_t id, int64_t generation, const std::string& data) {
    auto writer = store->CreateChunk(id, generation);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE((*writer)->Append(data).ok());
    ASSERT_TRUE((*writer)->Finalize().ok());
  }
  void CorruptChunk(int64_t id, int64_t generation, off_t offset) {
    std::string path = JoinPath(store->chunk_dir(), ChunkDataName(id, generation));
    int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, "?", 1, offset), 1);
    ::close(fd);
  }

  mr::testing::ScopedTempDir dir;
  FakeMasterLink master;
  std::unique_ptr<ChunkStore> store;
  std::unique_ptr<DatanodeAgent> agent;
  std::unique_ptr<DataServer> server;
};

bool HasChunk(const std::vector<wire::ChunkReplicaInfo>& chunks, int64_t id, int64_t length) {
  for (const auto& c : chunks) {
    if (c.chunk_id == id && c.length == length) return true;
  }
  return false;
}

TEST(DatanodeAgentTest, RegistersHeartbeatsAndReportsChunks) {
  TestNode node("dn1");
  node.WriteChunk(1, 1, "hello");
  node.WriteChunk(2, 3, std::string(70000, 'x'));
  node.agent->Start();
  ASSERT_TRUE(Eventually([&] { return node.master.heartbeats() >= 3; }));
  EXPECT_TRUE(node.agent->registered());
  EXPECT_EQ(node.master.registrations(), 1);
  wire::DatanodeInfo info = node.master.info();
  EXPECT_EQ(info.id, "dn1");
  EXPECT_EQ(info.host, "127.0.0.1");
  EXPECT_EQ(info.rack, "/r1");
  EXPECT_EQ(info.data_port, node.server->port());
  auto reports = node.master.reports();
  ASSERT_EQ(reports.size(), 1u);  // The interval is 60 s: only the one after registering.
  ASSERT_EQ(reports[0].size(), 2u);
  EXPECT_TRUE(HasChunk(reports[0], 1, 5));
  EXPECT_TRUE(HasChunk(reports[0], 2, 70000));
  EXPECT_EQ(reports[0][1].generation, 3);
  DatanodeStats stats = node.master.stats();
  EXPECT_GT(stats.capacity_bytes, 0);
  EXPECT_GT(stats.used_bytes, 0);
  EXPECT_LE(stats.used_bytes, stats.capacity_bytes);
}

TEST(DatanodeAgentTest, LostReplicasRideTheNextHeartbeatThatGetsThrough) {
  TestNode node("dn1");
  node.agent->Start();
  ASSERT_TRUE(Eventually([&] { return node.master.heartbeats() >= 1; }));
  node.master.FailHeartbeats(3);
  node.agent->OnLostReplica(ChunkInfo{7, 2, 100}, "data file missing");
  node.agent->OnLostReplica(ChunkInfo{8, 1, 5}, "meta file has 3 bytes, not 28");
  // Delivered once, after the failed heartbeats, both of them.
  ASSERT_TRUE(Eventually([&] { return node.master.lost().size() >= 2; }));
  int before = node.master.heartbeats();
  ASSERT_TRUE(Eventually([&] { return node.master.heartbeats() >= before + 3; }));
  std::vector<wire::ChunkReplicaInfo> lost = node.master.lost();
  ASSERT_EQ(lost.size(), 2u);
  EXPECT_EQ(lost[0].chunk_id, 7);
  EXPECT_EQ(lost[0].generation, 2);
  EXPECT_EQ(lost[0].length, 100);
  EXPECT_EQ(lost[1].chunk_id, 8);
}

TEST(DatanodeAgentTest, HeartbeatsAreSpacedByTheInterval) {
  TestNode node("dn1");
  auto start = std::chrono::steady_clock::now();
  node.agent->Start();
  ASSERT_TRUE(Eventually([&] { return node.master.heartbeats() >= 6; }));
  // Five intervals of 20 ms at least separate the first and the sixth.
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
}

TEST(DatanodeAgentTest, SendsPeriodicChunkReports) {
  TestNode node("dn1", /*report_interval=*/std::chrono::milliseconds(50));
  node.agent->Start();
  ASSERT_TRUE(Eventually([&] { return node.master.reports().size() >= 3; }));
  node.WriteChunk(5, 1, "later");
  ASSERT_TRUE(Eventually([&] {
    auto reports = node.master.reports();
    return HasChunk(reports.back(), 5, 5);
  }));
}

TEST(DatanodeAgentTest, RetriesRegistrationWhileTheMasterIsDown) {
  TestNode node("dn1");
  node.master.FailRegisters(4);
  node.agent->Start();
  ASSERT_TRUE(Eventually([&] { return node.master.heartbeats() >= 1; }));
  EXPECT_EQ(node.master.register_calls(), 5);
  EXPECT_EQ(node.master.registrations(), 1);
  EXPECT_EQ(node.master.unknown_calls(), 0);  // Nothing was sent before registering.
}

TEST(DatanodeAgentTest, RegistersAgainWhenTheMasterForgetsTheNode) {
  TestNode node("dn1");
  node.WriteChunk(1, 1, "abc");
  node.agent->Start();
  ASSERT_TRUE(Eventually([&] { return node.master.heartbeats() >= 2; }));
  node.master.Forget();  // A master restart.
  ASSERT_TRUE(Eventually([&] {
    return node.master.registrations() == 2 && node.master.reports().size() == 2;
  }));
  EXPECT_TRUE(HasChunk(node.master.reports()[1], 1, 3));
  int beats = node.master.heartbeats();
  ASSERT_TRUE(Eventually([&] { return node.master.heartbeats() > beats + 2; }));
  EXPECT_EQ(node.master.registrations(), 2);
}

TEST(DatanodeAgentTest, ExecutesDelete) {
  TestNode node("dn1");
  node.WriteChunk(1, 1, "doomed");
  node.WriteChunk(2, 1, "kept");
  node.agent->Start();
  wire::DatanodeCommand del;
  del.kind = wire::DatanodeCommandKind::DELETE;
  del.chunk_id = 1;
  del.generation = 1;
  node.master.Send(del);
  del.chunk_id = 99;  // Not here: ignored.
  node.master.Send(del);
  ASSERT_TRUE(Eventually([&] { return node.store->Find(1).status().IsNotFound(); }));
  EXPECT_TRUE(node.store->Find(2).ok());
  int beats = node.master.heartbeats();
  ASSERT_TRUE(Eventually([&] { return node.master.heartbeats() > beats + 2; }));
}

TEST(DatanodeAgentTest, ReplicatesToAnotherDatanodeWhichReportsIt) {
  TestNode source("dn1");
  TestNode target("dn2");
  const std::string data = RandomBytes((2 << 20) + 4321, 7);
  source.WriteChunk(42, 2, data);
  source.agent->Start();
  target.agent->Start();
  ASSERT_TRUE(Eventually([&] { return target.agent->registered(); }));
  wire::DatanodeCommand copy;
  copy.kind = wire::DatanodeCommandKind::REPLICATE;
  copy.chunk_id = 42;
  copy.generation = 2;
  copy.targets.push_back(target.Info());
  source.master.Send(copy);
  ASSERT_TRUE(Eventually([&] { return target.store->Find(42).ok(); }));
  std::string back;
  ASSERT_TRUE(dp::ReadChunkFrom("127.0.0.1", target.server->port(), 42, 2, 0, UINT64_MAX, &back,
                                nullptr, kTimeout).ok());
  EXPECT_TRUE(back == data);
  // The receiving datanode tells its master.
  ASSERT_TRUE(Eventually([&] { return HasChunk(target.master.received(), 42, data.size()); }));
  EXPECT_EQ(target.master.received()[0].generation, 2);
  EXPECT_TRUE(source.master.received().empty());
}

TEST(DatanodeAgentTest, ReportsChunksWrittenByClients) {
  TestNode node("dn1");
  node.agent->Start();
  ASSERT_TRUE(Eventually([&] { return node.agent->registered(); }));
  dp::PipelineWriter writer({/*window=*/4, kTimeout});
  dp::Target target;
  target.datanode_id = "dn1";
  target.host = "127.0.0.1";
  target.port = node.server->port();
  ASSERT_TRUE(writer.Open(7, 1, {target}).ok());
  ASSERT_TRUE(writer.Write("client bytes").ok());
  ASSERT_TRUE(writer.Close().ok());
  ASSERT_TRUE(Eventually([&] { return HasChunk(node.master.received(), 7, 12); }));
}

TEST(DatanodeAgentTest, ChunkWrittenWhileTheMasterIsDownReachesItByReport) {
  TestNode node("dn1");
  node.master.FailRegisters(1000000);
  node.agent->Start();
  node.agent->OnChunkWritten(ChunkInfo{9, 1, 3});  // Queued, no master yet.
  node.WriteChunk(9, 1, "abc");
  ASSERT_TRUE(Eventually([&] { return node.master.register_calls() >= 2; }));
  node.master.FailRegisters(0);
  ASSERT_TRUE(Eventually([&] { return !node.master.reports().empty(); }));
  EXPECT_TRUE(HasChunk(node.master.reports()[0], 9, 3));
}

TEST(DatanodeAgentTest, ReportsAndDeletesCorruptReplicaFoundByTheScrubber) {
  TestNode node("dn1");
  node.WriteChunk(1, 1, std::string(200000, 'a'));
  node.WriteChunk(2, 1, std::string(200000, 'b'));
  node.CorruptChunk(2, 1, 150000);
  node.agent->Start();
  ASSERT_TRUE(Eventually([&] { return node.agent->registered(); }));
  Scrubber::Options options;
  options.bytes_per_second = 64 << 20;
  options.pass_interval = std::chrono::milliseconds(10);
  Scrubber scrubber(node.store.get(), options, [&](const ChunkInfo& c, const Status& s) {
    node.agent->OnCorruptReplica(c, s);
  });
  scrubber.Start();
  ASSERT_TRUE(Eventually([&] { return !node.master.bad().empty(); }));
  scrubber.Stop();
  EXPECT_EQ(node.master.bad()[0], 2);
  EXPECT_TRUE(node.store->Find(2).status().IsNotFound());
  EXPECT_TRUE(node.store->Find(1).ok());
}

TEST(DatanodeAgentTest, CorruptSourceOfAReplicationIsReported) {
  TestNode source("dn1");
  TestNode target("dn2");
  source.WriteChunk(3, 1, std::string(300000, 'c'));
  source.CorruptChunk(3, 1, 10);
  source.agent->Start();
  target.agent->Start();
  wire::DatanodeCommand copy;
  copy.kind = wire::DatanodeCommandKind::REPLICATE;
  copy.chunk_id = 3;
  copy.generation = 1;
  copy.targets.push_back(target.Info());
  source.master.Send(copy);
  ASSERT_TRUE(Eventually([&] { return !source.master.bad().empty(); }));
  EXPECT_EQ(source.master.bad()[0], 3);
  EXPECT_TRUE(source.store->Find(3).status().IsNotFound());
  ASSERT_TRUE(Eventually([&] { return target.store->List().empty(); }));
  EXPECT_TRUE(target.master.received().empty());
}

TEST(DatanodeAgentTest, StopIsPrompt) {
  TestNode node("dn1");
  node.master.FailRegisters(1000000);
  DatanodeAgent::Options options;
  options.self.id = "dn-slow";
  options.self.data_port = 1;
  options.register_backoff_initial = std::chrono::seconds(30);
  options.register_backoff_max = std::chrono::seconds(30);
  DatanodeAgent agent(&node.master, node.store.get(), nullptr, options);
  agent.Start();
  ASSERT_TRUE(Eventually([&] { return node.master.register_calls() >= 1; }));
  auto start = std::chrono::steady_clock::now();
  agent.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace mr::dfs
