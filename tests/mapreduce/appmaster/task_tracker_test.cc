// The task tracker's policies: requests per attempt, the barrier, retries
// away from failed nodes, the failure message, progress and job counters.
#include "mapreduce/appmaster/task_tracker.h"

#include <limits>
#include <map>

#include <gtest/gtest.h>

#include "counters.h"

namespace mr::am {
namespace {

using sched::wire::Container;
using sched::wire::ContainerRequest;

TrackerOptions Options(int max_attempts = 4) {
  TrackerOptions options;
  options.max_attempts = max_attempts;
  options.locality_delay_ms = 200;
  options.map_resource.vcores = 1;
  options.map_resource.memory_mb = 512;
  options.reduce_resource.vcores = 1;
  options.reduce_resource.memory_mb = 768;
  return options;
}

Container Grant(const ContainerRequest& ask, const std::string& container_id,
                const std::string& node,
                sched::wire::Locality::type locality = sched::wire::Locality::NODE_LOCAL) {
  Container c;
  c.container_id = container_id;
  c.node.id = node;
  c.node.host = "127.0.0.1";
  c.node.shuffle_port = 7000 + static_cast<int>(node.back());
  c.resource = ask.resource;
  c.request_id = ask.request_id;
  c.locality = locality;
  return c;
}

// Runs every map asked for to success, map i in container "c<i>" on node
// "nm-<i+1>"; returns the reduce requests the barrier then lets out.
std::vector<ContainerRequest> SucceedEveryMap(TaskTracker& tracker) {
  std::vector<ContainerRequest> maps = tracker.TakeAsks();
  for (size_t i = 0; i < maps.size(); ++i) {
    std::string id = "c" + std::to_string(i);
    EXPECT_TRUE(tracker.OnAllocated(Grant(maps[i], id, "nm-" + std::to_string(i + 1))));
    tracker.OnCompleted(id, true, "");
  }
  return tracker.TakeAsks();
}

TEST(TaskTrackerTest, AsksForEveryMapWithItsPlacementAndNoReduceBeforeTheBarrier) {
  TaskTracker tracker({{{"nm-1"}, {"/r1"}}, {{}, {}}}, 2, Options());
  std::vector<ContainerRequest> asks = tracker.TakeAsks();
  ASSERT_EQ(asks.size(), 2u);
  EXPECT_EQ(asks[0].nodes, (std::vector<std::string>{"nm-1"}));
  EXPECT_EQ(asks[0].racks, (std::vector<std::string>{"/r1"}));
  EXPECT_EQ(asks[0].locality_delay_ms, 200);
  EXPECT_EQ(asks[0].priority, kMapPriority);
  EXPECT_EQ(asks[0].resource.memory_mb, 512);
  // No preference: anywhere at once.
  EXPECT_EQ(asks[1].locality_delay_ms, 0);
  EXPECT_NE(asks[0].request_id, asks[1].request_id);
  EXPECT_TRUE(tracker.TakeAsks().empty());
  EXPECT_FALSE(tracker.has_asks());
}

TEST(TaskTrackerTest, ReducesAreRequestedOnceEveryMapSucceeded) {
  TaskTracker tracker({{}, {}}, 3, Options());
  auto asks = tracker.TakeAsks();
  auto m0 = tracker.OnAllocated(Grant(asks[0], "c2", "nm-1"));
  auto m1 = tracker.OnAllocated(Grant(asks[1], "c3", "nm-2"));
  ASSERT_TRUE(m0.has_value() && m1.has_value());
  EXPECT_EQ(m0->attempt_id, "m_000000_0");
  EXPECT_EQ(m1->attempt_id, "m_000001_0");
  EXPECT_EQ(tracker.OnCompleted("c2", true, ""), Completion::kSucceeded);
  EXPECT_FALSE(tracker.has_asks());  // The barrier holds.
  EXPECT_FALSE(tracker.maps_done());
  EXPECT_EQ(tracker.OnCompleted("c3", true, ""), Completion::kSucceeded);
  EXPECT_TRUE(tracker.maps_done());
  auto reduce_asks = tracker.TakeAsks();
  ASSERT_EQ(reduce_asks.size(), 3u);
  for (const ContainerRequest& ask : reduce_asks) {
    EXPECT_EQ(ask.priority, kReducePriority);
    EXPECT_EQ(ask.resource.memory_mb, 768);
    EXPECT_TRUE(ask.nodes.empty());
    EXPECT_EQ(ask.locality_delay_ms, 0);
  }
  // Every reduce learns both maps' outputs, where they ran.
  auto outputs = tracker.MapOutputs();
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].map_index, 0);
  EXPECT_EQ(outputs[0].output_name, "m_000000_0.out");
  EXPECT_EQ(outputs[0].host, "127.0.0.1");
  EXPECT_EQ(outputs[0].shuffle_port, 7000 + '1');
  EXPECT_EQ(outputs[1].shuffle_port, 7000 + '2');
}

