#include "dfs/master/replication_planner.h"

#include <gtest/gtest.h>

namespace mr::dfs {
namespace {

using Kind = ReplicationCommand::Kind;

std::vector<DatanodeLoad> Cluster() {
  std::vector<DatanodeLoad> nodes;
  for (const char* rack : {"a", "b", "c"}) {
    for (int i = 1; i <= 3; ++i) {
      std::string id = std::string(rack) + std::to_string(i);
      nodes.push_back({id, "host-" + id, std::string("/") + rack, 1000, 100, 0});
    }
  }
  return nodes;
}

// A new copy goes only where it fits, and never to a node whose copy was
// reported bad or is being deleted.
TEST(ReplicationPlannerTest, TargetsHaveRoomAndAreNotAvoided) {
  std::vector<DatanodeLoad> nodes = Cluster();  // 900 bytes free each...
  for (DatanodeLoad& n : nodes) {
    if (n.id == "a2" || n.id == "a3" || n.id == "b2" || n.id == "c1") {
      n.used_bytes = 950;  // ...but 50 here.
    }
  }
  ChunkReplicas chunk{1, 1, 3, {"a1", "b1"}, 100, {"b3", "c2"}};
  ReplicationPlanOptions options;
  options.min_free_bytes = 10;
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    std::mt19937_64 rng(seed);
    ReplicationPlan plan = PlanReplication({chunk}, nodes, options, &rng);
    ASSERT_EQ(plan.commands.size(), 1u);
    ASSERT_EQ(plan.commands[0].target_ids.size(), 1u);
    EXPECT_EQ(plan.commands[0].target_ids[0], "c3") << "the only node with room, not avoided";
  }
  // No node left: deferred, not sent where it cannot land.
  chunk.avoid.push_back("c3");
  std::mt19937_64 rng(1);
  ReplicationPlan plan = PlanReplication({chunk}, nodes, options, &rng);
  EXPECT_TRUE(plan.commands.empty());
  EXPECT_EQ(plan.deferred_chunks, 1);
}

TEST(ReplicationPlannerTest, FewestLiveReplicasFirstWithinTheCap) {
  std::vector<ChunkReplicas> chunks = {
      {1, 1, 3, {"a1", "b1"}, 100, {}},  // Two live.
      {2, 1, 3, {"a2"}, 100, {}},        // One live: most urgent.
      {3, 1, 3, {"a1", "b2", "b3"}, 100, {}},  // Healthy.
      {4, 1, 3, {"c1", "c2"}, 100, {}},  // Two live.
      {5, 1, 3, {}, 100, {}},            // Lost.
  };
  std::mt19937_64 rng(1);
  ReplicationPlanOptions options;
  options.max_replications = 2;
  ReplicationPlan plan = PlanReplication(chunks, Cluster(), options, &rng);
  ASSERT_EQ(plan.commands.size(), 2u);
  EXPECT_EQ(plan.commands[0].chunk_id, 2);
  EXPECT_EQ(plan.commands[0].datanode_id, "a2");
  EXPECT_EQ(plan.commands[0].target_ids.size(), 2u);  // One pipeline, two new copies.
  EXPECT_EQ(plan.commands[1].chunk_id, 1);
  EXPECT_EQ(plan.deferred_chunks, 1);  // Chunk 4 waits for the next round.
  EXPECT_EQ(plan.missing_chunks, 1);
  for (const ReplicationCommand& c : plan.commands) EXPECT_EQ(c.kind, Kind::kReplicate);
}

TEST(ReplicationPlannerTest, NewReplicasKeepTheRackRule) {
  std::vector<ChunkReplicas> chunks = {{1, 1, 3, {"c1", "c2"}, 100, {}}};
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::mt19937_64 rng(seed);
    ReplicationPlan plan = PlanReplication(chunks, Cluster(), {}, &rng);
    ASSERT_EQ(plan.commands.size(), 1u);
    ASSERT_EQ(plan.commands[0].target_ids.size(), 1u);
    EXPECT_NE(plan.commands[0].target_ids[0][0], 'c');  // Not on rack /c again.
  }
}

TEST(ReplicationPlannerTest, PerSourceCapSpreadsTheWork) {
  std::vector<ChunkReplicas> chunks;
  for (int64_t id = 1; id <= 5; ++id) chunks.push_back({id, 1, 2, {"a1"}, 100, {}});
  std::mt19937_64 rng(1);
  ReplicationPlanOptions options;
  options.max_replications_per_source = 2;
  ReplicationPlan plan = PlanReplication(chunks, Cluster(), options, &rng);
  EXPECT_EQ(plan.commands.size(), 2u);
  EXPECT_EQ(plan.deferred_chunks, 3);
}

TEST(ReplicationPlannerTest, ExcessReplicasLeaveTheFullestRack) {
  auto nodes = Cluster();
  nodes[1].used_bytes = 900;  // a2: least free space of rack /a.
  std::vector<ChunkReplicas> chunks = {{7, 3, 3, {"a1", "a2", "a3", "b1", "b2"}, 100, {}}};
  std::mt19937_64 rng(1);
  ReplicationPlan plan = PlanReplication(chunks, nodes, {}, &rng);
  ASSERT_EQ(plan.commands.size(), 2u);
  EXPECT_EQ(plan.commands[0].kind, Kind::kDelete);
  EXPECT_EQ(plan.commands[0].datanode_id, "a2");
  EXPECT_EQ(plan.commands[0].generation, 3);
  // Then racks /a and /b hold two each; a1 and a3 tie on rack and space: by id.
  EXPECT_EQ(plan.commands[1].datanode_id, "a1");
}

TEST(ReplicationPlannerTest, ReplicasOnDeadNodesDoNotCount) {
  std::vector<ChunkReplicas> chunks = {{1, 1, 1, {"gone", "a1"}, 100, {}}, {2, 1, 2, {"gone", "b1"}, 100, {}}};
  std::mt19937_64 rng(1);
  ReplicationPlan plan = PlanReplication(chunks, Cluster(), {}, &rng);
  ASSERT_EQ(plan.commands.size(), 1u);  // Nothing to delete for chunk 1.
  EXPECT_EQ(plan.commands[0].chunk_id, 2);
  EXPECT_EQ(plan.commands[0].datanode_id, "b1");
  EXPECT_EQ(plan.commands[0].target_ids.size(), 1u);
}

}  // namespace
}  // namespace mr::dfs
