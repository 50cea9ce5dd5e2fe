// A cluster made with `mrcluster up --security`, tried as a local user
// would (setpriv to nobody): no credential, no access, and a message saying
// how to get one; a credential the owner issues is the user's alone and
// works; only the owner issues them; plain, garbage and forged connections
// to every daemon are refused and the daemons go on.
#include <sys/stat.h>

#include <utility>  // Before Asio: Boost 1.74 Asio under C++20 needs it.

#include <boost/asio.hpp>
#include <gtest/gtest.h>

#include "cluster/cluster_config.h"
#include "common/file.h"
#include "membership/codec.h"
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
  CommandResult ls = Mrdfs("ls -l /user", kAsNobody);
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  // Its DFS home is made with it, the user's.
  EXPECT_NE(ls.out.find("drwxr-xr-x   - nobody "), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find(" /user/nobody\n"), std::string::npos) << ls.out;
  EXPECT_EQ(Mrdfs("put /etc/hostname /user/nobody/h", kAsNobody).exit_code, 0);
  EXPECT_EQ(Mrcluster("user add nobody").exit_code, 0);  // Again: the same, the home kept.
  EXPECT_EQ(Mrdfs("cat /user/nobody/h", kAsNobody).exit_code, 0);
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

// Issue 16: "One forged SWIM datagram made the master declare a live
// datanode dead." The daemons' members sign with the cluster keyring: a
// member without it (membership_node, 4 s) is never admitted, one with it
// sees every daemon; then unsigned datagrams saying dn-1-1 is failed, and
// that it left, at the incarnation it holds, sent to every daemon's
// member, leave it a member everywhere (watched 3 s: the suspicion timeout
// is 0.8 s).
TEST_F(SecureClusterTest, MembershipSpeaksOnlyWithTheClusterKey) {
  Result<std::string> conf = ReadFileToString(dir() + "/cluster.conf");
  ASSERT_TRUE(conf.ok());
  std::vector<int> ports;
  for (size_t at = conf->find("membership_port="); at != std::string::npos;
       at = conf->find("membership_port=", at + 1)) {
    ports.push_back(std::stoi(conf->substr(at + 16)));
  }
  ASSERT_GE(ports.size(), 3u) << *conf;  // The master first, then the other daemons.
  const std::string node = "timeout 4 " + Quote(BinPath("membership_node")) +
                           " --snapshot_interval_ms=500 --seeds=127.0.0.1:" +
                           std::to_string(ports[0]);
  CommandResult stranger = RunCommand(node + " --id=stranger", 30);
  EXPECT_EQ(stranger.out.find("event joined"), std::string::npos) << stranger.out;
  EXPECT_EQ(stranger.out.find("sync_errors=0"), std::string::npos) << stranger.out;
  CommandResult keyed = RunCommand(
      node + " --id=keyed --membership_keyring_file=" +
          Quote(security::KeyPaths::OfCluster(dir()).keyring()), 30);
  for (const char* id : {"master", "dn-1-1", "dn-1-2"}) {
    EXPECT_NE(keyed.out.find(std::string("event joined ") + id + " "), std::string::npos)
        << keyed.out;
  }
  size_t at = keyed.out.find("event joined dn-1-1 ");
  ASSERT_NE(at, std::string::npos);
  const int64_t incarnation = std::stoll(keyed.out.substr(keyed.out.find("inc=", at) + 4));

  boost::asio::io_context io;
  boost::asio::ip::udp::socket socket(
      io, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  for (auto state : {membership::wire::State::FAILED, membership::wire::State::LEFT}) {
    membership::wire::Message m;
    m.version = membership::kWireVersion;
    m.cluster_id = "mr";
    m.type = membership::wire::MessageType::PING;
    m.sender_id = "mallory";
    m.seq = 1;
    membership::wire::Update u;
    u.id = "dn-1-1";
    u.state = state;
    u.incarnation = incarnation;
    m.updates.push_back(u);
    const std::string datagram = membership::EncodeMessage(m);
    for (int port : ports) {
      socket.send_to(boost::asio::buffer(datagram),
                     boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                    static_cast<unsigned short>(port)));
    }
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  CommandResult status = Mrcluster("status");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  size_t line = status.out.find("dn-1-1");
  ASSERT_NE(line, std::string::npos) << status.out;
  EXPECT_NE(status.out.substr(line, status.out.find('\n', line) - line).find(" alive "),
            std::string::npos)
      << status.out;
  Result<std::string> log = ReadFileToString(dir() + "/master/log");
  ASSERT_TRUE(log.ok());
  EXPECT_NE(log->find("not signed with a key of this member's keyring"), std::string::npos);
}

}  // namespace
}  // namespace mr::testing
