// End to end on a local cluster of processes (`mrcluster up`: a DFS master,
// 2 racks x 2 datanodes, a resource manager and a node manager beside each
// datanode): jobs submitted with mrjob (and with a job binary's --cluster)
// run their maps beside their data, and their output matches an independent
// count; terasort's output is globally sorted and holds every input record
// (teravalidate); a crashing task is retried and then fails the job with its
// stderr shown; a running job can be killed; two jobs run at once. Nothing
// is left at a failed or killed job's output path.
//
// Skips only if the daemons are not built.
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "dfs/client/whole_file.h"
#include "tests/scheduler/scheduler_cluster.h"

namespace mr::sched {
namespace {

using mr::testing::BinPath;
using mr::testing::CommandResult;
using mr::testing::PrintedCounter;
using mr::testing::Quote;
using mr::testing::RunCommand;

constexpr int64_t kChunk = mr::testing::kSchedulerTestChunk;

class MrjobE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = mr::testing::MissingSchedulerBinaries();
    if (!missing.empty()) GTEST_SKIP() << "cluster binaries not available: " << missing;
    CommandResult up = cluster_.Up();
    ASSERT_EQ(up.exit_code, 0) << "mrcluster up failed:\n" << up.out << up.err;
    auto dfs = dfs::DfsClient::ConnectToCluster(cluster_.dir());
    ASSERT_TRUE(dfs.ok()) << dfs.status().ToString();
    dfs_ = std::move(dfs).value();
  }

  CommandResult Mrjob(const std::string& args, int timeout_s = 120) {
    return cluster_.Mrjob(args, timeout_s);
  }
  CommandResult Submit(const std::string& binary, const std::string& input,
                       const std::string& output, const std::string& extra = "") {
    return cluster_.Submit(binary, input, output, extra);
  }
  Status Write(const std::string& path, const std::string& data) {
    return mr::testing::PutDfsFile(dfs_.get(), path, data);
  }
  std::vector<std::string> Names(const std::string& dir) {
    return mr::testing::DfsNames(dfs_.get(), dir);
  }
  std::string Text(size_t bytes, uint64_t seed, std::map<std::string, int64_t>* counts) {
    return mr::testing::WordCountText(bytes, seed, counts);
  }
  std::map<std::string, int64_t> ReadCounts(const std::string& output, int parts) {
    return mr::testing::ReadWordCounts(dfs_.get(), output, parts);
  }

  mr::testing::SchedulerCluster cluster_;
  std::unique_ptr<dfs::DfsClient> dfs_;
};

TEST_F(MrjobE2ETest, WordCountMatchesAnIndependentCountWithDataLocalMaps) {
  std::map<std::string, int64_t> want;
  ASSERT_TRUE(Write("/in/a.txt", Text(2 * kChunk + kChunk / 2, 1, &want)).ok());  // 3 chunks.
  ASSERT_TRUE(Write("/in/sub/b.txt", Text(kChunk / 3, 2, &want)).ok());
  ASSERT_TRUE(Write("/in/_ignored", "not counted\n").ok());
  CommandResult r = Submit("wordcount", "/in", "/out/wc", "--reducers 3");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Submitted app_"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SUCCEEDED map 100%  reduce 100%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("succeeded in"), std::string::npos) << r.out;
  EXPECT_EQ(ReadCounts("/out/wc", 3), want);
  EXPECT_EQ(Names("/out/wc"), (std::vector<std::string>{"_SUCCESS", "_counters.json",
                                                        "part-r-00000", "part-r-00001",
                                                        "part-r-00002"}));
  EXPECT_EQ(Names("/out"), (std::vector<std::string>{"wc"}));
  // One map per chunk, except that b.txt may share a map with a.txt's half
  // chunk (combined splits: when a node holds replicas of both); each map
  // beside the replicas of the most of its bytes.
  int64_t maps = PrintedCounter(r.out, "Launched map tasks");
  EXPECT_TRUE(maps == 3 || maps == 4) << r.out;
  EXPECT_EQ(PrintedCounter(r.out, "Data-local map tasks"), maps) << r.out;
  EXPECT_EQ(PrintedCounter(r.out, "Launched reduce tasks"), 3) << r.out;
  // The staged binary is gone.
  EXPECT_TRUE(Names("/.staging").empty());
}

// teragen's records, put into the DFS, sorted by terasort on the cluster
// (range partitioner, 3 reduces), read back and checked by teravalidate:
// each part sorted, the parts in order, and the records those of the input.
TEST_F(MrjobE2ETest, TerasortOnTheClusterSortsEveryRecord) {
  mr::testing::ScopedTempDir tmp;
  CommandResult gen = RunCommand(Quote(BinPath("teragen")) + " --records=50000 --output=" +
                                     Quote(tmp.Join("in")),
                                 60);
  ASSERT_EQ(gen.exit_code, 0) << gen.out << gen.err;
  int parts_in = 0;
  for (const std::string& name : mr::testing::ListDir(tmp.Join("in"))) {
    if (name.rfind("part-", 0) != 0) continue;
    Result<std::string> bytes = ReadFileToString(tmp.Join("in/" + name));
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    ASSERT_TRUE(Write("/tera/in/" + name, *bytes).ok());
    ++parts_in;
  }
  ASSERT_GT(parts_in, 0);
  CommandResult r = Submit("terasort", "/tera/in", "/tera/out", "--reducers 3");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Names("/tera/out"), (std::vector<std::string>{"_SUCCESS", "_counters.json",
                                                          "part-r-00000", "part-r-00001",
                                                          "part-r-00002"}));
  ASSERT_TRUE(CreateDirs(tmp.Join("out")).ok());
  for (const char* part : {"part-r-00000", "part-r-00001", "part-r-00002"}) {
    Result<std::string> bytes = dfs::ReadWholeFile(dfs_.get(), std::string("/tera/out/") + part);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    ASSERT_TRUE(WriteStringToFile(tmp.Join(std::string("out/") + part), *bytes, false).ok());
  }
  CommandResult valid = RunCommand(Quote(BinPath("teravalidate")) + " --input=" +
                                       Quote(tmp.Join("out")) + " --original=" +
                                       Quote(tmp.Join("in")),
                                   60);
  EXPECT_EQ(valid.exit_code, 0) << valid.out << valid.err;
}

