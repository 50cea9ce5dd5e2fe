// ThriftServer and ThriftClient with security: every connection is TLS
// verified against the cluster CA and presents a credential; handlers see
// the verified caller. Plain TCP, another cluster's certificate or keyring,
// a forged or garbage credential: each refused, counted, and the server
// goes on serving.

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "EchoService.h"
#include "common/clock.h"
#include "common/file.h"
#include "rpc/auth_handshake.h"
#include "rpc/thrift_client.h"
#include "rpc/thrift_server.h"
#include "security/key_material.h"
#include "security/process_security.h"
#include "tests/common/idle_connection.h"
#include "test_util.h"

namespace mr::rpc {
namespace {

using EchoClient = ThriftClient<test::EchoServiceClient, test::EchoError>;
using security::ClientSecurity;
using security::Credential;
using security::KeyPaths;
using security::Keyring;

class IdentityHandler : public test::EchoServiceIf {
 public:
  void Echo(std::string& out, const std::string& text) override { out = text; }
  void Sleep(int32_t ms) override { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }
  void WhoAmI(std::string& out) override {
    const security::Identity& who = security::CurrentIdentity();
    out = who.user + (who.superuser ? ",superuser" : "") +
          (who.app_id.empty() ? "" : ",app=" + who.app_id);
  }
};

class SecureRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = std::make_unique<KeyPaths>(dir_.Join("keys"));
    other_ = std::make_unique<KeyPaths>(dir_.Join("other"));
    ASSERT_TRUE(security::CreateClusterKeys(keys_->dir).ok());
    ASSERT_TRUE(security::CreateClusterKeys(other_->dir).ok());
    auto security = security::LoadServerSecurity(keys_->dir);
    ASSERT_TRUE(security.ok()) << security.status().ToString();
    security_ = *security;
    ThriftServer::Options options;
    options.name = "echo";
    options.security = security_;
    auto server = ThriftServer::Start(
        std::make_shared<test::EchoServiceProcessor>(std::make_shared<IdentityHandler>()), options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }
  void TearDown() override { security::SetProcessClientSecurity(nullptr); }

  // Calls WhoAmI as `credential`, trusting `ca_file`.
  Result<std::string> WhoAmI(const Credential& credential, const std::string& ca_file) {
    security::SetProcessClientSecurity(
        std::make_shared<ClientSecurity>(ClientSecurity{ca_file, credential}));
    ClientOptions options;
    options.connect_timeout_ms = 2000;
    options.rpc_timeout_ms = 2000;
    ASSIGN_OR_RETURN(auto client, EchoClient::Connect("echo", "127.0.0.1", server_->port(), options));
    return client->CallFor<std::string>("WhoAmI", [](auto& stub, auto& out) { stub.WhoAmI(out); });
  }
  const Keyring& keyring() const { return security_->keyring(); }

