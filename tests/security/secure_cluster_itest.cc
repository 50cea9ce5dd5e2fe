// A cluster made with `mrcluster up --security`, tried as a local user
// would (setpriv to nobody): no credential, no access, and a message saying
// how to get one; a credential the owner issues is the user's alone and
// works; only the owner issues them; plain, garbage and forged connections
// to every daemon are refused and the daemons go on.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "cluster/cluster_config.h"
#include "common/file.h"
#include "rpc/thrift_client.h"
#include "security/key_material.h"
#include "security/process_security.h"
#include "tests/common/idle_connection.h"
#include "test_util.h"

namespace mr::testing {
namespace {

constexpr char kAsNobody[] = "setpriv --reuid=65534 --regid=65534 --clear-groups ";

class SecureClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root, to run tools as another user (setpriv)";
    ASSERT_EQ(::chmod(tmp_.path().c_str(), 0755), 0);  // Nobody reaches the cluster's files.
    CommandResult up = Mrcluster("up --security --racks 1 --nodes_per_rack 2");
    ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  }
  ~SecureClusterTest() override {
    (void)RunCommand(Quote(BinPath("mrcluster")) + " down --dir " + Quote(dir()), 60);
    security::SetProcessClientSecurity(nullptr);
  }
  std::string dir() const { return tmp_.Join("cluster"); }
  CommandResult Mrcluster(const std::string& args, const std::string& as = "") {
    return RunCommand(as + Quote(BinPath("mrcluster")) + " " + args + " --dir " + Quote(dir()), 60);
  }
  CommandResult Mrdfs(const std::string& args, const std::string& as = "") {
    return RunCommand(as + Quote(BinPath("mrdfs")) + " --cluster " + Quote(dir()) + " " + args, 60);
  }

  ScopedTempDir tmp_;
};

TEST_F(SecureClusterTest, AUserWithoutACredentialIsToldHowToGetOne) {
  CommandResult ls = Mrdfs("ls /", kAsNobody);
  EXPECT_EQ(ls.exit_code, 1) << ls.out << ls.err;
  EXPECT_NE(ls.err.find("user nobody has no credential"), std::string::npos) << ls.err;
  EXPECT_NE(ls.err.find("mrcluster user add"), std::string::npos) << ls.err;
  EXPECT_EQ(std::count(ls.err.begin(), ls.err.end(), '\n'), 1) << ls.err;  // One line.
}

TEST_F(SecureClusterTest, AnIssuedCredentialIsTheUsersAloneAndWorks) {
  CommandResult add = Mrcluster("user add nobody");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const std::string path = security::UserCredentialPath(dir(), "nobody");
  EXPECT_EQ(add.out, path + "\n");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_uid, 65534u);
  CommandResult ls = Mrdfs("ls /", kAsNobody);
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  // Another user cannot read it (nor the keyring, nor the daemons' key).
  CommandResult peek = RunCommand(
      "setpriv --reuid=65533 --regid=65533 --clear-groups cat " + Quote(path) + " " +
      Quote(security::KeyPaths::OfCluster(dir()).keyring()) + " " +
      Quote(security::KeyPaths::OfCluster(dir()).daemon_cert_and_key()));
  EXPECT_NE(peek.exit_code, 0);
  EXPECT_EQ(peek.out, "");
}

TEST_F(SecureClusterTest, OnlyTheOwnerIssuesCredentials) {
  CommandResult add = Mrcluster("user add nobody", kAsNobody);
  EXPECT_EQ(add.exit_code, 1);
  EXPECT_NE(add.err.find("only the cluster's owner can add users"), std::string::npos) << add.err;
  EXPECT_FALSE(PathExists(security::UserCredentialPath(dir(), "nobody")));
  EXPECT_EQ(Mrcluster("user add no-such-user-here").exit_code, 1);
  EXPECT_EQ(Mrcluster("user add ../etc").exit_code, 1);
}

TEST_F(SecureClusterTest, PlainGarbageAndForgedConnectionsToEveryDaemonAreRefused) {
  Result<cluster::ClusterConfig> config = cluster::LoadConfig(dir());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto genuine = security::ProcessClientSecurity();
  ASSERT_NE(genuine, nullptr);
  for (const cluster::NodeConfig& node : config->nodes) {
    if (node.role == cluster::Role::kDatanode) continue;  // Its RPC is a client's only.
    SCOPED_TRACE(node.id);
    // Plain TCP and bytes that are not TLS: closed.
    IdleTcpConnection garbage(node.port);
    garbage.Send(std::string("\x00\x00\x00\x10 not a TLS hello", 21));
    EXPECT_TRUE(Eventually([&] { return garbage.ClosedByServer(); }, std::chrono::seconds(5)));
    // A credential this cluster did not issue: refused, saying so.
    security::SetProcessClientSecurity(std::make_shared<security::ClientSecurity>(
        security::ClientSecurity{genuine->ca_file,
                                 security::UserCredential(security::Keyring::Generate(), "root"),
                                 ""}));
    auto forged = rpc::Connection::Open(node.id, node.host, node.port, {});
    EXPECT_TRUE(forged.status().IsPermissionDenied()) << forged.status().ToString();
    // The genuine still gets in.
    security::SetProcessClientSecurity(genuine);
    auto ok = rpc::Connection::Open(node.id, node.host, node.port, {});
    EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  }
  CommandResult ls = Mrdfs("ls /");
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
}

}  // namespace
}  // namespace mr::testing
