// Integration tests of short-circuit local reads (dfs/client/short_circuit.h)
// against a real local cluster (local_dfs.h): every datanode runs on
// 127.0.0.1, the client's host, so a reader with
// --dfs_client_short_circuit_reads reads every chunk from its chosen
// replica's files, and falls back to the data plane when that fails.
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "dfs/client/short_circuit.h"
#include "dfs/dataplane/client.h"
#include "tests/dfs/client/dfs_cluster_test.h"
#include "test_util.h"

DECLARE_bool(dfs_client_short_circuit_reads);  // dfs_client.cc

namespace mr::dfs {
namespace {

using testing::RandomBytes;

constexpr int64_t kChunk = mr::testing::kLocalDfsChunk;

class ShortCircuitITest : public mr::testing::DfsClusterTest {
 protected:
  void SetUp() override { StartCluster(); }
  void TearDown() override { FLAGS_dfs_client_short_circuit_reads = true; }

  Status WriteFile(const std::string& path, const std::string& data) {
    ASSIGN_OR_RETURN(std::unique_ptr<DfsFileWriter> writer, client_->Create(path, {}));
    for (size_t at = 0; at < data.size(); at += 100000) {
      RETURN_NOT_OK(writer->Write(std::string_view(data).substr(at, 100000)));
    }
    return writer->Close();
  }

  // Reads the whole file in pieces of `piece` bytes.
  static Status ReadAll(DfsFileReader* reader, std::string* all, size_t piece = 77777) {
    all->clear();
    std::string part;
    while (true) {
      RETURN_NOT_OK(reader->Read(piece, &part));
      if (part.empty()) return Status::OK();
      all->append(part);
    }
  }