  mr::testing::ScopedTempDir dir_;
  std::unique_ptr<KeyPaths> keys_, other_;
  std::shared_ptr<const security::ServerSecurity> security_;
  std::unique_ptr<ThriftServer> server_;
};

TEST_F(SecureRpcTest, HandlersSeeTheAuthenticatedCaller) {
  EXPECT_EQ(*WhoAmI(security::UserCredential(keyring(), "alice"), keys_->ca_cert()), "alice");
  EXPECT_EQ(*WhoAmI(security::DaemonCredential(keyring()), keys_->ca_cert()),
            security::ProcessUserName() + ",superuser");
  Credential job = security::JobCredential(security_->signer(), "app_3", "bob",
                                           WallClockMs() + 60000);
  EXPECT_EQ(*WhoAmI(job, keys_->ca_cert()), "bob,app=app_3");
  EXPECT_EQ(server_->refused_credentials(), 0);
}

TEST_F(SecureRpcTest, ForgedOrForeignCredentialsAreRefusedAndCounted) {
  Keyring foreign = Keyring::Generate();
  Result<std::string> who = WhoAmI(security::UserCredential(foreign, "alice"), keys_->ca_cert());
  EXPECT_TRUE(who.status().IsPermissionDenied()) << who.status().ToString();
  EXPECT_NE(who.status().message().find("not issued by this cluster"), std::string::npos);
  Credential forged = security::UserCredential(keyring(), "alice");
  forged.name = "root";  // Alice's secret does not make her root.
  EXPECT_TRUE(WhoAmI(forged, keys_->ca_cert()).status().IsPermissionDenied());
  EXPECT_TRUE(WhoAmI(security::DaemonCredential(foreign), keys_->ca_cert())
                  .status().IsPermissionDenied());
  Credential expired = security::JobCredential(security_->signer(), "app_3", "bob", 1);
  EXPECT_TRUE(WhoAmI(expired, keys_->ca_cert()).status().IsPermissionDenied());
  EXPECT_EQ(server_->refused_credentials(), 4);
  // The server goes on serving the genuine.
  EXPECT_EQ(*WhoAmI(security::UserCredential(keyring(), "alice"), keys_->ca_cert()), "alice");
}

TEST_F(SecureRpcTest, AServerWithAnotherClustersCertificateIsNotTrusted) {
  // The client trusts another cluster's CA: this server cannot prove it is
  // one of that cluster's daemons, and the client never sends its secret.
  Result<std::string> who =
      WhoAmI(security::UserCredential(keyring(), "alice"), other_->ca_cert());
  EXPECT_TRUE(who.status().IsUnavailable()) << who.status().ToString();
  EXPECT_NE(who.status().ToString().find("certificate verify failed"), std::string::npos)
      << who.status().ToString();
}

TEST_F(SecureRpcTest, PlainTcpAndGarbageAreRefusedAndTheServerGoesOn) {
  security::SetProcessClientSecurity(nullptr);
  ClientOptions options;
  options.rpc_timeout_ms = 2000;
  auto plain = EchoClient::Connect("echo", "127.0.0.1", server_->port(), options);
  ASSERT_TRUE(plain.ok());
  Status s = (*plain)->Call("Echo", [](auto& stub) {
    std::string out;
    stub.Echo(out, "hi");
  });
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  {
    mr::testing::IdleTcpConnection garbage(server_->port());
    garbage.Send(std::string(300, '\x16'));
    EXPECT_TRUE(mr::testing::Eventually([&] { return garbage.ClosedByServer(); },
                                        std::chrono::seconds(5)));
  }
  EXPECT_TRUE(mr::testing::Eventually([&] { return server_->refused_credentials() >= 2; },
                                      std::chrono::seconds(5)))
      << server_->refused_credentials();
  EXPECT_EQ(*WhoAmI(security::UserCredential(keyring(), "alice"), keys_->ca_cert()), "alice");
}

TEST_F(SecureRpcTest, AClientReopensAndReauthenticatesAfterTheServerClosedIt) {
  ThriftServer::Options options;
  options.name = "echo";
  options.security = security_;
  options.idle_timeout_ms = 200;
  auto server = ThriftServer::Start(
      std::make_shared<test::EchoServiceProcessor>(std::make_shared<IdentityHandler>()), options);
  ASSERT_TRUE(server.ok());
  security::SetProcessClientSecurity(std::make_shared<ClientSecurity>(
      ClientSecurity{keys_->ca_cert(), security::UserCredential(keyring(), "carol")}));
  auto client = EchoClient::Connect("echo", "127.0.0.1", (*server)->port());
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 3; ++i) {
    auto who = (*client)->CallFor<std::string>("WhoAmI",
                                               [](auto& stub, auto& out) { stub.WhoAmI(out); });
    ASSERT_TRUE(who.ok()) << who.status().ToString();
    EXPECT_EQ(*who, "carol");
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // The server closes it.
  }
}

}  // namespace
}  // namespace mr::rpc
