#include "scheduler/resourcemanager/cluster_state.h"

#include <gtest/gtest.h>

#include <map>

#include "scheduler/resourcemanager/resources.h"

namespace mr::sched {
namespace {

wire::NodeInfo Node(const std::string& id, const std::string& rack, int vcores = 4,
                    int64_t memory_mb = 4096) {
  wire::NodeInfo node;
  node.id = id;
  node.host = "127.0.0.1";
  node.rpc_port = 5000;
  node.shuffle_port = 5001;
  node.rack = rack;
  node.capability = MakeResource(vcores, memory_mb);
  node.datanode_id = "dn-" + id;
  return node;
}

wire::ContainerRequest Ask(int64_t id, std::vector<std::string> nodes = {},
                           std::vector<std::string> racks = {}, int delay_ms = 100) {
  wire::ContainerRequest ask;
  ask.request_id = id;
  ask.resource = MakeResource(1, 512);
  ask.nodes = std::move(nodes);
  ask.racks = std::move(racks);
  ask.locality_delay_ms = delay_ms;
  ask.priority = 10;
  return ask;
}

class ClusterStateTest : public ::testing::Test {
 protected:
  ClusterStateTest() : state_(Options()) {}

  static ClusterState::Options Options() {
    ClusterState::Options options;
    options.node_expiry_ms = 1000;
    options.max_running_apps = 2;
    options.start_time_ms = 1700000000000;
    options.am_max_attempts = 2;
    options.am_expiry_ms = 2000;
    options.max_am_share = 1.0;  // The AM share has tests of its own.
    options.preemption_timeout_ms = 0;  // Likewise preemption.
    return options;
  }

  // Submits an app and takes it to RUNNING (if its AM fits); returns its id.
  std::string StartApp(const std::string& name = "job", const std::string& queue = "",
                       wire::Resource am = MakeResource(1, 256)) {
    std::string id = state_.NewApplicationId();
    wire::ApplicationSubmission submission;
    submission.app_id = id;
    submission.name = name;
    submission.binary_dfs_path = "/.staging/" + id + "/job";
    submission.am_args = {"--mr_role=am"};
    submission.am_resource = am;
    submission.queue = queue;
    EXPECT_TRUE(state_.Submit(submission, now_).ok());
    state_.Schedule(now_);
    for (const auto& launch : state_.TakeAmLaunches()) {
      EXPECT_TRUE(state_.RegisterApplicationMaster(launch.context.app_id,
                                                   launch.context.container_id, now_).ok());
    }
    return id;
  }

  wire::AllocateResponse Allocate(const std::string& app, std::vector<wire::ContainerRequest> asks = {},
                                  std::vector<std::string> releases = {}) {
    wire::AllocateRequest request;
    request.app_id = app;
    request.asks = std::move(asks);
    request.release_container_ids = std::move(releases);
    Result<wire::AllocateResponse> response = state_.Allocate(request, now_);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : wire::AllocateResponse();
  }

  wire::ContainerStatus Completed(const std::string& container_id, int exit_code) {
    wire::ContainerStatus status;
    status.container_id = container_id;
    status.state = wire::ContainerState::COMPLETE;
    status.exit_code = exit_code;
    return status;
  }

  int64_t now_ = 1700000001000;
  ClusterState state_;
};

TEST_F(ClusterStateTest, AppRunsThroughItsStates) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1"), now_).ok());
  std::string id = state_.NewApplicationId();
  EXPECT_EQ(id, "app_1700000000000_0001");
  wire::ApplicationSubmission submission;
  submission.app_id = id;
  submission.name = "wordcount";
  submission.binary_dfs_path = "/.staging/" + id + "/job";
  submission.am_args = {"--mr_role=am", "--input=/in"};
  submission.am_resource = MakeResource(1, 256);
  ASSERT_TRUE(state_.Submit(submission, now_).ok());
  EXPECT_EQ(state_.GetApplication(id)->state, wire::AppState::ACCEPTED);
  EXPECT_EQ(state_.GetApplication(id)->queue, "default");
  EXPECT_TRUE(state_.Submit(submission, now_).IsAlreadyExists());

  state_.Schedule(now_);
  auto launches = state_.TakeAmLaunches();
  ASSERT_EQ(launches.size(), 1u);
  EXPECT_EQ(launches[0].node.id, "a");
  EXPECT_EQ(launches[0].context.container_id, id + "_c000001");
  EXPECT_EQ(launches[0].context.binary_dfs_path, submission.binary_dfs_path);
  EXPECT_EQ(launches[0].context.arguments, submission.am_args);
  EXPECT_TRUE(state_.TakeAmLaunches().empty());
  EXPECT_EQ(state_.GetApplication(id)->state, wire::AppState::ACCEPTED);

  EXPECT_FALSE(state_.RegisterApplicationMaster(id, "someone-else", now_).ok());
  ASSERT_TRUE(state_.RegisterApplicationMaster(id, id + "_c000001", now_).ok());
  EXPECT_EQ(state_.GetApplication(id)->state, wire::AppState::RUNNING);

  ASSERT_TRUE(state_.Finish(id, wire::AppState::SUCCEEDED, "", "{\"x\":1}", now_ + 5).ok());
  auto report = *state_.GetApplication(id);
  EXPECT_EQ(report.state, wire::AppState::SUCCEEDED);
  EXPECT_EQ(report.counters_json, "{\"x\":1}");
  EXPECT_EQ(report.finish_time_ms, now_ + 5);
  // The node is told to stop the AM container (it may still be exiting) and
  // to clean up the application; its room is held until the NM says the
  // container is gone.
  auto heartbeat = *state_.NodeHeartbeat("a", {}, now_);
  EXPECT_EQ(heartbeat.cleanup_app_ids, std::vector<std::string>{id});
  EXPECT_EQ(heartbeat.stop_container_ids, std::vector<std::string>{id + "_c000001"});
  EXPECT_EQ(state_.GetApplication(id)->used.memory_mb, 256);
  ASSERT_TRUE(state_.NodeHeartbeat("a", {Completed(id + "_c000001", 143)}, now_).ok());
  EXPECT_EQ(state_.GetApplication(id)->used.memory_mb, 0);
  EXPECT_EQ(state_.ListNodes(now_)[0].used.memory_mb, 0);
  wire::AllocateRequest late;
  late.app_id = id;
  EXPECT_FALSE(state_.Allocate(late, now_).ok());
}

TEST_F(ClusterStateTest, RefusesRequestsLargerThanAnyNode) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1", 2, 1024), now_).ok());
  wire::ApplicationSubmission submission;
  submission.app_id = state_.NewApplicationId();
  submission.binary_dfs_path = "/job";
  submission.am_resource = MakeResource(1, 2048);
  Status s = state_.Submit(submission, now_);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("more than any node has"), std::string::npos) << s.ToString();

  std::string app = StartApp();
  wire::AllocateRequest request;
  request.app_id = app;
  request.asks = {Ask(1)};
  request.asks[0].resource = MakeResource(3, 100);
  Result<wire::AllocateResponse> response = state_.Allocate(request, now_);
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.status().message().find("largest: 2 vcores, 1024 MB"), std::string::npos)
      << response.status().ToString();
}

