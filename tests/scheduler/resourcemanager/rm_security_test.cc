// The RM with security (issue 16): jobs belong to their authenticated user,
// submissions take only ids their caller got, only the owner or the admin
// kills, AM-only calls take the AM's application token, NM-only calls a
// daemon, and every container it grants carries a container token. Callers
// are set with security::ScopedIdentity, as the authenticated RPC server
// sets them; the AM's NM is a recording fake.
#include <memory>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include "NodeManagerService.h"
#include "common/clock.h"
#include "rpc/status_codes.h"
#include "rpc/thrift_server.h"
#include "scheduler/auth/sched_auth.h"
#include "scheduler/resourcemanager/resources.h"
#include "scheduler/resourcemanager/rm_service.h"
#include "security/credential.h"
#include "security/key_material.h"
#include "security/process_security.h"
#include "test_util.h"
#include "tests/scheduler/thrown.h"

namespace mr::sched {
namespace {

using mr::testing::Eventually;
using security::Identity;
using security::ScopedIdentity;

const Identity kDaemon{"mr", /*superuser=*/true, ""};
const Identity kAlice{"alice", false, ""};
const Identity kBob{"bob", false, ""};

// An NM that records the AM launches the RM sends it.
class RecordingNm : public wire::NodeManagerServiceIf {
 public:
  void StartContainer(const wire::LaunchContext& context) override {
    std::lock_guard<std::mutex> lock(mu_);
    launches_.push_back(context);
  }
  void StopContainer(const std::string&) override {}
  void GetContainerStatuses(std::vector<wire::ContainerStatus>&,
                            const std::vector<std::string>&) override {}
  void GetContainerLog(std::string&, const std::string&, const std::string&, int64_t) override {}
  std::vector<wire::LaunchContext> launches() {
    std::lock_guard<std::mutex> lock(mu_);
    return launches_;
  }

 private:
  std::mutex mu_;
  std::vector<wire::LaunchContext> launches_;
};

class RmSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(security::CreateClusterKeys(dir_.Join("keys")).ok());
    auto security = security::LoadServerSecurity(dir_.Join("keys"));
    ASSERT_TRUE(security.ok()) << security.status().ToString();
    security_ = *security;
    security::SetProcessServerSecurity(security_);
    nm_ = std::make_shared<RecordingNm>();
    rpc::ThriftServer::Options options;
    options.name = "fake node manager";
    options.security = nullptr;  // The RM here calls it without client security.
    auto server = rpc::ThriftServer::Start(std::make_shared<wire::NodeManagerServiceProcessor>(nm_),
                                           options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    nm_server_ = std::move(server).value();
    RmService::Options rm_options;
    rm_options.state.start_time_ms = 1764237600000;
    rm_options.state.node_expiry_ms = 60000;
    rm_ = std::make_unique<RmService>(rm_options);
    node_.id = "nm-1";
    node_.host = "127.0.0.1";
    node_.rpc_port = nm_server_->port();
    node_.shuffle_port = 1;
    node_.rack = "/r1";
    node_.capability = MakeResource(4, 8192);
    ScopedIdentity daemon(kDaemon);
    ASSERT_TRUE(Thrown([&] { rm_->RegisterNode(node_, {}); }).ok());
  }
  void TearDown() override {
    rm_.reset();
    if (nm_server_) nm_server_->Stop();
    security::SetProcessServerSecurity(nullptr);
  }

