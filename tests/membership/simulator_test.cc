// The simulator at small N with fixed seeds: the invariants behind the
// issue 4 targets (every crash detected, everyone learns it within a bound,
// no false positives without loss, suspicion cuts false positives under
// loss) and determinism. Issue 15's repros, each over 100 seeds: every join
// reaches everyone, healed partitions merge, 30% loss fails nobody for long.
#include "membership/sim/simulator.h"

#include <cmath>

#include <gtest/gtest.h>

namespace mr::membership::sim {
namespace {

SimOptions Small(uint64_t seed) {
  SimOptions o;
  o.nodes = 64;
  o.periods = 80;
  o.crash = 4;
  o.seed = seed;
  return o;
}

TEST(MembershipSimulatorTest, SwimDetectsEveryCrashWithoutFalsePositives) {
  for (uint64_t seed : {1, 2, 3}) {
    SimOptions o = Small(seed);
    SimReport r = RunSimulation(o);
    EXPECT_EQ(r.crashes, 4);
    EXPECT_EQ(r.undetected, 0) << "seed " << seed;
    EXPECT_EQ(r.false_failure_events, 0u);
    EXPECT_EQ(r.false_suspicion_events, 0u);
    // Round-robin: detected within 2N-1 periods at worst; far sooner here.
    EXPECT_LE(r.first_detection.max, 2.0 * o.nodes - 1);
    // Everyone suspects it within O(log N) periods of the first suspicion.
    EXPECT_LE(r.dissemination.max, 3 * std::log2(o.nodes));
    // And everyone has it failed once the suspicion timeout has run.
    EXPECT_EQ(r.all_failed.count, 4u);
    EXPECT_LE(r.all_failed.max, r.all_know.max + r.suspicion_timeout_periods + 2);
    EXPECT_EQ(r.members_fully_joined, o.nodes - 4);
  }
}

TEST(MembershipSimulatorTest, SameSeedSameReport) {
  SimOptions o = Small(7);
  o.loss = 0.05;
  EXPECT_EQ(ReportJson(o, RunSimulation(o)), ReportJson(o, RunSimulation(o)));
  SimOptions other = o;
  other.seed = 8;
  EXPECT_NE(ReportJson(o, RunSimulation(o)), ReportJson(other, RunSimulation(other)));
}

TEST(MembershipSimulatorTest, SuspicionCutsFalsePositivesUnderLoss) {
  SimOptions o = Small(5);
  o.nodes = 100;
  o.periods = 100;
  o.crash = 0;
  o.loss = 0.1;
  o.core.suspicion = false;
  SimReport without = RunSimulation(o);
  o.core.suspicion = true;
  SimReport with = RunSimulation(o);
  EXPECT_GT(without.false_failure_events, 10u);
  EXPECT_LE(with.false_failure_events * 10, without.false_failure_events);
}

TEST(MembershipSimulatorTest, MessagesPerMemberDoNotGrowWithN) {
  SimOptions o = Small(3);
  o.crash = 0;
  o.periods = 30;
  o.nodes = 50;
  double small = RunSimulation(o).messages_per_member_per_period;
  o.nodes = 400;
  double large = RunSimulation(o).messages_per_member_per_period;
  EXPECT_NEAR(small, large, 0.1 * small);
}

TEST(MembershipSimulatorTest, RackAwareProbingKeepsProbesInTheRack) {
  SimOptions o = Small(9);
  o.nodes = 200;
  o.racks = 4;
  SimReport plain = RunSimulation(o);
  o.core.rack_aware = true;
  SimReport aware = RunSimulation(o);
  EXPECT_EQ(aware.undetected, 0);
  EXPECT_EQ(aware.false_failure_events, 0u);
  // About one probe per rack per period leaves the rack, instead of 3/4 of all.
  EXPECT_LE(aware.cross_rack_messages_per_member_per_period * 10,
            plain.cross_rack_messages_per_member_per_period);
}

TEST(MembershipSimulatorTest, GossipHeartbeatingDetectsCrashes) {
  SimOptions o = Small(2);
  o.protocol = Protocol::kGossip;
  o.nodes = 32;
  SimReport r = RunSimulation(o);
  EXPECT_EQ(r.undetected, 0);
  EXPECT_EQ(r.false_failure_events, 0u);
  // T_fail is 20 periods; detection is T_fail plus the heartbeat's spread.
  EXPECT_GE(r.first_detection.mean, 19);
  EXPECT_LE(r.all_know.max, 40);
}

TEST(MembershipSimulatorTest, MembersJoinThroughTheSeed) {
  SimOptions o = Small(4);
  o.join = true;
  o.crash = 2;
  SimReport r = RunSimulation(o);
  EXPECT_EQ(r.members_fully_joined, o.nodes - 2);
  EXPECT_EQ(r.undetected, 0);
}

// Issue 15: "--nodes=6 --join --crash=0 --periods=5000 --seed=15 ends with
// 5 of 6 fully joined; across 100 seeds, 2 (N=5), 5 (N=6) and 1 (N=10) runs
// ended incomplete". A joiner's own Alive now rides on its PINGs until
// acked; anti-entropy is off here, so that the fix is what is tested.
// Bound: the joiners start within 5 periods of each other, and each PINGs
// every member it knows within one pass (N - 1 periods): one full view by
// period 5 + 2N.
SimOptions JoinCase(int nodes, uint64_t seed, int periods) {
  SimOptions o;
  o.nodes = nodes;
  o.join = true;
  o.crash = 0;
  o.periods = periods;
  o.seed = seed;
  o.core.push_pull_interval_ms = 0;
  o.core.reconnect_interval_ms = 0;
  return o;
}

TEST(MembershipSimulatorTest, EveryJoinReachesEveryoneWithoutAntiEntropy) {
  for (int nodes : {5, 6, 10}) {
    for (uint64_t seed = 1; seed <= 100; ++seed) {
      SimReport r = RunSimulation(JoinCase(nodes, seed, 100));
      EXPECT_EQ(r.members_fully_joined, nodes) << "N=" << nodes << " seed " << seed;
      EXPECT_GE(r.converged_at_periods, 0) << "N=" << nodes << " seed " << seed;
      EXPECT_LE(r.converged_at_periods, 5 + 2 * nodes) << "N=" << nodes << " seed " << seed;
    }
  }
  SimReport r = RunSimulation(JoinCase(6, 15, 5000));  // The issue's own run.
  EXPECT_EQ(r.members_fully_joined, 6);
  EXPECT_LE(r.converged_at_periods, 5 + 2 * 6);
}

// Issue 15: "--nodes=100 --crash=0 --partition=0.5 --partition_start=10
// --partition_end=40 --periods=1000 ends with members_fully_joined 0".
// Each half fails the other; after the heal, reconnect attempts (one per
// member per 50 periods, at random phases: the first within a period or so)
// find the far side, push-pulls merge the views, and every member refutes
// the failure the far side holds of it. Bound: one full view within 100
// periods of the heal (observed: 12-36). Four shards of 25 seeds, so that
// ctest can run them side by side.
class HealedPartitionTest : public ::testing::TestWithParam<int> {};

// `nodes` members, no crash, split in halves from period 10 until
// `partition_end`.
SimOptions SplitInHalves(Protocol protocol, int nodes, int partition_end, int periods,
                         uint64_t seed) {
  SimOptions o;
  o.protocol = protocol;
  o.nodes = nodes;
  o.crash = 0;
  o.partition = 0.5;
  o.partition_start = 10;
  o.partition_end = partition_end;
  o.periods = periods;
  o.seed = seed;
  return o;
}

// Every member holds every other by the end, and one full view came
// within `bound` periods of the heal.
void ExpectMergedWithin(const SimReport& r, int nodes, double bound, uint64_t seed) {
  EXPECT_EQ(r.members_fully_joined, nodes) << "seed " << seed;
  EXPECT_GE(r.merge_periods, 0) << "seed " << seed;
  EXPECT_LE(r.merge_periods, bound) << "seed " << seed;
}

TEST_P(HealedPartitionTest, MergesIntoOneFullViewWithinABound) {
  const uint64_t shard = static_cast<uint64_t>(GetParam());
  for (uint64_t seed = 1 + 25 * shard; seed <= 25 + 25 * shard; ++seed) {
    SimReport r = RunSimulation(SplitInHalves(Protocol::kSwim, 100, 40, 160, seed));
    EXPECT_GE(r.max_falsely_failed_at_once, 90) << "seed " << seed;  // The halves did split.
    ExpectMergedWithin(r, 100, 100, seed);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, HealedPartitionTest, ::testing::Range(0, 4));

// Gossip heartbeating "stops healing at about 30 periods": a partition long
// enough that each half failed and deleted the other (T_fail 20 periods +
// T_cleanup 40) merges too, through reconnect push-pulls. Bound: one full
// view within 100 periods of the heal.
TEST(MembershipSimulatorTest, GossipHealsALongPartition) {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    ExpectMergedWithin(RunSimulation(SplitInHalves(Protocol::kGossip, 20, 100, 200, seed)), 20,
                       100, seed);
  }
}

// Issue 15: "at 30% datagram loss, N=1000, every member is falsely failed".
// Here at N=100 over 100 seeds, in two shards (N=1000 is
// bench/membership_bench.sh's): at most 1% of the members falsely failed at
// any time.
class ThirtyPercentLossTest : public ::testing::TestWithParam<int> {};

TEST_P(ThirtyPercentLossTest, FailsAtMostOnePercentAtOnce) {
  const uint64_t shard = static_cast<uint64_t>(GetParam());
  for (uint64_t seed = 1 + 50 * shard; seed <= 50 + 50 * shard; ++seed) {
    SimOptions o;
    o.nodes = 100;
    o.crash = 0;
    o.loss = 0.3;
    o.periods = 150;
    o.seed = seed;
    SimReport r = RunSimulation(o);
    EXPECT_LE(r.max_falsely_failed_at_once, 1) << "seed " << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, ThirtyPercentLossTest, ::testing::Range(0, 2));

TEST(MembershipSimulatorTest, HealedPartitionLeavesEveryoneKnown) {
  SimOptions o = Small(6);
  o.crash = 0;
  o.partition = 0.5;
  o.partition_start = 10;
  o.partition_end = 12;
  SimReport r = RunSimulation(o);
  // Each half suspects the other; some suspicions cannot be refuted in time
  // and become failures, but the falsely failed refute (a higher
  // incarnation beats "failed") and everyone is back by the end.
  EXPECT_GT(r.false_suspicion_events, 0u);
  EXPECT_GT(r.refutations, 0u);
  EXPECT_EQ(r.members_fully_joined, o.nodes);
}

}  // namespace
}  // namespace mr::membership::sim
