// A full datanode refuses writes and clients route around it (issue 3, item
// 10), against a real local cluster (local_dfs.h): a datanode is made "full"
// by restarting it with --dfs_datanode_capacity_bytes, which it enforces on
// every write and reports in its heartbeats.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

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
using mr::testing::Quote;
using mr::testing::RandomBytes;
using mr::testing::RunCommand;

constexpr int64_t kChunk = mr::testing::kLocalDfsChunk;

class FullDatanodeITest : public mr::testing::DfsClusterTest {
 protected:
  // Restarts `node_id` on a disk of `capacity` bytes and waits until the
  // master has its heartbeat saying so (it then places by that figure).
  void ShrinkDisk(const std::string& node_id, int64_t capacity) {
    Status s = cluster_.RestartDatanode(
        node_id, {"--dfs_datanode_capacity_bytes=" + std::to_string(capacity)});
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(Eventually(
        [&] {
          auto nodes = cluster_.ListDatanodes();
          if (!nodes.ok()) return false;
          return std::any_of(nodes->begin(), nodes->end(), [&](const wire::DatanodeStatus& d) {
            return d.info.id == node_id && d.alive && d.heartbeated &&
                   d.capacity_bytes == capacity;
          });
        },
        std::chrono::seconds(20)))
        << node_id << " did not report its new capacity";
  }

  Status WriteFile(const std::string& path, const std::string& data, int32_t replication = 0) {
    DfsClient::CreateOptions options;
    options.replication = replication;
    ASSIGN_OR_RETURN(std::unique_ptr<DfsFileWriter> writer, client_->Create(path, options));
    RETURN_NOT_OK(writer->Write(data));
    return writer->Close();
  }

  std::string ReadFile(const std::string& path) {
    auto reader = client_->Open(path);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return "";
    std::string all;
    EXPECT_TRUE((*reader)->Read((*reader)->length(), &all).ok());
    return all;
  }

  // Replicas of `path` on `node_id`, as the master sees them.
  int ReplicasOn(const std::string& path, const std::string& node_id) {
    auto chunks = client_->GetChunkLocations(path);
    EXPECT_TRUE(chunks.ok()) << chunks.status().ToString();
    int n = 0;
    for (const DfsChunk& c : chunks.ok() ? *chunks : std::vector<DfsChunk>{}) {
      for (const DfsReplica& r : c.replicas) n += r.node_id == node_id;
    }
    return n;
  }

  // Bytes of chunk files (finalized or not) in a datanode's chunk directory.
  uint64_t BytesStoredOn(const std::string& node_id) {
    auto config = cluster::LoadConfig(cluster_.dir());
    if (!config.ok() || config->Find(node_id) == nullptr) return 0;
    std::string dir = JoinPath(config->Find(node_id)->data_dir, "data/chunks");
    uint64_t bytes = 0;
    for (const std::string& name : mr::testing::ListDir(dir)) {
      auto file = RandomAccessFile::Open(JoinPath(dir, name));
      if (file.ok() && name.find(".data") != std::string::npos) bytes += (*file)->size();
    }
    return bytes;
  }

  std::string LogOf(const std::string& node_id) {
    auto log = ReadFileToString(JoinPath(JoinPath(cluster_.dir(), node_id), "log"));
    return log.ok() ? *log : "";
  }

};

TEST_F(FullDatanodeITest, NoReplicaLandsOnAFullDatanode) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2, 2));
  if (IsSkipped()) return;
  const std::string full = "dn-1-1";
  ASSERT_NO_FATAL_FAILURE(ShrinkDisk(full, 1));
  std::string data = RandomBytes(6 * kChunk + 4321, 1);
  Status s = WriteFile("/full/a", data);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ReadFile("/full/a"), data);
  // Re-replication (to 3, of chunks placed on 3 of the 4 nodes only) keeps
  // away from it too.
  ASSERT_TRUE(Eventually(
      [&] {
        auto chunks = client_->GetChunkLocations("/full/a");
        return chunks.ok() && std::all_of(chunks->begin(), chunks->end(), [](const DfsChunk& c) {
                 return c.replicas.size() == 3;
               });
      },
      std::chrono::seconds(30)));
  EXPECT_EQ(ReplicasOn("/full/a", full), 0);
  EXPECT_EQ(BytesStoredOn(full), 0u);
}

TEST_F(FullDatanodeITest, WritersRouteAroundADatanodeThatFillsUp) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2, 2));
  if (IsSkipped()) return;
  // Room for one chunk and a half: the master's view (from heartbeats) lags
  // behind writes, so concurrent writers are all sent to it; it takes one
  // chunk and refuses the others, which go on without it.
  const std::string filling = "dn-2-1";
  const int64_t capacity = kChunk + kChunk / 2;
  ASSERT_NO_FATAL_FAILURE(ShrinkDisk(filling, capacity));
  constexpr int kWriters = 6;
  std::vector<std::string> data(kWriters);
  std::vector<Status> results(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    data[i] = RandomBytes(kChunk, 10 + i);
    writers.emplace_back([&, i] {
      // One client per writer: DfsClient serializes its master calls.
      auto client = DfsClient::ConnectToCluster(cluster_.dir());
      if (!client.ok()) {
        results[i] = client.status();
        return;
      }
      DfsClient::CreateOptions options;
      options.replication = 4;  // Every node of the cluster: each pipeline includes it.
      auto writer = (*client)->Create("/fill/" + std::to_string(i), options);
      results[i] = writer.ok() ? (*writer)->Write(data[i]) : writer.status();
      if (results[i].ok()) results[i] = (*writer)->Close();
    });
  }
  for (std::thread& t : writers) t.join();
  int on_filling = 0;
  for (int i = 0; i < kWriters; ++i) {
    std::string path = "/fill/" + std::to_string(i);
    ASSERT_TRUE(results[i].ok()) << path << ": " << results[i].ToString();
    EXPECT_EQ(ReadFile(path), data[i]) << path;
    on_filling += ReplicasOn(path, filling);
  }
  EXPECT_LE(on_filling, 1);
  EXPECT_LE(BytesStoredOn(filling), static_cast<uint64_t>(capacity));
  // The datanode itself refused (the master alone did not keep writes away).
  EXPECT_NE(LogOf(filling).find("datanode " + filling + " is full: "), std::string::npos);
}

TEST_F(FullDatanodeITest, AllDatanodesFullIsAOneLineFailure) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1, 2));
  if (IsSkipped()) return;
  for (const char* node : {"dn-1-1", "dn-1-2"}) {
    ASSERT_NO_FATAL_FAILURE(ShrinkDisk(node, 1));
  }
  std::string local = cluster_.Join("local");
  ASSERT_TRUE(WriteStringToFile(local, RandomBytes(3 * kChunk, 2), false).ok());
  CommandResult put = RunCommand(Quote(BinPath("mrdfs")) + " --cluster " + Quote(cluster_.dir()) +
                                     " put " + Quote(local) + " /f",
                                 120);
  EXPECT_EQ(put.exit_code, 1) << put.err;
  EXPECT_EQ(std::count(put.err.begin(), put.err.end(), '\n'), 1) << put.err;
  EXPECT_EQ(put.err.rfind("mrdfs: put: ", 0), 0u) << put.err;
  EXPECT_NE(put.err.find("bytes free"), std::string::npos) << put.err;
  EXPECT_TRUE(client_->Stat("/f").status().IsNotFound());  // The failed write left nothing.
}

}  // namespace
}  // namespace mr::dfs
