// Which flags a job binary run with --cluster forwards to the cluster job.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "job_args.h"

namespace mr {
namespace {

std::vector<std::string> Forwarded(std::vector<const char*> argv) {
  argv.insert(argv.begin(), "wordcount");
  return JobArgsForCluster(static_cast<int>(argv.size()), argv.data());
}

TEST(JobArgsTest, DropsTheSubmissionFlagsInEverySpelling) {
  EXPECT_EQ(Forwarded({"--cluster=/c", "--input", "/in", "-output=/out", "-reducers", "3",
                       "--partitioner=range", "--pattern=foo", "--v=1", "--nomap_side_aggregation",
                       "--sort_buffer_mb", "32"}),
            (std::vector<std::string>{"--pattern=foo", "--v=1", "--nomap_side_aggregation",
                                      "--sort_buffer_mb", "32"}));
}

TEST(JobArgsTest, KeepsLookalikesAndEverythingAfterDoubleDash) {
  EXPECT_EQ(Forwarded({"--input_buffer_kb=8", "--outputs=x", "-", "--", "--input=/x"}),
            (std::vector<std::string>{"--input_buffer_kb=8", "--outputs=x", "-", "--",
                                      "--input=/x"}));
}

TEST(JobArgsTest, NothingToForward) {
  EXPECT_TRUE(Forwarded({"--cluster", "/c", "--input=/in", "--output=/out"}).empty());
  EXPECT_TRUE(Forwarded({}).empty());
}

}  // namespace
}  // namespace mr
