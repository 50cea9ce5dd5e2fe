// The LATE-style straggler choice: slow relative to peers, worth a backup,
// longest time left first, nothing before a peer has finished.
#include "mapreduce/appmaster/speculator.h"

#include <gtest/gtest.h>

namespace mr::am {
namespace {

SpeculationOptions Options() {
  SpeculationOptions options;
  options.min_runtime_ms = 1000;
  options.slow_rate_fraction = 0.5;
  return options;
}

TEST(SpeculatorTest, NoBackupBeforeAnyPeerHasFinished) {
  std::vector<RunningTaskEstimate> running = {{0, 0.9, 10000}, {1, 0.01, 10000}};
  EXPECT_FALSE(PickSpeculativeTask(running, {}, Options()).has_value());
}

TEST(SpeculatorTest, AStalledTaskAmongFinishedPeersIsBackedUp) {
  // Peers took about 2 s; task 3 is at 10% after 5 s.
  std::vector<RunningTaskEstimate> running = {{3, 0.1, 5000}};
  EXPECT_EQ(PickSpeculativeTask(running, {2000, 2100, 1900}, Options()), 3);
}

TEST(SpeculatorTest, ATaskKeepingPaceIsLeftAlone) {
  // At 60% after 1.5 s when peers took 2 s: on time.
  std::vector<RunningTaskEstimate> running = {{1, 0.6, 1500}, {2, 0.5, 1200}};
  EXPECT_FALSE(PickSpeculativeTask(running, {2000, 2000}, Options()).has_value());
}

TEST(SpeculatorTest, YoungAttemptsAreNotJudged) {
  std::vector<RunningTaskEstimate> running = {{0, 0.0, 900}};
  EXPECT_FALSE(PickSpeculativeTask(running, {100}, Options()).has_value());
}

TEST(SpeculatorTest, ASlowTaskAboutToFinishIsNotWorthABackup) {
  // Slow (rate 0.95/10 s against peers' 1/2 s) but 0.5 s from done, less
  // than a fresh attempt's 2 s.
  std::vector<RunningTaskEstimate> running = {{5, 0.95, 10000}};
  EXPECT_FALSE(PickSpeculativeTask(running, {2000, 2000, 2000}, Options()).has_value());
}

TEST(SpeculatorTest, TheLongestTimeLeftGoesFirst) {
  std::vector<RunningTaskEstimate> running = {{1, 0.2, 4000}, {2, 0.05, 4000}, {3, 0.0, 3000}};
  // Task 3 has made no progress at all: its time left is unbounded.
  EXPECT_EQ(PickSpeculativeTask(running, {1000, 1000, 1000, 1000}, Options()), 3);
  running.pop_back();
  EXPECT_EQ(PickSpeculativeTask(running, {1000, 1000, 1000, 1000}, Options()), 2);
}

TEST(SpeculatorTest, DisabledPicksNothing) {
  SpeculationOptions options = Options();
  options.enabled = false;
  EXPECT_FALSE(PickSpeculativeTask({{0, 0.0, 60000}}, {100}, options).has_value());
}

}  // namespace
}  // namespace mr::am