TEST_F(ClusterStateTest, DelaySchedulingRelaxesNodeThenRack) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1", 2, 2048), now_).ok());
  ASSERT_TRUE(state_.RegisterNode(Node("b", "/r1", 4, 4096), now_).ok());
  ASSERT_TRUE(state_.RegisterNode(Node("c", "/r2", 4, 8192), now_).ok());
  std::string app = StartApp();  // Its AM lands on c (most free memory).
  // Fill node a.
  auto first = Allocate(app, {Ask(1, {"a"}), Ask(2, {"a"})});
  ASSERT_EQ(first.allocated.size(), 2u);
  for (const auto& c : first.allocated) {
    EXPECT_EQ(c.node.id, "a");
    EXPECT_EQ(c.locality, wire::Locality::NODE_LOCAL);
  }
  // a is full: a request for a declines the free nodes b and c, then takes
  // b (its rack) once b has been declined for the delay.
  auto waiting = Allocate(app, {Ask(3, {"a"}, {"/r1"}, 100)});
  EXPECT_TRUE(waiting.allocated.empty());
  EXPECT_NE(state_.GetApplication(app)->wait_reason.find("delay scheduling"), std::string::npos)
      << state_.GetApplication(app)->wait_reason;
  now_ += 99;
  EXPECT_TRUE(Allocate(app).allocated.empty());
  now_ += 1;
  auto rack = Allocate(app);
  ASSERT_EQ(rack.allocated.size(), 1u);
  EXPECT_EQ(rack.allocated[0].node.id, "b");
  EXPECT_EQ(rack.allocated[0].locality, wire::Locality::RACK_LOCAL);
  EXPECT_EQ(rack.allocated[0].request_id, 3);

  // A request whose node and rack are both unavailable goes off-rack once a
  // node has been declined for twice the delay (c since the first decline).
  auto off = Allocate(app, {Ask(4, {"a"}, {"/r9"}, 150)});
  EXPECT_TRUE(off.allocated.empty());  // c declined for 100 ms < 300.
  now_ += 199;
  EXPECT_TRUE(Allocate(app).allocated.empty());
  now_ += 1;
  auto any = Allocate(app);
  ASSERT_EQ(any.allocated.size(), 1u);
  EXPECT_EQ(any.allocated[0].locality, wire::Locality::OFF_RACK);
}

// The delay counts only while a node is free and declined: a cluster that
// stays full never relaxes locality, and a node that frees up later makes
// the request wait the whole delay from then on.
TEST_F(ClusterStateTest, DelaySchedulingClockRunsOnlyWhileANodeIsFreeAndDeclined) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1", 1, 4096), now_).ok());
  ASSERT_TRUE(state_.RegisterNode(Node("b", "/r2", 1, 4096), now_).ok());
  std::string app = StartApp("job", "", MakeResource(0, 256));
  auto full = Allocate(app, {Ask(1), Ask(2)});  // No preferences: a and b at once.
  ASSERT_EQ(full.allocated.size(), 2u);
  std::string on_b = full.allocated[0].node.id == "b" ? full.allocated[0].container_id
                                                     : full.allocated[1].container_id;
  EXPECT_TRUE(Allocate(app, {Ask(3, {"a"}, {"/r1"}, 100)}).allocated.empty());
  now_ += 10000;  // Long, but no node was free.
  EXPECT_TRUE(Allocate(app).allocated.empty());
  ASSERT_TRUE(state_.NodeHeartbeat("b", {Completed(on_b, 0)}, now_).ok());
  EXPECT_TRUE(Allocate(app).allocated.empty());  // b declined from now.
  now_ += 199;
  EXPECT_TRUE(Allocate(app).allocated.empty());
  now_ += 1;
  auto any = Allocate(app);
  ASSERT_EQ(any.allocated.size(), 1u);
  EXPECT_EQ(any.allocated[0].node.id, "b");
  EXPECT_EQ(any.allocated[0].locality, wire::Locality::OFF_RACK);
}

// Exclusions never make a request unplaceable: they hold while some live
// node outside them could ever take it (even if it is busy now), and are
// ignored once every node that could is excluded.
TEST_F(ClusterStateTest, ExclusionsHoldUnlessNoOtherNodeCouldEverTakeTheRequest) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1", 1, 4096), now_).ok());
  ASSERT_TRUE(state_.RegisterNode(Node("b", "/r1", 1, 4096), now_).ok());
  ASSERT_TRUE(state_.RegisterNode(Node("c", "/r1", 1, 256), now_).ok());  // Too small.
  std::string app = StartApp("job", "", MakeResource(0, 256));
  auto busy = Allocate(app, {Ask(1, {"b"})});
  ASSERT_EQ(busy.allocated.size(), 1u);
  ASSERT_EQ(busy.allocated[0].node.id, "b");
  wire::ContainerRequest ask = Ask(2);
  ask.excluded_nodes = {"a"};
  // b could take it once free: the exclusion of a holds.
  EXPECT_TRUE(Allocate(app, {ask}).allocated.empty());
  now_ += 10000;
  EXPECT_TRUE(Allocate(app).allocated.empty());
  EXPECT_TRUE(Allocate(app).unschedulable.empty());
  // b is lost: only the excluded a could take it, so the exclusion goes.
  EXPECT_TRUE(state_.DeclareNodeLost("b", "gone", now_));
  auto relaxed = Allocate(app);
  ASSERT_EQ(relaxed.allocated.size(), 1u);
  EXPECT_EQ(relaxed.allocated[0].node.id, "a");
}

// A node whose only vcore an AM holds cannot take a 1-vcore task however
// long it waits: with the other nodes excluded, the exclusions go.
TEST_F(ClusterStateTest, ANodeHeldByAnAmDoesNotCountAsRoomForATask) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1", 1, 8192), now_).ok());
  ASSERT_TRUE(state_.RegisterNode(Node("b", "/r1", 1, 4096), now_).ok());
  std::string app = StartApp("job", "", MakeResource(1, 256));  // On a.
  ASSERT_EQ(state_.GetApplication(app)->am_node_id, "a");
  wire::ContainerRequest ask = Ask(1);
  ask.excluded_nodes = {"b"};
  auto granted = Allocate(app, {ask});
  ASSERT_EQ(granted.allocated.size(), 1u);
  EXPECT_EQ(granted.allocated[0].node.id, "b");
}

