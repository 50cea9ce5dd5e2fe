// RM failover in a real local cluster (issue 6): `mrcluster up --rm_standby`
// starts an active RM and a standby; the active one is killed with kill -9
// while node managers are registered and an application waits. The standby
// takes over from the checkpoint, the NMs re-register with it, and clients
// (mrjob's RmClient) fail over: nodes and the application are still listed.
// Also with real processes: a running AM container adopted by the standby,
// and AM attempts.
#include <gtest/gtest.h>

#include <chrono>

#include "cluster/cluster_config.h"
#include "scheduler/client/cluster_endpoints.h"
#include "scheduler/resourcemanager/resources.h"
#include "test_util.h"

namespace mr::testing {
namespace {

using sched::wire::AppState;

class RmFailoverClusterTest : public ::testing::Test {
 protected:
  ~RmFailoverClusterTest() override {
    (void)RunCommand(Quote(BinPath("mrcluster")) + " down --dir " + Quote(dir()), 60);
  }
  std::string dir() const { return tmp_.Join("cluster"); }
  CommandResult Mrcluster(const std::string& args) {
    return RunCommand(Quote(BinPath("mrcluster")) + " " + args + " --dir " + Quote(dir()), 60);
  }
  // "active", "standby" or "" for RM `id`, from `mrcluster status --json`.
  std::string Serving(const std::string& id) {
    std::string out = Mrcluster("status --json").out;
    size_t at = out.find("\"id\":\"" + id + "\"");
    if (at == std::string::npos) return "";
    size_t serving = out.find("\"serving\":\"", at);
    if (serving == std::string::npos) return "";
    serving += 11;
    return out.substr(serving, out.find('"', serving) - serving);
  }

  // `mrdfs put LOCAL DFS` into this cluster.
  CommandResult Put(const std::string& local, const std::string& dfs_path) {
    return RunCommand(Quote(BinPath("mrdfs")) + " --cluster " + Quote(dir()) + " put " + local +
                          " " + dfs_path,
                      60);
  }
  // A client of every RM in cluster.conf.
  Result<std::unique_ptr<sched::RmClient>> ConnectRm() {
    ASSIGN_OR_RETURN(cluster::ClusterConfig config, cluster::LoadConfig(dir()));
    return sched::ConnectResourceManager(config);
  }
  // NewApplication, then SubmitApplication of `binary` (a DFS path) as the
  // AM with `am_args`; the application's id.
  static Result<std::string> Submit(sched::RmClient* rm, const std::string& name,
                                    const std::string& binary,
                                    const std::vector<std::string>& am_args = {}) {
    ASSIGN_OR_RETURN(std::string app_id,
                     rm->CallFor<std::string>("NewApplication", [](auto& stub, auto& out) {
                       stub.NewApplication(out);
                     }));
    sched::wire::ApplicationSubmission submission;
    submission.app_id = app_id;
    submission.name = name;
    submission.binary_dfs_path = binary.empty() ? "/.staging/" + app_id + "/job" : binary;
    submission.am_args = am_args;
    submission.am_resource = sched::MakeResource(1, 256);
    RETURN_NOT_OK(rm->Call("SubmitApplication",
                           [&](auto& stub) { stub.SubmitApplication(submission); }));
    return app_id;
  }
  static Result<sched::wire::ApplicationReport> Get(sched::RmClient* rm,
                                                    const std::string& app_id) {
    return rm->CallFor<sched::wire::ApplicationReport>(
        "GetApplication", [&](auto& stub, auto& out) { stub.GetApplication(out, app_id, false); });
  }

  ScopedTempDir tmp_;
};

int LiveNodes(sched::RmClient* rm) {
  auto nodes = rm->CallFor<std::vector<sched::wire::NodeReport>>(
      "ListNodes", [](auto& stub, auto& out) { stub.ListNodes(out); });
  if (!nodes.ok()) return -1;
  int live = 0;
  for (const auto& node : *nodes) live += node.alive;
  return live;
}

TEST_F(RmFailoverClusterTest, StandbyTakesOverNodesAndApplications) {
  // No application gets an AM (max running 0): the one submitted waits,
  // ACCEPTED, across the failover.
  CommandResult up = Mrcluster("up --racks 1 --nodes_per_rack 2 --rm_standby "
                               "--rm_flags=--rm_max_running_apps=0,--rm_failover_ms=1500");
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_EQ(Serving("rm"), "active");
  EXPECT_EQ(Serving("rm-standby"), "standby");

  Result<cluster::ClusterConfig> config = cluster::LoadConfig(dir());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->ResourceManagers().size(), 2u);
  auto rm = ConnectRm();
  ASSERT_TRUE(rm.ok()) << rm.status().ToString();
  ASSERT_EQ(LiveNodes(rm->get()), 2);
  auto app_id = Submit(rm->get(), "waits", "");
  ASSERT_TRUE(app_id.ok()) << app_id.status().ToString();

