// The AM's DFS-facing units against a real local DFS (EngineDfs,
// tests/mapreduce/dfs_test_util.h: a master and four datanodes as processes): the commit
// sequence of the OutputCommitter, and listing the input. One cluster for
// the whole suite: starting one takes seconds.
//
// Skips only if the DFS daemons are not built.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "dfs/client/dfs_client.h"
#include "mapreduce/appmaster/dfs_input.h"
#include "mapreduce/appmaster/output_committer.h"
#include "tests/mapreduce/dfs_test_util.h"
#include "test_util.h"
#include "tests/mapreduce/appmaster/dfs_files.h"

namespace mr::am {
namespace {

class AmDfsITest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string missing = mr::testing::MissingDfsDaemons();
    if (!missing.empty()) {
      skip_reason_ = new std::string(missing);
      return;
    }
    cluster_ = new mr::testing::EngineDfs();
    cluster_->Up();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  void SetUp() override {
    if (skip_reason_ != nullptr) GTEST_SKIP() << "DFS daemons not available: " << *skip_reason_;
    ASSERT_NE(cluster_, nullptr);
    ASSERT_NE(cluster_->client(), nullptr);
    dfs_ = cluster_->client();
  }

  Status Write(const std::string& path, const std::string& data) { return cluster_->Put(path, data); }
  Result<std::string> Read(const std::string& path) { return cluster_->Get(path); }
  std::vector<std::string> Names(const std::string& dir) { return mr::testing::DfsNames(dfs_, dir); }

  static mr::testing::EngineDfs* cluster_;
  static std::string* skip_reason_;
  dfs::DfsClient* dfs_ = nullptr;
};

mr::testing::EngineDfs* AmDfsITest::cluster_ = nullptr;
std::string* AmDfsITest::skip_reason_ = nullptr;

TEST_F(AmDfsITest, CommitPromotesTheWinningPartsAndRenamesLast) {
  OutputCommitter committer(dfs_, "/jobs/out", "app_1_0001");
  EXPECT_EQ(committer.temp_dir(), "/jobs/.out.tmp-app_1_0001");
  ASSERT_TRUE(committer.Setup().ok());
  EXPECT_EQ(committer.AttemptDir("r_000001_2"), "/jobs/.out.tmp-app_1_0001/_attempts/r_000001_2");
  // Partition 0: one attempt; partition 1: a failed attempt left a part too.
  ASSERT_TRUE(Write(committer.AttemptDir("r_000000_0") + "/part-r-00000", "a\t1\n").ok());
  ASSERT_TRUE(Write(committer.AttemptDir("r_000001_0") + "/part-r-00001", "partial").ok());
  ASSERT_TRUE(Write(committer.AttemptDir("r_000001_1") + "/part-r-00001", "b\t2\n").ok());
  EXPECT_FALSE(dfs_->Stat("/jobs/out").ok());

  ASSERT_TRUE(committer.Commit({"r_000000_0", "r_000001_1"}, "{\"g\":{\"n\":1}}\n").ok());
  EXPECT_EQ(Names("/jobs/out"),
            (std::vector<std::string>{"_SUCCESS", "_counters.json", "part-r-00000",
                                      "part-r-00001"}));
  EXPECT_EQ(*Read("/jobs/out/part-r-00000"), "a\t1\n");
  EXPECT_EQ(*Read("/jobs/out/part-r-00001"), "b\t2\n");
  EXPECT_EQ(*Read("/jobs/out/_counters.json"), "{\"g\":{\"n\":1}}\n");
  // _SUCCESS names the application whose commit it ends.
  EXPECT_EQ(*Read("/jobs/out/_SUCCESS"), "app_1_0001\n");
  EXPECT_EQ(OutputCommitter::CommittedBy(*Read("/jobs/out/_SUCCESS")), "app_1_0001");
  EXPECT_EQ(OutputCommitter::CommittedBy(""), "");
  EXPECT_TRUE(dfs_->Stat(committer.temp_dir()).status().IsNotFound());
  EXPECT_EQ(Names("/jobs"), (std::vector<std::string>{"out"}));
}

TEST_F(AmDfsITest, SetupRefusesAnExistingOutput) {
  ASSERT_TRUE(Write("/exists/out/part-r-00000", "x").ok());
  OutputCommitter committer(dfs_, "/exists/out", "app_1_0002");
  Status s = committer.Setup();
  EXPECT_TRUE(s.IsAlreadyExists()) << s.ToString();
  EXPECT_TRUE(dfs_->Stat(committer.temp_dir()).status().IsNotFound());
  EXPECT_EQ(*Read("/exists/out/part-r-00000"), "x");
}

TEST_F(AmDfsITest, AbortLeavesNothingAtTheOutput) {
  OutputCommitter committer(dfs_, "/aborted/out", "app_1_0003");
  ASSERT_TRUE(committer.Setup().ok());
  ASSERT_TRUE(Write(committer.AttemptDir("r_000000_0") + "/part-r-00000", "x").ok());
  ASSERT_TRUE(committer.Abort().ok());
  EXPECT_TRUE(Names("/aborted").empty());
  EXPECT_TRUE(committer.Abort().ok());  // Idempotent.
}

TEST_F(AmDfsITest, CommitNeverReplacesAnOutputThatAppearedMeanwhile) {
  OutputCommitter committer(dfs_, "/race/out", "app_1_0004");
  ASSERT_TRUE(committer.Setup().ok());
  ASSERT_TRUE(Write(committer.AttemptDir("r_000000_0") + "/part-r-00000", "ours").ok());
  ASSERT_TRUE(Write("/race/out/part-r-00000", "theirs").ok());
  Status s = committer.Commit({"r_000000_0"}, "{}\n");
  EXPECT_TRUE(s.IsAlreadyExists()) << s.ToString();
  EXPECT_EQ(*Read("/race/out/part-r-00000"), "theirs");
  EXPECT_TRUE(committer.Abort().ok());
  EXPECT_EQ(Names("/race"), (std::vector<std::string>{"out"}));
}

TEST_F(AmDfsITest, CommitFailsWhenAWinnerLeftNoPart) {
  OutputCommitter committer(dfs_, "/missing/out", "app_1_0005");
  ASSERT_TRUE(committer.Setup().ok());
  Status s = committer.Commit({"r_000000_0"}, "{}\n");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("r_000000_0"), std::string::npos) << s.ToString();
  EXPECT_TRUE(dfs_->Stat("/missing/out").status().IsNotFound());
}