TEST_F(ClusterStateTest, RequestsNoLiveNodeCouldTakeAreReported) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1", 2, 16384), now_).ok());
  ASSERT_TRUE(state_.RegisterNode(Node("b", "/r1", 8, 8192), now_).ok());
  std::string app = StartApp("job", "", MakeResource(0, 256));  // On a.
  wire::ContainerRequest big = Ask(1);
  big.resource = MakeResource(8, 1024);  // Only b could hold it.
  ASSERT_EQ(Allocate(app, {big}).allocated.size(), 1u);
  wire::ContainerRequest another = Ask(2);
  another.resource = MakeResource(8, 1024);
  auto waits = Allocate(app, {another});
  EXPECT_TRUE(waits.allocated.empty());
  EXPECT_TRUE(waits.unschedulable.empty()) << "b could take it once free";
  EXPECT_TRUE(state_.DeclareNodeLost("b", "gone", now_));
  auto stuck = Allocate(app);
  EXPECT_NE(stuck.unschedulable.find("fits no live node"), std::string::npos)
      << stuck.unschedulable;
  EXPECT_NE(state_.GetApplication(app)->wait_reason.find("unschedulable"), std::string::npos)
      << state_.GetApplication(app)->wait_reason;
  ASSERT_TRUE(state_.RegisterNode(Node("b", "/r1", 8, 8192), now_).ok());  // Back.
  auto placed = Allocate(app);
  EXPECT_TRUE(placed.unschedulable.empty());
  EXPECT_EQ(placed.allocated.size(), 1u);
}

TEST_F(ClusterStateTest, FairShareBetweenRunningApps) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1", 100, 100 * 512), now_).ok());
  std::string one = StartApp("one");
  std::string two = StartApp("two");
  std::vector<wire::ContainerRequest> many;
  for (int i = 0; i < 200; ++i) many.push_back(Ask(i));
  // One asks first and would take everything under FIFO; fair share splits.
  auto first = Allocate(one, many);
  auto second = Allocate(two, many);
  // The node has 100 vcores: 2 AMs, then 98 task containers. App one's first
  // Allocate got all 98 (nobody else asked); its releases make room for two.
  EXPECT_EQ(first.allocated.size(), 98u);
  EXPECT_TRUE(second.allocated.empty());
  EXPECT_NEAR(state_.GetApplication(one)->fair_share, 0.5, 1e-9);
  EXPECT_NEAR(state_.GetApplication(two)->fair_share, 0.5, 1e-9);
  std::vector<std::string> release;
  for (size_t i = 0; i < 60; ++i) release.push_back(first.allocated[i].container_id);
  auto after = Allocate(one, {}, release);
  EXPECT_TRUE(after.allocated.empty());  // Not free until the node says so.
  auto stops = *state_.NodeHeartbeat("a", {}, now_);
  EXPECT_EQ(stops.stop_container_ids.size(), 60u);
  ASSERT_TRUE(state_.NodeHeartbeat("a", {}, now_).ok());  // They are gone.
  auto after_again = Allocate(one);
  auto second_again = Allocate(two);
  // 60 freed: two (using only its AM) gets them until the usage is even.
  auto report_one = *state_.GetApplication(one);
  auto report_two = *state_.GetApplication(two);
  EXPECT_LE(std::abs(report_one.used.memory_mb - report_two.used.memory_mb), 512)
      << report_one.used.memory_mb << " vs " << report_two.used.memory_mb;
  EXPECT_EQ(after_again.allocated.size() + second_again.allocated.size(), 60u);
}

TEST_F(ClusterStateTest, CompletedContainersAreReportedAndFreed) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1", 2, 2048), now_).ok());
  std::string app = StartApp();
  auto granted = Allocate(app, {Ask(1), Ask(2)});
  ASSERT_EQ(granted.allocated.size(), 1u);  // 2 vcores: the AM and one task.
  std::string task = granted.allocated[0].container_id;
  auto heartbeat = *state_.NodeHeartbeat("a", {Completed(task, 3)}, now_);
  EXPECT_FALSE(heartbeat.reregister);
  auto next = Allocate(app);
  ASSERT_EQ(next.completed.size(), 1u);
  EXPECT_EQ(next.completed[0].container_id, task);
  EXPECT_EQ(next.completed[0].exit_code, 3);
  // Its vcore went to the second request.
  ASSERT_EQ(next.allocated.size(), 1u);
  EXPECT_EQ(next.allocated[0].request_id, 2);
  // A second report of the same container changes nothing.
  ASSERT_TRUE(state_.NodeHeartbeat("a", {Completed(task, 3)}, now_).ok());
  EXPECT_TRUE(Allocate(app).completed.empty());
}

TEST_F(ClusterStateTest, LostNodeEndsItsContainers) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1"), now_).ok());
  ASSERT_TRUE(state_.RegisterNode(Node("b", "/r1", 4, 1024), now_).ok());
  std::string app = StartApp();  // AM on a.
  auto granted = Allocate(app, {Ask(1, {"b"})});
  ASSERT_EQ(granted.allocated.size(), 1u);
  ASSERT_EQ(granted.allocated[0].node.id, "b");
  now_ += 600;
  ASSERT_TRUE(state_.NodeHeartbeat("a", {}, now_).ok());
  now_ += 600;  // b silent for 1200 ms > 1000.
  state_.ExpireNodes(now_);
  auto next = Allocate(app);
  ASSERT_EQ(next.completed.size(), 1u);
  EXPECT_EQ(next.completed[0].exit_code, -1);
  EXPECT_NE(next.completed[0].diagnostics.find("lost"), std::string::npos);
  auto nodes = state_.ListNodes(now_);
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_TRUE(nodes[0].alive);
  EXPECT_FALSE(nodes[1].alive);
  EXPECT_EQ(nodes[1].used.memory_mb, 0);
  // A lost node that heartbeats again is told to register afresh.
  EXPECT_TRUE(state_.NodeHeartbeat("b", {}, now_)->reregister);
  EXPECT_TRUE(state_.NodeHeartbeat("never-seen", {}, now_)->reregister);
}