TEST(TaskTrackerTest, AnEmptyInputGoesStraightToTheReduces) {
  TaskTracker tracker({}, 2, Options());
  EXPECT_TRUE(tracker.maps_done());
  EXPECT_EQ(tracker.TakeAsks().size(), 2u);
  EXPECT_DOUBLE_EQ(tracker.map_progress(), 1.0);
}

TEST(TaskTrackerTest, AGrantNoRequestWantsIsRefused) {
  TaskTracker tracker({{}}, 1, Options());
  auto asks = tracker.TakeAsks();
  ContainerRequest stray = asks[0];
  stray.request_id = 999;
  EXPECT_FALSE(tracker.OnAllocated(Grant(stray, "c9", "nm-1")).has_value());
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], "c2", "nm-1")).has_value());
  // A second grant for the same request.
  EXPECT_FALSE(tracker.OnAllocated(Grant(asks[0], "c3", "nm-2")).has_value());
}

TEST(TaskTrackerTest, AFailedAttemptIsRetriedAwayFromItsNode) {
  TaskTracker tracker({{{"nm-1", "nm-2"}, {"/r1"}}}, 1, Options());
  tracker.set_cluster_nodes(4);
  auto asks = tracker.TakeAsks();
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], "c2", "nm-1")).has_value());
  EXPECT_EQ(tracker.OnCompleted("c2", false, "exit code 3"), Completion::kRetrying);
  auto retry = tracker.TakeAsks();
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].excluded_nodes, (std::vector<std::string>{"nm-1"}));
  EXPECT_EQ(retry[0].nodes, (std::vector<std::string>{"nm-2"}));
  EXPECT_EQ(retry[0].racks, (std::vector<std::string>{"/r1"}));
  auto second = tracker.OnAllocated(Grant(retry[0], "c3", "nm-2"));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->attempt, 1);
  EXPECT_EQ(second->attempt_id, "m_000000_1");
  // A repeated report of the finished attempt changes nothing.
  EXPECT_EQ(tracker.OnCompleted("c2", false, "exit code 3"), Completion::kIgnored);
  EXPECT_EQ(tracker.OnCompleted("c3", true, ""), Completion::kSucceeded);
  EXPECT_EQ(tracker.OnCompleted("c3", true, ""), Completion::kIgnored);
  EXPECT_EQ(tracker.SucceededAttempt(TaskKind::kMap, 0), "m_000000_1");
}

TEST(TaskTrackerTest, ExclusionStopsWhenEveryNodeHasFailedTheTask) {
  TaskTracker tracker({{}}, 1, Options());
  tracker.set_cluster_nodes(2);
  auto ask = tracker.TakeAsks()[0];
  ASSERT_TRUE(tracker.OnAllocated(Grant(ask, "c2", "nm-1")).has_value());
  ASSERT_EQ(tracker.OnCompleted("c2", false, "boom"), Completion::kRetrying);
  ask = tracker.TakeAsks()[0];
  EXPECT_EQ(ask.excluded_nodes, (std::vector<std::string>{"nm-1"}));
  ASSERT_TRUE(tracker.OnAllocated(Grant(ask, "c3", "nm-2")).has_value());
  ASSERT_EQ(tracker.OnCompleted("c3", false, "boom"), Completion::kRetrying);
  // Both nodes failed it: excluding them would leave nowhere to run.
  ask = tracker.TakeAsks()[0];
  EXPECT_TRUE(ask.excluded_nodes.empty());
}

TEST(TaskTrackerTest, TheLastFailedAttemptFailsTheJobWithItsDiagnostics) {
  TaskTracker tracker({{}, {}, {}, {}}, 1, Options(/*max_attempts=*/3));
  auto asks = tracker.TakeAsks();
  ContainerRequest ask = asks[3];
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string id = "c" + std::to_string(10 + attempt);
    auto launch = tracker.OnAllocated(Grant(ask, id, "nm-" + std::to_string(attempt)));
    ASSERT_TRUE(launch.has_value());
    EXPECT_EQ(launch->attempt, attempt);
    Completion c = tracker.OnCompleted(id, false, "exit code 3\nstderr: bad record " +
                                                      std::to_string(attempt));
    if (attempt < 2) {
      EXPECT_EQ(c, Completion::kRetrying);
      ask = tracker.TakeAsks().at(0);
    } else {
      EXPECT_EQ(c, Completion::kJobFailed);
    }
  }
  EXPECT_TRUE(tracker.failed());
  EXPECT_EQ(tracker.failure(), "task m_000003 failed 3 times; last: exit code 3\nstderr: bad record 2");
  EXPECT_FALSE(tracker.has_asks());
}

