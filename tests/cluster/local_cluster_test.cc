#include "cluster/local_cluster.h"

#include <gtest/gtest.h>

namespace mr::cluster {
namespace {

// `mrcluster up` without --nm_vcores shares the host's cores among the node
// managers it starts, so that a one-host cluster does not offer more cores
// than the host has; a node manager always offers at least one.
TEST(LocalClusterTest, NodeManagersShareTheHostsCores) {
  EXPECT_EQ(SharedNodeManagerVcores(4, 2), 1);
  EXPECT_EQ(SharedNodeManagerVcores(4, 16), 4);
  EXPECT_EQ(SharedNodeManagerVcores(3, 8), 2);
  EXPECT_EQ(SharedNodeManagerVcores(1, 8), 8);
  EXPECT_EQ(SharedNodeManagerVcores(64, 2), 1);
  EXPECT_EQ(SharedNodeManagerVcores(4, 0), 1);  // hardware_concurrency() may not know.
}

// --rm_flags and the like: flags split at the commas before a flag, so that
// a value may hold commas of its own.
TEST(LocalClusterTest, FlagListsSplitOnlyBeforeTheNextFlag) {
  EXPECT_EQ(SplitFlagList("--a=1,--b=2"), (std::vector<std::string>{"--a=1", "--b=2"}));
  EXPECT_EQ(SplitFlagList("--rm_queues=prod:3,dev:1,--x=1"),
            (std::vector<std::string>{"--rm_queues=prod:3,dev:1", "--x=1"}));
  EXPECT_EQ(SplitFlagList("-v=2"), (std::vector<std::string>{"-v=2"}));
  EXPECT_EQ(SplitFlagList(",x,--y"), (std::vector<std::string>{",x", "--y"}));
  EXPECT_TRUE(SplitFlagList("").empty());
}

}  // namespace
}  // namespace mr::cluster
