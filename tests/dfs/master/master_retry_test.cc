// The master's side of clients riding through failures (docs/DFS.md,
// "Master restarts"), over real RPC to an in-process MasterServer: retried
// Create and AddChunk are recognized, AbandonChunk and BumpChunkGeneration
// (and both survive a restart), the startup grace that holds AddChunk and
// GetChunkLocations until datanodes report again, and the connection cap.
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "dfs/master/master_client.h"
#include "dfs/master/master_server.h"
#include "tests/dfs/master/master_server_test.h"
#include "test_util.h"

namespace mr::dfs {
namespace {

using mr::testing::Eventually;

using Kind = wire::DatanodeCommandKind::type;
constexpr int64_t kChunkSize = 1 << 20;

wire::ChunkReplicaInfo Replica(int64_t chunk_id, int64_t generation, int64_t length) {
  wire::ChunkReplicaInfo r;
  r.chunk_id = chunk_id;
  r.generation = generation;
  r.length = length;
  return r;
}

class MasterRetryTest : public MasterServerTest {
 protected:
  void SetUp() override {
    gflags::SetCommandLineOption("dfs_heartbeat_timeout_ms", "5000");
    gflags::SetCommandLineOption("dfs_master_startup_grace_ms", "0");
    StartServer();
  }

  // a1, a2 (rack /r1), b1, b2 (/r2), each with 1 TiB free.
  static void RegisterCluster(MasterClient* client) {
    int port = 9001;
    for (const char* id : {"a1", "a2", "b1", "b2"}) {
      wire::DatanodeInfo info;
      info.id = id;
      info.host = std::string("host-") + id;
      info.data_port = port++;
      info.rack = id[0] == 'a' ? "/r1" : "/r2";
      ASSERT_TRUE(client->RegisterDatanode(info).ok());
      ASSERT_TRUE(client->Heartbeat(id, int64_t{1} << 40, 0, 0).ok());
    }
  }

  // `node`'s commands from one heartbeat.
  std::vector<wire::DatanodeCommand> Heartbeat(const std::string& node) {
    auto commands = client_->Heartbeat(node, int64_t{1} << 40, 0, 0);
    EXPECT_TRUE(commands.ok()) << commands.status().ToString();
    return commands.ok() ? *commands : std::vector<wire::DatanodeCommand>();
  }

  static bool Has(const std::vector<wire::DatanodeCommand>& commands, Kind kind,
                  int64_t chunk_id, int64_t generation) {
    for (const wire::DatanodeCommand& c : commands) {
      if (c.kind == kind && c.chunk_id == chunk_id && c.generation == generation) return true;
    }
    return false;
  }

  gflags::FlagSaver flag_saver_;
};

TEST_F(MasterRetryTest, RetriedCreateAndAddChunkGetTheSameAnswer) {
  RegisterCluster(client_.get());
  ASSERT_TRUE(client_->Create("/r", 3, kChunkSize, "w", "host-a1").ok());
  // The same Create again (its reply was lost): the same answer.
  auto again = client_->Create("/r", 3, kChunkSize, "w", "host-a1");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->under_construction);
  // Another client, or other settings, are not a retry.
  EXPECT_TRUE(client_->Create("/r", 3, kChunkSize, "other", "").status().IsAlreadyExists());
  EXPECT_TRUE(client_->Create("/r", 2, kChunkSize, "w", "").status().IsAlreadyExists());

  auto first = client_->AddChunk("/r", "w", {}, /*previous_chunk_id=*/0);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto first_again = client_->AddChunk("/r", "w", {}, 0);
  ASSERT_TRUE(first_again.ok()) << first_again.status().ToString();
  EXPECT_EQ(first_again->chunk_id, first->chunk_id);
  EXPECT_EQ(first_again->generation, first->generation);
  EXPECT_EQ(first_again->offset_in_file, 0);
  EXPECT_EQ(first_again->replicas.size(), 3u);
  // With a chunk, Create is no retry any more.
  EXPECT_TRUE(client_->Create("/r", 3, kChunkSize, "w", "").status().IsAlreadyExists());

  auto second = client_->AddChunk("/r", "w", {}, first->chunk_id);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->chunk_id, first->chunk_id);
  EXPECT_EQ(second->offset_in_file, kChunkSize);
  // A writer out of step is refused rather than handed a wrong chunk.
  EXPECT_EQ(client_->AddChunk("/r", "w", {}, 12345).status().code(), Status::Code::kAborted);