TEST(TaskTrackerTest, ProgressIsTheFractionOfTasksDone) {
  TaskTracker tracker({{}, {}, {}, {}}, 2, Options());
  EXPECT_DOUBLE_EQ(tracker.map_progress(), 0.0);
  EXPECT_DOUBLE_EQ(tracker.reduce_progress(), 0.0);
  auto asks = tracker.TakeAsks();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(tracker.OnAllocated(Grant(asks[i], "c" + std::to_string(i), "nm-1")).has_value());
  }
  tracker.OnCompleted("c0", true, "");
  EXPECT_DOUBLE_EQ(tracker.map_progress(), 0.25);
  tracker.OnCompleted("c1", false, "x");  // A retry is no progress.
  EXPECT_DOUBLE_EQ(tracker.map_progress(), 0.25);
  tracker.OnCompleted("c2", true, "");
  tracker.OnCompleted("c3", true, "");
  EXPECT_DOUBLE_EQ(tracker.map_progress(), 0.75);
  auto retry = tracker.TakeAsks();
  ASSERT_EQ(retry.size(), 1u);
  ASSERT_TRUE(tracker.OnAllocated(Grant(retry[0], "c4", "nm-2")).has_value());
  tracker.OnCompleted("c4", true, "");
  EXPECT_DOUBLE_EQ(tracker.map_progress(), 1.0);
  auto reduces = tracker.TakeAsks();
  ASSERT_EQ(reduces.size(), 2u);
  ASSERT_TRUE(tracker.OnAllocated(Grant(reduces[0], "c5", "nm-1")).has_value());
  tracker.OnCompleted("c5", true, "");
  EXPECT_DOUBLE_EQ(tracker.reduce_progress(), 0.5);
  EXPECT_FALSE(tracker.done());
  ASSERT_TRUE(tracker.OnAllocated(Grant(reduces[1], "c6", "nm-1")).has_value());
  tracker.OnCompleted("c6", true, "");
  EXPECT_TRUE(tracker.done());
  EXPECT_EQ(tracker.SucceededAttempt(TaskKind::kReduce, 1), "r_000001_0");
}

TEST(TaskTrackerTest, AttemptReportsCarryEachChangeOnce) {
  TaskTracker tracker({{}}, 1, Options());
  auto ask = tracker.TakeAsks()[0];
  ASSERT_TRUE(tracker.OnAllocated(Grant(ask, "c2", "nm-1")).has_value());
  auto reports = tracker.TakeAttemptReports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].attempt_id, "m_000000_0");
  EXPECT_EQ(reports[0].container_id, "c2");
  EXPECT_EQ(reports[0].node_id, "nm-1");
  EXPECT_EQ(reports[0].state, "RUNNING");
  EXPECT_TRUE(tracker.TakeAttemptReports().empty());
  tracker.OnCompleted("c2", false, "killed by signal 11");
  reports = tracker.TakeAttemptReports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].state, "FAILED");
  EXPECT_EQ(reports[0].diagnostics, "killed by signal 11");
}

TEST(TaskTrackerTest, KillMarksRunningAttemptsAndStopsAsking) {
  TaskTracker tracker({{}, {}}, 1, Options());
  auto asks = tracker.TakeAsks();
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], "c2", "nm-1")).has_value());
  ASSERT_EQ(tracker.Running().size(), 1u);
  tracker.KillRunning("killed");
  EXPECT_TRUE(tracker.Running().empty());
  // The other map's request is gone: its late grant is refused.
  EXPECT_FALSE(tracker.OnAllocated(Grant(asks[1], "c3", "nm-1")).has_value());
  auto reports = tracker.TakeAttemptReports();
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().state, "KILLED");
  Counters counters;
  tracker.AddJobCounters(&counters);
  EXPECT_EQ(counters.Value(job_counter::kGroup, job_counter::kKilledMaps), 1);
}

TEST(TaskTrackerTest, JobCountersCountAttemptsAndMapLocality) {
  TaskTracker tracker({{}, {}, {}, {}}, 1, Options());
  auto asks = tracker.TakeAsks();
  using sched::wire::Locality;
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], "c0", "nm-1", Locality::NODE_LOCAL)));
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[1], "c1", "nm-1", Locality::NODE_LOCAL)));
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[2], "c2", "nm-2", Locality::RACK_LOCAL)));
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[3], "c3", "nm-3", Locality::OFF_RACK)));
  tracker.OnCompleted("c3", false, "x");
  for (const char* c : {"c0", "c1", "c2"}) tracker.OnCompleted(c, true, "");
  auto retry = tracker.TakeAsks();
  ASSERT_TRUE(tracker.OnAllocated(Grant(retry.at(0), "c4", "nm-1", Locality::NODE_LOCAL)));
  tracker.OnCompleted("c4", true, "");
  auto reduce = tracker.TakeAsks();
  ASSERT_TRUE(tracker.OnAllocated(Grant(reduce.at(0), "c5", "nm-2", Locality::OFF_RACK)));
  Counters counters;
  tracker.AddJobCounters(&counters);
  using namespace job_counter;
  EXPECT_EQ(counters.Value(kGroup, kLaunchedMaps), 5);
  EXPECT_EQ(counters.Value(kGroup, kLaunchedReduces), 1);
  EXPECT_EQ(counters.Value(kGroup, kFailedMaps), 1);
  EXPECT_EQ(counters.Value(kGroup, kFailedReduces), 0);
  EXPECT_EQ(counters.Value(kGroup, kDataLocalMaps), 3);
  EXPECT_EQ(counters.Value(kGroup, kRackLocalMaps), 1);
  EXPECT_EQ(counters.Value(kGroup, kOtherLocalMaps), 1);  // Reduces are not counted.
}

}  // namespace
}  // namespace mr::am

