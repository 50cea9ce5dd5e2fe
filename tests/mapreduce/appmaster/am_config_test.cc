// What the AM hands its tasks and how it reads its environment.
#include "mapreduce/appmaster/am_config.h"

#include <gtest/gtest.h>

#include "mapreduce/appmaster/task_names.h"

namespace mr::am {
namespace {

TEST(AmConfigTest, TasksGetTheJobsOwnFlagsOnly) {
  std::vector<std::string> argv = {"/nm/apps/app_1_0001/job", "--mr_role=am", "--input=/in",
                                   "--output", "/out", "--reducers=3", "--partitioner=range",
                                   "--pattern=a b", "-ignore_case", "--max_matches", "7"};
  EXPECT_EQ(TaskJobArgs(argv), (std::vector<std::string>{"--pattern=a b", "-ignore_case",
                                                         "--max_matches", "7"}));
  EXPECT_EQ(TaskJobArgs({"job", "--mr_role", "am", "--x=1"}), (std::vector<std::string>{"--x=1"}));
  EXPECT_TRUE(TaskJobArgs({"job"}).empty());
}

TEST(AmConfigTest, TaskNamesFollowTheContract) {
  EXPECT_EQ(TaskName(TaskKind::kMap, 3), "m_000003");
  EXPECT_EQ(AttemptId(TaskKind::kMap, 3, 1), "m_000003_1");
  EXPECT_EQ(AttemptId(TaskKind::kReduce, 0, 0), "r_000000_0");
  EXPECT_EQ(MapOutputName("m_000003_1"), "m_000003_1.out");
}

}  // namespace
}  // namespace mr::am