  std::string NewApp(const Identity& who) {
    ScopedIdentity as(who);
    std::string id;
    EXPECT_TRUE(Thrown([&] { rm_->NewApplication(id); }).ok());
    return id;
  }
  static wire::ApplicationSubmission Submission(const std::string& app_id) {
    wire::ApplicationSubmission submission;
    submission.app_id = app_id;
    submission.name = "job";
    submission.user = "root";  // What a client claims: never believed.
    submission.binary_dfs_path = "/.staging/" + app_id + "/job";
    submission.am_resource = MakeResource(0, 512);
    return submission;
  }
  Status Submit(const Identity& who, const std::string& app_id) {
    ScopedIdentity as(who);
    return Thrown([&] { rm_->SubmitApplication(Submission(app_id)); });
  }
  wire::ApplicationReport Report(const Identity& who, const std::string& app_id) {
    ScopedIdentity as(who);
    wire::ApplicationReport report;
    EXPECT_TRUE(Thrown([&] { rm_->GetApplication(report, app_id, false); }).ok());
    return report;
  }
  // The AM launch the RM sent for `app_id` (waits for it).
  wire::LaunchContext AmLaunch(const std::string& app_id) {
    wire::LaunchContext found;
    EXPECT_TRUE(Eventually([&] {
      for (const auto& launch : nm_->launches()) {
        if (launch.app_id == app_id) found = launch;
      }
      return !found.app_id.empty();
    }));
    return found;
  }
  // A running application of alice's, its AM registered with its real token.
  std::pair<std::string, wire::LaunchContext> RunningApp() {
    std::string app = NewApp(kAlice);
    EXPECT_TRUE(Submit(kAlice, app).ok());
    wire::LaunchContext am = AmLaunch(app);
    ScopedIdentity job(Identity{"alice", false, app});
    wire::RegisterResponse registered;
    Status s = Thrown([&] {
      rm_->RegisterApplicationMaster(registered, app, am.container_id,
                                     am.files[auth::kAppTokenFile]);
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return {app, am};
  }

  testing::ScopedTempDir dir_;
  std::shared_ptr<const security::ServerSecurity> security_;
  std::shared_ptr<RecordingNm> nm_;
  std::unique_ptr<rpc::ThriftServer> nm_server_;
  std::unique_ptr<RmService> rm_;
  wire::NodeInfo node_;
};

TEST_F(RmSecurityTest, SubmitWithAMadeUpAppIdIsRefused) {
  int64_t refusals = auth::RefusalCount();
  Status s = Submit(kAlice, "app_1764237600000_0042");
  EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
  EXPECT_NE(s.message().find("was not issued to user alice"), std::string::npos) << s.ToString();
  EXPECT_GT(auth::RefusalCount(), refusals);
  EXPECT_TRUE(nm_->launches().empty());
}

TEST_F(RmSecurityTest, SubmitWithAnotherUsersAppIdIsRefused) {
  std::string bobs = NewApp(kBob);
  Status s = Submit(kAlice, bobs);
  EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
  // Bob's id is still his to use.
  EXPECT_TRUE(Submit(kBob, bobs).ok());
}

TEST_F(RmSecurityTest, TheJobIsItsAuthenticatedUsersNotTheNameTheClientClaims) {
  std::string app = NewApp(kAlice);
  ASSERT_TRUE(Submit(kAlice, app).ok());
  EXPECT_EQ(Report(kAlice, app).user, "alice");
  // Submitting the same id twice is refused as before.
  EXPECT_TRUE(Submit(kAlice, app).IsPermissionDenied());
}

TEST_F(RmSecurityTest, AnotherUserCannotKillAJobButItsOwnerAndTheAdminCan) {
  std::string first = NewApp(kAlice);
  std::string second = NewApp(kAlice);
  ASSERT_TRUE(Submit(kAlice, first).ok());
  ASSERT_TRUE(Submit(kAlice, second).ok());
  {
    ScopedIdentity bob(kBob);
    Status s = Thrown([&] { rm_->KillApplication(first); });
    EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    EXPECT_NE(s.message().find("user bob may not act for " + first + " (owned by alice)"),
              std::string::npos)
        << s.ToString();
    // Another job's credential of the same user does not reach it either.
    ScopedIdentity other_job(Identity{"alice", false, second});
    EXPECT_TRUE(Thrown([&] { rm_->KillApplication(first); }).IsPermissionDenied());
  }
  EXPECT_NE(Report(kAlice, first).state, wire::AppState::KILLED);
  {
    ScopedIdentity alice(kAlice);
    EXPECT_TRUE(Thrown([&] { rm_->KillApplication(first); }).ok());
  }
  {
    ScopedIdentity admin(kDaemon);
    EXPECT_TRUE(Thrown([&] { rm_->KillApplication(second); }).ok());
  }
  EXPECT_EQ(Report(kAlice, first).state, wire::AppState::KILLED);
  EXPECT_EQ(Report(kAlice, second).state, wire::AppState::KILLED);
}

TEST_F(RmSecurityTest, AForgedFinishApplicationCannotEndAJob) {
  auto [app, am] = RunningApp();
  // Another application's real token (bob's own job).
  auto [bobs, bobs_am] = [&] {
    std::string id = NewApp(kBob);
    EXPECT_TRUE(Submit(kBob, id).ok());
    return std::pair{id, AmLaunch(id)};
  }();
  // A token signed with another cluster's keyring.
  security::TokenSigner stranger(security::Keyring::Generate());
  wire::AppTokenId forged_id;
  forged_id.app_id = app;
  forged_id.user = "alice";
  forged_id.am_container_id = am.container_id;
  std::string forged = auth::SignAppToken(stranger, forged_id, WallClockMs() + 60000);
  for (const std::string& token : {std::string(), forged, bobs_am.files[auth::kAppTokenFile]}) {
    ScopedIdentity bob(kBob);
    Status s = Thrown([&] {
      rm_->FinishApplication(app, wire::AppState::SUCCEEDED, "", "{}", am.container_id, token);
    });
    EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    EXPECT_NE(s.message().find("FinishApplication"), std::string::npos) << s.ToString();
  }
  EXPECT_EQ(Report(kAlice, app).state, wire::AppState::RUNNING);
  // Nor may another token be used to allocate for it.
  {
    wire::AllocateRequest request;
    request.app_id = app;
    request.app_token = bobs_am.files[auth::kAppTokenFile];
    wire::AllocateResponse response;
    EXPECT_TRUE(Thrown([&] { rm_->Allocate(response, request); }).IsPermissionDenied());
  }
  // The AM's own token finishes it.
  ScopedIdentity job(Identity{"alice", false, app});
  Status s = Thrown([&] {
    rm_->FinishApplication(app, wire::AppState::SUCCEEDED, "", "{}", am.container_id,
                           am.files[auth::kAppTokenFile]);
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Report(kAlice, app).state, wire::AppState::SUCCEEDED);
}

TEST_F(RmSecurityTest, TheAmGetsItsContainerTokenJobCredentialAppTokenAndShuffleSecret) {
  std::string app = NewApp(kAlice);
  ASSERT_TRUE(Submit(kAlice, app).ok());
  wire::LaunchContext am = AmLaunch(app);
  auto id = auth::VerifyContainerToken(security_->signer(), am.container_token, WallClockMs());
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->container_id, am.container_id);
  EXPECT_EQ(id->app_id, app);
  EXPECT_EQ(id->user, "alice");
  EXPECT_EQ(id->node_id, "nm-1");
  EXPECT_EQ(id->resource, am.resource);

  ASSERT_EQ(am.env[security::kCredentialEnv], auth::kJobCredentialFile);
  auto credential = security::ParseCredential(am.files[auth::kJobCredentialFile]);
  ASSERT_TRUE(credential.ok()) << credential.status().ToString();
  auto identity = security_->authenticator->Verify(*credential, WallClockMs());
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->user, "alice");
  EXPECT_EQ(identity->app_id, app);
  EXPECT_FALSE(identity->superuser);

  ASSERT_EQ(am.env[auth::kAppTokenEnv], auth::kAppTokenFile);
  EXPECT_TRUE(auth::VerifyAppToken(security_->signer(), am.files[auth::kAppTokenFile], app,
                                   WallClockMs())
                  .ok());
  ASSERT_EQ(am.env[auth::kShuffleSecretEnv], auth::kShuffleSecretFile);
  EXPECT_EQ(am.files[auth::kShuffleSecretFile],
            auth::ShuffleSecret(security_->keyring().primary(), app));
}

TEST_F(RmSecurityTest, EveryGrantedContainerCarriesATokenForItsIdNodeUserAndResource) {
  auto [app, am] = RunningApp();
  ScopedIdentity job(Identity{"alice", false, app});
  wire::AllocateRequest request;
  request.app_id = app;
  request.app_token = am.files[auth::kAppTokenFile];
  wire::ContainerRequest ask;
  ask.request_id = 1;
  ask.resource = MakeResource(1, 1024);
  ask.priority = 10;
  request.asks = {ask, ask};
  request.asks[1].request_id = 2;
  std::vector<wire::Container> granted;
  ASSERT_TRUE(Eventually([&] {
    wire::AllocateResponse response;
    Status s = Thrown([&] { rm_->Allocate(response, request); });
    EXPECT_TRUE(s.ok()) << s.ToString();
    request.asks.clear();
    for (auto& c : response.allocated) granted.push_back(c);
    return granted.size() == 2;
  }));
  for (const wire::Container& c : granted) {
    auto id = auth::VerifyContainerToken(security_->signer(), c.container_token, WallClockMs());
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_EQ(id->container_id, c.container_id);
    EXPECT_EQ(id->app_id, app);
    EXPECT_EQ(id->user, "alice");
    EXPECT_EQ(id->node_id, c.node.id);
    EXPECT_EQ(id->resource, c.resource);
  }
}

TEST_F(RmSecurityTest, AFakeNodeManagerCannotRegisterOrHeartbeat) {
  wire::NodeInfo fake;
  fake.id = "nm-fake";
  fake.host = "127.0.0.1";
  fake.rpc_port = 1;
  fake.shuffle_port = 1;
  fake.rack = "/r1";
  fake.capability = MakeResource(64, 1 << 20);
  ScopedIdentity bob(kBob);
  Status s = Thrown([&] { rm_->RegisterNode(fake, {}); });
  EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
  EXPECT_NE(s.message().find("RegisterNode is for the cluster's daemons, not user bob"),
            std::string::npos)
      << s.ToString();
  wire::NodeHeartbeatResponse response;
  EXPECT_TRUE(Thrown([&] { rm_->NodeHeartbeat(response, "nm-1", {}); }).IsPermissionDenied());
  std::vector<wire::NodeReport> nodes;
  ASSERT_TRUE(Thrown([&] { rm_->ListNodes(nodes); }).ok());
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].info.id, "nm-1");
}

