// Clients ride through failures (docs/DFS.md, "Master restarts" and "Data
// plane"), against a real local cluster (local_dfs.h, 2 racks x 2
// datanodes, 1 MiB chunks):
//  - the master is killed with SIGKILL mid-write and started again on its
//    directory a little later: the write finishes and reads back exactly;
//  - reads (open + read, list, stat) issued while the master is down
//    succeed once it is back, and so does a client connecting meanwhile;
//  - a datanode of the writer's pipeline is killed with SIGKILL mid-chunk:
//    the chunk goes on under a new generation without it, the file reads
//    back exactly, and the chunk is re-replicated to full replication; then
//    a reader's first-choice replica dies and it fails over to another;
//  - a chunk whose whole pipeline refuses it is abandoned and replaced.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "cluster/cluster_config.h"
#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "tests/dfs/client/dfs_cluster_test.h"
#include "test_util.h"

namespace mr::dfs {
namespace {

using mr::testing::BinPath;
using mr::testing::CommandResult;
using mr::testing::Eventually;
using mr::testing::ListDir;
using mr::testing::Quote;
using mr::testing::RandomBytes;
using mr::testing::RunCommand;

constexpr int64_t kChunk = mr::testing::kLocalDfsChunk;
constexpr auto kMasterDown = std::chrono::milliseconds(1500);

class FailoverITest : public mr::testing::DfsClusterTest {
 protected:
  void SetUp() override { StartCluster(); }

  void TearDown() override {
    if (restarter_.joinable()) restarter_.join();
  }

  // SIGKILL of the master; a background thread starts it again (mrcluster
  // start, same directory and port) after kMasterDown.
  void KillMasterAndRestartSoon() {
    ASSERT_TRUE(cluster_.KillNode("master"));
    restarter_ = std::thread([this] {
      std::this_thread::sleep_for(kMasterDown);
      restarted_ = RunCommand(Quote(BinPath("mrcluster")) + " start --dir " +
                                  Quote(cluster_.dir()) + " master",
                              60);
    });
  }

  void WaitForRestart() {
    restarter_.join();
    ASSERT_EQ(restarted_.exit_code, 0) << restarted_.out << restarted_.err;
  }

  Result<std::string> ReadFile(DfsClient* client, const std::string& path) {
    ASSIGN_OR_RETURN(std::unique_ptr<DfsFileReader> reader, client->Open(path));
    std::string all, part;
    while (true) {
      RETURN_NOT_OK(reader->Read(300000, &part));
      if (part.empty()) break;
      all += part;
    }
    return all;
  }

  static std::string Describe(const Result<std::vector<DfsChunk>>& chunks) {
    if (!chunks.ok()) return chunks.status().ToString();
    std::string out;
    for (const DfsChunk& c : chunks.value()) {
      out += "chunk " + std::to_string(c.chunk_id) + " gen " + std::to_string(c.generation) + ":";
      for (const DfsReplica& r : c.replicas) out += " " + r.node_id;
      out += "\n";
    }
    return out;
  }

  // Datanodes holding a replica being written now (a temp file).
  std::vector<std::string> NodesWriting() {
    std::vector<std::string> nodes;
    Result<cluster::ClusterConfig> config = cluster::LoadConfig(cluster_.dir());
    if (!config.ok()) return nodes;
    for (const cluster::NodeConfig& node : config->nodes) {
      if (node.role != cluster::Role::kDatanode) continue;
      for (const std::string& name : ListDir(JoinPath(node.data_dir, "data/chunks"))) {
        if (name.ends_with(".tmp")) {
          nodes.push_back(node.id);
          break;
        }
      }
    }
    return nodes;
  }

