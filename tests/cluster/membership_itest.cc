// Membership in a real local cluster (issue 4, item 6): every daemon runs a
// member; a datanode killed with kill -9 is known failed, and declared dead
// by the DFS master, within seconds, long before its heartbeat timeout.
#include <gtest/gtest.h>

#include "cluster/cluster_config.h"
#include "dfs/master/master_client.h"
#include "test_util.h"

namespace mr::testing {
namespace {

class MembershipClusterTest : public ::testing::Test {
 protected:
  ~MembershipClusterTest() override {
    (void)RunCommand(Quote(BinPath("mrcluster")) + " down --dir " + Quote(dir()), 60);
  }
  std::string dir() const { return tmp_.Join("cluster"); }
  CommandResult Mrcluster(const std::string& args) {
    return RunCommand(Quote(BinPath("mrcluster")) + " " + args + " --dir " + Quote(dir()), 60);
  }

  ScopedTempDir tmp_;
};

TEST_F(MembershipClusterTest, KilledDatanodeIsFailedLongBeforeItsHeartbeatTimeout) {
  // A heartbeat timeout of 10 minutes: only membership can find it dead.
  CommandResult up = Mrcluster("up --noscheduler --racks 2 --nodes_per_rack 2 "
                               "--master_flags=--dfs_heartbeat_timeout_ms=600000");
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  ASSERT_TRUE(Eventually([&] {
    CommandResult status = Mrcluster("status");
    return status.out.find("failed") == std::string::npos &&
           status.out.find(" - \n") == std::string::npos;  // Every node a member.
  }, std::chrono::seconds(10))) << Mrcluster("status").out;

  ASSERT_EQ(Mrcluster("kill dn-1-1").exit_code, 0);
  auto started = std::chrono::steady_clock::now();
  Result<cluster::ClusterConfig> config = cluster::LoadConfig(dir());
  ASSERT_TRUE(config.ok());
  auto master = dfs::MasterClient::Connect(config->Master()->host, config->Master()->port);
  ASSERT_TRUE(master.ok());
  EXPECT_TRUE(Eventually([&] {
    auto nodes = (*master)->ListDatanodes();
    if (!nodes.ok()) return false;
    for (const auto& n : *nodes) {
      if (n.info.id == "dn-1-1") return !n.alive;
    }
    return false;
  }, std::chrono::seconds(10)));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));

  CommandResult status = Mrcluster("status --json");
  EXPECT_NE(status.out.find(R"("id":"dn-1-1","rack":"/r1")"), std::string::npos) << status.out;
  size_t at = status.out.find(R"("id":"dn-1-1")");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(status.out.find(R"("member":"failed")", at), std::string::npos) << status.out;
  // The others are still alive members.
  size_t other = status.out.find(R"("id":"dn-2-2")");
  ASSERT_NE(other, std::string::npos);
  EXPECT_EQ(status.out.find(R"("member":"alive")", other),
            status.out.find(R"("member")", other)) << status.out;
}

}  // namespace
}  // namespace mr::testing