TEST_F(MrjobE2ETest, AJobBinaryWithClusterSubmitsItself) {
  std::map<std::string, int64_t> want;
  ASSERT_TRUE(Write("/in/a.txt", Text(kChunk / 2, 3, &want)).ok());
  CommandResult r = RunCommand(Quote(BinPath("wordcount")) + " --cluster " +
                                   Quote(cluster_.dir()) + " --input /in --output /out2",
                               120);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ReadCounts("/out2", 1), want);
}

TEST_F(MrjobE2ETest, ACrashingTaskIsRetriedThenFailsTheJobWithItsStderr) {
  std::map<std::string, int64_t> unused;
  ASSERT_TRUE(Write("/in/a.txt", Text(1000, 4, &unused)).ok());
  CommandResult r = Submit("faulty_job", "/in", "/out/bad", "-- --test_crash_in_map");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("failed: task m_000000 failed 4 times; last: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("faulty_job: crashing on purpose"), std::string::npos) << r.err;
  EXPECT_TRUE(Names("/out").empty()) << "a failed job left output";
  // Its status says the same, with four attempts on more than one node.
  size_t at = r.out.find("Submitted ");
  ASSERT_NE(at, std::string::npos);
  std::string app_id = r.out.substr(at + 10, r.out.find('\n', at) - at - 10);
  CommandResult status = Mrjob("status " + app_id + " --json");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("\"state\":\"FAILED\""), std::string::npos) << status.out;
  for (int a = 0; a < 4; ++a) {
    EXPECT_NE(status.out.find("\"attempt_id\":\"m_000000_" + std::to_string(a) + "\""),
              std::string::npos)
        << status.out;
  }
  // The attempts' logs outlive their containers: every attempt's stderr.
  CommandResult logs = Mrjob("logs " + app_id + " m_000000");
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  size_t crashes = 0;
  for (size_t at = 0; (at = logs.out.find("crashing on purpose", at)) != std::string::npos; ++at) {
    ++crashes;
  }
  EXPECT_EQ(crashes, 4u) << logs.out;
  EXPECT_NE(logs.out.find("==> m_000000_3 stderr ("), std::string::npos) << logs.out;
}

TEST_F(MrjobE2ETest, ARunningJobCanBeKilled) {
  std::map<std::string, int64_t> unused;
  ASSERT_TRUE(Write("/in/a.txt", Text(1000, 5, &unused)).ok());
  CommandResult submitted;
  std::thread submit([&] {
    submitted = Submit("faulty_job", "/in", "/out/killed", "-- --test_map_sleep_ms=60000");
  });
  std::string app_id = cluster_.WaitForRunningApp();
  EXPECT_FALSE(app_id.empty());
  CommandResult kill = Mrjob("kill " + app_id);
  EXPECT_EQ(kill.exit_code, 0) << kill.out << kill.err;
  EXPECT_NE(kill.out.find(app_id + " KILLED"), std::string::npos) << kill.out;
  submit.join();
  EXPECT_EQ(submitted.exit_code, 1) << submitted.out << submitted.err;
  EXPECT_NE(submitted.err.find("was killed"), std::string::npos) << submitted.err;
  EXPECT_TRUE(Names("/out").empty());
  // Killing it again is a failure, not a usage error.
  EXPECT_EQ(Mrjob("kill " + app_id).exit_code, 1);
}

TEST_F(MrjobE2ETest, TwoJobsRunAtOnce) {
  std::map<std::string, int64_t> want;
  ASSERT_TRUE(Write("/in/a.txt", Text(2 * kChunk, 6, &want)).ok());
  CommandResult first, second;
  std::thread a([&] { first = Submit("wordcount", "/in", "/out/one", "--reducers 2"); });
  std::thread b([&] { second = Submit("wordcount", "/in", "/out/two", "--partitioner range"); });
  a.join();
  b.join();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(ReadCounts("/out/one", 2), want);
  EXPECT_EQ(ReadCounts("/out/two", 1), want);
  CommandResult list = Mrjob("list");
  EXPECT_EQ(list.exit_code, 0);
  size_t succeeded = 0;
  for (size_t at = 0; (at = list.out.find("SUCCEEDED", at)) != std::string::npos; ++at) ++succeeded;
  EXPECT_EQ(succeeded, 2u) << list.out;
  EXPECT_EQ(Mrjob("status app_0_9999").exit_code, 1);
}

}  // namespace
}  // namespace mr::sched
