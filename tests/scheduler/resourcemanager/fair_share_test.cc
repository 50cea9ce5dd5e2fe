// Water-filling fair shares and the --rm_queues syntax.
#include <gtest/gtest.h>

#include "scheduler/resourcemanager/fair_share.h"
#include "scheduler/resourcemanager/queues.h"
#include "scheduler/resourcemanager/resources.h"

namespace mr::sched {
namespace {

TEST(FairShareTest, WaterFillByWeightCappedAtDemand) {
  // Weights 3:1, both wanting everything: 3:1.
  std::vector<double> s = WaterFill({{3, 1.0}, {1, 1.0}}, 1.0);
  EXPECT_NEAR(s[0], 0.75, 1e-12);
  EXPECT_NEAR(s[1], 0.25, 1e-12);
  // The heavy one wants little: the rest goes to the other.
  s = WaterFill({{3, 0.1}, {1, 1.0}}, 1.0);
  EXPECT_NEAR(s[0], 0.1, 1e-12);
  EXPECT_NEAR(s[1], 0.9, 1e-12);
  // Nobody wants it all: each gets its demand.
  s = WaterFill({{1, 0.2}, {1, 0.3}, {2, 0.1}}, 1.0);
  EXPECT_NEAR(s[0], 0.2, 1e-12);
  EXPECT_NEAR(s[1], 0.3, 1e-12);
  EXPECT_NEAR(s[2], 0.1, 1e-12);
  // Three equal claims on a smaller capacity, one small.
  s = WaterFill({{1, 0.05}, {1, 1}, {1, 1}}, 0.5);
  EXPECT_NEAR(s[0], 0.05, 1e-12);
  EXPECT_NEAR(s[1], 0.225, 1e-12);
  EXPECT_NEAR(s[2], 0.225, 1e-12);
  EXPECT_TRUE(WaterFill({}, 1.0).empty());
}

TEST(FairShareTest, DominantShareIsTheLargerFraction) {
  wire::Resource total = MakeResource(4, 16384);
  EXPECT_DOUBLE_EQ(DominantShare(MakeResource(1, 576), total), 0.25);
  EXPECT_DOUBLE_EQ(DominantShare(MakeResource(0, 8192), total), 0.5);
  EXPECT_DOUBLE_EQ(DominantShare(MakeResource(1, 512), MakeResource(0, 0)), 0);
}

TEST(QueuesTest, ParsesNamesAndWeights) {
  auto queues = ParseQueues("prod:3,dev:1,adhoc");
  ASSERT_TRUE(queues.ok()) << queues.status().ToString();
  ASSERT_EQ(queues->size(), 3u);
  EXPECT_EQ((*queues)[0].name, "prod");
  EXPECT_DOUBLE_EQ((*queues)[0].weight, 3);
  EXPECT_DOUBLE_EQ((*queues)[1].weight, 1);
  EXPECT_EQ((*queues)[2].name, "adhoc");
  EXPECT_DOUBLE_EQ((*queues)[2].weight, 1);
  EXPECT_DOUBLE_EQ((*ParseQueues("a:0.5"))[0].weight, 0.5);
  EXPECT_EQ((*ParseQueues(kDefaultQueues))[0].name, "default");
  for (const char* bad : {"", ",", "a:0", "a:-1", "a:x", "a:1x", "a:inf", "a,a", "bad name:1",
                          "a/b", ":3"}) {
    EXPECT_TRUE(ParseQueues(bad).status().IsInvalidArgument()) << bad;
  }
}

}  // namespace
}  // namespace mr::sched