  // The op log has it all: after a restart the retry still finds `second`.
  RestartServer();
  RegisterCluster(client_.get());
  auto second_again = client_->AddChunk("/r", "w", {}, first->chunk_id);
  ASSERT_TRUE(second_again.ok()) << second_again.status().ToString();
  EXPECT_EQ(second_again->chunk_id, second->chunk_id);
  EXPECT_EQ(second_again->offset_in_file, kChunkSize);
  auto chunks = client_->AddChunk("/r", "w", {}, -1);  // Old clients: always a new one.
  ASSERT_TRUE(chunks.ok());
  EXPECT_GT(chunks->chunk_id, second->chunk_id);
}

TEST_F(MasterRetryTest, AbandonedChunkLeavesTheFileAndItsReplicasAreDeleted) {
  RegisterCluster(client_.get());
  ASSERT_TRUE(client_->Create("/a", 3, kChunkSize, "w", "").ok());
  auto first = client_->AddChunk("/a", "w", {}, 0);
  ASSERT_TRUE(first.ok());
  for (const char* node : {"a1", "b1"}) {
    ASSERT_TRUE(client_->ChunkReceived(node, Replica(first->chunk_id, 1, kChunkSize)).ok());
  }
  auto refused = client_->AddChunk("/a", "w", {}, first->chunk_id);
  ASSERT_TRUE(refused.ok());
  // Say a partial copy of it did reach b2.
  ASSERT_TRUE(client_->ChunkReceived("b2", Replica(refused->chunk_id, 1, 10)).ok());
  EXPECT_EQ(client_->AbandonChunk("/a", "w", first->chunk_id).code(), Status::Code::kAborted)
      << "only the last chunk can be abandoned";
  EXPECT_EQ(client_->AbandonChunk("/a", "other", refused->chunk_id).code(),
            Status::Code::kAborted);
  ASSERT_TRUE(client_->AbandonChunk("/a", "w", refused->chunk_id).ok());
  ASSERT_TRUE(client_->AbandonChunk("/a", "w", refused->chunk_id).ok()) << "a retry";
  EXPECT_TRUE(Has(Heartbeat("b2"), wire::DatanodeCommandKind::DELETE, refused->chunk_id, 1));

  // The writer goes on after its first chunk.
  auto next = client_->AddChunk("/a", "w", {}, first->chunk_id);
  ASSERT_TRUE(next.ok());
  EXPECT_NE(next->chunk_id, refused->chunk_id);
  EXPECT_EQ(next->offset_in_file, kChunkSize);
  for (const char* node : {"a2", "b2"}) {
    ASSERT_TRUE(client_->ChunkReceived(node, Replica(next->chunk_id, 1, 7)).ok());
  }
  auto done = client_->Complete("/a", "w", 7);
  ASSERT_TRUE(done.ok() && *done);

  RestartServer();  // The abandon is in the op log too.
  auto stat = client_->Stat("/a");
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat->length, kChunkSize + 7);
}

TEST_F(MasterRetryTest, BumpedGenerationMakesTheDroppedNodesReplicaStale) {
  RegisterCluster(client_.get());
  ASSERT_TRUE(client_->Create("/g", 3, kChunkSize, "w", "").ok());
  auto chunk = client_->AddChunk("/g", "w", {}, 0);
  ASSERT_TRUE(chunk.ok());
  ASSERT_EQ(chunk->generation, 1);
  // a1 kept a copy of the first generation, then dropped out of the pipeline.
  ASSERT_TRUE(client_->ChunkReceived("a1", Replica(chunk->chunk_id, 1, 100)).ok());
  auto generation = client_->BumpChunkGeneration("/g", "w", chunk->chunk_id);
  ASSERT_TRUE(generation.ok()) << generation.status().ToString();
  EXPECT_EQ(*generation, 2);
  EXPECT_EQ(client_->BumpChunkGeneration("/g", "other", chunk->chunk_id).status().code(),
            Status::Code::kAborted);
  for (const char* node : {"b1", "b2"}) {
    ASSERT_TRUE(client_->ChunkReceived(node, Replica(chunk->chunk_id, 2, 100)).ok());
  }
  auto done = client_->Complete("/g", "w", 100);
  ASSERT_TRUE(done.ok() && *done);

  // The master restarts and a1 comes back with its old copy: it is stale,
  // not counted, and deleted (that generation only).
  RestartServer();
  RegisterCluster(client_.get());
  ASSERT_TRUE(client_->ChunkReport("a1", {Replica(chunk->chunk_id, 1, 100)}).ok());
  ASSERT_TRUE(client_->ChunkReport("b1", {Replica(chunk->chunk_id, 2, 100)}).ok());
  EXPECT_TRUE(Has(Heartbeat("a1"), wire::DatanodeCommandKind::DELETE, chunk->chunk_id, 1));
  auto located = client_->GetChunkLocations("/g", 0, 100);
  ASSERT_TRUE(located.ok()) << located.status().ToString();
  ASSERT_EQ(located->size(), 1u);
  EXPECT_EQ((*located)[0].generation, 2);
  ASSERT_EQ((*located)[0].replicas.size(), 1u);
  EXPECT_EQ((*located)[0].replicas[0].id, "b1");
}

