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

}  // namespace
}  // namespace mr::cluster