TEST_F(ClusterStateTest, MembershipFailureLosesANodeAtOnce) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1"), now_).ok());
  ASSERT_TRUE(state_.RegisterNode(Node("b", "/r1", 4, 1024), now_).ok());
  std::string app = StartApp();  // AM on a.
  auto granted = Allocate(app, {Ask(1, {"b"})});
  ASSERT_EQ(granted.allocated.size(), 1u);
  // Long before the 1000 ms expiry.
  EXPECT_TRUE(state_.DeclareNodeLost("b", "failed (membership)", now_ + 1));
  EXPECT_FALSE(state_.DeclareNodeLost("b", "again", now_ + 2));
  EXPECT_FALSE(state_.DeclareNodeLost("nope", "unknown", now_ + 2));
  auto next = Allocate(app);
  ASSERT_EQ(next.completed.size(), 1u);
  EXPECT_EQ(next.completed[0].exit_code, -1);
  EXPECT_TRUE(state_.NodeHeartbeat("b", {}, now_)->reregister);
}

TEST_F(ClusterStateTest, AmFailingEveryAttemptFailsTheApp) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1"), now_).ok());
  std::string app = StartApp();
  auto status = Completed(app + "_c000001", 1);
  ASSERT_TRUE(state_.NodeHeartbeat("a", {status}, now_).ok());
  EXPECT_EQ(state_.GetApplication(app)->state, wire::AppState::ACCEPTED);
  state_.Schedule(now_);
  auto launches = state_.TakeAmLaunches();
  ASSERT_EQ(launches.size(), 1u);
  std::string second = launches[0].context.container_id;
  ASSERT_TRUE(state_.RegisterApplicationMaster(app, second, now_).ok());
  status = Completed(second, 139);
  status.diagnostics = "killed by signal 11";
  ASSERT_TRUE(state_.NodeHeartbeat("a", {status}, now_).ok());
  auto report = *state_.GetApplication(app);
  EXPECT_EQ(report.state, wire::AppState::FAILED);
  EXPECT_NE(report.diagnostics.find("AM attempt 2 of 2 failed"), std::string::npos)
      << report.diagnostics;
  EXPECT_NE(report.diagnostics.find("signal 11"), std::string::npos) << report.diagnostics;
  state_.Schedule(now_);
  EXPECT_TRUE(state_.TakeAmLaunches().empty());
}

TEST_F(ClusterStateTest, NewAmAttemptInheritsLiveContainers) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1", 3, 4096), now_).ok());
  std::string app = StartApp();  // AM c000001: 1 of 3 vcores.
  wire::AllocateRequest request;
  request.app_id = app;
  request.asks = {Ask(1), Ask(2), Ask(3), Ask(4)};
  wire::TaskAttemptReport attempt;
  attempt.attempt_id = "m_000000_0";
  attempt.container_id = app + "_c000002";
  attempt.state = "RUNNING";
  request.attempts = {attempt};
  auto first = *state_.Allocate(request, now_);
  ASSERT_EQ(first.allocated.size(), 2u);  // c000002, c000003; asks 3 and 4 wait.
  // c000003 ends; its room goes to ask 3 (c000004), not yet handed out.
  ASSERT_TRUE(state_.NodeHeartbeat("a", {Completed(app + "_c000003", 0)}, now_).ok());
  state_.Schedule(now_);

  // The AM dies. Its attempt's asks die with it.
  ASSERT_TRUE(state_.NodeHeartbeat("a", {Completed(app + "_c000001", 1)}, now_).ok());
  auto accepted = *state_.GetApplication(app);
  EXPECT_EQ(accepted.state, wire::AppState::ACCEPTED);
  EXPECT_NE(accepted.diagnostics.find("exit code 1"), std::string::npos) << accepted.diagnostics;
  wire::AllocateRequest orphan;
  orphan.app_id = app;
  EXPECT_TRUE(state_.Allocate(orphan, now_).status().IsNotFound());

  state_.Schedule(now_);
  auto launches = state_.TakeAmLaunches();
  ASSERT_EQ(launches.size(), 1u);
  EXPECT_EQ(launches[0].context.container_id, app + "_c000005");
  EXPECT_EQ(launches[0].context.env.at("MR_AM_ATTEMPT"), "2");
  // The dead attempt's AM may not come back.
  EXPECT_EQ(state_.RegisterApplicationMaster(app, app + "_c000001", now_).status().code(),
            Status::Code::kAborted);
  // Nor act for the application.
  wire::AllocateRequest stale;
  stale.app_id = app;
  stale.am_container_id = app + "_c000001";
  EXPECT_EQ(state_.Allocate(stale, now_).status().code(), Status::Code::kAborted);
  EXPECT_EQ(state_.Finish(app, wire::AppState::FAILED, "old AM", "", now_, app + "_c000001").code(),
            Status::Code::kAborted);

  auto registered = *state_.RegisterApplicationMaster(app, app + "_c000005", now_);
  EXPECT_EQ(registered.am_attempt, 2);
  std::vector<std::string> live;
  for (const auto& c : registered.live_containers) live.push_back(c.container_id);
  EXPECT_EQ(live, (std::vector<std::string>{app + "_c000002", app + "_c000004"}));
  EXPECT_EQ(registered.live_containers[0].node.id, "a");
  ASSERT_EQ(registered.attempts.size(), 1u);
  EXPECT_EQ(registered.attempts[0].attempt_id, "m_000000_0");
  EXPECT_EQ(state_.GetApplication(app)->state, wire::AppState::RUNNING);
  // Registering again (as after an RM failover) keeps the attempt number.
  EXPECT_EQ(state_.RegisterApplicationMaster(app, app + "_c000005", now_)->am_attempt, 2);

  // Ask 4 was dropped: freeing room grants nothing until the new AM asks.
  ASSERT_TRUE(state_.NodeHeartbeat("a", {Completed(app + "_c000002", 0)}, now_).ok());
  auto next = Allocate(app);
  EXPECT_TRUE(next.allocated.empty());
  ASSERT_EQ(next.completed.size(), 1u);
  EXPECT_EQ(next.completed[0].container_id, app + "_c000002");
}

TEST_F(ClusterStateTest, SilentAmIsStoppedAndRetried) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1"), now_).ok());
  std::string app = StartApp();
  for (int i = 0; i < 2; ++i) {
    now_ += 900;
    ASSERT_TRUE(state_.NodeHeartbeat("a", {}, now_).ok());
    state_.ExpireAms(now_);
    EXPECT_EQ(state_.GetApplication(app)->state, wire::AppState::RUNNING);
  }
  now_ += 300;  // 2100 ms without an Allocate.
  state_.ExpireAms(now_);
  auto report = *state_.GetApplication(app);
  EXPECT_EQ(report.state, wire::AppState::ACCEPTED);
  EXPECT_NE(report.diagnostics.find("no heartbeat from the application master"),
            std::string::npos)
      << report.diagnostics;
  auto heartbeat = *state_.NodeHeartbeat("a", {}, now_);
  EXPECT_EQ(heartbeat.stop_container_ids, std::vector<std::string>{app + "_c000001"});
  state_.Schedule(now_);
  ASSERT_EQ(state_.TakeAmLaunches().size(), 1u);
}

