// Chunk access tokens (docs/DFS.md, "Chunk access tokens"; issue 16) on an
// in-process DFS with security on: a master and four datanodes in this
// process, sharing the server security loaded from keys made by
// security::CreateClusterKeys, and a DfsClient. The attack of issue 16 (a
// forged replica on a datanode that held none, then a higher-generation
// write to the replica holders) step by step, each kind of wrong token, and
// the happy paths (put/get, short-circuit reads, re-replication after a
// datanode dies, pipeline recovery, a token expiring mid-read).
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "dfs/client/mrdfs_commands.h"
#include "dfs/dataplane/client.h"
#include "dfs/datanode/datanode.h"
#include "dfs/master/master_client.h"
#include "dfs/proto/chunk_token.h"
#include "security/credential.h"
#include "security/key_material.h"
#include "security/process_security.h"
#include "test_util.h"
#include "tests/dfs/client/in_process_master.h"

namespace mr::dfs {
namespace {

namespace dp = dataplane;
using mr::testing::Eventually;
using mr::testing::RandomBytes;

constexpr int64_t kChunk = 1 << 20;
constexpr dp::Timeout kTimeout{5000};
constexpr int kDatanodes = 4;

class ChunkTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Fast heartbeats, death and re-replication; no membership in-process.
    google::SetCommandLineOption("dfs_heartbeat_interval_ms", "100");
    google::SetCommandLineOption("dfs_heartbeat_timeout_ms", "1500");
    google::SetCommandLineOption("dfs_replication_check_ms", "100");
    google::SetCommandLineOption("dfs_datanode_register_backoff_max_ms", "200");
    google::SetCommandLineOption("dfs_client_master_retry_ms", "3000");
    ASSERT_TRUE(security::CreateClusterKeys(tmp_.Join("keys")).ok());
    Result<std::shared_ptr<const security::ServerSecurity>> security =
        security::LoadServerSecurity(tmp_.Join("keys"));
    ASSERT_TRUE(security.ok()) << security.status().ToString();
    security_ = *security;
    // As InitDaemonSecurity: the master serves TLS and checks credentials;
    // the datanodes and the client present the daemon credential.
    security::SetProcessServerSecurity(security_);
    auto client_security = std::make_shared<security::ClientSecurity>();
    client_security->ca_file = security::KeyPaths(tmp_.Join("keys")).ca_cert();
    client_security->credential = security::DaemonCredential(security_->keyring());
    security::SetProcessClientSecurity(std::move(client_security));

    Result<std::unique_ptr<mr::testing::InProcessMaster>> started =
        mr::testing::InProcessMaster::Start(tmp_.Join("master"));
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    master_ = std::move(*started);
    for (int i = 0; i < kDatanodes; ++i) StartDatanode(i);
    ASSERT_TRUE(Eventually([&] {
      Result<std::vector<wire::DatanodeStatus>> nodes = Master()->ListDatanodes();
      return nodes.ok() && std::count_if(nodes->begin(), nodes->end(), [](const auto& d) {
                             return d.alive && d.heartbeated;
                           }) == kDatanodes;
    })) << "the datanodes did not register";
    DfsClient::Options options;
    options.master_host = "127.0.0.1";
    options.master_port = master_->port();
    options.default_chunk_size = kChunk;
    Result<std::unique_ptr<DfsClient>> client = DfsClient::Connect(options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(*client);
  }

  void TearDown() override {
    client_.reset();
    datanodes_.clear();
    master_.reset();
    security::SetProcessServerSecurity(nullptr);
    security::SetProcessClientSecurity(nullptr);
  }

  void StartDatanode(int i) {
    Datanode::Options options;
    options.dir = tmp_.Join("dn" + std::to_string(i));
    options.id = "dn-" + std::to_string(i);
    options.rack = i < kDatanodes / 2 ? "/r1" : "/r2";
    options.master = "127.0.0.1:" + std::to_string(master_->port());
    Result<std::unique_ptr<Datanode>> node = Datanode::Start(options);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    datanodes_.push_back(std::move(*node));
  }

  std::unique_ptr<MasterClient> Master() {
    Result<std::unique_ptr<MasterClient>> m = MasterClient::Connect("127.0.0.1", master_->port());
    EXPECT_TRUE(m.ok());
    return m.ok() ? std::move(*m) : nullptr;
  }