  ASSERT_EQ(Mrcluster("kill rm").exit_code, 0);
  auto killed = std::chrono::steady_clock::now();
  // The same client fails over to the standby once it has taken over, and
  // the node managers register with it again.
  ASSERT_TRUE(Eventually([&] { return LiveNodes(rm->get()) == 2; }, std::chrono::seconds(15)));
  EXPECT_LT(std::chrono::steady_clock::now() - killed, std::chrono::seconds(10));
  auto report = Get(rm->get(), *app_id);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->state, AppState::ACCEPTED);
  EXPECT_EQ(report->name, "waits");
  EXPECT_EQ(Serving("rm-standby"), "active");

  // mrjob, a fresh process, finds the new active RM behind the dead one.
  CommandResult list = RunCommand(Quote(BinPath("mrjob")) + " --cluster " + Quote(dir()) +
                                  " list", 60);
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(*app_id), std::string::npos) << list.out;
  EXPECT_EQ(list.err, "");

  // The old active comes back as a standby: one RM serves at a time.
  ASSERT_EQ(Mrcluster("start rm").exit_code, 0);
  EXPECT_TRUE(Eventually([&] { return Serving("rm") == "standby"; }, std::chrono::seconds(5)));
  EXPECT_EQ(Serving("rm-standby"), "active");
  auto next = (*rm)->CallFor<std::string>(
      "NewApplication", [](auto& stub, auto& out) { stub.NewApplication(out); });
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_NE(*next, *app_id);
}

// The standby adopts an AM container that runs across the failover (here
// /bin/sleep, which never registers: the test registers in its place).
TEST_F(RmFailoverClusterTest, StandbyAdoptsARunningAmContainer) {
  CommandResult up = Mrcluster("up --racks 1 --nodes_per_rack 2 --rm_standby "
                               "--rm_flags=--rm_am_expiry_ms=60000,--rm_failover_ms=1500");
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  CommandResult put = Put("/bin/sleep", "/jobs/sleep");
  ASSERT_EQ(put.exit_code, 0) << put.err;
  auto rm = ConnectRm();
  ASSERT_TRUE(rm.ok()) << rm.status().ToString();
  auto app_id = Submit(rm->get(), "sleeps", "/jobs/sleep", {"60"});
  ASSERT_TRUE(app_id.ok()) << app_id.status().ToString();
  auto running_containers = [&] {
    auto nodes = (*rm)->CallFor<std::vector<sched::wire::NodeReport>>(
        "ListNodes", [](auto& stub, auto& out) { stub.ListNodes(out); });
    int running = 0;
    if (nodes.ok()) {
      for (const auto& node : *nodes) running += node.running_containers;
    }
    return running;
  };
  auto get = [&] { return Get(rm->get(), *app_id); };
  ASSERT_EQ(get()->state, AppState::ACCEPTED);
  std::string am = *app_id + "_c000001";
  ASSERT_EQ(get()->am_container_id, am);

  ASSERT_EQ(Mrcluster("kill rm").exit_code, 0);
  // The NM that runs the AM re-registers and reports it: adopted, with its grant.
  ASSERT_TRUE(Eventually([&] { return running_containers() == 1; }, std::chrono::seconds(15)));
  auto report = get();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->state, AppState::ACCEPTED);
  EXPECT_EQ(report->am_container_id, am);
  EXPECT_EQ(report->used.memory_mb, 256);
  // The AM registers with the new RM: the same, first attempt.
  auto registered = (*rm)->CallFor<sched::wire::RegisterResponse>(
      "RegisterApplicationMaster",
      [&](auto& stub, auto& out) { stub.RegisterApplicationMaster(out, *app_id, am, ""); });
  ASSERT_TRUE(registered.ok()) << registered.status().ToString();
  EXPECT_EQ(registered->am_attempt, 1);
  EXPECT_EQ(get()->state, AppState::RUNNING);
  ASSERT_TRUE((*rm)->Call("KillApplication", [&](auto& stub) { stub.KillApplication(*app_id); }).ok());
}

// AM attempts with real processes: an "AM" that exits 1 at once (/bin/false
// as the job binary) is started twice, then the application fails naming
// the last attempt.
TEST_F(RmFailoverClusterTest, AFailingAmIsRetriedThenFailsTheApp) {
  CommandResult up = Mrcluster("up --racks 1 --nodes_per_rack 2");
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  CommandResult put = Put("/bin/false", "/jobs/false");
  ASSERT_EQ(put.exit_code, 0) << put.err;
  auto rm = ConnectRm();
  ASSERT_TRUE(rm.ok()) << rm.status().ToString();
  auto app_id = Submit(rm->get(), "false", "/jobs/false");
  ASSERT_TRUE(app_id.ok()) << app_id.status().ToString();
  sched::wire::ApplicationReport report;
  ASSERT_TRUE(Eventually([&] {
    auto r = Get(rm->get(), *app_id);
    if (r.ok()) report = *r;
    return r.ok() && report.state == AppState::FAILED;
  }, std::chrono::seconds(30))) << report.diagnostics;
  EXPECT_NE(report.diagnostics.find("AM attempt 2 of 2 failed"), std::string::npos)
      << report.diagnostics;
  EXPECT_NE(report.diagnostics.find(*app_id + "_c000002"), std::string::npos)
      << report.diagnostics;
  EXPECT_NE(report.diagnostics.find("exit code 1"), std::string::npos) << report.diagnostics;
}

}  // namespace
}  // namespace mr::testing
