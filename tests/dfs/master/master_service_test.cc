// MasterService over real RPC: (a) an in-process server driven through
// MasterClient (placement, Complete, chunk locations, namespace calls,
// DELETE and REPLICATE commands, dead datanodes, bad replicas and their
// corrupt count, ListDatanodes, full and excluded datanodes, lease expiry
// and recovery across restarts); (b) the
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
#include "tests/dfs/master/master_server_test.h"
#include "test_util.h"

namespace mr::dfs {
namespace {

using mr::testing::Eventually;

using Kind = wire::DatanodeCommandKind::type;
constexpr int64_t kChunkSize = 1 << 20;

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

class MasterServiceTest : public MasterServerTest {
 protected:
  void SetUp() override {
    gflags::SetCommandLineOption("dfs_heartbeat_timeout_ms", "800");
    gflags::SetCommandLineOption("dfs_replication_check_ms", "50");
    gflags::SetCommandLineOption("dfs_lease_timeout_ms", lease_timeout_ms_);
    // Restarts here are followed by calls that must not wait for datanodes.
    gflags::SetCommandLineOption("dfs_master_startup_grace_ms", "0");
    StartServer();
  }

  std::vector<wire::DatanodeStatus> Datanodes() {
    auto nodes = client_->ListDatanodes();
    EXPECT_TRUE(nodes.ok()) << nodes.status().ToString();
    return nodes.ok() ? *nodes : std::vector<wire::DatanodeStatus>();
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
    auto located = client_->GetChunkLocations(path, 0, kChunkSize, /*include_incomplete=*/true);
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

  gflags::FlagSaver flag_saver_;  // Tests may change --dfs_* flags.
  const char* lease_timeout_ms_ = "60000";
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
  ASSERT_TRUE(Eventually([&] {
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

TEST_F(MasterServiceTest, MembershipFailureDeclaresADatanodeDeadAtOnce) {
  RegisterCluster();
  wire::LocatedChunk chunk = WriteFile("/f", 4096);
  std::string failed = chunk.replicas[0].id;
  // Well within the heartbeat timeout (800 ms): only the membership event
  // can have dropped it.
  server_->service()->DatanodeFailed(failed, "failed (membership)");
  EXPECT_EQ(Holders("/f").count(failed), 0u);
  EXPECT_EQ(Holders("/f").size(), 2u);
  for (const wire::DatanodeStatus& d : Datanodes()) {
    if (d.info.id == failed) {
      EXPECT_FALSE(d.alive);
    }
  }
  // A node wrongly declared dead is told to register again.
  EXPECT_TRUE(client_->Heartbeat(failed, 1, 0, 0).status().IsNotFound());
  server_->service()->DatanodeFailed("never-registered", "failed");  // No effect.
  auto members = client_->ListMembers();
  ASSERT_TRUE(members.ok()) << members.status().ToString();
  EXPECT_TRUE(members->empty());
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

TEST_F(MasterServiceTest, CorruptReplicasAreCountedUntilHealed) {
  RegisterCluster();
  wire::LocatedChunk chunk = WriteFile("/f", 4096);
  auto corrupt = [&] {
    auto located = client_->GetChunkLocations("/f", 0, kChunkSize);
    EXPECT_TRUE(located.ok() && located->size() == 1);
    if (!located.ok() || located->empty()) return -1;
    EXPECT_TRUE((*located)[0].__isset.corrupt_replicas);
    return (*located)[0].corrupt_replicas;
  };
  EXPECT_EQ(corrupt(), 0);
  std::string bad = chunk.replicas[1].id;
  ASSERT_TRUE(client_->ReportBadReplica(chunk.chunk_id, bad).ok());
  ASSERT_TRUE(client_->ReportBadReplica(chunk.chunk_id, bad).ok());  // Counted once.
  EXPECT_EQ(corrupt(), 1);
  // Healed once a new replica brings the chunk back to 3 good ones.
  HeartbeatAll();
  const wire::DatanodeCommand* replicate = nullptr;
  for (const std::string& id : live_) {
    if (!replicate) replicate = FindCommand(id, wire::DatanodeCommandKind::REPLICATE, chunk.chunk_id);
  }
  ASSERT_NE(replicate, nullptr);
  ASSERT_EQ(replicate->targets.size(), 1u);
  ASSERT_TRUE(client_->ChunkReceived(replicate->targets[0].id, Replica(chunk, 4096)).ok());
  EXPECT_EQ(Holders("/f").size(), 3u);
  EXPECT_EQ(corrupt(), 0);
}

TEST_F(MasterServiceTest, ListDatanodesReportsLiveAndDeadNodes) {
  EXPECT_TRUE(Datanodes().empty());
  RegisterCluster();
  ASSERT_TRUE(client_->RegisterDatanode(Node("c1", "/r3", 9100)).ok());  // No heartbeat yet.
  std::vector<wire::DatanodeStatus> nodes = Datanodes();
  ASSERT_EQ(nodes.size(), 5u);
  const std::vector<std::string> ids = {"a1", "a2", "b1", "b2", "c1"};
  for (size_t i = 0; i < ids.size(); ++i) {
    const wire::DatanodeStatus& n = nodes[i];
    EXPECT_EQ(n.info.id, ids[i]);  // Sorted by id.
    EXPECT_EQ(n.info.host, "host-" + ids[i]);
    EXPECT_TRUE(n.alive);
    EXPECT_GE(n.last_heartbeat_age_ms, 0);
    EXPECT_LT(n.last_heartbeat_age_ms, 800);
    EXPECT_EQ(n.replica_count, 0);
    EXPECT_EQ(n.heartbeated, ids[i] != "c1");
    EXPECT_EQ(n.capacity_bytes, ids[i] != "c1" ? int64_t{1} << 40 : 0);
  }
  EXPECT_EQ(nodes[0].info.rack, "/r1");
  EXPECT_EQ(nodes[0].info.data_port, 9001);
  EXPECT_EQ(nodes[4].info.rack, "/r3");

  wire::LocatedChunk chunk = WriteFile("/f", 4096);
  int64_t replicas = 0;
  for (const wire::DatanodeStatus& n : Datanodes()) replicas += n.replica_count;
  EXPECT_EQ(replicas, 3);

  // c1 never heartbeats and b2 stops: both are declared dead but still listed.
  live_.erase("b2");
  ASSERT_TRUE(Eventually([&] {
    HeartbeatAll();
    int dead = 0;
    for (const wire::DatanodeStatus& n : Datanodes()) dead += n.alive ? 0 : 1;
    return dead == 2;
  }));
  nodes = Datanodes();
  ASSERT_EQ(nodes.size(), 5u);
  for (const wire::DatanodeStatus& n : nodes) {
    bool dead = n.info.id == "b2" || n.info.id == "c1";
    EXPECT_EQ(n.alive, !dead) << n.info.id;
    if (dead) {
      EXPECT_EQ(n.replica_count, 0);
      EXPECT_GT(n.last_heartbeat_age_ms, 800);
    }
  }
  // Registering again brings b2 back.
  ASSERT_TRUE(client_->RegisterDatanode(Node("b2", "/r2", 9004)).ok());
  nodes = Datanodes();
  EXPECT_TRUE(nodes[3].alive);
  EXPECT_FALSE(nodes[3].heartbeated);
}

TEST_F(MasterServiceTest, PlacementSkipsFullAndExcludedDatanodes) {
  constexpr int64_t kReserved = 8 << 20;
  gflags::SetCommandLineOption("dfs_datanode_reserved_bytes", std::to_string(kReserved).c_str());
  RestartServer();
  RegisterCluster();
  const int64_t capacity = int64_t{1} << 40;
  // a1 (the writer's own node) has one byte less than reserve + chunk free.
  ASSERT_TRUE(client_->Heartbeat("a1", capacity, capacity - (kReserved + kChunkSize - 1), 0).ok());
  ASSERT_TRUE(client_->Create("/p", 3, kChunkSize, "w", "host-a1").ok());
  auto pipeline = [&](const std::vector<std::string>& excluded) {
    auto chunk = client_->AddChunk("/p", "w", excluded);
    EXPECT_TRUE(chunk.ok()) << chunk.status().ToString();
    std::set<std::string> ids;
    if (chunk.ok()) {
      for (const wire::DatanodeInfo& d : chunk->replicas) ids.insert(d.id);
      EXPECT_EQ(ids.size(), chunk->replicas.size());
    }
    return ids;
  };
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(pipeline({}), (std::set<std::string>{"a2", "b1", "b2"}));
  }
  // A node the writer excludes is left out (here: too few nodes remain).
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(pipeline({"b1"}), (std::set<std::string>{"a2", "b2"}));
  }
  // Excluding every node with room: the master uses them after all, never a1.
  EXPECT_EQ(pipeline({"a2", "b1", "b2"}), (std::set<std::string>{"a2", "b1", "b2"}));
  // With reserve + chunk free, a1 counts again.
  ASSERT_TRUE(client_->Heartbeat("a1", capacity, capacity - (kReserved + kChunkSize), 0).ok());
  EXPECT_EQ(pipeline({"a2", "b2"}), (std::set<std::string>{"a1", "b1"}));
  // Every node full: Unavailable.
  for (const std::string& id : live_) {
    ASSERT_TRUE(client_->Heartbeat(id, capacity, capacity - kChunkSize, 0).ok());
  }
  EXPECT_EQ(client_->AddChunk("/p", "w").status().code(), Status::Code::kUnavailable);
}

// ---- Leases -----------------------------------------------------------------

// A short lease timeout: writers that stop renewing lose their files' leases
// within a fraction of a second (the check runs inside heartbeats).
class LeaseTest : public MasterServiceTest {
 protected:
  LeaseTest() { lease_timeout_ms_ = "300"; }

  // Heartbeats (which run the lease check) and renews `renewing` until
  // `condition` holds, for at most 10 s.
  bool HeartbeatUntil(const std::function<bool()>& condition,
                      const std::vector<std::string>& renewing = {}) {
    return Eventually([&] {
      for (const std::string& client : renewing) EXPECT_TRUE(client_->RenewLease(client).ok());
      HeartbeatAll();
      return condition();
    });
  }

  bool IsClosed(const std::string& path) {
    auto stat = client_->Stat(path);
    return stat.ok() && !stat->under_construction;
  }
  bool IsGone(const std::string& path) { return client_->Stat(path).status().IsNotFound(); }
};

TEST_F(LeaseTest, ExpiredWriterFileIsClosedIncompleteWithReportedLength) {
  RegisterCluster();
  ASSERT_TRUE(client_->Create("/rec", 3, kChunkSize, "dead-writer", "host-a1").ok());
  auto first = client_->AddChunk("/rec", "dead-writer");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  for (const wire::DatanodeInfo& d : first->replicas) {
    ASSERT_TRUE(client_->ChunkReceived(d.id, Replica(*first, kChunkSize)).ok());
  }
  auto last = client_->AddChunk("/rec", "dead-writer");
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  ASSERT_EQ(last->replicas.size(), 3u);
  // Two replicas agree on 5000 bytes, one holds less: the majority wins.
  ASSERT_TRUE(client_->ChunkReceived(last->replicas[0].id, Replica(*last, 5000)).ok());
  ASSERT_TRUE(client_->ChunkReceived(last->replicas[1].id, Replica(*last, 4096)).ok());
  ASSERT_TRUE(client_->ChunkReceived(last->replicas[2].id, Replica(*last, 5000)).ok());
  // A second writer keeps renewing: its file stays open.
  ASSERT_TRUE(client_->Create("/live", 3, kChunkSize, "live-writer", "host-b1").ok());
  auto live_chunk = client_->AddChunk("/live", "live-writer");
  ASSERT_TRUE(live_chunk.ok());

  ASSERT_TRUE(HeartbeatUntil([&] { return IsClosed("/rec"); }, {"live-writer"}));
  auto stat = client_->Stat("/rec");
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat->length, kChunkSize + 5000);
  // Closed, but never complete: its writer did not close it.
  EXPECT_TRUE(stat->__isset.incomplete && stat->incomplete);
  auto listed = client_->List("/");
  ASSERT_TRUE(listed.ok());
  for (const wire::FileStatus& f : *listed) EXPECT_EQ(f.incomplete, f.path == "/rec") << f.path;
  // Readers are refused; fsck and stat ask for it explicitly.
  EXPECT_TRUE(client_->GetChunkLocations("/rec", 0, stat->length).status().IsCorruption());
  auto located = client_->GetChunkLocations("/rec", 0, stat->length, /*include_incomplete=*/true);
  ASSERT_TRUE(located.ok()) << located.status().ToString();
  ASSERT_EQ(located->size(), 2u);
  EXPECT_EQ((*located)[0].length, kChunkSize);
  EXPECT_EQ((*located)[0].replicas.size(), 3u);
  EXPECT_EQ((*located)[1].offset_in_file, kChunkSize);
  EXPECT_EQ((*located)[1].length, 5000);
  std::set<std::string> holders;
  for (const wire::DatanodeInfo& d : (*located)[1].replicas) holders.insert(d.id);
  EXPECT_EQ(holders, (std::set<std::string>{last->replicas[0].id, last->replicas[2].id}));
  // The writer, were it alive after all, cannot complete it, whatever length.
  for (int64_t length : {6000, 5000}) {
    EXPECT_EQ(client_->Complete("/rec", "dead-writer", length).status().code(),
              Status::Code::kAborted);
  }
  // The short replica is replaced: the chunk is re-replicated to 3.
  ASSERT_TRUE(HeartbeatUntil([&] {
    for (const std::string& id : live_) {
      if (FindCommand(id, wire::DatanodeCommandKind::REPLICATE, last->chunk_id)) return true;
    }
    return false;
  }, {"live-writer"}));

  // The renewing writer kept its lease all along (several timeouts), and
  // closes its file normally: complete.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1000);
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_TRUE(client_->RenewLease("live-writer").ok());
    HeartbeatAll();
    ASSERT_FALSE(IsClosed("/live"));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(
        client_->ChunkReceived(live_chunk->replicas[i].id, Replica(*live_chunk, 10)).ok());
  }
  auto done = client_->Complete("/live", "live-writer", 10);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_TRUE(*done);
  EXPECT_EQ(client_->Stat("/live")->length, 10);
  EXPECT_FALSE(client_->Stat("/live")->incomplete);
}

// The longest stored prefix of chunks is kept; a file with none is removed,
// and the replicas of dropped chunks are deleted.
TEST_F(LeaseTest, RecoveryKeepsTheStoredPrefixOrRemovesTheFile) {
  RegisterCluster();
  auto store = [&](const wire::LocatedChunk& chunk, int64_t length) {
    for (const wire::DatanodeInfo& d : chunk.replicas) {
      ASSERT_TRUE(client_->ChunkReceived(d.id, Replica(chunk, length)).ok());
    }
  };
  ASSERT_TRUE(client_->Create("/d/empty", 3, kChunkSize, "w1", "").ok());  // No chunk.
  ASSERT_TRUE(client_->Create("/d/unstored", 3, kChunkSize, "w2", "host-a1").ok());
  ASSERT_TRUE(client_->AddChunk("/d/unstored", "w2").ok());  // Never stored anywhere.
  // Chunk 1 whole, chunk 2 only partly copied (the writer died filling
  // it), chunk 3 stored: only chunk 1 is a prefix the file can keep.
  ASSERT_TRUE(client_->Create("/d/partial", 3, kChunkSize, "w3", "host-a1").ok());
  std::vector<wire::LocatedChunk> chunks;
  for (int i = 0; i < 3; ++i) {
    auto chunk = client_->AddChunk("/d/partial", "w3");
    ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
    chunks.push_back(*chunk);
  }
  store(chunks[0], kChunkSize);
  store(chunks[1], 4096);
  store(chunks[2], 100);

  ASSERT_TRUE(HeartbeatUntil([&] {
    return IsGone("/d/empty") && IsGone("/d/unstored") && IsClosed("/d/partial");
  }));
  EXPECT_TRUE(client_->Stat("/d")->is_dir);
  auto partial = client_->Stat("/d/partial");
  ASSERT_TRUE(partial.ok());
  EXPECT_TRUE(partial->incomplete);
  EXPECT_EQ(partial->length, kChunkSize);
  auto located = client_->GetChunkLocations("/d/partial", 0, INT64_MAX, true);
  ASSERT_TRUE(located.ok());
  ASSERT_EQ(located->size(), 1u);
  EXPECT_EQ((*located)[0].chunk_id, chunks[0].chunk_id);
  // The replicas of the dropped chunks are deleted.
  ASSERT_TRUE(HeartbeatUntil([&] {
    for (int i : {1, 2}) {
      for (const wire::DatanodeInfo& d : chunks[i].replicas) {
        if (!FindCommand(d.id, wire::DatanodeCommandKind::DELETE, chunks[i].chunk_id)) {
          return false;
        }
      }
    }
    return true;
  }));
  // The writers that come back find their files gone or not theirs.
  EXPECT_TRUE(client_->Complete("/d/unstored", "w2", 0).status().IsNotFound());
  EXPECT_EQ(client_->Complete("/d/partial", "w3", 100).status().code(), Status::Code::kAborted);
}

TEST_F(LeaseTest, RecoverySurvivesRestart) {
  RegisterCluster();
  ASSERT_TRUE(client_->Create("/r", 3, kChunkSize, "w", "host-a1").ok());
  auto chunk = client_->AddChunk("/r", "w");
  ASSERT_TRUE(chunk.ok());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client_->ChunkReceived(chunk->replicas[i].id, Replica(*chunk, 777)).ok());
  }
  ASSERT_TRUE(HeartbeatUntil([&] { return IsClosed("/r"); }));