  Datanode* Node(const std::string& id) {
    for (auto& d : datanodes_) {
      if (d != nullptr && d->id() == id) return d.get();
    }
    return nullptr;
  }
  int PortOf(const std::string& id) { return Node(id)->port(); }
  std::string ReplicaPath(const std::string& id, int64_t chunk_id, int64_t generation) {
    return tmp_.Join("dn" + id.substr(3)) + "/chunks/" + std::to_string(chunk_id) + "_" +
           std::to_string(generation) + ".data";
  }
  uint64_t Refusals() {
    uint64_t n = 0;
    for (auto& d : datanodes_) n += d == nullptr ? 0 : d->access_refusals();
    return n;
  }

  Status WriteFile(const std::string& path, const std::string& data) {
    ASSIGN_OR_RETURN(std::unique_ptr<DfsFileWriter> writer, client_->Create(path, {}));
    RETURN_NOT_OK(writer->Write(data));
    return writer->Close();
  }
  Result<std::string> ReadFile(const std::string& path, int64_t* short_circuit = nullptr) {
    ASSIGN_OR_RETURN(std::unique_ptr<DfsFileReader> reader, client_->Open(path));
    std::string all, part;
    do {
      RETURN_NOT_OK(reader->Read(300000, &part));
      all += part;
    } while (!part.empty());
    if (short_circuit != nullptr) *short_circuit = reader->short_circuit_bytes();
    return all;
  }
  // The chunks of `path` once each has at least `replicas` replicas.
  std::vector<DfsChunk> ChunksWithReplicas(const std::string& path, size_t replicas) {
    std::vector<DfsChunk> chunks;
    EXPECT_TRUE(Eventually([&] {
      Result<std::vector<DfsChunk>> now = client_->GetChunkLocations(path);
      if (!now.ok()) return false;
      chunks = *now;
      return std::all_of(chunks.begin(), chunks.end(),
                         [&](const DfsChunk& c) { return c.replicas.size() >= replicas; });
    }, std::chrono::seconds(30))) << path << " did not reach " << replicas << " replicas";
    return chunks;
  }
  std::string Fsck() {
    MrdfsCommand fsck;
    fsck.verb = "fsck";
    fsck.operands = {"/"};
    std::ostringstream out;
    Status s = RunMrdfsCommand(fsck, client_.get(), out);
    return (s.ok() ? "" : "FAILED: " + s.ToString() + "\n") + out.str();
  }

  std::string Sign(int64_t chunk_id, int64_t generation, int32_t modes,
                   int64_t expires_ms = WallClockMs() + 60000) {
    return SignChunkToken(security_->signer(), chunk_id, generation, modes, "test", expires_ms);
  }

  // Writes `data` as replica (chunk_id, generation) to the pipeline
  // `targets` straight through the data plane, as an attacker would.
  Status RawWrite(int64_t chunk_id, int64_t generation, const std::vector<std::string>& targets,
                  const std::string& data, const std::string& token) {
    std::vector<dp::Target> pipeline;
    for (const std::string& id : targets) {
      dp::Target target;
      target.datanode_id = id;
      target.host = "127.0.0.1";
      target.port = PortOf(id);
      pipeline.push_back(target);
    }
    dp::PipelineWriter writer({16, kTimeout});
    RETURN_NOT_OK(writer.Open(chunk_id, generation, pipeline, data.size(), token));
    RETURN_NOT_OK(writer.Write(data));
    return writer.Close();
  }
  Status RawRead(const DfsChunk& chunk, const std::string& token, std::string* out) {
    return dp::ReadChunkFrom("127.0.0.1", PortOf(chunk.replicas[0].node_id), chunk.chunk_id,
                             chunk.generation, 0, UINT64_MAX, out, nullptr, kTimeout, token);
  }

