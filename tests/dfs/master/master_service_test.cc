// MasterService over real RPC: (a) an in-process server driven through
// MasterClient (placement, Complete, chunk locations, namespace calls,
// DELETE and REPLICATE commands, dead datanodes, bad replicas); (b) the
// dfs_master binary killed with SIGKILL and restarted on its directory;
// (c) garbage and oversized frames do not take the server down.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "common/file.h"
#include "dfs/master/master_client.h"
#include "dfs/master/master_server.h"
#include "test_util.h"

namespace mr::dfs {
namespace {

using Kind = wire::DatanodeCommandKind::type;
constexpr int64_t kChunkSize = 1 << 20;

// Polls `condition` every 20 ms for at most `timeout`.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

wire::DatanodeInfo Node(const std::string& id, const std::string& rack, int port) {
  wire::DatanodeInfo info;
  info.id = id;
  info.host = "host-" + id;
  info.data_port = port;
  info.rack = rack;
  return info;
}

wire::ChunkReplicaInfo Replica(const wire::LocatedChunk& chunk, int64_t length) {
  wire::ChunkReplicaInfo r;
  r.chunk_id = chunk.chunk_id;
  r.generation = chunk.generation;
  r.length = length;
  return r;
}

class MasterServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gflags::SetCommandLineOption("dfs_heartbeat_timeout_ms", "800");
    gflags::SetCommandLineOption("dfs_replication_check_ms", "50");
    MasterServer::Options options = MasterServer::Options::FromFlags();
    options.dir = dir_.Join("meta");
    auto server = MasterServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = *std::move(server);
    auto client = MasterClient::Connect("127.0.0.1", server_->port());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = *std::move(client);
  }

  // Registers a1, a2 (rack /r1) and b1, b2 (rack /r2), each with 1 TiB free.
  void RegisterCluster() {
    int port = 9001;
    for (const char* id : {"a1", "a2", "b1", "b2"}) {
      ASSERT_TRUE(client_->RegisterDatanode(Node(id, id[0] == 'a' ? "/r1" : "/r2", port++)).ok());
      live_.insert(id);
    }
    HeartbeatAll();
  }

  // Heartbeats every live node; appends their commands to commands_.
  void HeartbeatAll() {
    for (const std::string& id : live_) {
      auto commands = client_->Heartbeat(id, int64_t{1} << 40, 0, 0);
      ASSERT_TRUE(commands.ok()) << id << ": " << commands.status().ToString();
      for (const wire::DatanodeCommand& c : *commands) commands_[id].push_back(c);
    }
  }

  // Whether `node` was handed a `kind` command for `chunk_id`.
  const wire::DatanodeCommand* FindCommand(const std::string& node, Kind kind, int64_t chunk_id) {
    for (const wire::DatanodeCommand& c : commands_[node]) {
      if (c.kind == kind && c.chunk_id == chunk_id) return &c;
    }
    return nullptr;
  }

  std::set<std::string> Holders(const std::string& path) {
    auto located = client_->GetChunkLocations(path, 0, kChunkSize);
    EXPECT_TRUE(located.ok()) << located.status().ToString();
    std::set<std::string> ids;
    if (located.ok() && located->size() == 1) {
      for (const wire::DatanodeInfo& d : (*located)[0].replicas) ids.insert(d.id);
    }
    return ids;
  }

  // Creates `path` (replication 3, written from host-a1) with one chunk of
  // `length` bytes stored on its three pipeline targets, and closes it.
  wire::LocatedChunk WriteFile(const std::string& path, int64_t length) {
    EXPECT_TRUE(client_->Create(path, 3, kChunkSize, "writer", "host-a1").ok());
    auto chunk = client_->AddChunk(path, "writer");
    EXPECT_TRUE(chunk.ok()) << chunk.status().ToString();
    if (!chunk.ok()) return {};
    for (const wire::DatanodeInfo& d : chunk->replicas) {
      EXPECT_TRUE(client_->ChunkReceived(d.id, Replica(*chunk, length)).ok());
    }
    auto done = client_->Complete(path, "writer", length);
    EXPECT_TRUE(done.ok() && *done);
    return *chunk;
  }