TEST_F(ClusterStateTest, LostNodesAreReportedOnceToEveryApp) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1"), now_).ok());
  ASSERT_TRUE(state_.RegisterNode(Node("b", "/r1", 4, 1024), now_).ok());
  std::string one = StartApp();  // AMs on a.
  std::string two = StartApp();
  EXPECT_TRUE(Allocate(one).lost_node_ids.empty());
  EXPECT_TRUE(state_.DeclareNodeLost("b", "failed (membership)", now_));
  EXPECT_EQ(Allocate(one).lost_node_ids, std::vector<std::string>{"b"});
  EXPECT_TRUE(Allocate(one).lost_node_ids.empty());
  EXPECT_EQ(Allocate(two).lost_node_ids, std::vector<std::string>{"b"});
}

TEST_F(ClusterStateTest, AmOnALostNodeIsRetriedElsewhere) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1"), now_).ok());
  ASSERT_TRUE(state_.RegisterNode(Node("b", "/r1", 4, 1024), now_).ok());
  std::string app = StartApp();  // AM on a (most free memory).
  ASSERT_EQ(state_.GetApplication(app)->am_node_id, "a");
  EXPECT_TRUE(state_.DeclareNodeLost("a", "failed (membership)", now_));
  state_.Schedule(now_);
  auto launches = state_.TakeAmLaunches();
  ASSERT_EQ(launches.size(), 1u);
  EXPECT_EQ(launches[0].node.id, "b");
}

TEST_F(ClusterStateTest, QueueAndKill) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1"), now_).ok());
  std::string one = StartApp();
  std::string two = StartApp();
  std::string three = StartApp();  // max_running_apps = 2: waits.
  EXPECT_EQ(state_.GetApplication(three)->state, wire::AppState::ACCEPTED);
  EXPECT_NE(state_.GetApplication(three)->wait_reason.find("--rm_max_running_apps"),
            std::string::npos);
  // Killing a waiting app ends it at once.
  ASSERT_TRUE(state_.Kill(three, now_).ok());
  EXPECT_EQ(state_.GetApplication(three)->state, wire::AppState::KILLED);
  // Killing a running one asks its AM.
  ASSERT_TRUE(state_.Kill(one, now_).ok());
  EXPECT_TRUE(Allocate(one).kill_requested);
  ASSERT_TRUE(state_.Finish(one, wire::AppState::KILLED, "killed", "", now_).ok());
  std::string four = StartApp();  // Room again.
  EXPECT_EQ(state_.GetApplication(four)->state, wire::AppState::RUNNING);
  EXPECT_TRUE(state_.Kill("app_nope", now_).IsNotFound());
  EXPECT_EQ(state_.ListApplications().size(), 4u);
}

TEST_F(ClusterStateTest, ReleasedRunningContainerIsStoppedOnItsNode) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1"), now_).ok());
  std::string app = StartApp();
  auto granted = Allocate(app, {Ask(1)});
  ASSERT_EQ(granted.allocated.size(), 1u);
  std::string id = granted.allocated[0].container_id;
  Allocate(app, {}, {id});
  auto heartbeat = *state_.NodeHeartbeat("a", {}, now_);
  EXPECT_EQ(heartbeat.stop_container_ids, std::vector<std::string>{id});
  // Still running there (its process ignores SIGTERM for a while): held.
  wire::ContainerStatus running;
  running.container_id = id;
  running.state = wire::ContainerState::RUNNING;
  ASSERT_TRUE(state_.NodeHeartbeat("a", {running}, now_).ok());
  EXPECT_EQ(state_.GetApplication(app)->used.memory_mb, 768);
  EXPECT_TRUE(Allocate(app, {Ask(2), Ask(3), Ask(4)}).allocated.size() == 2u);  // 4 vcores.
  // Gone from the node's report: its room is free.
  ASSERT_TRUE(state_.NodeHeartbeat("a", {}, now_).ok());
  EXPECT_EQ(Allocate(app).allocated.size(), 1u);
}

TEST_F(ClusterStateTest, AttemptReportsAreMergedById) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1"), now_).ok());
  std::string app = StartApp();
  wire::AllocateRequest request;
  request.app_id = app;
  request.map_progress = 0.5;
  wire::TaskAttemptReport attempt;
  attempt.attempt_id = "m_000000_0";
  attempt.state = "RUNNING";
  request.attempts = {attempt};
  ASSERT_TRUE(state_.Allocate(request, now_).ok());
  request.attempts[0].state = "SUCCEEDED";
  ASSERT_TRUE(state_.Allocate(request, now_).ok());
  auto report = *state_.GetApplication(app);
  ASSERT_EQ(report.attempts.size(), 1u);
  EXPECT_EQ(report.attempts[0].state, "SUCCEEDED");
  EXPECT_DOUBLE_EQ(report.map_progress, 0.5);
  EXPECT_TRUE(state_.ListApplications()[0].attempts.empty());
  // A brief report (a following client's poll) leaves the attempts out too.
  auto brief = *state_.GetApplication(app, /*brief=*/true);
  EXPECT_TRUE(brief.attempts.empty());
  EXPECT_DOUBLE_EQ(brief.map_progress, 0.5);
}

wire::ContainerStatus Running(const std::string& container_id, int vcores, int64_t memory_mb) {
  wire::ContainerStatus status;
  status.container_id = container_id;
  status.state = wire::ContainerState::RUNNING;
  status.resource = MakeResource(vcores, memory_mb);
  return status;
}

