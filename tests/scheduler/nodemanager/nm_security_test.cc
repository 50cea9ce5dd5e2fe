// The NM's service with security (issue 16): a container starts only with
// the RM's container token for that id, this node and that grant, unexpired
// and once; only the container's job (its owner, its AM, the daemons) may
// stop it, see it or read its logs. Callers are set with
// security::ScopedIdentity, as the authenticated RPC server sets them.
#include <sys/stat.h>

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/file.h"
#include "rpc/status_codes.h"
#include "scheduler/auth/sched_auth.h"
#include "scheduler/nodemanager/container_manager.h"
#include "scheduler/nodemanager/localizer.h"
#include "scheduler/nodemanager/nm_service.h"
#include "scheduler/resourcemanager/resources.h"
#include "security/key_material.h"
#include "security/process_security.h"
#include "test_util.h"
#include "tests/scheduler/thrown.h"

namespace mr::sched::nm {
namespace {

using mr::testing::Eventually;
using security::Identity;
using security::ScopedIdentity;

constexpr char kApp[] = "app_1764237600000_0001";
const Identity kDaemon{"mr", /*superuser=*/true, ""};
// The job's user: an account on this host (an NM that runs containers as
// their users refuses others).
const Identity kAlice{"nobody", false, ""};
const Identity kAlicesJob{"nobody", false, kApp};
const Identity kBob{"bob", false, ""};

class NmSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(security::CreateClusterKeys(dir_.Join("keys")).ok());
    auto security = security::LoadServerSecurity(dir_.Join("keys"));
    ASSERT_TRUE(security.ok()) << security.status().ToString();
    security_ = *security;
    security::SetProcessServerSecurity(security_);
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);  // The job's user reaches its dirs.
    // The "binary": leaves a mark in its working directory.
    localizer_ = std::make_unique<Localizer>(
        dir_.Join("apps"), [](const std::string&, const std::string& local) {
          return WriteStringToFile(local, "#!/bin/sh\necho ran > ran\necho secret-log >&2\n",
                                   false);
        });
    ContainerManager::Options options;
    options.dir = dir_.path();
    options.capability = MakeResource(4, 8192);
    options.node.node_id = "nm-1";
    containers_ = std::make_unique<ContainerManager>(options, localizer_.get());
    handler_ = std::make_unique<NodeManagerServiceHandler>(containers_.get(), "nm-1");
  }
  void TearDown() override {
    handler_.reset();
    containers_.reset();
    security::SetProcessServerSecurity(nullptr);
  }

  static std::string ContainerId(int n) {
    return std::string(kApp) + "_c00000" + std::to_string(n);
  }
  wire::ContainerTokenId TokenId(const std::string& container_id) const {
    wire::ContainerTokenId id;
    id.container_id = container_id;
    id.app_id = kApp;
    id.user = "nobody";
    id.node_id = "nm-1";
    id.resource = MakeResource(1, 256);
    id.expires_ms = WallClockMs() + 60000;
    return id;
  }
  std::string Sign(const wire::ContainerTokenId& id) const {
    return auth::SignContainerToken(security_->signer(), id, id.expires_ms);
  }
  static wire::LaunchContext Context(const std::string& container_id, std::string token) {
    wire::LaunchContext context;
    context.app_id = kApp;
    context.container_id = container_id;
    context.binary_dfs_path = "/.staging/job";
    context.resource = MakeResource(1, 256);
    context.container_token = std::move(token);
    return context;
  }
  Status Start(const Identity& who, const wire::LaunchContext& context) {
    ScopedIdentity as(who);
    return Thrown([&] { handler_->StartContainer(context); });
  }
  std::string Dir(const std::string& container_id) const {
    return dir_.Join(std::string("apps/") + kApp + "/containers/" + container_id);
  }
  bool Completed(const std::string& container_id) {
    ScopedIdentity daemon(kDaemon);
    std::vector<wire::ContainerStatus> statuses;
    EXPECT_TRUE(Thrown([&] { handler_->GetContainerStatuses(statuses, {container_id}); }).ok());
    return statuses.size() == 1 && statuses[0].state == wire::ContainerState::COMPLETE;
  }
  // Nothing ran for it, and nothing is known of it.
  void ExpectNeverStarted(const std::string& container_id) {
    ScopedIdentity daemon(kDaemon);
    std::vector<wire::ContainerStatus> statuses;
    EXPECT_TRUE(Thrown([&] { handler_->GetContainerStatuses(statuses, {container_id}); }).ok());
    EXPECT_TRUE(statuses.empty());
    EXPECT_FALSE(PathExists(Dir(container_id)));
  }

  testing::ScopedTempDir dir_;
  std::shared_ptr<const security::ServerSecurity> security_;
  std::unique_ptr<Localizer> localizer_;
  std::unique_ptr<ContainerManager> containers_;
  std::unique_ptr<NodeManagerServiceHandler> handler_;
};

