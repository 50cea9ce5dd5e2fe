// The mr_nodemanager binary: usage errors, port files, registration with a
// (fake) RM, and SIGTERM ending the daemon and the containers it runs.
#include <signal.h>

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "NodeManagerService.h"
#include "cluster/cluster_config.h"
#include "cluster/daemon_process.h"
#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "rpc/thrift_client.h"
#include "scheduler/resourcemanager/resources.h"
#include "tests/dfs/client/local_dfs.h"
#include "tests/scheduler/nodemanager/fake_rm.h"
#include "test_util.h"

namespace mr::sched::nm {
namespace {

using NmClient = rpc::ThriftClient<wire::NodeManagerServiceClient, wire::SchedulerError>;
using mr::testing::BinPath;
using mr::testing::Eventually;
using mr::testing::Quote;
using mr::testing::RunCommand;

TEST(NmDaemonTest, UsageErrorsExitTwo) {
  if (!PathExists(BinPath("mr_nodemanager"))) GTEST_SKIP() << "mr_nodemanager not built";
  EXPECT_EQ(RunCommand(Quote(BinPath("mr_nodemanager")), 20).exit_code, 2);
  mr::testing::ScopedTempDir dir;
  auto r = RunCommand(Quote(BinPath("mr_nodemanager")) + " --dir " + Quote(dir.path()) +
                          " --id nm-1 --rm no-port --dfs_master 127.0.0.1:1",
                      20);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--rm"), std::string::npos) << r.err;
  EXPECT_EQ(RunCommand(Quote(BinPath("mr_nodemanager")) + " --no_such_flag", 20).exit_code, 2);
}

TEST(NmDaemonTest, AdvertisesPortsRegistersAndStopsItsContainersOnSigterm) {
  std::string missing = mr::testing::MissingDfsDaemons();
  if (!missing.empty()) GTEST_SKIP() << "DFS daemons not available: " << missing;
  if (!PathExists(BinPath("mr_nodemanager"))) GTEST_SKIP() << "mr_nodemanager not built";
  mr::testing::LocalDfs dfs;
  auto up = dfs.Up(1, 1);
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  auto config = cluster::LoadConfig(dfs.dir());
  ASSERT_TRUE(config.ok());
  std::string dfs_master = config->Master()->host + ":" + std::to_string(config->Master()->port);
  auto dfs_client = dfs::DfsClient::ConnectToCluster(dfs.dir());
  ASSERT_TRUE(dfs_client.ok());
  dfs::DfsClient::CreateOptions create;
  create.replication = 1;
  auto out = (*dfs_client)->Create("/.staging/sleeper", create);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE((*out)->Write("#!/bin/sh\necho $$ > started\nsleep 100\n").ok());
  ASSERT_TRUE((*out)->Close().ok());

  testing::FakeRm rm;
  ASSERT_TRUE(rm.Start().ok());
  mr::testing::ScopedTempDir dir;
  std::string nm_dir = dir.Join("nm");
  auto pid = cluster::StartDaemon(
      BinPath("mr_nodemanager"),
      {"--dir=" + nm_dir, "--id=nm-0-0", "--rack=/r0", "--rm=" + rm.address(),
       "--dfs_master=" + dfs_master, "--vcores=2", "--memory_mb=512", "--nm_heartbeat_ms=50"},
      dir.Join("log"), dir.Join("pid"));
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  auto port_of = [](const std::string& path) {
    auto text = ReadFileToString(path);
    return text.ok() ? std::atoi(text->c_str()) : 0;
  };
  ASSERT_TRUE(Eventually([&] { return PathExists(JoinPath(nm_dir, "port")); }))
      << *ReadFileToString(dir.Join("log"));
  int port = port_of(JoinPath(nm_dir, "port"));
  int shuffle_port = port_of(JoinPath(nm_dir, "shuffle/port"));
  ASSERT_GT(port, 0);
  ASSERT_GT(shuffle_port, 0);
  ASSERT_TRUE(Eventually([&] { return !rm.handler->registrations().empty(); }));
  wire::NodeInfo info = rm.handler->registrations()[0];
  EXPECT_EQ(info.rpc_port, port);
  EXPECT_EQ(info.shuffle_port, shuffle_port);
  EXPECT_EQ(info.capability.memory_mb, 512);
  EXPECT_TRUE(cluster::WaitForPort("127.0.0.1", shuffle_port, 2000));

  auto client = NmClient::Connect("node manager", "127.0.0.1", port);
  ASSERT_TRUE(client.ok());
  wire::LaunchContext c;
  c.app_id = "app_1_0001";
  c.container_id = "app_1_0001_c000001";
  c.binary_dfs_path = "/.staging/sleeper";
  c.resource = MakeResource(1, 128);
  ASSERT_TRUE((*client)->Call("StartContainer", [&](auto& stub) { stub.StartContainer(c); }).ok());
  std::string started = JoinPath(nm_dir, "apps/app_1_0001/containers/app_1_0001_c000001/started");
  ASSERT_TRUE(Eventually([&] {
    auto t = ReadFileToString(started);
    return t.ok() && !t->empty() && t->back() == '\n';
  }));
  pid_t pgid = static_cast<pid_t>(std::atol(ReadFileToString(started)->c_str()));

  ASSERT_TRUE(cluster::StopDaemon(*pid, SIGTERM, 10000).ok());
  EXPECT_TRUE(Eventually([&] { return ::kill(-pgid, 0) != 0 && errno == ESRCH; },
                         std::chrono::milliseconds(5000)));
  std::string log = *ReadFileToString(dir.Join("log"));
  EXPECT_NE(log.find("stopping on signal 15"), std::string::npos) << log;
}

}  // namespace
}  // namespace mr::sched::nm