TEST_F(ClusterStateTest, TakeOverFromACheckpointAdoptsRunningContainers) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1"), now_).ok());
  ASSERT_TRUE(state_.RegisterNode(Node("b", "/r1"), now_).ok());
  std::string running = StartApp("running");  // AM c000001 on a.
  auto granted = Allocate(running, {Ask(1, {"b"})});
  ASSERT_EQ(granted.allocated.size(), 1u);
  std::string task = granted.allocated[0].container_id;
  std::string done = StartApp("done");
  ASSERT_TRUE(state_.Finish(done, wire::AppState::SUCCEEDED, "", "{}", now_).ok());
  std::string killing = StartApp("killing");
  int64_t version = state_.version();
  ASSERT_TRUE(state_.Kill(killing, now_).ok());  // Its AM is asked to stop.
  EXPECT_GT(state_.version(), version);

  wire::RmCheckpoint checkpoint = state_.Checkpoint();
  ClusterState standby(Options());
  ASSERT_TRUE(standby.Restore(checkpoint, now_).ok());
  EXPECT_FALSE(standby.Restore(checkpoint, now_).ok());
  auto apps = standby.ListApplications();
  ASSERT_EQ(apps.size(), 3u);
  EXPECT_EQ(standby.GetApplication(running)->state, wire::AppState::RUNNING);
  EXPECT_EQ(standby.GetApplication(done)->state, wire::AppState::SUCCEEDED);
  EXPECT_EQ(standby.GetApplication(killing)->state, wire::AppState::RUNNING);

  // The AM must register again before it may allocate.
  wire::AllocateRequest request;
  request.app_id = running;
  EXPECT_TRUE(standby.Allocate(request, now_).status().IsNotFound());
  // Unknown nodes re-register, then report what runs on them.
  EXPECT_TRUE(standby.NodeHeartbeat("a", {}, now_)->reregister);
  ASSERT_TRUE(standby.RegisterNode(Node("a", "/r1"), now_).ok());
  ASSERT_TRUE(standby.RegisterNode(Node("b", "/r1"), now_).ok());
  ASSERT_TRUE(standby.NodeHeartbeat("a", {Running(running + "_c000001", 1, 256)}, now_).ok());
  wire::ContainerStatus old_task = Running(task, 0, 0);  // No grant: the fallback.
  auto b = *standby.NodeHeartbeat("b", {old_task, Running(done + "_c000001", 1, 256)}, now_);
  EXPECT_EQ(b.stop_container_ids, std::vector<std::string>{done + "_c000001"});
  EXPECT_EQ(standby.GetApplication(running)->used.memory_mb, 256 + 1024);

  auto registered = *standby.RegisterApplicationMaster(running, running + "_c000001", now_);
  EXPECT_EQ(registered.am_attempt, 1);
  ASSERT_EQ(registered.live_containers.size(), 1u);
  EXPECT_EQ(registered.live_containers[0].container_id, task);
  EXPECT_EQ(registered.live_containers[0].node.id, "b");
  request.asks = {Ask(7)};
  auto response = *standby.Allocate(request, now_);
  ASSERT_EQ(response.allocated.size(), 1u);
  // Numbers the old RM may have granted after its checkpoint are skipped.
  EXPECT_GT(response.allocated[0].container_id, running + "_c010000");

  // The kill request survived the takeover.
  ASSERT_TRUE(standby.RegisterApplicationMaster(killing, killing + "_c000001", now_).ok());
  request = wire::AllocateRequest();
  request.app_id = killing;
  EXPECT_TRUE(standby.Allocate(request, now_)->kill_requested);
}

TEST_F(ClusterStateTest, RestoredAppWhoseAmNeverReturnsGetsANewAttempt) {
  ASSERT_TRUE(state_.RegisterNode(Node("a", "/r1"), now_).ok());
  std::string app = StartApp();
  ClusterState standby(Options());
  ASSERT_TRUE(standby.Restore(state_.Checkpoint(), now_).ok());
  ASSERT_TRUE(standby.RegisterNode(Node("a", "/r1"), now_).ok());
  now_ += 2100;
  ASSERT_TRUE(standby.NodeHeartbeat("a", {}, now_).ok());
  standby.ExpireAms(now_);
  EXPECT_EQ(standby.GetApplication(app)->state, wire::AppState::ACCEPTED);
  standby.Schedule(now_);
  auto launches = standby.TakeAmLaunches();
  ASSERT_EQ(launches.size(), 1u);
  EXPECT_EQ(launches[0].context.env.at("MR_AM_ATTEMPT"), "2");
}

}  // namespace
}  // namespace mr::sched

