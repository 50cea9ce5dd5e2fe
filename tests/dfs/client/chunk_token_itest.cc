// Issue 16's attack on file contents against a real secure cluster
// (`mrcluster up --security`: keys made, every daemon with --security_dir,
// so the master signs chunk access tokens and datanodes check them): a
// forged replica on a datanode that held none, then a higher-generation
// write to the three holders, each straight to the data plane without a
// token the master signed. Each is refused, the read returns the original
// bytes and fsck stays HEALTHY. chunk_token_test.cc covers each kind of
// wrong token and the happy paths in-process.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "dfs/dataplane/client.h"
#include "dfs/proto/chunk_token.h"
#include "security/key_material.h"
#include "security/process_security.h"
#include "tests/dfs/client/dfs_cluster_test.h"
#include "test_util.h"

namespace mr::dfs {
namespace {

namespace dp = dataplane;

class ChunkTokenITest : public mr::testing::DfsClusterTest {
 protected:
  // Writes `data` as replica (chunk_id, generation) through the pipeline
  // `targets`, presenting `token`, as an attacker on the host could.
  static Status RawWrite(int64_t chunk_id, int64_t generation,
                         const std::vector<dp::Target>& targets, const std::string& data,
                         const std::string& token) {
    dp::PipelineWriter writer({16, dp::Timeout{5000}});
    RETURN_NOT_OK(writer.Open(chunk_id, generation, targets, data.size(), token));
    RETURN_NOT_OK(writer.Write(data));
    return writer.Close();
  }
};

TEST_F(ChunkTokenITest, ForgedChunkTokenCannotReplaceAReplicaOnASecureCluster) {
  StartCluster(2, 2, "--security");
  if (HasFatalFailure() || IsSkipped()) return;
  const std::string data = mr::testing::RandomBytes(500000, 16);
  const std::string local = cluster_.Join("victim");
  ASSERT_TRUE(WriteStringToFile(local, data, false).ok());
  mr::testing::CommandResult put = cluster_.Mrdfs("put " + mr::testing::Quote(local) + " /victim");
  ASSERT_EQ(put.exit_code, 0) << put.out << put.err;

  std::vector<DfsChunk> chunks;
  ASSERT_TRUE(mr::testing::Eventually([&] {
    Result<std::vector<DfsChunk>> now = client_->GetChunkLocations("/victim");
    if (!now.ok() || now->size() != 1 || (*now)[0].replicas.size() != 3) return false;
    chunks = *now;
    return true;
  }, std::chrono::seconds(30)));
  const DfsChunk chunk = chunks[0];
  ASSERT_FALSE(chunk.access_token.empty()) << "the secure master signed no token";
  std::set<std::string> holders;
  std::vector<dp::Target> holder_targets;
  for (const DfsReplica& r : chunk.replicas) {
    holders.insert(r.node_id);
    dp::Target t;
    t.datanode_id = r.node_id;
    t.host = r.host;
    t.port = r.port;
    holder_targets.push_back(t);
  }
  Result<std::vector<wire::DatanodeStatus>> nodes = cluster_.ListDatanodes();
  ASSERT_TRUE(nodes.ok());
  dp::Target outsider;
  for (const wire::DatanodeStatus& n : *nodes) {
    if (holders.count(n.info.id) == 0) {
      outsider.datanode_id = n.info.id;
      outsider.host = n.info.host;
      outsider.port = n.info.data_port;
    }
  }
  ASSERT_FALSE(outsider.datanode_id.empty());

  // The attacker's keys are not the cluster's.
  ASSERT_TRUE(security::CreateClusterKeys(cluster_.Join("evil-keys")).ok());
  auto evil = security::LoadServerSecurity(cluster_.Join("evil-keys"));
  ASSERT_TRUE(evil.ok());
  const int32_t all =
      wire::ChunkAccess::READ | wire::ChunkAccess::WRITE | wire::ChunkAccess::REPLICATE;
  const std::string evil_bytes(data.size(), 'X');
  for (const std::string& token :
       {std::string(), chunk.access_token,
        SignChunkToken((*evil)->signer(), chunk.chunk_id, chunk.generation, all, "evil",
                       WallClockMs() + 600000),
        SignChunkToken((*evil)->signer(), chunk.chunk_id, chunk.generation + 1, all, "evil",
                       WallClockMs() + 600000)}) {
    // Step 1: a replica on the datanode that held none.
    Status s = RawWrite(chunk.chunk_id, chunk.generation, {outsider}, evil_bytes, token);
    EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    // Step 2: a higher generation to the three holders.
    s = RawWrite(chunk.chunk_id, chunk.generation + 1, holder_targets, evil_bytes, token);
    EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    for (const dp::Target& holder : holder_targets) {
      s = RawWrite(chunk.chunk_id, chunk.generation + 1, {holder}, evil_bytes, token);
      EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    }
  }
  // A read without the token is refused too.
  std::string out;
  Status read = dp::ReadChunkFrom(holder_targets[0].host, holder_targets[0].port, chunk.chunk_id,
                                  chunk.generation, 0, UINT64_MAX, &out);
  EXPECT_TRUE(read.IsPermissionDenied()) << read.ToString();

  // Nothing changed: the same replicas, every read the original, fsck clean.
  Result<std::vector<DfsChunk>> after = client_->GetChunkLocations("/victim");
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].generation, chunk.generation);
  EXPECT_EQ((*after)[0].replicas.size(), 3u);
  mr::testing::CommandResult cat = cluster_.Mrdfs("cat /victim");
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_TRUE(cat.out == data) << "the attacker's bytes came back";
  mr::testing::CommandResult fsck = cluster_.Mrdfs("fsck /");
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;
  EXPECT_NE(fsck.out.find("HEALTHY"), std::string::npos) << fsck.out;
}

}  // namespace
}  // namespace mr::dfs