  // A second file, still open when the master restarts (no heartbeat, so no
  // lease check, runs in between).
  ASSERT_TRUE(client_->Create("/u", 3, kChunkSize, "w2", "host-a1").ok());
  auto open = client_->AddChunk("/u", "w2");
  ASSERT_TRUE(open.ok());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client_->ChunkReceived(open->replicas[i].id, Replica(*open, 1234)).ok());
  }
  RestartServer();
  auto r = client_->Stat("/r");  // The recovery was logged.
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->under_construction);
  EXPECT_TRUE(r->incomplete);
  EXPECT_EQ(r->length, 777);
  EXPECT_TRUE(client_->Stat("/u")->under_construction);

  // The datanodes come back and report; the open file's lease, restarted
  // with the master, expires and the file is recovered from the reports.
  std::map<std::string, std::vector<wire::ChunkReplicaInfo>> reports;
  for (int i = 0; i < 2; ++i) {
    reports[chunk->replicas[i].id].push_back(Replica(*chunk, 777));
    reports[open->replicas[i].id].push_back(Replica(*open, 1234));
  }
  for (const std::string& id : live_) {
    ASSERT_TRUE(client_->RegisterDatanode(Node(id, id[0] == 'a' ? "/r1" : "/r2", 9001)).ok());
    ASSERT_TRUE(client_->ChunkReport(id, reports[id]).ok());
  }
  ASSERT_TRUE(HeartbeatUntil([&] { return IsClosed("/u"); }));
  EXPECT_EQ(client_->Stat("/u")->length, 1234);
  EXPECT_EQ(Holders("/r").size(), 2u);

  RestartServer();
  auto u = client_->Stat("/u");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_FALSE(u->under_construction);
  EXPECT_TRUE(u->incomplete);
  EXPECT_EQ(u->length, 1234);
}

TEST_F(MasterServiceTest, GarbageAndOversizedFramesDoNotKillTheServer) {
  testing::SendRawTcp(server_->port(), "this is not thrift at all\r\n\r\n");
  testing::SendRawTcp(server_->port(), std::string("\x7f\xff\xff\xff", 4) + "xxxx");  // 2 GiB frame.
  testing::SendRawTcp(server_->port(), std::string("\x01\x00\x00\x01", 4));          // 16 MiB + 1.
  std::string frame = "\x82\x21\x01\x04StatXXXXXXXXXXXXXXXXXXXXXXXX";  // Truncated call.
  uint32_t length = htonl(frame.size());
  testing::SendRawTcp(server_->port(), std::string(reinterpret_cast<char*>(&length), 4) + frame);
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
    return Eventually([&] {
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
    bool reaped = Eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; });
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