namespace mr::sched {
namespace {

// Queues, AM admission, fair shares and preemption (docs/SCHEDULER.md,
// "Queues and fair shares"), on their own state with those options.
class FairSchedulerTest : public ::testing::Test {
 protected:
  void Init(std::vector<QueueConfig> queues, double max_am_share = 0.5,
            int64_t preemption_timeout_ms = 0) {
    ClusterState::Options options;
    options.start_time_ms = 1700000000000;
    options.max_running_apps = 100;
    options.queues = std::move(queues);
    options.max_am_share = max_am_share;
    options.preemption_timeout_ms = preemption_timeout_ms;
    state_ = std::make_unique<ClusterState>(options);
  }
  std::string Submit(const std::string& queue, wire::Resource am = MakeResource(0, 256)) {
    std::string id = state_->NewApplicationId();
    wire::ApplicationSubmission submission;
    submission.app_id = id;
    submission.binary_dfs_path = "/job";
    submission.am_resource = am;
    submission.queue = queue;
    Status s = state_->Submit(submission, now_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    Launch();
    return id;
  }
  // Registers the AMs launched so far.
  void Launch() {
    state_->Schedule(now_);
    for (const auto& launch : state_->TakeAmLaunches()) {
      EXPECT_TRUE(state_->RegisterApplicationMaster(launch.context.app_id,
                                                    launch.context.container_id, now_).ok());
    }
  }
  wire::AllocateResponse Allocate(const std::string& app, int asks = 0) {
    wire::AllocateRequest request;
    request.app_id = app;
    for (int i = 0; i < asks; ++i) request.asks.push_back(Ask(next_request_++));
    Result<wire::AllocateResponse> response = state_->Allocate(request, now_);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : wire::AllocateResponse();
  }
  int Running(const std::string& app) { return state_->GetApplication(app)->used.vcores; }

  int64_t now_ = 1700000001000;
  int64_t next_request_ = 1;
  std::unique_ptr<ClusterState> state_;
};

TEST_F(FairSchedulerTest, UnknownQueuesAreRefusedAndTheFirstIsTheDefault) {
  Init({{"prod", 3}, {"dev", 1}});
  ASSERT_TRUE(state_->RegisterNode(Node("a", "/r1"), now_).ok());
  wire::ApplicationSubmission submission;
  submission.app_id = state_->NewApplicationId();
  submission.binary_dfs_path = "/job";
  submission.am_resource = MakeResource(0, 256);
  submission.queue = "nope";
  Status s = state_->Submit(submission, now_);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("queues: prod, dev"), std::string::npos) << s.ToString();
  submission.queue = "";
  ASSERT_TRUE(state_->Submit(submission, now_).ok());
  EXPECT_EQ(state_->GetApplication(submission.app_id)->queue, "prod");
}

// AM containers together hold at most max_am_share of the cluster; the
// others wait ACCEPTED, saying why, and run as AMs end. One AM always may.
TEST_F(FairSchedulerTest, ApplicationsWaitAcceptedUntilTheirAmFitsTheAmShare) {
  Init({{"default", 1}}, /*max_am_share=*/0.5);
  for (const char* id : {"a", "b", "c", "d"}) {
    ASSERT_TRUE(state_->RegisterNode(Node(id, "/r1", 1, 4096), now_).ok());
  }
  // 1-vcore AMs on four 1-vcore nodes: two may run, the rest would starve
  // their tasks (the deadlock of four AMs on four vcores).
  std::vector<std::string> apps;
  for (int i = 0; i < 4; ++i) apps.push_back(Submit("", MakeResource(1, 512)));
  EXPECT_EQ(state_->GetApplication(apps[0])->state, wire::AppState::RUNNING);
  EXPECT_EQ(state_->GetApplication(apps[1])->state, wire::AppState::RUNNING);
  for (int i : {2, 3}) {
    auto report = *state_->GetApplication(apps[i]);
    EXPECT_EQ(report.state, wire::AppState::ACCEPTED);
    EXPECT_NE(report.wait_reason.find("--rm_max_am_share=0.50"), std::string::npos)
        << report.wait_reason;
  }
  // Tasks of the running two get the other two vcores.
  EXPECT_EQ(Allocate(apps[0], 2).allocated.size() + Allocate(apps[1], 2).allocated.size(), 2u);
  // The first finishes; once its AM is gone, the third runs.
  ASSERT_TRUE(state_->Finish(apps[0], wire::AppState::SUCCEEDED, "", "", now_).ok());
  Launch();
  EXPECT_EQ(state_->GetApplication(apps[2])->state, wire::AppState::ACCEPTED);
  std::string node = state_->GetApplication(apps[0])->am_node_id;
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(state_->NodeHeartbeat(node, {}, now_).ok());
  ASSERT_TRUE(state_->NodeHeartbeat("a", {}, now_).ok());
  Launch();
  EXPECT_EQ(state_->GetApplication(apps[2])->state, wire::AppState::RUNNING);
  EXPECT_EQ(state_->GetApplication(apps[3])->state, wire::AppState::ACCEPTED);

  // A cluster too small for two AMs under the share still runs one.
  Init({{"default", 1}}, /*max_am_share=*/0.1);
  ASSERT_TRUE(state_->RegisterNode(Node("a", "/r1", 2, 1024), now_).ok());
  std::string only = Submit("", MakeResource(1, 512));
  EXPECT_EQ(state_->GetApplication(only)->state, wire::AppState::RUNNING);
  std::string second = Submit("", MakeResource(1, 512));
  EXPECT_EQ(state_->GetApplication(second)->state, wire::AppState::ACCEPTED);
}

// Two queues weighted 3:1, both with more work than the cluster: their
// containers go 3:1, and their fair shares say so.
TEST_F(FairSchedulerTest, QueuesShareTheClusterByWeight) {
  Init({{"prod", 3}, {"dev", 1}});
  for (const char* id : {"a", "b"}) {
    ASSERT_TRUE(state_->RegisterNode(Node(id, "/r1", 4, 65536), now_).ok());
  }
  std::string dev = Submit("dev");
  std::string prod = Submit("prod");
  // dev asks first, alone: it takes the whole cluster.
  std::vector<wire::Container> first = Allocate(dev, 20).allocated;
  EXPECT_EQ(first.size(), 8u);
  EXPECT_EQ(Allocate(prod, 20).allocated.size(), 0u);
  EXPECT_NEAR(state_->GetApplication(prod)->fair_share, 0.75, 0.01);
  EXPECT_NEAR(state_->GetApplication(dev)->fair_share, 0.25, 0.01);
  // As dev's tasks end, the freed vcores go to prod until 3:1.
  for (const wire::Container& c : first) {
    wire::ContainerStatus done;
    done.container_id = c.container_id;
    done.state = wire::ContainerState::COMPLETE;
    ASSERT_TRUE(state_->NodeHeartbeat(c.node.id, {done}, now_).ok());
    state_->Schedule(now_);
  }
  EXPECT_EQ(Running(prod), 6);
  EXPECT_EQ(Running(dev), 2);
  auto list = state_->ListApplications();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].queue, "dev");
  EXPECT_NE(list[0].wait_reason.find("the cluster is full"), std::string::npos)
      << list[0].wait_reason;
}

// Water-filling: an application that wants less than its share gets what
// it wants, and the rest goes to the others.
TEST_F(FairSchedulerTest, FairSharesGiveWhatASmallDemandLeavesToTheOthers) {
  Init({{"default", 1}});
  ASSERT_TRUE(state_->RegisterNode(Node("a", "/r1", 10, 1 << 20), now_).ok());
  std::string small = Submit("");
  std::string big1 = Submit("");
  std::string big2 = Submit("");
  Allocate(small, 1);
  Allocate(big1, 50);
  Allocate(big2, 50);
  EXPECT_NEAR(state_->GetApplication(small)->fair_share, 0.1, 0.01);
  EXPECT_NEAR(state_->GetApplication(big1)->fair_share, 0.45, 0.01);
  EXPECT_NEAR(state_->GetApplication(big2)->fair_share, 0.45, 0.01);
}

