#include "dfs/datanode/datanode_id.h"

#include <gtest/gtest.h>

#include "tests/common/test_util.h"

namespace mr::dfs {
namespace {

TEST(DatanodeIdTest, CreatedOnceThenKept) {
  mr::testing::ScopedTempDir dir;
  auto first = LoadOrCreateDatanodeId(dir.path(), "", "/r1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->rfind("node-r1-", 0), 0u) << *first;
  auto again = LoadOrCreateDatanodeId(dir.path(), "", "/r2");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(LoadOrCreateDatanodeId(dir.path(), "other", "/r1").status().code(),
            Status::Code::kInvalidArgument);
}

TEST(DatanodeIdTest, RequestedIdIsStored) {
  mr::testing::ScopedTempDir dir;
  ASSERT_EQ(*LoadOrCreateDatanodeId(dir.path(), "node-r1-1", "/r1"), "node-r1-1");
  ASSERT_EQ(*LoadOrCreateDatanodeId(dir.path(), "node-r1-1", "/r1"), "node-r1-1");
}

}  // namespace
}  // namespace mr::dfs
