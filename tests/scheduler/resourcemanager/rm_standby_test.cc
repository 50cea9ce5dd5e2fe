// The RM's checkpoints and standby mode, in process: an active RmService
// checkpoints every application-level change to its store; a standby
// answers Unavailable("standby") until it activates, then serves what the
// checkpoint holds.
#include <gtest/gtest.h>

#include "common/file.h"
#include "rpc/status_codes.h"
#include "scheduler/resourcemanager/resources.h"
#include "scheduler/resourcemanager/rm_service.h"
#include "scheduler/resourcemanager/state_store.h"
#include "test_util.h"
#include "tests/scheduler/thrown.h"

namespace mr::sched {
namespace {

using mr::testing::ScopedTempDir;

RmService::Options ServiceOptions(const std::string& state_dir, bool standby, int64_t start) {
  RmService::Options options;
  options.state.start_time_ms = start;
  options.store = NewLocalStateStore(state_dir);
  options.standby = standby;
  return options;
}

TEST(RmStandbyTest, StandbyServesTheCheckpointOnceActive) {
  ScopedTempDir dir;
  RmService active(ServiceOptions(dir.path(), /*standby=*/false, 1000));
  wire::NodeInfo node;
  node.id = "nm-1";
  node.host = "127.0.0.1";
  node.rpc_port = 1;
  node.rack = "/r1";
  node.capability = MakeResource(4, 4096);
  // No node registers with the active RM: the application waits, ACCEPTED.
  std::string app;
  active.NewApplication(app);
  wire::ApplicationSubmission submission;
  submission.app_id = app;
  submission.name = "checkpointed";
  submission.binary_dfs_path = "/job";
  submission.am_resource = MakeResource(1, 256);
  active.SubmitApplication(submission);
  ASSERT_TRUE(PathExists(dir.Join("rm_state")));

  RmService standby(ServiceOptions(dir.path(), /*standby=*/true, 2000));
  EXPECT_FALSE(standby.active());
  std::vector<wire::ApplicationReport> apps;
  Status s = Thrown([&] { standby.ListApplications(apps); });
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  EXPECT_EQ(s.message(), "standby");
  s = Thrown([&] { standby.RegisterNode(node, {}); });
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();

  ASSERT_TRUE(standby.Activate().ok());
  EXPECT_TRUE(standby.active());
  standby.ListApplications(apps);
  ASSERT_EQ(apps.size(), 1u);
  EXPECT_EQ(apps[0].app_id, app);
  EXPECT_EQ(apps[0].name, "checkpointed");
  EXPECT_EQ(apps[0].state, wire::AppState::ACCEPTED);
  // Nodes are not in the checkpoint: they register again.
  wire::NodeHeartbeatResponse heartbeat;
  standby.NodeHeartbeat(heartbeat, "nm-1", {});
  EXPECT_TRUE(heartbeat.reregister);
  std::string next;
  standby.NewApplication(next);
  EXPECT_NE(next, app);
}

TEST(RmStandbyTest, DamagedCheckpointKeepsTheStandbyStandingBy) {
  ScopedTempDir dir;
  ASSERT_TRUE(WriteStringToFile(dir.Join("rm_state"), "not a checkpoint", false).ok());
  RmService standby(ServiceOptions(dir.path(), /*standby=*/true, 1000));
  Status s = standby.Activate();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_FALSE(standby.active());
}

TEST(RmStandbyTest, NoCheckpointYetIsAFreshStart) {
  ScopedTempDir dir;
  RmService standby(ServiceOptions(dir.Join("never-written"), /*standby=*/true, 1000));
  ASSERT_TRUE(standby.Activate().ok());
  std::vector<wire::ApplicationReport> apps;
  standby.ListApplications(apps);
  EXPECT_TRUE(apps.empty());
}

}  // namespace
}  // namespace mr::sched