// An application below its fair share whose requests find no room, for the
// timeout, gets the youngest containers of one over its share preempted:
// never its AM, never below the victim's own share. Their completions say
// `preempted`, and the room goes to the starved application.
TEST_F(FairSchedulerTest, PreemptionTakesTheYoungestContainersOfAnOverShareApp) {
  Init({{"default", 1}}, 0.5, /*preemption_timeout_ms=*/1000);
  ASSERT_TRUE(state_->RegisterNode(Node("a", "/r1", 4, 65536), now_).ok());
  std::string greedy = Submit("");
  std::vector<wire::Container> held;
  for (int i = 0; i < 4; ++i) {
    now_ += 10;  // Granted one after another: c000002 is the oldest.
    for (auto& c : Allocate(greedy, 1).allocated) held.push_back(c);
  }
  ASSERT_EQ(held.size(), 4u);
  std::string starved = Submit("");
  EXPECT_TRUE(Allocate(starved, 4).allocated.empty());
  EXPECT_NEAR(state_->GetApplication(starved)->fair_share, 0.5, 0.01);
  EXPECT_NE(state_->GetApplication(starved)->wait_reason.find("preemption in"),
            std::string::npos)
      << state_->GetApplication(starved)->wait_reason;
  now_ += 999;
  state_->Schedule(now_);
  EXPECT_TRUE(state_->NodeHeartbeat("a", {}, now_)->preempt_container_ids.empty());
  now_ += 1;
  state_->Schedule(now_);
  auto heartbeat = *state_->NodeHeartbeat("a", {}, now_);
  // Two containers bring the starved app to its share of one half.
  EXPECT_EQ(heartbeat.preempt_container_ids,
            (std::vector<std::string>{held[3].container_id, held[2].container_id}));
  // Their room is the starved app's once the NM says they are gone.
  EXPECT_TRUE(Allocate(starved).allocated.empty());
  wire::ContainerStatus gone;
  gone.container_id = held[3].container_id;
  gone.state = wire::ContainerState::COMPLETE;
  gone.exit_code = 143;
  ASSERT_TRUE(state_->NodeHeartbeat("a", {gone}, now_).ok());
  ASSERT_TRUE(state_->NodeHeartbeat("a", {}, now_).ok());  // The other: absent.
  EXPECT_EQ(Allocate(starved).allocated.size(), 2u);
  auto completed = Allocate(greedy).completed;
  ASSERT_EQ(completed.size(), 2u);
  for (const auto& status : completed) EXPECT_TRUE(status.preempted) << status.container_id;
  EXPECT_EQ(Running(greedy), 2);
  EXPECT_EQ(Running(starved), 2);
  // At their shares now: nothing more is preempted, however long.
  now_ += 5000;
  state_->Schedule(now_);
  EXPECT_TRUE(state_->NodeHeartbeat("a", {}, now_)->preempt_container_ids.empty());
}

TEST_F(FairSchedulerTest, NoPreemptionWithoutATimeout) {
  Init({{"default", 1}}, 0.5, /*preemption_timeout_ms=*/0);
  ASSERT_TRUE(state_->RegisterNode(Node("a", "/r1", 2, 65536), now_).ok());
  std::string greedy = Submit("");
  ASSERT_EQ(Allocate(greedy, 2).allocated.size(), 2u);
  std::string starved = Submit("");
  Allocate(starved, 2);
  now_ += 3600 * 1000;
  state_->Schedule(now_);
  EXPECT_TRUE(state_->NodeHeartbeat("a", {}, now_)->preempt_container_ids.empty());
}

// A restarted NM names the applications it has local data of; the finished
// (or unknown) ones come back for cleanup, the running ones stay.
TEST_F(FairSchedulerTest, ARestartedNodeCleansUpOnlyFinishedApplications) {
  Init({{"default", 1}});
  ASSERT_TRUE(state_->RegisterNode(Node("a", "/r1"), now_).ok());
  std::string running = Submit("");
  std::string done = Submit("");
  ASSERT_TRUE(state_->Finish(done, wire::AppState::SUCCEEDED, "", "", now_).ok());
  ASSERT_TRUE(state_->NodeHeartbeat("a", {}, now_).ok());  // The first cleanup.
  ASSERT_TRUE(state_->RegisterNode(Node("a", "/r1"), now_,
                                   {running, done, "app_1_0099"}).ok());
  auto heartbeat = *state_->NodeHeartbeat("a", {}, now_);
  EXPECT_EQ(heartbeat.cleanup_app_ids, (std::vector<std::string>{done, "app_1_0099"}));
}

}  // namespace
}  // namespace mr::sched

namespace mr::sched {
namespace {

// One slot, three applications with equal shares: each freed slot goes to
// the one that waited longest, not always back to the oldest.
TEST_F(FairSchedulerTest, EqualSharesTakeTurnsForAFreedSlot) {
  Init({{"default", 1}});
  ASSERT_TRUE(state_->RegisterNode(Node("a", "/r1", 1, 65536), now_).ok());
  std::vector<std::string> apps = {Submit(""), Submit(""), Submit("")};
  std::vector<wire::Container> held = Allocate(apps[0], 5).allocated;
  Allocate(apps[1], 5);
  Allocate(apps[2], 5);
  ASSERT_EQ(held.size(), 1u);
  std::vector<std::string> winners;
  for (int round = 0; round < 6; ++round) {
    now_ += 100;
    wire::ContainerStatus done;
    done.container_id = held[0].container_id;
    done.state = wire::ContainerState::COMPLETE;
    ASSERT_TRUE(state_->NodeHeartbeat("a", {done}, now_).ok());
    state_->Schedule(now_);
    held.clear();
    for (const std::string& app : apps) {
      for (auto& c : Allocate(app).allocated) {
        winners.push_back(app);
        held.push_back(c);
      }
    }
    ASSERT_EQ(held.size(), 1u) << round;
  }
  EXPECT_EQ(winners, (std::vector<std::string>{apps[1], apps[2], apps[0], apps[1], apps[2],
                                               apps[0]}));
}

}  // namespace
}  // namespace mr::sched

namespace mr::sched {
namespace {

// Shares over time stay even too: after an application held the one slot
// for a long task, the next grants go to the one whose tasks are short
// until it has been served as much.
TEST_F(FairSchedulerTest, AnApplicationWithLongTasksGetsFewerOfThem) {
  Init({{"default", 1}});
  ASSERT_TRUE(state_->RegisterNode(Node("a", "/r1", 1, 65536), now_).ok());
  std::string slow = Submit("");
  std::string quick = Submit("");
  std::vector<wire::Container> held = Allocate(slow, 10).allocated;
  Allocate(quick, 10);
  ASSERT_EQ(held.size(), 1u);
  auto finish = [&](int64_t after_ms) {
    now_ += after_ms;
    wire::ContainerStatus done;
    done.container_id = held[0].container_id;
    done.state = wire::ContainerState::COMPLETE;
    EXPECT_TRUE(state_->NodeHeartbeat("a", {done}, now_).ok());
    state_->Schedule(now_);
    std::string winner;
    held.clear();
    for (const std::string& app : {slow, quick}) {
      for (auto& c : Allocate(app).allocated) {
        held.push_back(c);
        winner = app;
      }
    }
    return winner;
  };
  // The slow job's task took 5 s: the quick one's 0.5 s tasks run next.
  std::vector<std::string> winners = {finish(5000)};
  for (int i = 0; i < 6; ++i) winners.push_back(finish(500));
  EXPECT_EQ(std::count(winners.begin(), winners.begin() + 6, quick), 6)
      << "the slow job won again before the quick one had its share";
  // Once the quick one has been served as much, the slow one's turn comes.
  for (int i = 0; i < 10; ++i) winners.push_back(finish(500));
  EXPECT_GE(std::count(winners.begin(), winners.end(), slow), 1);
}

}  // namespace
}  // namespace mr::sched