TEST_F(MasterRetryTest, StartupGraceHoldsCallsUntilDatanodesReport) {
  RegisterCluster(client_.get());
  ASSERT_TRUE(client_->Create("/s", 3, kChunkSize, "w", "").ok());
  auto chunk = client_->AddChunk("/s", "w", {}, 0);
  ASSERT_TRUE(chunk.ok());
  for (const char* node : {"a1", "b1"}) {
    ASSERT_TRUE(client_->ChunkReceived(node, Replica(chunk->chunk_id, 1, 5)).ok());
  }
  auto done = client_->Complete("/s", "w", 5);
  ASSERT_TRUE(done.ok() && *done);
  ASSERT_TRUE(client_->Create("/t", 3, kChunkSize, "w", "").ok());

  gflags::SetCommandLineOption("dfs_master_startup_grace_ms", "5000");
  RestartServer();
  // The datanodes come back 500 ms after the restart (on their own connection).
  const int port = server_->port();
  std::thread datanodes([&, port] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto link = MasterClient::Connect("127.0.0.1", port);
    ASSERT_TRUE(link.ok());
    RegisterCluster(link->get());
    ASSERT_TRUE((*link)->ChunkReport("a1", {Replica(chunk->chunk_id, 1, 5)}).ok());
  });
  auto start = std::chrono::steady_clock::now();
  auto located = client_->GetChunkLocations("/s", 0, 5);
  auto waited = std::chrono::steady_clock::now() - start;
  datanodes.join();
  ASSERT_TRUE(located.ok()) << located.status().ToString();
  ASSERT_EQ(located->size(), 1u);
  EXPECT_EQ((*located)[0].replicas.size(), 1u) << "held until a replica was reported";
  EXPECT_GE(waited, std::chrono::milliseconds(400));
  // AddChunk finds the datanodes back (the writer of /t got a fresh lease).
  auto next = client_->AddChunk("/t", "w", {}, 0);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->replicas.size(), 3u);
}

TEST_F(MasterRetryTest, ConnectionsBeyondTheCapCloseTheIdlestOne) {
  // At --dfs_master_rpc_threads connections, a new one closes the one that
  // waited longest for its next request (rpc/thrift_server.h), and that
  // one's client reopens it for its next call: idle connections never keep
  // a caller out. (Refusal when every connection is in a call, and the rest
  // of the policy: tests/rpc/thrift_server_test.cc.)
  gflags::SetCommandLineOption("dfs_master_rpc_threads", "2");
  RestartServer();
  // The server socket accepts a connection once its first request arrives
  // (Thrift sets TCP_DEFER_ACCEPT): call to be counted, in order.
  ASSERT_TRUE(client_->Stat("/").ok());
  std::unique_ptr<MasterClient> second = Connect();
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(second->Stat("/").ok());
  std::unique_ptr<MasterClient> third = Connect();
  ASSERT_NE(third, nullptr);
  Status served = third->Stat("/").status();
  EXPECT_TRUE(served.ok()) << served.ToString();
  // Each of them is served on, the closed one on a reopened connection.
  for (int round = 0; round < 2; ++round) {
    EXPECT_TRUE(client_->Stat("/").ok());
    EXPECT_TRUE(second->Stat("/").ok());
    EXPECT_TRUE(third->Stat("/").ok());
  }
}

}  // namespace
}  // namespace mr::dfs
