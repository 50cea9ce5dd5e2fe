// Datanodes against the real master: ThriftMasterLink against an in-process
// MasterServer, then one process each: bin/dfs_master and bin/dfs_datanode
// (from $MR_BIN_DIR) on 127.0.0.1 with ephemeral ports, driven through
// MasterClient and the data-plane client. Every daemon dies with the test
// (PR_SET_PDEATHSIG) and every wait has a deadline.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "dfs/dataplane/client.h"
#include "dfs/datanode/thrift_master_link.h"
#include "dfs/master/master_client.h"
#include "dfs/master/master_server.h"
#include "tests/common/test_util.h"

namespace mr::dfs {
namespace {

using testing::RandomBytes;
using testing::Eventually;

namespace dp = dataplane;
constexpr dp::Timeout kTimeout{5000};
constexpr int64_t kChunkSize = 1 << 20;

// A daemon in its own process, its stdout and stderr in `log`. Stop() sends
// SIGTERM, waits up to 10 s, then SIGKILLs.
class Daemon {
 public:
  Daemon(const std::string& binary, std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), binary);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    EXPECT_GT(pid_, 0);
  }
  ~Daemon() { Stop(SIGTERM); }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Returns the exit status (as waitpid's), or -1 if it had to be killed.
  int Stop(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = -1;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        status = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

class DatanodeClusterTest : public ::testing::Test {
 protected:
  // Starts the master on `port` (0: ephemeral) and waits for its port file.
  void StartMaster(int port = 0) {
    std::string dir = root_.Join("master");
    ASSERT_TRUE(CreateDirs(dir).ok());
    (void)RemoveAll(JoinPath(dir, "port"));
    master_ = std::make_unique<Daemon>(
        mr::testing::BinPath("dfs_master"),
        std::vector<std::string>{"--dir=" + dir, "--port=" + std::to_string(port),
                                 "--dfs_heartbeat_timeout_ms=1000",
                                 "--dfs_replication_check_ms=100"},
        root_.Join("master.log"));
    ASSERT_TRUE(Eventually([&] {
      Result<std::string> text = ReadFileToString(JoinPath(dir, "port"));
      if (!text.ok() || text->empty()) return false;
      master_port_ = std::stoi(*text);
      return true;
    })) << "dfs_master did not start; see " << root_.Join("master.log");
  }
  void StartDatanode(const std::string& id, const std::string& rack) {
    std::string dir = root_.Join(id);
    ASSERT_TRUE(CreateDirs(dir).ok());
    datanodes_.push_back(std::make_unique<Daemon>(
        mr::testing::BinPath("dfs_datanode"),
        std::vector<std::string>{"--dir=" + dir, "--id=" + id, "--rack=" + rack,
                                 "--master=127.0.0.1:" + std::to_string(master_port_),
                                 "--dfs_heartbeat_interval_ms=100",
                                 "--dfs_datanode_register_backoff_max_ms=200",
                                 "--dfs_datanode_master_rpc_timeout_ms=3000"},
        root_.Join(id + ".log")));
  }
  std::unique_ptr<MasterClient> Client() {
    auto client = MasterClient::Connect("127.0.0.1", master_port_);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(*client) : nullptr;
  }

  // Creates files until the master places a chunk on `replication` nodes,
  // i.e. until that many datanodes registered and heartbeated.
  wire::LocatedChunk CreateWithFullPipeline(MasterClient* client, int replication,
                                            std::string* path) {
    wire::LocatedChunk chunk;
    int attempt = 0;
    EXPECT_TRUE(Eventually([&] {
      *path = "/f" + std::to_string(attempt++);
      if (!client->Create(*path, replication, kChunkSize, "itest", "client-host").ok()) {
        return false;
      }
      auto added = client->AddChunk(*path, "itest");
      if (!added.ok()) return false;
      chunk = *added;
      return static_cast<int>(chunk.replicas.size()) == replication;
    }));
    return chunk;
  }
  static std::vector<dp::Target> Targets(const std::vector<wire::DatanodeInfo>& nodes) {
    std::vector<dp::Target> targets;
    for (const auto& n : nodes) {
      dp::Target t;
      t.datanode_id = n.id;
      t.host = n.host;
      t.port = n.data_port;
      targets.push_back(t);
    }
    return targets;
  }
  static Status Write(const wire::LocatedChunk& chunk, const std::string& data) {
    dp::PipelineWriter writer({/*window=*/8, kTimeout});
    RETURN_NOT_OK(writer.Open(chunk.chunk_id, chunk.generation, Targets(chunk.replicas)));
    RETURN_NOT_OK(writer.Write(data));
    return writer.Close();
  }
  // Replica holders of the file's only chunk, by id.
  static std::set<std::string> Holders(MasterClient* client, const std::string& path,
                                       std::vector<wire::DatanodeInfo>* nodes = nullptr) {
    auto located = client->GetChunkLocations(path, 0, kChunkSize);
    std::set<std::string> ids;
    if (!located.ok() || located->size() != 1) return ids;
    for (const auto& r : (*located)[0].replicas) ids.insert(r.id);
    if (nodes != nullptr) *nodes = (*located)[0].replicas;
    return ids;
  }

  mr::testing::ScopedTempDir root_;
  std::unique_ptr<Daemon> master_;
  int master_port_ = 0;
  std::vector<std::unique_ptr<Daemon>> datanodes_;
};

TEST(ParseHostPortTest, Parses) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(ParseHostPort("127.0.0.1:9000", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9000);
  for (const char* bad : {"", "host", "host:", ":80", "host:0", "host:65536", "host:8x"}) {
    EXPECT_FALSE(ParseHostPort(bad, &host, &port).ok()) << bad;
  }
}

ThriftMasterLink::Options LinkTo(int port, const std::string& id) {
  ThriftMasterLink::Options options;
  options.host = "127.0.0.1";
  options.port = port;
  options.datanode_id = id;
  options.client.connect_timeout_ms = 2000;
  options.client.rpc_timeout_ms = 5000;
  return options;
}

wire::DatanodeInfo Info(const std::string& id, int data_port) {
  wire::DatanodeInfo info;
  info.id = id;
  info.host = "127.0.0.1";
  info.data_port = data_port;
  info.rack = "/r1";
  return info;
}

TEST(ThriftMasterLinkTest, SpeaksToTheMaster) {
  mr::testing::ScopedTempDir dir;
  MasterServer::Options options;
  options.dir = dir.path();
  auto server = MasterServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ThriftMasterLink link(LinkTo((*server)->port(), "dn1"));
  std::vector<wire::DatanodeCommand> commands;
  DatanodeStats stats{1 << 30, 1 << 20, 0, {}};
  // Not registered yet: the agent's cue to register.
  EXPECT_TRUE(link.Heartbeat(stats, &commands).IsNotFound());
  EXPECT_TRUE(link.ChunkReport({}).IsNotFound());
  EXPECT_FALSE(link.Register(Info("dn1", 0)).ok());  // No data port.
  ASSERT_TRUE(link.Register(Info("dn1", 5000)).ok());
  ASSERT_TRUE(link.Heartbeat(stats, &commands).ok());
  EXPECT_TRUE(commands.empty());
  wire::ChunkReplicaInfo stray;
  stray.chunk_id = 77;
  stray.generation = 1;
  stray.length = 10;
  ASSERT_TRUE(link.ChunkReport({stray}).ok());
  // A replica the master has never heard of comes back as a DELETE.
  ASSERT_TRUE(link.Heartbeat(stats, &commands).ok());
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].kind, wire::DatanodeCommandKind::DELETE);
  EXPECT_EQ(commands[0].chunk_id, 77);
  EXPECT_TRUE(link.ReportBadReplica(77).IsNotFound());  // Unknown chunk.
  (*server)->Stop();
  Status s = link.Heartbeat(stats, &commands);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.ToString();
}

TEST(ThriftMasterLinkTest, ConnectsOnceTheMasterIsUp) {
  mr::testing::ScopedTempDir dir;
  MasterServer::Options options;
  options.dir = dir.path();
  auto first = MasterServer::Start(options);
  ASSERT_TRUE(first.ok());
  const int port = (*first)->port();
  (*first)->Stop();  // Nothing listens on `port` now.
  ThriftMasterLink link(LinkTo(port, "dn1"));
  Status s = link.Register(Info("dn1", 5000));
  EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.ToString();
  options.port = port;
  auto second = MasterServer::Start(options);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(link.Register(Info("dn1", 5000)).ok());
}

TEST_F(DatanodeClusterTest, DatanodesRegisterAndReportWrittenChunks) {
  ASSERT_NO_FATAL_FAILURE(StartMaster());
  ASSERT_NO_FATAL_FAILURE(StartDatanode("dn1", "/r1"));
  ASSERT_NO_FATAL_FAILURE(StartDatanode("dn2", "/r2"));
  auto client = Client();
  ASSERT_NE(client, nullptr);
  std::string path;
  wire::LocatedChunk chunk = CreateWithFullPipeline(client.get(), 2, &path);
  ASSERT_EQ(chunk.replicas.size(), 2u);
  std::set<std::string> ids{chunk.replicas[0].id, chunk.replicas[1].id};
  EXPECT_EQ(ids, (std::set<std::string>{"dn1", "dn2"}));

  const std::string data = RandomBytes(300000, 1);
  ASSERT_TRUE(Write(chunk, data).ok());
  // Complete holds out until both datanodes told the master ChunkReceived.
  ASSERT_TRUE(Eventually([&] {
    auto done = client->Complete(path, "itest", data.size());
    return done.ok() && *done;
  }));
  EXPECT_EQ(Holders(client.get(), path), ids);
}

TEST_F(DatanodeClusterTest, LostReplicaIsCopiedToAThirdDatanode) {
  ASSERT_NO_FATAL_FAILURE(StartMaster());
  for (int i = 1; i <= 3; ++i) {
    ASSERT_NO_FATAL_FAILURE(StartDatanode("dn" + std::to_string(i), "/r" + std::to_string(i)));
  }
  auto client = Client();
  ASSERT_NE(client, nullptr);
  // Wait for all three before placing, so that the third is known.
  std::string probe;
  CreateWithFullPipeline(client.get(), 3, &probe);
  std::string path;
  wire::LocatedChunk chunk = CreateWithFullPipeline(client.get(), 2, &path);
  ASSERT_EQ(chunk.replicas.size(), 2u);
  const std::string data = RandomBytes(200000, 2);
  ASSERT_TRUE(Write(chunk, data).ok());
  ASSERT_TRUE(Eventually([&] {
    auto done = client->Complete(path, "itest", data.size());
    return done.ok() && *done;
  }));

  // Crash one holder: the master expires it and has the survivor copy the
  // chunk to the node that had none.
  const std::string victim = chunk.replicas[1].id;
  const int victim_index = victim.back() - '1';
  datanodes_[victim_index]->Stop(SIGKILL);
  std::vector<wire::DatanodeInfo> holders;
  ASSERT_TRUE(Eventually([&] {
    std::set<std::string> ids = Holders(client.get(), path, &holders);
    return ids.size() == 2 && ids.count(victim) == 0;
  })) << "see the logs in " << root_.path();
  for (const auto& node : holders) {
    std::string back;
    ASSERT_TRUE(dp::ReadChunkFrom(node.host, node.data_port, chunk.chunk_id, chunk.generation, 0,
                                  UINT64_MAX, &back, nullptr, kTimeout).ok()) << node.id;
    EXPECT_TRUE(back == data) << node.id;
  }
}

TEST_F(DatanodeClusterTest, DatanodesRegisterAgainAfterAMasterRestart) {
  ASSERT_NO_FATAL_FAILURE(StartMaster());
  ASSERT_NO_FATAL_FAILURE(StartDatanode("dn1", "/r1"));
  ASSERT_NO_FATAL_FAILURE(StartDatanode("dn2", "/r2"));
  std::string path;
  const std::string data = RandomBytes(100000, 3);
  {
    auto client = Client();
    ASSERT_NE(client, nullptr);
    wire::LocatedChunk chunk = CreateWithFullPipeline(client.get(), 2, &path);
    ASSERT_TRUE(Write(chunk, data).ok());
    ASSERT_TRUE(Eventually([&] {
      auto done = client->Complete(path, "itest", data.size());
      return done.ok() && *done;
    }));
  }
  const int port = master_port_;
  ASSERT_EQ(master_->Stop(SIGTERM), 0);
  ASSERT_NO_FATAL_FAILURE(StartMaster(port));  // Same directory, same port.
  auto client = Client();
  ASSERT_NE(client, nullptr);
  // The new master knows the file from its op log, and the replicas only
  // from the datanodes' registrations and chunk reports.
  ASSERT_TRUE(Eventually([&] {
    return Holders(client.get(), path) == std::set<std::string>{"dn1", "dn2"};
  })) << "see the logs in " << root_.path();
}

}  // namespace
}  // namespace mr::dfs
