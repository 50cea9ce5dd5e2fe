// Jobs beyond word count on a local cluster of processes (`mrcluster up`):
// the inverted index names the DFS paths and offsets of its input; streaming
// jobs run user commands shipped with --files through the DFS staging area,
// and a failing command fails its job with its stderr; a job binary's own
// usage error stops `mrjob submit` before anything is created.
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "tests/scheduler/scheduler_cluster.h"

namespace mr {
namespace {

using testing::CommandResult;
using testing::Quote;

constexpr int64_t kChunk = testing::kSchedulerTestChunk;

class ExamplesClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = testing::MissingSchedulerBinaries();
    if (!missing.empty()) GTEST_SKIP() << "cluster binaries not available: " << missing;
    CommandResult up = cluster_.Up();
    ASSERT_EQ(up.exit_code, 0) << "mrcluster up failed:\n" << up.out << up.err;
    auto dfs = dfs::DfsClient::ConnectToCluster(cluster_.dir());
    ASSERT_TRUE(dfs.ok()) << dfs.status().ToString();
    dfs_ = std::move(dfs).value();
  }

  // Sorted lines of the job's part files.
  std::vector<std::string> OutputLines(const std::string& output) {
    std::vector<std::string> lines;
    for (const std::string& name : testing::DfsNames(dfs_.get(), output)) {
      if (name.rfind("part-", 0) != 0) continue;
      Result<std::string> part = testing::GetDfsFile(dfs_.get(), output + "/" + name);
      EXPECT_TRUE(part.ok()) << part.status().ToString();
      std::istringstream in(part.ok() ? *part : "");
      for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  testing::SchedulerCluster cluster_;
  std::unique_ptr<dfs::DfsClient> dfs_;
  testing::ScopedTempDir local_;
};

TEST_F(ExamplesClusterTest, TheInvertedIndexNamesDfsPathsAndOffsets) {
  std::map<std::string, std::set<std::pair<std::string, uint64_t>>> want;
  std::map<std::string, int64_t> unused;
  for (const auto& [path, bytes] : {std::pair{"/docs/a.txt", 2 * kChunk + kChunk / 3},
                                    std::pair{"/docs/sub/b.txt", kChunk / 2}}) {
    std::string text = testing::WordCountText(bytes, bytes, &unused);
    ASSERT_TRUE(testing::PutDfsFile(dfs_.get(), path, text).ok());
    for (size_t start = 0; start < text.size();) {
      size_t nl = text.find('\n', start);
      std::istringstream words(text.substr(start, nl - start));
      for (std::string w; words >> w;) want[w].insert({path, start});
      start = nl + 1;
    }
  }
  CommandResult r = cluster_.Submit("invertedindex", "/docs", "/index", "--reducers 2", 180);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> expected;
  for (const auto& [word, places] : want) {
    std::string line = word + "\t";
    for (const auto& [file, offset] : places) {
      line += (line.back() == '\t' ? "" : ",") + file + ":" + std::to_string(offset);
    }
    expected.push_back(line);
  }
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> got = OutputLines("/index");
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected) << "the index differs";
}

TEST_F(ExamplesClusterTest, AStreamingJobShipsItsFilesAndMatchesAnIndependentCount) {
  std::map<std::string, int64_t> want;
  ASSERT_TRUE(testing::PutDfsFile(dfs_.get(), "/in/a.txt",
                                  testing::WordCountText(2 * kChunk + kChunk / 2, 21, &want))
                  .ok());
  ASSERT_TRUE(WriteStringToFile(local_.Join("count_map.py"),
                                "import sys\n"
                                "for line in sys.stdin:\n"
                                "    for w in line.split():\n"
                                "        print(w + '\\t1')\n",
                                false)
                  .ok());
  ASSERT_TRUE(WriteStringToFile(local_.Join("count_sum.py"),
                                "import sys, itertools\n"
                                "rows = (l.rstrip('\\n').split('\\t', 1) for l in sys.stdin)\n"
                                "for k, g in itertools.groupby(rows, key=lambda r: r[0]):\n"
                                "    print(k + '\\t' + str(sum(int(v) for _, v in g)))\n",
                                false)
                  .ok());
  std::string files = local_.Join("count_map.py") + "," + local_.Join("count_sum.py");
  CommandResult r = cluster_.Submit(
      "mrstream", "/in", "/out/stream",
      "--reducers 2 -- --mapper='python3 count_map.py' --combiner='python3 count_sum.py' "
      "--reducer='python3 count_sum.py' --files=" + Quote(files),
      180);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> expected;
  for (const auto& [word, count] : want) expected.push_back(word + "\t" + std::to_string(count));
  EXPECT_EQ(OutputLines("/out/stream"), expected);
  // The staging area (the binary and the files) is gone with the job.
  EXPECT_TRUE(testing::DfsNames(dfs_.get(), "/.staging").empty());
}

TEST_F(ExamplesClusterTest, AFailingStreamingCommandFailsTheJobWithItsStderr) {
  ASSERT_TRUE(testing::PutDfsFile(dfs_.get(), "/in/a.txt", "one line\n").ok());
  CommandResult r = cluster_.Submit(
      "mrstream", "/in", "/out/bad",
      "-- --mapper='cat >/dev/null; echo streaming mapper broke >&2; exit 3'", 180);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("failed (exit code 3)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("streaming mapper broke"), std::string::npos) << r.err;
  EXPECT_TRUE(testing::DfsNames(dfs_.get(), "/out").empty()) << "a failed job left output";
}

// `mrjob submit` runs the binary's own flag check first: a usage error
// exits 2 with the job's message, and nothing is created: no application,
// no staging directory, no output.
TEST_F(ExamplesClusterTest, AJobsUsageErrorStopsTheSubmissionBeforeAnythingIsCreated) {
  ASSERT_TRUE(testing::PutDfsFile(dfs_.get(), "/in/a.txt", "one line\n").ok());
  for (const std::string& bad : {std::string("-- --no_such_flag=1"),
                                 std::string("-- --sort_buffer_mb=0"),
                                 std::string("-- --files=/no/such/file")}) {
    SCOPED_TRACE(bad);
    CommandResult r = cluster_.Submit("wordcount", "/in", "/out/x", bad);
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_EQ(r.err.rfind("wordcount: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  CommandResult grep = cluster_.Submit("grep", "/in", "/out/x", "");
  EXPECT_EQ(grep.exit_code, 2);
  EXPECT_NE(grep.err.find("grep: --pattern is required"), std::string::npos) << grep.err;
  // A program that is not a job binary is refused too (exit 1), unrun on the cluster.
  ASSERT_TRUE(WriteStringToFile(local_.Join("not_a_job.sh"), "#!/bin/sh\necho hello\n", false).ok());
  ASSERT_EQ(::chmod(local_.Join("not_a_job.sh").c_str(), 0755), 0);
  CommandResult script = cluster_.Mrjob("submit --binary " + Quote(local_.Join("not_a_job.sh")) +
                                        " --input /in --output /out/x");
  EXPECT_EQ(script.exit_code, 1);
  EXPECT_NE(script.err.find("is not a MapReduce job binary"), std::string::npos) << script.err;
  CommandResult list = cluster_.Mrjob("list --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out.find("app_"), std::string::npos) << list.out;
  EXPECT_TRUE(testing::DfsNames(dfs_.get(), "/.staging").empty());
  EXPECT_TRUE(testing::DfsNames(dfs_.get(), "/out").empty());
}

}  // namespace
}  // namespace mr