  google::FlagSaver flags_;
  mr::testing::ScopedTempDir tmp_;
  std::shared_ptr<const security::ServerSecurity> security_;
  std::unique_ptr<mr::testing::InProcessMaster> master_;
  std::vector<std::unique_ptr<Datanode>> datanodes_;
  std::unique_ptr<DfsClient> client_;
};

TEST_F(ChunkTokenTest, PutGetAndShortCircuitReadsWorkWithTokens) {
  const std::string data = RandomBytes(3 * kChunk + 12345, 1);
  ASSERT_TRUE(WriteFile("/f", data).ok());
  std::vector<DfsChunk> chunks = ChunksWithReplicas("/f", 3);
  ASSERT_EQ(chunks.size(), 4u);
  for (const DfsChunk& c : chunks) EXPECT_FALSE(c.access_token.empty()) << "chunk " << c.chunk_id;

  google::SetCommandLineOption("dfs_client_short_circuit_reads", "false");
  Result<std::string> back = ReadFile("/f");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
  google::SetCommandLineOption("dfs_client_short_circuit_reads", "true");
  int64_t local = 0;
  back = ReadFile("/f", &local);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
  EXPECT_EQ(local, static_cast<int64_t>(data.size())) << "short-circuit reads presented a token";
  EXPECT_EQ(Refusals(), 0u);

  // Replicas are the datanode user's alone.
  struct stat st;
  ASSERT_EQ(::stat(tmp_.Join("dn0").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(tmp_.Join("dn0/chunks").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  const DfsReplica& holder = chunks[0].replicas[0];
  const std::string replica = ReplicaPath(holder.node_id, chunks[0].chunk_id, chunks[0].generation);
  for (const std::string& file : {replica, replica.substr(0, replica.size() - 4) + "meta"}) {
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
  }
  EXPECT_NE(Fsck().find("HEALTHY"), std::string::npos) << Fsck();
}

// Issue 16's attack: a forged replica written to a datanode that held none,
// then a higher generation written to the three holders, used to make every
// read return the attacker's bytes while fsck said HEALTHY.
TEST_F(ChunkTokenTest, ForgedChunkTokenCannotReplaceAReplica) {
  const std::string data = RandomBytes(kChunk / 2, 2);
  ASSERT_TRUE(WriteFile("/victim", data).ok());
  std::vector<DfsChunk> chunks = ChunksWithReplicas("/victim", 3);
  ASSERT_EQ(chunks.size(), 1u);
  const DfsChunk chunk = chunks[0];
  std::set<std::string> holders;
  for (const DfsReplica& r : chunk.replicas) holders.insert(r.node_id);
  std::string outsider;
  for (auto& d : datanodes_) {
    if (holders.count(d->id()) == 0) outsider = d->id();
  }
  ASSERT_FALSE(outsider.empty());
  const std::string evil = std::string(data.size(), 'X');

  // Other keys: a keyring of the attacker's own making.
  ASSERT_TRUE(security::CreateClusterKeys(tmp_.Join("evil-keys")).ok());
  auto evil_security = security::LoadServerSecurity(tmp_.Join("evil-keys"));
  ASSERT_TRUE(evil_security.ok());
  const int32_t all = wire::ChunkAccess::READ | wire::ChunkAccess::WRITE |
                      wire::ChunkAccess::REPLICATE;
  for (const std::string& token :
       {std::string(), std::string("garbage"),
        SignChunkToken((*evil_security)->signer(), chunk.chunk_id, chunk.generation, all, "evil",
                       WallClockMs() + 60000),
        chunk.access_token /* the READ token every reader gets */}) {
    // Step 1: a replica of the same generation on the datanode that held none.
    Status s = RawWrite(chunk.chunk_id, chunk.generation, {outsider}, evil, token);
    EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    // Step 2: a higher generation to the three holders, as one pipeline and
    // to each alone.
    std::vector<std::string> pipeline(holders.begin(), holders.end());
    s = RawWrite(chunk.chunk_id, chunk.generation + 1, pipeline, evil, token);
    EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    for (const std::string& holder : holders) {
      s = RawWrite(chunk.chunk_id, chunk.generation + 1, {holder}, evil, token);
      EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    }
  }
  EXPECT_GE(Refusals(), 4u * 5u);
  // Nothing reached a disk, the master kept its view, every read is the
  // original and fsck finds the file healthy.
  EXPECT_FALSE(PathExists(ReplicaPath(outsider, chunk.chunk_id, chunk.generation)));
  for (const std::string& holder : holders) {
    EXPECT_FALSE(PathExists(ReplicaPath(holder, chunk.chunk_id, chunk.generation + 1)));
    EXPECT_TRUE(PathExists(ReplicaPath(holder, chunk.chunk_id, chunk.generation)));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // Heartbeats and reports.
  std::vector<DfsChunk> after = ChunksWithReplicas("/victim", 3);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].generation, chunk.generation);
  std::set<std::string> holders_after;
  for (const DfsReplica& r : after[0].replicas) holders_after.insert(r.node_id);
  EXPECT_EQ(holders_after, holders);
  for (bool short_circuit : {false, true}) {
    google::SetCommandLineOption("dfs_client_short_circuit_reads", short_circuit ? "true" : "false");
    Result<std::string> back = ReadFile("/victim");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(*back == data) << "the attacker's bytes came back";
  }
  const std::string fsck = Fsck();
  EXPECT_NE(fsck.find("HEALTHY"), std::string::npos) << fsck;
}

// Without security the data plane behaves as before tokens: the attack's
// first step goes through (what ForgedChunkTokenCannotReplaceAReplica
// shows refused), and no token is handed out or asked for.
TEST_F(ChunkTokenTest, WithoutSecurityNoTokenIsAskedFor) {
  security::SetProcessServerSecurity(nullptr);
  const std::string data = RandomBytes(100000, 7);
  ASSERT_TRUE(WriteFile("/open", data).ok());
  const DfsChunk chunk = ChunksWithReplicas("/open", 3)[0];
  EXPECT_TRUE(chunk.access_token.empty());
  std::string outsider;
  for (auto& d : datanodes_) {
    if (std::none_of(chunk.replicas.begin(), chunk.replicas.end(),
                     [&](const DfsReplica& r) { return r.node_id == d->id(); })) {
      outsider = d->id();
    }
  }
  Status s = RawWrite(chunk.chunk_id, chunk.generation, {outsider}, data, "");
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(PathExists(ReplicaPath(outsider, chunk.chunk_id, chunk.generation)));
  EXPECT_EQ(Refusals(), 0u);
}

TEST_F(ChunkTokenTest, WrongTokensAreRefused) {
  const std::string data = RandomBytes(100000, 3);
  ASSERT_TRUE(WriteFile("/a", data).ok());
  ASSERT_TRUE(WriteFile("/b", data).ok());
  const DfsChunk a = ChunksWithReplicas("/a", 3)[0];
  const DfsChunk b = ChunksWithReplicas("/b", 3)[0];
  ASSERT_NE(a.chunk_id, b.chunk_id);
  const int32_t read = wire::ChunkAccess::READ;
  ASSERT_TRUE(security::CreateClusterKeys(tmp_.Join("other-keys")).ok());
  auto other = security::LoadServerSecurity(tmp_.Join("other-keys"));
  ASSERT_TRUE(other.ok());

  struct Case {
    const char* what;
    std::string token;
  };
  const std::vector<Case> wrong = {
      {"no token", ""},
      {"another chunk's token", b.access_token},
      {"another generation", Sign(a.chunk_id, a.generation + 1, read)},
      {"a WRITE token for a read", Sign(a.chunk_id, a.generation, wire::ChunkAccess::WRITE)},
      {"an expired token", Sign(a.chunk_id, a.generation, read, WallClockMs() - 1)},
      {"a token signed by another key",
       SignChunkToken((*other)->signer(), a.chunk_id, a.generation, read, "x",
                      WallClockMs() + 60000)},
      {"a token of another kind", security_->signer().Sign("job", "x", WallClockMs() + 60000)},
  };
  const uint64_t refused_before = Refusals();
  for (const Case& c : wrong) {
    SCOPED_TRACE(c.what);
    std::string out;
    Status s = RawRead(a, c.token, &out);
    EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    EXPECT_TRUE(out.empty());
    dp::LocalReplicaResponse local;
    s = dp::LocateLocalReplica("127.0.0.1", PortOf(a.replicas[0].node_id), a.chunk_id,
                               a.generation, &local, kTimeout, c.token);
    EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
    EXPECT_TRUE(local.data_path.empty());
  }
  EXPECT_EQ(Refusals() - refused_before, 2 * wrong.size());
  // A READ token used for a write, and a write with the wrong generation's
  // WRITE token, of a new replica on a node that holds none.
  std::string outsider;
  for (auto& d : datanodes_) {
    if (std::none_of(a.replicas.begin(), a.replicas.end(),
                     [&](const DfsReplica& r) { return r.node_id == d->id(); })) {
      outsider = d->id();
    }
  }
  EXPECT_TRUE(RawWrite(a.chunk_id, a.generation, {outsider}, data, a.access_token)
                  .IsPermissionDenied());
  EXPECT_TRUE(RawWrite(a.chunk_id, a.generation, {outsider}, data,
                       Sign(a.chunk_id, a.generation + 1, wire::ChunkAccess::WRITE))
                  .IsPermissionDenied());
  EXPECT_TRUE(RawWrite(a.chunk_id, a.generation, {outsider}, data,
                       Sign(a.chunk_id, a.generation, wire::ChunkAccess::WRITE, WallClockMs() - 1))
                  .IsPermissionDenied());

  // The right tokens work.
  std::string out;
  ASSERT_TRUE(RawRead(a, a.access_token, &out).ok());
  EXPECT_TRUE(out == data);
  dp::LocalReplicaResponse local;
  EXPECT_TRUE(dp::LocateLocalReplica("127.0.0.1", PortOf(a.replicas[0].node_id), a.chunk_id,
                                     a.generation, &local, kTimeout, a.access_token)
                  .ok());
  EXPECT_FALSE(local.data_path.empty());
}

TEST_F(ChunkTokenTest, ReReplicationAfterADatanodeDiesPresentsTokens) {
  const std::string data = RandomBytes(2 * kChunk + 777, 4);
  ASSERT_TRUE(WriteFile("/r", data).ok());
  std::vector<DfsChunk> chunks = ChunksWithReplicas("/r", 3);
  const std::string victim = chunks[0].replicas[0].node_id;
  for (auto& d : datanodes_) {
    if (d->id() == victim) d.reset();  // Stops it: no more heartbeats.
  }
  // The master declares it dead and has the chunks it held copied to the
  // fourth node, with REPLICATE tokens the targets accept.
  EXPECT_TRUE(Eventually([&] {
    Result<std::vector<DfsChunk>> now = client_->GetChunkLocations("/r");
    return now.ok() && std::all_of(now->begin(), now->end(), [&](const DfsChunk& c) {
             return c.replicas.size() == 3 &&
                    std::none_of(c.replicas.begin(), c.replicas.end(),
                                 [&](const DfsReplica& r) { return r.node_id == victim; });
           });
  }, std::chrono::seconds(30))) << "the chunks of " << victim << " were not copied elsewhere";
  EXPECT_EQ(Refusals(), 0u);
  google::SetCommandLineOption("dfs_client_short_circuit_reads", "false");
  Result<std::string> back = ReadFile("/r");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
}

TEST_F(ChunkTokenTest, PipelineRecoveryGetsATokenForTheNewGeneration) {
  const std::string data = RandomBytes(kChunk - 1000, 5);
  Result<std::unique_ptr<DfsFileWriter>> writer = client_->Create("/p", {});
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Write(std::string_view(data).substr(0, 300000)).ok());
  // A datanode of the chunk's pipeline (one writing a temporary replica)
  // stops: the writer must go on under a new generation.
  bool stopped = false;
  for (auto& d : datanodes_) {
    for (const std::string& name : mr::testing::ListDir(tmp_.Join("dn" + d->id().substr(3)) +
                                                        "/chunks")) {
      if (!stopped && name.find(".tmp") != std::string::npos) {
        d.reset();
        stopped = true;
      }
    }
    if (stopped) break;
  }
  ASSERT_TRUE(stopped) << "no datanode is writing the chunk";
  ASSERT_TRUE((*writer)->Write(std::string_view(data).substr(300000)).ok());
  Status closed = (*writer)->Close();
  ASSERT_TRUE(closed.ok()) << closed.ToString();
  std::vector<DfsChunk> chunks = ChunksWithReplicas("/p", 2);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_GT(chunks[0].generation, 1) << "the pipeline was not recovered";
  EXPECT_EQ(Refusals(), 0u);
  Result<std::string> back = ReadFile("/p");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
}

TEST_F(ChunkTokenTest, AReaderWhoseTokenExpiresFetchesANewOne) {
  const std::string data = RandomBytes(3 * kChunk, 6);
  ASSERT_TRUE(WriteFile("/long", data).ok());
  ChunksWithReplicas("/long", 3);
  google::SetCommandLineOption("dfs_chunk_token_lifetime_ms", "1000");
  google::SetCommandLineOption("dfs_client_short_circuit_reads", "false");
  Result<std::unique_ptr<DfsFileReader>> reader = client_->Open("/long");
  ASSERT_TRUE(reader.ok());
  std::string all, part;
  ASSERT_TRUE((*reader)->Read(kChunk, &part).ok());
  all += part;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // Every token has expired.
  const uint64_t refused_before = Refusals();
  do {
    Status s = (*reader)->Read(kChunk / 3, &part);
    ASSERT_TRUE(s.ok()) << s.ToString();
    all += part;
  } while (!part.empty());
  EXPECT_TRUE(all == data);
  EXPECT_GT(Refusals(), refused_before) << "the expired token was never presented";
}

}  // namespace
}  // namespace mr::dfs