namespace mr::am {
namespace {

TEST(TaskTrackerTest, ALostNodeRerunsTheMapsWhoseOutputItHeldAndRestartsReduces) {
  TaskTracker tracker({{}, {}}, 2, Options(/*max_attempts=*/1));
  auto reduces = SucceedEveryMap(tracker);
  ASSERT_EQ(reduces.size(), 2u);
  ASSERT_TRUE(tracker.OnAllocated(Grant(reduces[0], "c2", "nm-2")));  // r0 runs; r1 waits.
  (void)tracker.TakeAttemptReports();

  std::vector<AttemptInfo> stop = tracker.OnNodeLost("nm-1");
  ASSERT_EQ(stop.size(), 1u);
  EXPECT_EQ(stop[0].attempt_id, "r_000000_0");
  EXPECT_EQ(tracker.TakeCancels(), (std::vector<int64_t>{reduces[1].request_id}));
  EXPECT_FALSE(tracker.maps_done());
  EXPECT_DOUBLE_EQ(tracker.map_progress(), 0.5);
  // m_000000 runs again, away from the lost node; a lost output is no failure
  // (max_attempts is 1 here).
  auto rerun = tracker.TakeAsks();
  ASSERT_EQ(rerun.size(), 1u);
  EXPECT_EQ(rerun[0].priority, kMapPriority);
  EXPECT_EQ(rerun[0].excluded_nodes, (std::vector<std::string>{"nm-1"}));
  EXPECT_FALSE(tracker.failed());
  auto reports = tracker.TakeAttemptReports();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].attempt_id, "m_000000_0");
  EXPECT_EQ(reports[0].state, "KILLED");
  // The cancelled reduce request's late grant is refused; the killed
  // reduce's exit is not a failure.
  EXPECT_FALSE(tracker.OnAllocated(Grant(reduces[1], "c3", "nm-2")).has_value());
  EXPECT_EQ(tracker.OnCompleted("c2", false, "stopped"), Completion::kIgnored);
  EXPECT_TRUE(tracker.OnNodeLost("nm-1").empty());  // Once per node.

  auto m0 = tracker.OnAllocated(Grant(rerun[0], "c4", "nm-3"));
  ASSERT_TRUE(m0.has_value());
  EXPECT_EQ(m0->attempt_id, "m_000000_1");
  tracker.OnCompleted("c4", true, "");
  auto again = tracker.TakeAsks();
  ASSERT_EQ(again.size(), 2u);  // Both reduces, once the barrier holds again.
  EXPECT_EQ(tracker.MapOutputs()[0].output_name, "m_000000_1.out");
}

TEST(TaskTrackerTest, ALostNodeAfterTheJobIsDoneChangesNothing) {
  TaskTracker tracker({{}}, 1, Options());
  auto ask = tracker.TakeAsks()[0];
  ASSERT_TRUE(tracker.OnAllocated(Grant(ask, "c0", "nm-1")));
  tracker.OnCompleted("c0", true, "");
  auto reduce = tracker.TakeAsks()[0];
  ASSERT_TRUE(tracker.OnAllocated(Grant(reduce, "c1", "nm-1")));
  tracker.OnCompleted("c1", true, "");
  ASSERT_TRUE(tracker.done());
  EXPECT_TRUE(tracker.OnNodeLost("nm-1").empty());
  EXPECT_TRUE(tracker.done());
}

// A clock the test moves by hand.
struct FakeClock {
  int64_t now = 1000;
  std::function<int64_t()> fn() {
    return [this] { return now; };
  }
};

