// The RM daemon as a process: its RPCs, an AM launch that cannot reach its
// NM, and bad bytes on its port.
#include <signal.h>

#include <gtest/gtest.h>

#include "ResourceManagerService.h"
#include "cluster/daemon_process.h"
#include "rpc/thrift_client.h"
#include "scheduler/resourcemanager/resources.h"
#include "test_util.h"

namespace mr::sched {
namespace {

using RmClient = rpc::ThriftClient<wire::ResourceManagerServiceClient, wire::SchedulerError>;
using mr::testing::BinPath;
using mr::testing::Eventually;
using mr::testing::ScopedTempDir;

class ResourceManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<pid_t> pid = cluster::StartDaemon(
        BinPath("mr_resourcemanager"), {"--dir=" + dir_.path(), "--port=0", "--rm_node_expiry_ms=800"},
        dir_.Join("log"), dir_.Join("pid"));
    ASSERT_TRUE(pid.ok()) << pid.status().ToString();
    pid_ = *pid;
    ASSERT_TRUE(Eventually([&] { return ReadFileToString(dir_.Join("port")).ok(); }));
    port_ = std::stoi(*ReadFileToString(dir_.Join("port")));
    auto rm = RmClient::Connect("resource manager", "127.0.0.1", port_);
    ASSERT_TRUE(rm.ok()) << rm.status().ToString();
    rm_ = std::move(*rm);
  }
  void TearDown() override {
    if (pid_ > 0) (void)cluster::StopDaemon(pid_, SIGTERM, 5000);
  }

  std::string NewApp() {
    auto id = rm_->CallFor<std::string>("NewApplication",
                                        [](auto& stub, auto& out) { stub.NewApplication(out); });
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : "";
  }

  ScopedTempDir dir_;
  pid_t pid_ = 0;
  int port_ = 0;
  std::unique_ptr<RmClient> rm_;
};

TEST_F(ResourceManagerTest, AmThatCannotStartFailsTheApp) {
  wire::NodeInfo node;
  node.id = "nm-1";
  node.host = "127.0.0.1";
  Result<int> closed = cluster::PickFreePort("127.0.0.1");  // Nobody listens there.
  ASSERT_TRUE(closed.ok());
  node.rpc_port = *closed;
  node.rack = "/r1";
  node.capability = MakeResource(2, 1024);
  ASSERT_TRUE(rm_->Call("RegisterNode", [&](auto& stub) { stub.RegisterNode(node, {}); }).ok());

  wire::ApplicationSubmission submission;
  submission.app_id = NewApp();
  submission.name = "job";
  submission.binary_dfs_path = "/.staging/x/job";
  submission.am_resource = MakeResource(1, 4096);
  Status too_big = rm_->Call("SubmitApplication",
                             [&](auto& stub) { stub.SubmitApplication(submission); });
  EXPECT_TRUE(too_big.IsInvalidArgument()) << too_big.ToString();

  submission.am_resource = MakeResource(1, 256);
  ASSERT_TRUE(rm_->Call("SubmitApplication",
                        [&](auto& stub) { stub.SubmitApplication(submission); }).ok());
  wire::ApplicationReport report;
  ASSERT_TRUE(Eventually([&] {
    auto r = rm_->CallFor<wire::ApplicationReport>(
        "GetApplication", [&](auto& stub, auto& out) { stub.GetApplication(out, submission.app_id, false); });
    if (r.ok()) report = *r;
    return r.ok() && report.state == wire::AppState::FAILED;
  }));
  EXPECT_NE(report.diagnostics.find("could not start"), std::string::npos) << report.diagnostics;

  // The node never heartbeats: it is lost after the expiry.
  ASSERT_TRUE(Eventually([&] {
    auto nodes = rm_->CallFor<std::vector<wire::NodeReport>>(
        "ListNodes", [](auto& stub, auto& out) { stub.ListNodes(out); });
    return nodes.ok() && nodes->size() == 1 && !(*nodes)[0].alive;
  }));
}

TEST_F(ResourceManagerTest, SurvivesGarbageAndOversizedFrames) {
  mr::testing::SendRawTcp(port_, "GET / HTTP/1.1\r\n\r\n");
  mr::testing::SendRawTcp(port_, std::string("\x7f\xff\xff\xff", 4) + "xxxx");  // A 2 GiB frame header.
  mr::testing::SendRawTcp(port_, std::string("\x00\x00\x00\x05\x82\x21\x01\x02\x03", 9));  // Truncated.
  EXPECT_FALSE(NewApp().empty());
  auto missing = rm_->CallFor<wire::ApplicationReport>(
      "GetApplication", [](auto& stub, auto& out) { stub.GetApplication(out, "app_1_0001", false); });
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
}

}  // namespace
}  // namespace mr::sched