  // Flips one byte of a file in place.
  static void FlipByte(const std::string& file, int64_t at) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(at);
    char c = 0;
    f.get(c);
    f.seekp(at);
    f.put(static_cast<char>(c ^ 0x5a));
    ASSERT_TRUE(f.good()) << file;
  }

};

TEST_F(ShortCircuitITest, ReturnsExactlyTheFileBytesWithSeeks) {
  for (int64_t size : {int64_t{0}, int64_t{1}, kChunk - 1, kChunk, kChunk + 1,
                       5 * kChunk + 12345}) {
    SCOPED_TRACE("size " + std::to_string(size));
    std::string path = "/sc/file-" + std::to_string(size);
    std::string data = RandomBytes(size, size + 3);
    ASSERT_TRUE(WriteFile(path, data).ok());

    Result<std::unique_ptr<DfsFileReader>> reader = client_->Open(path);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    std::string all;
    ASSERT_TRUE(ReadAll(reader->get(), &all).ok());
    EXPECT_TRUE(all == data) << "read " << all.size() << " bytes";
    EXPECT_EQ((*reader)->short_circuit_bytes(), size) << "not every byte was read locally";

    // Seeks and positional reads, across chunk and slice boundaries.
    std::string part;
    for (int64_t at : {int64_t{0}, int64_t{65535}, kChunk - 2, kChunk, 3 * kChunk + 70000,
                       size - 3, size}) {
      if (at < 0 || at > size) continue;
      ASSERT_TRUE((*reader)->ReadAt(at, 100000, &part).ok());
      EXPECT_TRUE(part == data.substr(at, 100000)) << "at " << at;
    }
    for (int64_t at : {size / 2, size / 3, size - 1}) {
      if (at < 0) continue;
      ASSERT_TRUE((*reader)->Seek(at).ok());
      ASSERT_TRUE((*reader)->Read(kChunk + 5, &part).ok());
      EXPECT_TRUE(part == data.substr(at, kChunk + 5)) << "seek to " << at;
    }
  }
}

TEST_F(ShortCircuitITest, FlagOffReadsOverTheDataPlane) {
  std::string data = RandomBytes(2 * kChunk + 100, 4);
  ASSERT_TRUE(WriteFile("/sc/off", data).ok());
  FLAGS_dfs_client_short_circuit_reads = false;
  Result<std::unique_ptr<DfsFileReader>> reader = client_->Open("/sc/off");
  ASSERT_TRUE(reader.ok());
  std::string all;
  ASSERT_TRUE(ReadAll(reader->get(), &all).ok());
  EXPECT_TRUE(all == data);
  EXPECT_EQ((*reader)->short_circuit_bytes(), 0);
}

// A replica corrupted on disk: the short-circuit path finds the bad slice,
// reports the replica (the master deletes it) and the bytes come from
// another replica.
TEST_F(ShortCircuitITest, CorruptReplicaIsDetectedReportedAndAvoided) {
  std::string data = RandomBytes(3 * kChunk, 8);
  ASSERT_TRUE(WriteFile("/sc/corrupt", data).ok());
  Result<std::unique_ptr<DfsFileReader>> reader = client_->Open("/sc/corrupt");
  ASSERT_TRUE(reader.ok());
  const DfsChunk chunk = (*reader)->chunks()[1];
  ASSERT_GE(chunk.replicas.size(), 2u);
  const std::string bad_node = chunk.replicas[0].node_id;  // The reader's first choice.
  const std::string bad_file = cluster_.ChunkDataPath(bad_node, chunk);
  FlipByte(bad_file, 70000);
  Result<std::string> corrupted = ReadFileToString(bad_file);
  ASSERT_TRUE(corrupted.ok());
  ASSERT_FALSE(*corrupted == data.substr(kChunk, kChunk));

  std::string all;
  ASSERT_TRUE(ReadAll(reader->get(), &all, 1 << 20).ok());
  EXPECT_TRUE(all == data);
  // Chunk 1 came over the data plane, from another replica; the others
  // locally, from replicas other than the bad one if it held them too.
  EXPECT_EQ((*reader)->short_circuit_bytes(), 2 * kChunk);

  // Reported: the master has the replica deleted (and may copy a good one
  // back to the same node).
  EXPECT_TRUE(mr::testing::EventuallyNotHolding(bad_file, *corrupted))
      << "the corrupt replica on " << bad_node << " is still there after 30 s";
}

// The replica's files disappear after the datanode named them (deleted or
// replaced meanwhile): the open fails, and the reader reads over the data
// plane instead.
TEST_F(ShortCircuitITest, ReplicaGoneAfterThePathAnswerFallsBack) {
  std::string data = RandomBytes(2 * kChunk + 5, 9);
  ASSERT_TRUE(WriteFile("/sc/gone", data).ok());
  Result<std::unique_ptr<DfsFileReader>> reader = client_->Open("/sc/gone");
  ASSERT_TRUE(reader.ok());
  const DfsChunk chunk = (*reader)->chunks()[0];
  const DfsReplica& replica = chunk.replicas[0];

  dataplane::LocalReplicaResponse answer;
  ASSERT_TRUE(dataplane::LocateLocalReplica(replica.host, replica.port, chunk.chunk_id,
                                            chunk.generation, &answer)
                  .ok());
  EXPECT_EQ(answer.data_path, cluster_.ChunkDataPath(replica.node_id, chunk));
  ASSERT_TRUE(OpenLocalReplicaFiles(chunk, answer.data_path, answer.meta_path).ok());
  // Gone behind the datanode's back: it still names the files.
  ASSERT_EQ(::unlink(answer.data_path.c_str()), 0);
  Status s = OpenLocalReplicaFiles(chunk, answer.data_path, answer.meta_path).status();
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();

  std::string all;
  ASSERT_TRUE(ReadAll(reader->get(), &all).ok());
  EXPECT_TRUE(all == data);
  EXPECT_EQ((*reader)->short_circuit_bytes(), kChunk + 5);  // Chunk 0 came remotely.
}

// A datanode started with --dfs_datanode_short_circuit_reads=false refuses;
// its replicas are read over the data plane.
TEST_F(ShortCircuitITest, DatanodeThatRefusesIsReadRemotely) {
  std::string data = RandomBytes(kChunk + 7, 10);
  ASSERT_TRUE(WriteFile("/sc/refused", data).ok());
  Result<std::unique_ptr<DfsFileReader>> reader = client_->Open("/sc/refused");
  ASSERT_TRUE(reader.ok());
  const DfsChunk chunk = (*reader)->chunks()[0];
  const DfsReplica replica = chunk.replicas[0];
  ASSERT_TRUE(
      cluster_.RestartDatanode(replica.node_id, {"--dfs_datanode_short_circuit_reads=false"}).ok());
  dataplane::LocalReplicaResponse answer;
  Status s = dataplane::LocateLocalReplica(replica.host, replica.port, chunk.chunk_id,
                                           chunk.generation, &answer);
  EXPECT_TRUE(s.IsAborted()) << s.ToString();

  std::string all;
  ASSERT_TRUE(ReadAll(reader->get(), &all).ok());
  EXPECT_TRUE(all == data);
  EXPECT_LT((*reader)->short_circuit_bytes(), static_cast<int64_t>(data.size()));
}

}  // namespace
}  // namespace mr::dfs