TEST(TaskTrackerTest, AStragglerGetsOneBackupAwayFromItsNodeAndTheWinnerKillsTheOther) {
  FakeClock clock;
  TrackerOptions options = Options();
  options.clock = clock.fn();
  options.speculation.min_runtime_ms = 1000;
  TaskTracker tracker({{{"nm-1"}, {"/r1"}}, {}, {}}, 1, options);
  tracker.set_cluster_nodes(4);
  auto asks = tracker.TakeAsks();
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], "c0", "nm-1")));
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[1], "c1", "nm-2")));
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[2], "c2", "nm-3")));
  clock.now += 2000;
  tracker.OnCompleted("c1", true, "");
  tracker.OnCompleted("c2", true, "");
  tracker.OnProgress("c0", 0.1, 7);
  // c0: 10% in 2 s while its peers took 2 s: about 18 s left.
  tracker.Speculate();
  auto backup = tracker.TakeAsks();
  ASSERT_EQ(backup.size(), 1u);
  EXPECT_EQ(backup[0].excluded_nodes, (std::vector<std::string>{"nm-1"}));
  EXPECT_TRUE(backup[0].nodes.empty());  // Its only preferred node runs the original.
  tracker.Speculate();  // One backup per task.
  EXPECT_TRUE(tracker.TakeAsks().empty());
  auto launch = tracker.OnAllocated(Grant(backup[0], "c3", "nm-4"));
  ASSERT_TRUE(launch.has_value());
  EXPECT_EQ(launch->attempt_id, "m_000000_1");
  EXPECT_EQ(tracker.Running().size(), 2u);

  EXPECT_EQ(tracker.OnCompleted("c3", true, ""), Completion::kSucceeded);
  auto stop = tracker.TakeToStop();
  ASSERT_EQ(stop.size(), 1u);
  EXPECT_EQ(stop[0].attempt_id, "m_000000_0");
  EXPECT_EQ(tracker.OnCompleted("c0", false, "stopped"), Completion::kIgnored);
  EXPECT_EQ(tracker.MapOutputs()[0].output_name, "m_000000_1.out");
  Counters counters;
  tracker.AddJobCounters(&counters);
  EXPECT_EQ(counters.Value(job_counter::kGroup, job_counter::kSpeculativeMaps), 1);
  EXPECT_EQ(counters.Value(job_counter::kGroup, job_counter::kKilledMaps), 1);
  EXPECT_EQ(counters.Value(job_counter::kGroup, job_counter::kFailedMaps), 0);
}

TEST(TaskTrackerTest, AFailedOriginalIsNotRetriedWhileItsBackupRuns) {
  FakeClock clock;
  TrackerOptions options = Options();
  options.clock = clock.fn();
  TaskTracker tracker({{}, {}}, 1, options);
  auto asks = tracker.TakeAsks();
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], "c0", "nm-1")));
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[1], "c1", "nm-2")));
  clock.now += 500;
  tracker.OnCompleted("c1", true, "");
  clock.now += 5000;
  tracker.Speculate();
  auto backup = tracker.TakeAsks();
  ASSERT_EQ(backup.size(), 1u);
  ASSERT_TRUE(tracker.OnAllocated(Grant(backup[0], "c2", "nm-3")));
  EXPECT_EQ(tracker.OnCompleted("c0", false, "exit code 1"), Completion::kRetrying);
  EXPECT_TRUE(tracker.TakeAsks().empty());
  EXPECT_EQ(tracker.OnCompleted("c2", true, ""), Completion::kSucceeded);
  EXPECT_TRUE(tracker.maps_done());
}

TEST(TaskTrackerTest, AnAttemptSilentPastTheTimeoutFailsAndIsRetried) {
  FakeClock clock;
  TrackerOptions options = Options();
  options.clock = clock.fn();
  options.task_timeout_ms = 10000;
  TaskTracker tracker({{}}, 1, options);
  auto ask = tracker.TakeAsks()[0];
  ASSERT_TRUE(tracker.OnAllocated(Grant(ask, "c0", "nm-1")));
  clock.now += 9000;
  tracker.OnProgress("c0", 0.5, 10);  // Progress resets the clock...
  clock.now += 9000;
  tracker.CheckTimeouts();
  EXPECT_TRUE(tracker.TakeToStop().empty());
  tracker.OnProgress("c0", 0.5, 10);  // ... a repeat of the same report does not.
  clock.now += 1001;
  tracker.CheckTimeouts();
  auto stop = tracker.TakeToStop();
  ASSERT_EQ(stop.size(), 1u);
  EXPECT_EQ(stop[0].attempt_id, "m_000000_0");
  EXPECT_NE(stop[0].diagnostics.find("no progress for 10001 ms"), std::string::npos);
  auto retry = tracker.TakeAsks();
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].excluded_nodes, (std::vector<std::string>{"nm-1"}));
  EXPECT_EQ(tracker.OnCompleted("c0", false, "stopped"), Completion::kIgnored);
}