TEST_F(NmSecurityTest, ARawStartContainerWithoutATokenRunsNothing) {
  int64_t refusals = auth::RefusalCount();
  for (const Identity& who : {kBob, kAlice, kDaemon}) {
    Status s = Start(who, Context(ContainerId(1), ""));
    EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    EXPECT_NE(s.message().find("no container token"), std::string::npos) << s.ToString();
  }
  EXPECT_EQ(auth::RefusalCount(), refusals + 3);
  ExpectNeverStarted(ContainerId(1));
}

TEST_F(NmSecurityTest, AForgedOrMisdirectedContainerTokenRunsNothing) {
  const std::string id = ContainerId(1);
  security::TokenSigner stranger(security::Keyring::Generate());
  wire::ContainerTokenId other_container = TokenId(ContainerId(2));
  wire::ContainerTokenId other_node = TokenId(id);
  other_node.node_id = "nm-2";
  wire::ContainerTokenId bigger = TokenId(id);
  bigger.resource = MakeResource(4, 8192);
  wire::ContainerTokenId expired = TokenId(id);
  expired.expires_ms = WallClockMs() - 1;
  const std::pair<std::string, std::string> cases[] = {
      {auth::SignContainerToken(stranger, TokenId(id), WallClockMs() + 60000), "container token"},
      {Sign(other_container), "is for " + ContainerId(2)},
      {Sign(other_node), "for node nm-2, not nm-1"},
      {Sign(expired), "container token"},
      {"garbage", "container token"},
  };
  for (const auto& [token, why] : cases) {
    Status s = Start(kAlicesJob, Context(id, token));
    EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    EXPECT_NE(s.message().find(why), std::string::npos) << s.ToString();
  }
  // A token for less than the launch asks for.
  wire::LaunchContext greedy = Context(id, Sign(TokenId(id)));
  greedy.resource = MakeResource(4, 8192);
  Status s = Start(kAlicesJob, greedy);
  EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
  EXPECT_NE(s.message().find("the container token grants"), std::string::npos) << s.ToString();
  ExpectNeverStarted(id);
}

TEST_F(NmSecurityTest, AnotherUserCannotUseAStolenToken) {
  Status s = Start(kBob, Context(ContainerId(1), Sign(TokenId(ContainerId(1)))));
  EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
  ExpectNeverStarted(ContainerId(1));
}

TEST_F(NmSecurityTest, AValidTokenStartsItsContainerOnceAndOnlyItsJobSeesIt) {
  const std::string id = ContainerId(1);
  const std::string token = Sign(TokenId(id));
  ASSERT_TRUE(Start(kAlicesJob, Context(id, token)).ok());
  ASSERT_TRUE(Eventually([&] { return Completed(id); }));
  EXPECT_EQ(*ReadFileToString(JoinPath(Dir(id), "ran")), "ran\n");

  // The same token again (a replay, even once the container is done).
  Status again = Start(kAlicesJob, Context(id, token));
  EXPECT_TRUE(again.IsPermissionDenied()) << again.ToString();
  EXPECT_NE(again.message().find("was started before"), std::string::npos) << again.ToString();

  {
    ScopedIdentity bob(kBob);
    std::string log;
    Status s = Thrown([&] { handler_->GetContainerLog(log, id, "stderr", 1024); });
    EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    EXPECT_NE(s.message().find("user bob may not act for " + std::string(kApp)),
              std::string::npos)
        << s.ToString();
    std::vector<wire::ContainerStatus> statuses;
    EXPECT_TRUE(Thrown([&] { handler_->GetContainerStatuses(statuses, {id}); }).IsPermissionDenied());
    EXPECT_TRUE(Thrown([&] { handler_->StopContainer(id); }).IsPermissionDenied());
  }
  for (const Identity& who : {kAlice, kAlicesJob, kDaemon}) {
    ScopedIdentity as(who);
    std::string log;
    ASSERT_TRUE(Thrown([&] { handler_->GetContainerLog(log, id, "stderr", 1024); }).ok());
    EXPECT_EQ(log, "secret-log\n");
    EXPECT_TRUE(Thrown([&] { handler_->StopContainer(id); }).ok());
  }
}

TEST_F(NmSecurityTest, WithoutSecurityARawStartRunsAsBefore) {
  security::SetProcessServerSecurity(nullptr);
  const std::string id = ContainerId(1);
  ASSERT_TRUE(Start(kBob, Context(id, "")).ok());
  ASSERT_TRUE(Eventually([&] { return Completed(id); }));
  ScopedIdentity bob(kBob);
  std::string log;
  EXPECT_TRUE(Thrown([&] { handler_->GetContainerLog(log, id, "stderr", 1024); }).ok());
}

}  // namespace
}  // namespace mr::sched::nm