  gflags::FlagSaver flag_saver_;
  std::thread restarter_;
  CommandResult restarted_;
};

TEST_F(FailoverITest, WriteRidesThroughAMasterRestart) {
  const std::string data = RandomBytes(4 * kChunk + 4321, 21);
  Result<std::unique_ptr<DfsFileWriter>> writer = client_->Create("/restart/f", {});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  const size_t first = kChunk + kChunk / 2;
  ASSERT_TRUE((*writer)->Write(std::string_view(data).substr(0, first)).ok());
  KillMasterAndRestartSoon();
  // The next chunk's AddChunk meets a dead master, then a restarted one.
  auto start = std::chrono::steady_clock::now();
  for (size_t at = first; at < data.size(); at += 100000) {
    Status s = (*writer)->Write(std::string_view(data).substr(at, 100000));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  Status closed = (*writer)->Close();
  ASSERT_TRUE(closed.ok()) << closed.ToString();
  EXPECT_GE(std::chrono::steady_clock::now() - start, kMasterDown) << "the master was down";
  WaitForRestart();

  Result<DfsFileStatus> status = client_->Stat("/restart/f");
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_FALSE(status->under_construction);
  EXPECT_EQ(status->length, static_cast<int64_t>(data.size()));
  Result<std::string> back = ReadFile(client_.get(), "/restart/f");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data) << "read " << back->size() << " bytes";
  // A fresh client too (a new connection to the new master).
  std::unique_ptr<DfsClient> fresh = NewClient();
  ASSERT_NE(fresh, nullptr);
  back = ReadFile(fresh.get(), "/restart/f");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
}

TEST_F(FailoverITest, CallsIssuedWhileTheMasterIsDownSucceedOnceItIsBack) {
  const std::string data = RandomBytes(2 * kChunk + 777, 22);
  {
    Result<std::unique_ptr<DfsFileWriter>> writer = client_->Create("/down/f", {});
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write(data).ok());
    ASSERT_TRUE((*writer)->Close().ok());
  }
  // One client per thread, each connected before the master goes away.
  std::vector<std::unique_ptr<DfsClient>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(NewClient());
    ASSERT_NE(clients.back(), nullptr);
  }
  KillMasterAndRestartSoon();
  Status read_status, list_status, stat_status, mkdirs_status;
  std::thread reader([&] {
    Result<std::string> back = ReadFile(clients[0].get(), "/down/f");
    read_status = back.ok() ? (*back == data ? Status::OK() : Status::Corruption("differs"))
                            : back.status();
  });
  std::thread lister([&] {
    Result<std::vector<DfsFileStatus>> list = clients[1]->List("/down");
    // Mkdirs below may come first: /down/f and maybe /down/sub.
    list_status = !list.ok() ? list.status()
                  : list->front().path == "/down/f" ? Status::OK()
                  : Status::Internal(list->front().path);
  });
  std::thread stater([&] {
    Result<DfsFileStatus> stat = clients[2]->Stat("/down/f");
    stat_status = !stat.ok() ? stat.status()
                  : stat->length == static_cast<int64_t>(data.size())
                      ? Status::OK()
                      : Status::Internal("length " + std::to_string(stat->length));
  });
  std::thread mkdirer([&] { mkdirs_status = clients[3]->Mkdirs("/down/sub"); });
  // A client that connects while the master is down (a task starting during
  // the restart) waits for it too.
  Status connect_status;
  std::thread connecter([&] {
    Result<std::unique_ptr<DfsClient>> late = DfsClient::ConnectToCluster(cluster_.dir());
    connect_status = late.ok() ? (*late)->Stat("/down/f").status() : late.status();
  });
  for (std::thread* t : {&reader, &lister, &stater, &mkdirer, &connecter}) t->join();
  WaitForRestart();
  EXPECT_TRUE(connect_status.ok()) << connect_status.ToString();
  EXPECT_TRUE(read_status.ok()) << read_status.ToString();
  EXPECT_TRUE(list_status.ok()) << list_status.ToString();
  EXPECT_TRUE(stat_status.ok()) << stat_status.ToString();
  EXPECT_TRUE(mkdirs_status.ok()) << mkdirs_status.ToString();
  Result<DfsFileStatus> sub = client_->Stat("/down/sub");
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  EXPECT_TRUE(sub->is_dir);
}