TEST(TaskTrackerTest, ANodeWhereTheJobKeepsFailingIsAvoidedByEveryTask) {
  TrackerOptions options = Options(/*max_attempts=*/4);
  options.max_failures_per_node = 2;
  TaskTracker tracker({{}, {}, {{"nm-1"}, {}}}, 1, options);
  tracker.set_cluster_nodes(3);
  auto asks = tracker.TakeAsks();
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], "c0", "nm-1")));
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[1], "c1", "nm-1")));
  tracker.OnCompleted("c0", false, "x");
  EXPECT_TRUE(tracker.excluded_nodes().empty());
  tracker.OnCompleted("c1", false, "x");
  EXPECT_EQ(tracker.excluded_nodes(), (std::set<std::string>{"nm-1"}));
  (void)tracker.TakeAsks();
  // Map 2's request was made before nm-1 was avoided: a grant there is
  // refused, and map 2 asked for again, away from it.
  EXPECT_FALSE(tracker.OnAllocated(Grant(asks[2], "c2", "nm-1")).has_value());
  auto again = tracker.TakeAsks();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].excluded_nodes, (std::vector<std::string>{"nm-1"}));
  // Map 2 never failed anywhere, but its retry avoids nm-1 too.
  ASSERT_TRUE(tracker.OnAllocated(Grant(again[0], "c3", "nm-2")));
  tracker.OnCompleted("c3", false, "x");
  auto retry = tracker.TakeAsks();
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].excluded_nodes, (std::vector<std::string>{"nm-1", "nm-2"}));
  EXPECT_TRUE(retry[0].nodes.empty());
}

// Reports carry each attempt's launch and end on the wall clock, for
// `mrjob status`; 0 while it runs.
TEST(TaskTrackerTest, AttemptReportsCarryStartAndFinishTimes) {
  TaskTracker tracker({{}, {}}, 1, Options());
  auto asks = tracker.TakeAsks();
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], "c0", "nm-1")));
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[1], "c1", "nm-2")));
  tracker.OnCompleted("c0", true, "");
  std::map<std::string, sched::wire::TaskAttemptReport> latest;
  for (auto& report : tracker.TakeAttemptReports()) latest[report.attempt_id] = report;
  ASSERT_EQ(latest.count("m_000000_0"), 1u);
  ASSERT_EQ(latest.count("m_000001_0"), 1u);
  const auto& done = latest["m_000000_0"];
  EXPECT_GT(done.start_time_ms, 1700000000000);  // Epoch milliseconds, after 2023.
  EXPECT_GE(done.finish_time_ms, done.start_time_ms);
  const auto& running = latest["m_000001_0"];
  EXPECT_GT(running.start_time_ms, 1700000000000);
  EXPECT_EQ(running.finish_time_ms, 0);
}

// An NM that refuses a container (no room yet: the containers it is still
// stopping hold it) says nothing of the task or the node: the attempt is
// KILLED and the task asked for again, however often it happens, and the
// node is never avoided for it.
// A node that refused a launch is backed off: the retry avoids it, a grant
// there is asked for again elsewhere, until the backoff (doubling with each
// refusal) is over and the RM has heard from the node since. Refusals are
// KILLED attempts, neither task failures nor node failures.
TEST(TaskTrackerTest, RefusedLaunchesBackTheNodeOffWithoutFailingAnything) {
  int64_t now = 1000;
  TrackerOptions options = Options(/*max_attempts=*/2);
  options.max_failures_per_node = 2;
  options.node_backoff_ms = 100;
  options.clock = [&now] { return now; };
  TaskTracker tracker({{{"nm-1"}, {}}}, 1, options);
  tracker.set_cluster_nodes(3);
  auto asks = tracker.TakeAsks();
  ASSERT_EQ(asks.size(), 1u);
  EXPECT_TRUE(asks[0].excluded_nodes.empty());
  int64_t backoff = 100;
  for (int i = 0; i < 3; ++i) {
    std::string id = "r" + std::to_string(i);
    ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], id, "nm-1")).has_value()) << i;
    EXPECT_EQ(tracker.OnLaunchRefused(id, "no room"), Completion::kRetrying) << i;
    EXPECT_EQ(tracker.OnLaunchRefused(id, "no room"), Completion::kIgnored) << i;  // Once.
    asks = tracker.TakeAsks();
    ASSERT_EQ(asks.size(), 1u) << i;
    EXPECT_EQ(asks[0].excluded_nodes, std::vector<std::string>{"nm-1"}) << i;
    EXPECT_TRUE(tracker.Avoided("nm-1"));
    // A grant there meanwhile is refused and asked for again.
    EXPECT_FALSE(tracker.OnAllocated(Grant(asks[0], "x" + id, "nm-1")).has_value()) << i;
    asks = tracker.TakeAsks();
    ASSERT_EQ(asks.size(), 1u) << i;
    // Past the backoff, but the RM has not heard from it since: avoided.
    now += backoff;
    EXPECT_TRUE(tracker.Avoided("nm-1")) << i;
    tracker.OnNodeReport("nm-1", /*alive=*/true, /*last_heartbeat_wall_ms=*/1);
    EXPECT_TRUE(tracker.Avoided("nm-1")) << i;  // An old heartbeat.
    tracker.OnNodeReport("nm-1", true, std::numeric_limits<int64_t>::max());
    EXPECT_FALSE(tracker.Avoided("nm-1")) << i;
    backoff *= 2;  // The next refusal backs it off twice as long.
  }
  EXPECT_FALSE(tracker.failed());
  EXPECT_TRUE(tracker.excluded_nodes().empty());
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], "c9", "nm-1")).has_value());
  EXPECT_EQ(tracker.OnCompleted("c9", true, ""), Completion::kSucceeded);
  Counters counters;
  tracker.AddJobCounters(&counters);
  EXPECT_EQ(counters.Value(job_counter::kGroup, job_counter::kKilledMaps), 3);
  EXPECT_EQ(counters.Value(job_counter::kGroup, job_counter::kFailedMaps), 0);
}