TEST_F(AmDfsITest, InputListingRecursesSkipsHiddenNamesAndHasChunks) {
  std::string big = mr::testing::RandomBytes((1 << 20) + 1000, 7);  // Two chunks.
  ASSERT_TRUE(Write("/input/b/big", big).ok());
  ASSERT_TRUE(Write("/input/a", "hello\n").ok());
  ASSERT_TRUE(Write("/input/_SUCCESS", "").ok());
  ASSERT_TRUE(Write("/input/.hidden", "no").ok());
  ASSERT_TRUE(Write("/input/_logs/x", "no").ok());
  ASSERT_TRUE(Write("/input/empty", "").ok());
  auto files = ListDfsInput(dfs_, "/input");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].path, "/input/a");
  EXPECT_EQ((*files)[1].path, "/input/b/big");
  EXPECT_EQ((*files)[2].path, "/input/empty");
  const InputFile& f = (*files)[1];
  EXPECT_EQ(f.length, static_cast<int64_t>(big.size()));
  ASSERT_EQ(f.chunks.size(), 2u);
  EXPECT_EQ(f.chunks[0].offset, 0);
  EXPECT_EQ(f.chunks[1].offset, 1 << 20);
  EXPECT_FALSE(f.chunks[0].replicas.empty());
  for (const ReplicaLocation& r : f.chunks[0].replicas) {
    EXPECT_EQ(r.datanode_id.rfind("dn-", 0), 0u) << r.datanode_id;
    EXPECT_FALSE(r.rack.empty());
  }
  // A single file is its own input; a missing one is NotFound.
  auto one = ListDfsInput(dfs_, "/input/a");
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->at(0).chunks.size(), 1u);
  EXPECT_TRUE(ListDfsInput(dfs_, "/nope").status().IsNotFound());
}

}  // namespace
}  // namespace mr::am