TEST_F(FailoverITest, PipelineDatanodeKilledMidChunkIsReplacedAndReReplicated) {
  const std::string data = RandomBytes(3 * kChunk + 99, 23);
  Result<std::unique_ptr<DfsFileWriter>> writer = client_->Create("/dn/f", {});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  const size_t first = kChunk + kChunk / 2;
  ASSERT_TRUE((*writer)->Write(std::string_view(data).substr(0, first)).ok());
  // The second chunk's pipeline: the nodes with a replica in progress.
  std::vector<std::string> pipeline = NodesWriting();
  ASSERT_EQ(pipeline.size(), 3u);
  const std::string victim = pipeline[1];
  ASSERT_TRUE(cluster_.KillNode(victim)) << victim;
  for (size_t at = first; at < data.size(); at += 65536) {
    Status s = (*writer)->Write(std::string_view(data).substr(at, 65536));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  Status closed = (*writer)->Close();
  ASSERT_TRUE(closed.ok()) << closed.ToString();

  Result<std::string> back = ReadFile(client_.get(), "/dn/f");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
  // The recovered chunk has a new generation, and every chunk is back at 3
  // replicas, none on the dead node.
  Result<std::vector<DfsChunk>> chunks = Status::NotFound("not asked yet");
  EXPECT_TRUE(Eventually(
      [&] {
        chunks = client_->GetChunkLocations("/dn/f");
        return chunks.ok() && std::all_of(chunks->begin(), chunks->end(), [&](const DfsChunk& c) {
                 return c.replicas.size() == 3 &&
                        std::none_of(c.replicas.begin(), c.replicas.end(),
                                     [&](const DfsReplica& r) { return r.node_id == victim; });
               });
      },
      std::chrono::seconds(30)))
      << Describe(chunks);
  ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
  ASSERT_EQ(chunks->size(), 4u);
  EXPECT_GT((*chunks)[1].generation, 1);
  for (const DfsChunk& c : *chunks) {
    for (const DfsReplica& r : c.replicas) EXPECT_NE(r.node_id, victim) << c.chunk_id;
  }
  // Read fail-over: the replica a reader would read chunk 0 from dies
  // after Open; the reader goes on from the others.
  Result<std::unique_ptr<DfsFileReader>> reader = client_->Open("/dn/f");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const std::string first_choice = (*reader)->chunks()[0].replicas[0].node_id;
  ASSERT_TRUE(cluster_.KillNode(first_choice)) << first_choice;
  std::string all, part;
  while (true) {
    Status s = (*reader)->Read(300000, &part);
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (part.empty()) break;
    all += part;
  }
  EXPECT_TRUE(all == data);
}

// Every datanode of a new chunk's pipeline refuses it (here: killed, and
// not yet known dead to the master): the writer abandons the chunk on the
// master and asks for one elsewhere, so the file lists no replica-less
// chunk. Several writers, so that some surely meet a dead node first.
TEST_F(FailoverITest, ChunkRefusedByItsWholePipelineIsAbandonedAndReplaced) {
  // Up to three dead nodes to exclude, one after the other.
  gflags::SetCommandLineOption("dfs_client_chunk_allocation_attempts", "4");
  for (const char* node : {"dn-1-1", "dn-1-2", "dn-2-1"}) ASSERT_TRUE(cluster_.KillNode(node));
  constexpr int kWriters = 6;
  std::vector<std::string> data(kWriters);
  std::vector<Status> results(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    data[i] = RandomBytes(kChunk / 2, 30 + i);
    writers.emplace_back([&, i] {
      std::unique_ptr<DfsClient> client = NewClient();  // Its own excluded list.
      if (client == nullptr) return;
      DfsClient::CreateOptions options;
      options.replication = 1;  // A pipeline of one node: dead means refused by all.
      auto writer = client->Create("/abandon/" + std::to_string(i), options);
      results[i] = writer.ok() ? (*writer)->Write(data[i]) : writer.status();
      if (results[i].ok()) results[i] = (*writer)->Close();
    });
  }
  for (std::thread& t : writers) t.join();
  for (int i = 0; i < kWriters; ++i) {
    const std::string path = "/abandon/" + std::to_string(i);
    ASSERT_TRUE(results[i].ok()) << path << ": " << results[i].ToString();
    Result<std::vector<DfsChunk>> chunks = client_->GetChunkLocations(path);
    ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
    ASSERT_EQ(chunks->size(), 1u) << path;
    ASSERT_EQ((*chunks)[0].replicas.size(), 1u) << path;
    EXPECT_EQ((*chunks)[0].replicas[0].node_id, "dn-2-2") << path;
    Result<std::string> back = ReadFile(client_.get(), path);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(*back == data[i]) << path;
  }
  Result<std::string> log = ReadFileToString(JoinPath(JoinPath(cluster_.dir(), "master"), "log"));
  ASSERT_TRUE(log.ok());
  EXPECT_NE(log->find("abandoned chunk"), std::string::npos)
      << "no writer met a dead datanode first (chance 1 in 4096)\n" << *log;
}

}  // namespace
}  // namespace mr::dfs