TEST(TaskTrackerTest, BackoffDoublesWithEachRefusal) {
  int64_t now = 0;
  TrackerOptions options = Options();
  options.node_backoff_ms = 100;
  options.node_backoff_max_ms = 350;
  options.clock = [&now] { return now; };
  TaskTracker tracker({{}}, 1, options);
  auto asks = tracker.TakeAsks();
  for (int64_t want : {100, 200, 350, 350}) {
    ASSERT_EQ(asks.size(), 1u);
    ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], "c" + std::to_string(want) + std::to_string(now),
                                          "nm-1")));
    tracker.OnLaunchRefused("c" + std::to_string(want) + std::to_string(now), "unreachable");
    tracker.OnNodeReport("nm-1", true, std::numeric_limits<int64_t>::max());
    now += want - 1;
    EXPECT_TRUE(tracker.Avoided("nm-1")) << want;
    now += 1;
    EXPECT_FALSE(tracker.Avoided("nm-1")) << want;
    asks = tracker.TakeAsks();
  }
}

// No task has more than max_attempts_total attempts in any state: past
// that the job fails, saying how many of each.
TEST(TaskTrackerTest, AttemptsOfATaskAreBoundedWhateverTheirState) {
  TrackerOptions options = Options(/*max_attempts=*/4);
  options.max_attempts_total = 5;
  options.node_backoff_ms = 0;
  TaskTracker tracker({{}}, 1, options);
  tracker.set_cluster_nodes(4);
  auto asks = tracker.TakeAsks();
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(asks.size(), 1u) << i;
    std::string id = "c" + std::to_string(i);
    std::string node = "nm-" + std::to_string(i % 4);
    ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], id, node)).has_value()) << i;
    tracker.OnNodeReport(node, true, std::numeric_limits<int64_t>::max());
    if (i == 0) {
      tracker.OnCompleted(id, false, "crashed");
    } else if (i % 2 == 0) {
      tracker.OnPreempted(id, "preempted");
    } else {
      tracker.OnLaunchRefused(id, "node unreachable");
    }
    asks = tracker.TakeAsks();
  }
  EXPECT_TRUE(asks.empty());
  ASSERT_TRUE(tracker.failed());
  EXPECT_EQ(tracker.failure(),
            "task m_000000 had 5 attempts, the most one task may have "
            "(--am_max_attempts_per_task_total): 1 FAILED, 4 KILLED; last: preempted");
}

TEST(TaskTrackerTest, PreemptedAttemptsAreKilledAndAskedForAgain) {
  TaskTracker tracker({{{"nm-1"}, {}}}, 1, Options(/*max_attempts=*/1));
  auto asks = tracker.TakeAsks();
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], "c1", "nm-1")));
  EXPECT_EQ(tracker.OnPreempted("c1", "preempted by the resource manager"),
            Completion::kRetrying);
  asks = tracker.TakeAsks();
  ASSERT_EQ(asks.size(), 1u);
  // Not the node's fault: it is still preferred and not avoided.
  EXPECT_EQ(asks[0].nodes, std::vector<std::string>{"nm-1"});
  EXPECT_TRUE(asks[0].excluded_nodes.empty());
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], "c2", "nm-1")));
  EXPECT_EQ(tracker.OnCompleted("c2", true, ""), Completion::kSucceeded);
  EXPECT_FALSE(tracker.failed());
  Counters counters;
  tracker.AddJobCounters(&counters);
  EXPECT_EQ(counters.Value(job_counter::kGroup, job_counter::kKilledMaps), 1);
  EXPECT_EQ(counters.Value(job_counter::kGroup, job_counter::kFailedMaps), 0);
}