TEST_F(RmSecurityTest, OthersSeeAJobsStateButNotWhatItsTasksWrote) {
  std::string app = NewApp(kAlice);
  ASSERT_TRUE(Submit(kAlice, app).ok());
  {
    ScopedIdentity alice(kAlice);
    ASSERT_TRUE(Thrown([&] { rm_->KillApplication(app); }).ok());
  }
  EXPECT_FALSE(Report(kAlice, app).diagnostics.empty());
  wire::ApplicationReport seen = Report(kBob, app);
  EXPECT_EQ(seen.state, wire::AppState::KILLED);
  EXPECT_EQ(seen.diagnostics, "(shown to its owner only)");
}

TEST_F(RmSecurityTest, WithoutSecurityEverythingIsAsBefore) {
  security::SetProcessServerSecurity(nullptr);
  ScopedIdentity bob(kBob);
  // A made-up id, a claimed user, a kill by anyone, a finish without a token.
  ASSERT_TRUE(Submit(kBob, "app_1764237600000_0042").ok());
  EXPECT_EQ(Report(kBob, "app_1764237600000_0042").user, "root");
  wire::LaunchContext am = AmLaunch("app_1764237600000_0042");
  EXPECT_TRUE(am.container_token.empty());
  EXPECT_TRUE(am.files.empty());
  EXPECT_TRUE(Thrown([&] {
                rm_->FinishApplication("app_1764237600000_0042", wire::AppState::FAILED, "", "",
                                       "", "");
              }).ok());
}

}  // namespace
}  // namespace mr::sched