  testing::ScopedTempDir dir_;
  std::unique_ptr<MasterServer> server_;
  std::unique_ptr<MasterClient> client_;
  std::set<std::string> live_;
  std::map<std::string, std::vector<wire::DatanodeCommand>> commands_;
};

TEST_F(MasterServiceTest, WriteCompleteLocateAndNamespaceCalls) {
  RegisterCluster();
  auto created = client_->Create("/d/f", 3, kChunkSize, "c1", "host-a1");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->under_construction);

  auto chunk = client_->AddChunk("/d/f", "c1");
  ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
  ASSERT_EQ(chunk->replicas.size(), 3u);
  EXPECT_EQ(chunk->replicas[0].id, "a1");  // The writer's own node first.
  std::set<std::string> ids, racks;
  for (const wire::DatanodeInfo& d : chunk->replicas) {
    ids.insert(d.id);
    racks.insert(d.rack);
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(racks.size(), 2u);

  auto early = client_->Complete("/d/f", "c1", 100);
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(*early);
  EXPECT_EQ(client_->GetChunkLocations("/d/f", 0, 100).status().code(),
            Status::Code::kUnavailable);  // Readers see closed files only.
  ASSERT_TRUE(client_->ChunkReceived(chunk->replicas[0].id, Replica(*chunk, 100)).ok());
  early = client_->Complete("/d/f", "c1", 100);
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(*early);  // One replica of the two required.
  ASSERT_TRUE(client_->ChunkReceived(chunk->replicas[1].id, Replica(*chunk, 100)).ok());
  auto done = client_->Complete("/d/f", "c1", 100);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_TRUE(*done);
  done = client_->Complete("/d/f", "c1", 100);  // A retry after a lost reply.
  ASSERT_TRUE(done.ok() && *done);

  auto located = client_->GetChunkLocations("/d/f", 0, 1000);
  ASSERT_TRUE(located.ok()) << located.status().ToString();
  ASSERT_EQ(located->size(), 1u);
  EXPECT_EQ((*located)[0].chunk_id, chunk->chunk_id);
  EXPECT_EQ((*located)[0].length, 100);
  EXPECT_EQ((*located)[0].replicas.size(), 2u);
  EXPECT_FALSE((*located)[0].replicas[0].rack.empty());
  EXPECT_TRUE(client_->GetChunkLocations("/d/f", 100, 10)->empty());

  auto stat = client_->Stat("/d/f");
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat->length, 100);
  EXPECT_FALSE(stat->under_construction);
  EXPECT_EQ(stat->replication, 3);
  ASSERT_TRUE(client_->Mkdirs("/d/sub").ok());
  auto list = client_->List("/d");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].path, "/d/f");
  EXPECT_TRUE((*list)[1].is_dir);

  ASSERT_TRUE(client_->Rename("/d/f", "/d/g").ok());
  EXPECT_TRUE(client_->Stat("/d/f").status().IsNotFound());
  EXPECT_EQ(client_->Stat("/d/g")->length, 100);

  // Validation at the edge.
  EXPECT_EQ(client_->Stat("d/g").status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(client_->Mkdirs("/x//y").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(client_->Create("/r", 17, kChunkSize, "c", "").status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(client_->Create("/r", 3, 1000, "c", "").status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(client_->Create("/r", 3, int64_t{2} << 30, "c", "").status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_TRUE(client_->Create("/d/g", 3, kChunkSize, "c", "").status().IsAlreadyExists());
  EXPECT_TRUE(client_->RenewLease("c1").ok());

  // Delete: every holder is told to drop its replica.
  ASSERT_TRUE(client_->Delete("/d", /*recursive=*/true).ok());
  HeartbeatAll();
  for (int i = 0; i < 2; ++i) {
    EXPECT_NE(FindCommand(chunk->replicas[i].id, wire::DatanodeCommandKind::DELETE,
                          chunk->chunk_id),
              nullptr);
  }
  EXPECT_TRUE(client_->Stat("/d").status().IsNotFound());
}

TEST_F(MasterServiceTest, DeadDatanodeIsReplacedByReplication) {
  RegisterCluster();
  wire::LocatedChunk chunk = WriteFile("/f", 4096);
  ASSERT_EQ(Holders("/f").size(), 3u);
  std::string dead = chunk.replicas[2].id;
  live_.erase(dead);

  // Only the live nodes heartbeat; after the timeout the dead one's replica
  // is dropped and a holder is told to copy the chunk to the spare node.
  const wire::DatanodeCommand* replicate = nullptr;
  std::string source;
  ASSERT_TRUE(WaitFor([&] {
    HeartbeatAll();
    for (const std::string& id : live_) {
      if ((replicate = FindCommand(id, wire::DatanodeCommandKind::REPLICATE, chunk.chunk_id))) {
        source = id;
        return true;
      }
    }
    return false;
  }));
  EXPECT_TRUE(client_->Heartbeat(dead, 1, 0, 0).status().IsNotFound());
  ASSERT_EQ(replicate->targets.size(), 1u);
  std::string target = replicate->targets[0].id;
  EXPECT_NE(target, dead);
  EXPECT_EQ(Holders("/f").count(target), 0u);
  EXPECT_EQ(Holders("/f").count(source), 1u);
  ASSERT_TRUE(client_->ChunkReceived(target, Replica(chunk, 4096)).ok());
  std::set<std::string> holders = Holders("/f");
  EXPECT_EQ(holders.size(), 3u);
  EXPECT_EQ(holders.count(dead), 0u);
}

TEST_F(MasterServiceTest, BadReplicaIsDeletedAndStaleReportsAreRejected) {
  RegisterCluster();
  wire::LocatedChunk chunk = WriteFile("/f", 4096);
  std::string bad = chunk.replicas[1].id;
  ASSERT_TRUE(client_->ReportBadReplica(chunk.chunk_id, bad).ok());
  HeartbeatAll();
  EXPECT_NE(FindCommand(bad, wire::DatanodeCommandKind::DELETE, chunk.chunk_id), nullptr);
  EXPECT_EQ(Holders("/f").count(bad), 0u);
  // A re-replication follows in the same round.
  bool replicating = false;
  for (const auto& [id, commands] : commands_) {
    replicating |= FindCommand(id, wire::DatanodeCommandKind::REPLICATE, chunk.chunk_id) != nullptr;
  }
  EXPECT_TRUE(replicating);

  // A chunk report with an unknown chunk and a stale generation: both deleted.
  wire::ChunkReplicaInfo unknown = Replica(chunk, 4096);
  unknown.chunk_id = 999;
  wire::ChunkReplicaInfo stale = Replica(chunk, 4096);
  stale.generation = 0;
  ASSERT_TRUE(client_->ChunkReport(bad, {unknown, stale}).ok());
  commands_.clear();
  HeartbeatAll();
  EXPECT_NE(FindCommand(bad, wire::DatanodeCommandKind::DELETE, 999), nullptr);
  EXPECT_NE(FindCommand(bad, wire::DatanodeCommandKind::DELETE, chunk.chunk_id), nullptr);
  EXPECT_TRUE(client_->ChunkReport("nobody", {}).IsNotFound());
}

// Raw TCP: sends `bytes` to the server and closes.
void SendRaw(int port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(bytes.size()));
  timeval tv{0, 500000};  // The server answers junk by closing; bound the wait anyway.
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char buf[256];
  (void)::recv(fd, buf, sizeof(buf), 0);
  ::close(fd);
}

TEST_F(MasterServiceTest, GarbageAndOversizedFramesDoNotKillTheServer) {
  SendRaw(server_->port(), "this is not thrift at all\r\n\r\n");
  SendRaw(server_->port(), std::string("\x7f\xff\xff\xff", 4) + "xxxx");  // 2 GiB frame.
  SendRaw(server_->port(), std::string("\x01\x00\x00\x01", 4));          // 16 MiB + 1.
  std::string frame = "\x82\x21\x01\x04StatXXXXXXXXXXXXXXXXXXXXXXXX";  // Truncated call.
  uint32_t length = htonl(frame.size());
  SendRaw(server_->port(), std::string(reinterpret_cast<char*>(&length), 4) + frame);
  auto stat = client_->Stat("/");
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_TRUE(stat->is_dir);
}

// ---- The dfs_master binary ------------------------------------------------

class MasterProcess {
 public:
  explicit MasterProcess(const std::string& dir) : dir_(dir) {}
  ~MasterProcess() { Kill(SIGKILL); }

  // Starts dfs_master on an ephemeral port and waits for <dir>/port.
  bool Start() {
    (void)RemoveAll(JoinPath(dir_, "port"));  // Never read the previous run's port.
    std::string bin = testing::BinPath("dfs_master");
    pid_ = ::fork();
    if (pid_ == 0) {
      std::string dir_flag = "--dir=" + dir_;
      ::execl(bin.c_str(), bin.c_str(), dir_flag.c_str(), "--port=0", nullptr);
      ::_exit(127);
    }
    return WaitFor([&] {
      auto text = ReadFileToString(JoinPath(dir_, "port"));
      if (text.ok() && !text->empty()) port_ = std::stoi(*text);
      return port_ > 0;
    });
  }

  // Sends `signal` and reaps the process within 10 s; its exit code, or
  // 128 + signal, or -1.
  int Kill(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    bool reaped = WaitFor([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; });
    if (!reaped) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    port_ = 0;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
  }

  int port() const { return port_; }

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST(MasterProcessTest, NamespaceSurvivesKillNine) {
  testing::ScopedTempDir dir;
  MasterProcess master(dir.Join("meta"));
  ASSERT_TRUE(master.Start());
  {
    auto client = MasterClient::Connect("127.0.0.1", master.port());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    ASSERT_TRUE((*client)->Mkdirs("/a/b").ok());
    ASSERT_TRUE((*client)->Create("/a/closed", 2, kChunkSize, "w", "").ok());
    auto done = (*client)->Complete("/a/closed", "w", 0);  // No chunks: closes at once.
    ASSERT_TRUE(done.ok() && *done);
    ASSERT_TRUE((*client)->Create("/a/open", 2, kChunkSize, "w", "").ok());
    ASSERT_TRUE((*client)->Rename("/a/b", "/a/c").ok());
  }
  EXPECT_EQ(master.Kill(SIGKILL), 128 + SIGKILL);

  ASSERT_TRUE(master.Start());
  auto client = MasterClient::Connect("127.0.0.1", master.port());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_TRUE((*client)->Stat("/a/c")->is_dir);
  EXPECT_TRUE((*client)->Stat("/a/b").status().IsNotFound());
  EXPECT_FALSE((*client)->Stat("/a/closed")->under_construction);
  EXPECT_TRUE((*client)->Stat("/a/open")->under_construction);
  EXPECT_EQ((*client)->List("/a")->size(), 3u);
  EXPECT_EQ(master.Kill(SIGTERM), 0);  // A clean stop exits 0.
}

TEST(MasterProcessTest, UsageErrorsExitTwo) {
  EXPECT_EQ(testing::RunCommand(testing::Quote(testing::BinPath("dfs_master")), 10).exit_code, 2);
  EXPECT_EQ(testing::RunCommand(testing::Quote(testing::BinPath("dfs_master")) + " --nope", 10)
                .exit_code,
            2);
}

}  // namespace
}  // namespace mr::dfs