// Progress: a finished task counts whole, a running one its furthest
// attempt's own report.
TEST(TaskTrackerTest, ProgressCountsRunningAttemptsFractions) {
  TaskTracker tracker({{}, {}, {}, {}}, 2, Options());
  auto asks = tracker.TakeAsks();
  EXPECT_DOUBLE_EQ(tracker.map_progress(), 0);
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[0], "c0", "nm-1")));
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[1], "c1", "nm-2")));
  ASSERT_TRUE(tracker.OnAllocated(Grant(asks[2], "c2", "nm-3")));
  tracker.OnProgress("c0", 0.5, 10);
  tracker.OnProgress("c1", -1, 0);  // Nothing reported yet.
  EXPECT_DOUBLE_EQ(tracker.map_progress(), 0.5 / 4);
  tracker.OnCompleted("c2", true, "");
  EXPECT_DOUBLE_EQ(tracker.map_progress(), 1.5 / 4);
  EXPECT_DOUBLE_EQ(tracker.reduce_progress(), 0);
}

TEST(TaskTrackerTest, AFetchFailureRerunsOnlyTheCurrentOutputOfTheNamedMap) {
  TaskTracker tracker({{}, {}}, 2, Options(/*max_attempts=*/1));
  auto reduces = SucceedEveryMap(tracker);
  ASSERT_TRUE(tracker.OnAllocated(Grant(reduces[0], "c2", "nm-3")));
  ASSERT_TRUE(tracker.OnAllocated(Grant(reduces[1], "c3", "nm-3")));

  EXPECT_EQ(tracker.OnFetchFailure("c2", {1}, "could not fetch m_000001_0"), Completion::kRetrying);
  EXPECT_FALSE(tracker.maps_done());
  auto rerun = tracker.TakeAsks();
  ASSERT_EQ(rerun.size(), 1u);  // Map 1 only; reduce 0 waits for it.
  EXPECT_EQ(rerun[0].excluded_nodes, (std::vector<std::string>{"nm-2"}));
  EXPECT_EQ(tracker.Running().size(), 1u);  // Reduce 1 goes on.
  ASSERT_TRUE(tracker.OnAllocated(Grant(rerun[0], "c4", "nm-1")));
  tracker.OnCompleted("c4", true, "");
  auto again = tracker.TakeAsks();
  ASSERT_EQ(again.size(), 1u);
  ASSERT_TRUE(tracker.OnAllocated(Grant(again[0], "c5", "nm-3")));
  // Reduce 1 had the old output of map 1: its failure names a map already
  // regenerated, so nothing runs again but the reduce itself.
  EXPECT_EQ(tracker.OnFetchFailure("c3", {1}, "could not fetch m_000001_0"), Completion::kRetrying);
  EXPECT_TRUE(tracker.maps_done());
  auto reduce1 = tracker.TakeAsks();
  ASSERT_EQ(reduce1.size(), 1u);
  EXPECT_EQ(reduce1[0].priority, kReducePriority);
  EXPECT_FALSE(tracker.failed());
  Counters counters;
  tracker.AddJobCounters(&counters);
  EXPECT_EQ(counters.Value(job_counter::kGroup, job_counter::kFailedReduces), 0);
}

TEST(TaskTrackerTest, ARestartedAmRecoversAdoptsAndNumbersItsAttemptsPastTheOldOnes) {
  TrackerOptions options = Options();
  options.first_attempt_number = 1000;
  TaskTracker tracker({{}, {}, {}}, 1, options);
  sched::wire::Container old;
  old.container_id = "c7";
  old.node.id = "nm-1";
  EXPECT_TRUE(tracker.RecoverSucceeded("m_000000_3", old));
  EXPECT_FALSE(tracker.RecoverSucceeded("m_000000_4", old));  // Already done.
  EXPECT_FALSE(tracker.RecoverSucceeded("m_000009_0", old));  // No such task.
  EXPECT_FALSE(tracker.RecoverSucceeded("garbage", old));
  old.container_id = "c8";
  EXPECT_TRUE(tracker.AdoptRunning("m_000001_0", old));
  EXPECT_FALSE(tracker.AdoptRunning("r_000000_0", old));  // Reduces wait for the barrier.
  auto asks = tracker.TakeAsks();
  ASSERT_EQ(asks.size(), 1u);  // Map 2 only.
  auto launch = tracker.OnAllocated(Grant(asks[0], "c9", "nm-2"));
  ASSERT_TRUE(launch.has_value());
  EXPECT_EQ(launch->attempt_id, "m_000002_1000");
  EXPECT_EQ(tracker.OutstandingAsks().size(), 0u);
  tracker.OnCompleted("c8", true, "");
  tracker.OnCompleted("c9", true, "");
  auto outputs = tracker.MapOutputs();
  ASSERT_EQ(outputs.size(), 3u);
  EXPECT_EQ(outputs[0].output_name, "m_000000_3.out");
  EXPECT_EQ(outputs[1].output_name, "m_000001_0.out");
  auto reduce = tracker.TakeAsks();
  ASSERT_EQ(reduce.size(), 1u);
  EXPECT_EQ(tracker.OutstandingAsks().size(), 1u);  // Until it is granted.
  EXPECT_EQ(tracker.OutstandingAsks()[0].request_id, reduce[0].request_id);
}

}  // namespace
}  // namespace mr::am
