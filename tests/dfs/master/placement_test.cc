#include "dfs/master/placement.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

namespace mr::dfs {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;

DatanodeLoad Node(const std::string& id, const std::string& rack, int32_t transfers = 0) {
  std::string host = "host-";
  host += id;
  return {id, host, rack, 100 * kGiB, 10 * kGiB, transfers};
}

PlacementRequest FromWriter(const std::string& host) {
  PlacementRequest request;
  request.writer_host = host;
  return request;
}

std::vector<DatanodeLoad> TwoRacksTwoNodes() {
  return {Node("a1", "/a"), Node("a2", "/a"), Node("b1", "/b"), Node("b2", "/b")};
}

std::map<std::string, std::string> RackOf(const std::vector<DatanodeLoad>& nodes) {
  std::map<std::string, std::string> racks;
  for (const DatanodeLoad& n : nodes) racks[n.id] = n.rack;
  return racks;
}

TEST(PlacementTest, TwoRacksGiveATwoOneSplitWithWriterLocalFirst) {
  auto nodes = TwoRacksTwoNodes();
  auto rack = RackOf(nodes);
  for (uint64_t seed = 0; seed < 50; ++seed) {
    std::mt19937_64 rng(seed);
    PlacementResult r = ChooseTargets(nodes, FromWriter("host-b2"), &rng);
    ASSERT_EQ(r.targets.size(), 3u);
    EXPECT_FALSE(r.degraded);
    EXPECT_EQ(r.targets[0], "b2");
    EXPECT_EQ(rack[r.targets[1]], "/a");  // Off the writer's rack...
    EXPECT_EQ(rack[r.targets[2]], "/a");  // ...and its rack-mate.
    EXPECT_EQ(std::set<std::string>(r.targets.begin(), r.targets.end()).size(), 3u);
  }
}

TEST(PlacementTest, NonDatanodeWriterStillSpreadsAcrossRacks) {
  auto nodes = TwoRacksTwoNodes();
  auto rack = RackOf(nodes);
  std::set<std::string> firsts;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    std::mt19937_64 rng(seed);
    PlacementResult r = ChooseTargets(nodes, FromWriter("client"), &rng);
    ASSERT_EQ(r.targets.size(), 3u);
    EXPECT_FALSE(r.degraded);
    EXPECT_NE(rack[r.targets[0]], rack[r.targets[1]]);
    EXPECT_EQ(rack[r.targets[1]], rack[r.targets[2]]);
    firsts.insert(r.targets[0]);
  }
  EXPECT_GT(firsts.size(), 1u);  // Random, not always the same node.
}

TEST(PlacementTest, DeterministicForASeed) {
  auto nodes = TwoRacksTwoNodes();
  std::mt19937_64 rng1(7), rng2(7);
  EXPECT_EQ(ChooseTargets(nodes, {}, &rng1).targets, ChooseTargets(nodes, {}, &rng2).targets);
}

TEST(PlacementTest, OneRackGivesDistinctNodesDegraded) {
  std::vector<DatanodeLoad> nodes = {Node("n1", "/r"), Node("n2", "/r"), Node("n3", "/r"),
                                     Node("n4", "/r")};
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::mt19937_64 rng(seed);
    PlacementResult r = ChooseTargets(nodes, FromWriter("host-n1"), &rng);
    ASSERT_EQ(r.targets.size(), 3u);
    EXPECT_TRUE(r.degraded);
    EXPECT_EQ(r.targets[0], "n1");
    EXPECT_EQ(std::set<std::string>(r.targets.begin(), r.targets.end()).size(), 3u);
  }
}

TEST(PlacementTest, TooFewNodesGivesWhatThereIsDegraded) {
  std::vector<DatanodeLoad> nodes = {Node("a1", "/a"), Node("b1", "/b")};
  std::mt19937_64 rng(1);
  PlacementResult r = ChooseTargets(nodes, {}, &rng);
  EXPECT_EQ(r.targets.size(), 2u);
  EXPECT_NE(r.targets[0], r.targets[1]);
  EXPECT_TRUE(r.degraded);
}

TEST(PlacementTest, ExcludedFullAndExistingNodesAreSkipped) {
  auto nodes = TwoRacksTwoNodes();
  nodes[1].used_bytes = nodes[1].capacity_bytes;  // a2 is full.
  std::mt19937_64 rng(3);
  PlacementRequest request;
  request.replicas_wanted = 1;
  request.existing = {"b1"};
  request.excluded = {"a1"};
  request.min_free_bytes = kGiB;
  PlacementResult r = ChooseTargets(nodes, request, &rng);
  // Off-rack from b1 would be a1 or a2, both unusable: b2, degraded.
  EXPECT_EQ(r.targets, std::vector<std::string>{"b2"});
  EXPECT_TRUE(r.degraded);
}

TEST(PlacementTest, ReReplicationKeepsTheRackRule) {
  auto nodes = TwoRacksTwoNodes();
  auto rack = RackOf(nodes);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::mt19937_64 rng(seed);
    PlacementRequest request;
    request.replicas_wanted = 1;
    request.existing = {"a1", "a2"};  // Both on one rack: the new one goes elsewhere.
    PlacementResult r = ChooseTargets(nodes, request, &rng);
    ASSERT_EQ(r.targets.size(), 1u);
    EXPECT_EQ(rack[r.targets[0]], "/b");
    EXPECT_FALSE(r.degraded);
  }
}

TEST(PlacementTest, PrefersLessLoadedNodes) {
  std::vector<DatanodeLoad> nodes;
  for (char i = '0'; i <= '9'; ++i) nodes.push_back(Node(std::string{'n', i}, "/r", i == '0' ? 0 : 50));
  int idle_first = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    std::mt19937_64 rng(seed);
    PlacementRequest request;
    request.replicas_wanted = 1;
    if (ChooseTargets(nodes, request, &rng).targets[0] == "n0") ++idle_first;
  }
  EXPECT_GT(idle_first, 200 / 10 + 10);  // Better than uniform (about 20 of 200).
}

}  // namespace
}  // namespace mr::dfs
