// DFS integrity under abuse (issue 13), against a real local cluster
// (local_dfs.h: 2 racks x 2 datanodes, 1 MiB chunks), each test its own:
//  - a writer killed mid-file, or failing while the master is down, leaves
//    a file that ls, stat and fsck show INCOMPLETE with the recovered
//    length (or no file, when nothing was stored), never a closed,
//    healthy-looking short one; put -f keeps the old file until the new
//    one is closed;
//  - replica files deleted or cut short under a running datanode are noticed
//    in seconds and replaced;
//  - a restarted master rejoins membership through the members it saw, so
//    a datanode killed afterwards is declared dead by membership;
//  - a namespace at the depth and size limits survives restarts,
//    checkpoints and fsck; requests past them are refused by the master;
//  - names with control characters print escaped, and exactly in --json.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cluster/cluster_config.h"
#include "cluster/daemon_process.h"
#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "dfs/master/dfs_path.h"
#include "tests/dfs/client/dfs_cluster_test.h"
#include "test_util.h"

namespace mr::dfs {
namespace {

using mr::testing::BinPath;
using mr::testing::CommandResult;
using mr::testing::Eventually;
using mr::testing::Quote;
using mr::testing::RandomBytes;

constexpr int64_t kChunk = mr::testing::kLocalDfsChunk;
// Short leases, a short startup grace and quick re-registration, so that
// lease recovery after a kill takes seconds, not minutes.
const char kFastRecovery[] =
    "--master_flags=--dfs_lease_timeout_ms=1500,--dfs_master_startup_grace_ms=2000 "
    "--datanode_flags=--dfs_datanode_register_backoff_max_ms=300";

class IntegrityITest : public mr::testing::DfsClusterTest {
 protected:
  // A dfs_test_writer process.
  struct Writer {
    pid_t pid = -1;
    std::string log;
    std::string go_file;
  };

  ~IntegrityITest() override {
    for (const Writer& w : writers_) {
      ::kill(w.pid, SIGKILL);
      ::waitpid(w.pid, nullptr, 0);
    }
  }

  // Starts a writer of `bytes` bytes (RandomBytes(bytes, seed)) to `path`
  // that stops after `pause_at` bytes until Go(); -1: never.
  Writer StartWriter(const std::string& path, int64_t bytes, uint64_t seed, int64_t pause_at,
                     bool overwrite = false, const std::vector<std::string>& flags = {}) {
    Writer w;
    const std::string dir = cluster_.Join("writer-" + std::to_string(writers_.size()));
    EXPECT_TRUE(CreateDirs(dir).ok());
    w.log = JoinPath(dir, "log");
    w.go_file = JoinPath(dir, "go");
    std::vector<std::string> args = {"--cluster=" + cluster_.dir(), "--path=" + path,
                                     "--bytes=" + std::to_string(bytes),
                                     "--seed=" + std::to_string(seed),
                                     "--pause_at=" + std::to_string(pause_at),
                                     "--go_file=" + w.go_file,
                                     overwrite ? "--overwrite" : "--nooverwrite"};
    args.insert(args.end(), flags.begin(), flags.end());
    Result<pid_t> pid =
        cluster::StartDaemon(BinPath("dfs_test_writer"), args, w.log, JoinPath(dir, "pid"));
    EXPECT_TRUE(pid.ok()) << pid.status().ToString();
    if (pid.ok()) w.pid = *pid;
    writers_.push_back(w);
    return w;
  }

  bool LogHas(const Writer& w, const std::string& text) {
    Result<std::string> log = ReadFileToString(w.log);
    return log.ok() && log->find(text) != std::string::npos;
  }

  void WaitPaused(const Writer& w) {
    ASSERT_TRUE(Eventually([&] { return LogHas(w, "PAUSED"); }, std::chrono::seconds(60)))
        << *ReadFileToString(w.log);
  }

  void Kill(const Writer& w) {
    ASSERT_EQ(::kill(w.pid, SIGKILL), 0);
    ASSERT_EQ(::waitpid(w.pid, nullptr, 0), w.pid);
  }

  // Lets a paused writer go on and returns its exit code.
  int GoAndWait(const Writer& w) {
    EXPECT_TRUE(WriteStringToFile(w.go_file, "", false).ok());
    int status = 0;
    EXPECT_TRUE(Eventually([&] { return ::waitpid(w.pid, &status, WNOHANG) == w.pid; },
                           std::chrono::seconds(120)));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  void RestartMaster() {
    ASSERT_TRUE(cluster_.KillNode("master"));
    CommandResult started = cluster_.StartNode("master");
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  }

  Result<DfsFileStatus> Stat(const std::string& path) { return client_->Stat(path); }

  // Waits until lease recovery has closed `path`; returns its status.
  DfsFileStatus WaitRecovered(const std::string& path) {
    DfsFileStatus out;
    EXPECT_TRUE(Eventually([&] {
      Result<DfsFileStatus> s = Stat(path);
      if (s.ok()) out = *s;
      return s.ok() && !s->under_construction;
    }, std::chrono::seconds(60))) << path;
    return out;
  }

  // The bytes of the replicas of `path` on the datanodes' disks, in file
  // order (a file readers are refused, read as fsck would see it).
  std::string StoredBytes(const std::string& path) {
    Result<std::vector<DfsChunk>> chunks = client_->GetChunkLocations(path, 0, INT64_MAX, true);
    EXPECT_TRUE(chunks.ok()) << chunks.status().ToString();
    std::string all;
    for (const DfsChunk& c : chunks.ok() ? *chunks : std::vector<DfsChunk>()) {
      if (c.replicas.empty()) return "(no replica of chunk " + std::to_string(c.chunk_id) + ")";
      Result<std::string> bytes =
          ReadFileToString(cluster_.ChunkDataPath(c.replicas[0].node_id, c));
      if (!bytes.ok()) return bytes.status().ToString();
      all += *bytes;
    }
    return all;
  }

  CommandResult Mrdfs(const std::string& args) { return cluster_.Mrdfs(args); }

  std::vector<Writer> writers_;
};

TEST_F(IntegrityITest, KilledWriterLeavesAnIncompleteFileOrNone) {
  StartCluster(2, 2, kFastRecovery);
  if (HasFatalFailure() || IsSkipped()) return;
  const int64_t size = 4 * kChunk;
  const int64_t written = 2 * kChunk + kChunk / 2;  // Chunks 1 and 2 stored, 3 in flight.
  Writer partial = StartWriter("/w/partial", size, 7, written);
  Writer nothing = StartWriter("/w/nothing", size, 8, 1000);  // Its first chunk never finishes.
  WaitPaused(partial);
  WaitPaused(nothing);
  Kill(partial);
  Kill(nothing);

  DfsFileStatus st = WaitRecovered("/w/partial");
  EXPECT_TRUE(st.incomplete);
  EXPECT_EQ(st.length, 2 * kChunk);
  EXPECT_EQ(StoredBytes("/w/partial"), RandomBytes(size, 7).substr(0, 2 * kChunk));
  ASSERT_TRUE(Eventually([&] { return Stat("/w/nothing").status().IsNotFound(); },
                         std::chrono::seconds(30)));

  CommandResult ls = Mrdfs("ls /w");
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("/w/partial (INCOMPLETE: its writer never closed it)"), std::string::npos)
      << ls.out;
  EXPECT_NE(Mrdfs("ls --json /w").out.find("\"incomplete\":true"), std::string::npos);
  CommandResult stat = Mrdfs("stat /w/partial");
  EXPECT_EQ(stat.exit_code, 0) << stat.err;
  EXPECT_NE(stat.out.find("state: INCOMPLETE: its writer never closed it; lease recovery kept " +
                          std::to_string(2 * kChunk) + " bytes"),
            std::string::npos)
      << stat.out;
  CommandResult fsck = Mrdfs("fsck /");
  EXPECT_EQ(fsck.exit_code, 1) << fsck.out;
  EXPECT_NE(fsck.out.find("/w/partial: INCOMPLETE"), std::string::npos) << fsck.out;
  EXPECT_NE(fsck.out.find("status: INCOMPLETE"), std::string::npos) << fsck.out;
  CommandResult cat = Mrdfs("cat /w/partial");
  EXPECT_EQ(cat.exit_code, 1);
  EXPECT_NE(cat.err.find("is incomplete"), std::string::npos) << cat.err;
  EXPECT_EQ(cat.out, "");
  // Removing it is the repair; fsck is then clean.
  ASSERT_EQ(Mrdfs("rm /w/partial").exit_code, 0);
  CommandResult clean = Mrdfs("fsck /");
  EXPECT_EQ(clean.exit_code, 0) << clean.out;
  EXPECT_NE(clean.out.find("status: HEALTHY"), std::string::npos) << clean.out;
}

TEST_F(IntegrityITest, WriteFailingWhileTheMasterIsDownIsIncompleteNotTruncated) {
  StartCluster(2, 2, kFastRecovery);
  if (HasFatalFailure() || IsSkipped()) return;
  const int64_t size = 4 * kChunk + kChunk / 2;
  Writer w = StartWriter("/m/f", size, 9, 2 * kChunk + kChunk / 2, false,
                         {"--dfs_client_master_retry_ms=1000"});
  WaitPaused(w);
  ASSERT_TRUE(cluster_.KillNode("master"));
  // The writer finishes chunk 3 (the datanodes need no master), then cannot
  // get chunk 4, and cannot delete its file either: it fails.
  EXPECT_EQ(GoAndWait(w), 1);
  EXPECT_TRUE(LogHas(w, "FAILED")) << *ReadFileToString(w.log);
  CommandResult started = cluster_.StartNode("master");
  ASSERT_EQ(started.exit_code, 0) << started.err;

  DfsFileStatus st = WaitRecovered("/m/f");
  EXPECT_TRUE(st.incomplete);
  EXPECT_EQ(st.length % kChunk, 0) << st.length;
  EXPECT_GE(st.length, 2 * kChunk);
  EXPECT_LT(st.length, size);
  EXPECT_EQ(StoredBytes("/m/f"), RandomBytes(size, 9).substr(0, st.length));
  CommandResult fsck = Mrdfs("fsck /m");
  EXPECT_EQ(fsck.exit_code, 1) << fsck.out;
  EXPECT_NE(fsck.out.find("/m/f: INCOMPLETE"), std::string::npos) << fsck.out;
  EXPECT_EQ(Mrdfs("cat /m/f").exit_code, 1);
  // The recovery is durable: a master restart keeps the file incomplete.
  RestartMaster();
  EXPECT_TRUE(Stat("/m/f")->incomplete);
}

TEST_F(IntegrityITest, PutForceKeepsTheOldFileUntilTheNewOneIsClosed) {
  StartCluster(2, 2, kFastRecovery);
  if (HasFatalFailure() || IsSkipped()) return;
  const std::string old_data = RandomBytes(kChunk + 12345, 1);
  const std::string local_old = cluster_.Join("old");
  ASSERT_TRUE(WriteStringToFile(local_old, old_data, false).ok());
  ASSERT_EQ(Mrdfs("put " + Quote(local_old) + " /p/f").exit_code, 0);
  const int64_t size = 3 * kChunk;

  // put -f killed mid-write: the old file is untouched.
  Writer killed = StartWriter("/p/f", size, 2, 2 * kChunk + 10, /*overwrite=*/true);
  WaitPaused(killed);
  EXPECT_EQ(Mrdfs("cat /p/f").out, old_data);
  Kill(killed);
  // put -f failing while the master is down: the same.
  Writer failed = StartWriter("/p/f", size, 3, 2 * kChunk + 10, /*overwrite=*/true,
                              {"--dfs_client_master_retry_ms=1000",
                               "--dfs_client_complete_timeout_ms=1000"});
  WaitPaused(failed);
  ASSERT_TRUE(cluster_.KillNode("master"));
  EXPECT_EQ(GoAndWait(failed), 1);
  ASSERT_EQ(cluster_.StartNode("master").exit_code, 0);
  EXPECT_EQ(Mrdfs("cat /p/f").out, old_data);
  EXPECT_FALSE(Stat("/p/f")->incomplete);

  // Their hidden temporary files end incomplete, and fsck says so.
  std::vector<std::string> temps;
  ASSERT_TRUE(Eventually([&] {
    temps.clear();
    Result<std::vector<DfsFileStatus>> list = client_->List("/p");
    if (!list.ok()) return false;
    for (const DfsFileStatus& e : *list) {
      if (e.path == "/p/f") continue;
      EXPECT_EQ(e.path.rfind("/p/.f.put-", 0), 0u) << e.path;
      if (!e.incomplete) return false;
      temps.push_back(e.path);
    }
    return temps.size() == 2;
  }, std::chrono::seconds(60)));
  CommandResult fsck = Mrdfs("fsck /p");
  EXPECT_EQ(fsck.exit_code, 1) << fsck.out;
  for (const std::string& t : temps) EXPECT_NE(fsck.out.find(t + ": INCOMPLETE"), std::string::npos);

  // A put -f that succeeds replaces the file in one step.
  const std::string new_data = RandomBytes(2 * kChunk + 7, 4);
  const std::string local_new = cluster_.Join("new");
  ASSERT_TRUE(WriteStringToFile(local_new, new_data, false).ok());
  CommandResult put = Mrdfs("put -f " + Quote(local_new) + " /p/f");
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_EQ(Mrdfs("cat /p/f").out, new_data);
  Result<std::vector<DfsFileStatus>> list = client_->List("/p");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 3u) << "no temporary file left by a put -f that succeeded";
}

TEST_F(IntegrityITest, LostReplicasAreNoticedInSecondsAndReplaced) {
  StartCluster();
  if (HasFatalFailure() || IsSkipped()) return;
  const std::string data = RandomBytes(3 * kChunk, 11);
  const std::string local = cluster_.Join("data");
  ASSERT_TRUE(WriteStringToFile(local, data, false).ok());
  ASSERT_EQ(Mrdfs("put " + Quote(local) + " /l/x").exit_code, 0);
  ASSERT_EQ(Mrdfs("put " + Quote(local) + " /l/y").exit_code, 0);
  Result<std::vector<DfsChunk>> x = client_->GetChunkLocations("/l/x");
  Result<std::vector<DfsChunk>> y = client_->GetChunkLocations("/l/y");
  ASSERT_TRUE(x.ok() && y.ok());
  ASSERT_EQ(x->size(), 3u);
  for (const DfsChunk& c : *x) ASSERT_EQ(c.replicas.size(), 3u);

  // /l/x: one replica of each chunk damaged a different way: its data file
  // deleted, its data file cut in half, its meta file deleted.
  std::vector<std::pair<std::string, int64_t>> damaged;  // Node, chunk id.
  for (size_t i = 0; i < 3; ++i) {
    const DfsChunk& c = (*x)[i];
    const std::string node = c.replicas[i % c.replicas.size()].node_id;
    const std::string data_path = cluster_.ChunkDataPath(node, c);
    damaged.emplace_back(node, c.chunk_id);
    if (i == 0) {
      ASSERT_EQ(::unlink(data_path.c_str()), 0);
    } else if (i == 1) {
      ASSERT_EQ(::truncate(data_path.c_str(), kChunk / 2), 0);
    } else {
      std::string meta = data_path.substr(0, data_path.size() - 4) + "meta";
      ASSERT_EQ(::unlink(meta.c_str()), 0);
    }
  }
  // /l/y: every replica of its first chunk deleted: nothing to copy from.
  for (const DfsReplica& r : (*y)[0].replicas) {
    ASSERT_EQ(::unlink(cluster_.ChunkDataPath(r.node_id, (*y)[0]).c_str()), 0);
  }
  const auto damage_time = std::chrono::steady_clock::now();

  // fsck reports the chunk of /l/y missing within 10 s.
  CommandResult fsck;
  ASSERT_TRUE(Eventually([&] {
    fsck = Mrdfs("fsck --json /l");
    return fsck.out.find("\"missing\":1,") != std::string::npos;
  }, std::chrono::seconds(10))) << fsck.out;
  EXPECT_EQ(fsck.exit_code, 1);
  // Every chunk of /l/x is back at 3 good replicas within 30 s, none of
  // them a damaged one (unless re-copied since).
  ASSERT_TRUE(Eventually([&] {
    Result<std::vector<DfsChunk>> now = client_->GetChunkLocations("/l/x");
    if (!now.ok()) return false;
    for (const DfsChunk& c : *now) {
      if (c.replicas.size() != 3) return false;
      for (const DfsReplica& r : c.replicas) {
        Result<std::string> bytes = ReadFileToString(cluster_.ChunkDataPath(r.node_id, c));
        if (!bytes.ok() || *bytes != data.substr(c.offset, c.length)) return false;
      }
    }
    return true;
  }, std::chrono::seconds(30)));
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - damage_time);
  std::cout << "lost replicas of /l/x replaced " << took.count() << " ms after the damage\n";
  EXPECT_EQ(Mrdfs("cat /l/x").out, data);
  CommandResult x_fsck = Mrdfs("fsck /l/x");
  EXPECT_EQ(x_fsck.exit_code, 0) << x_fsck.out;
  EXPECT_NE(x_fsck.out.find("status: HEALTHY"), std::string::npos) << x_fsck.out;
}

TEST_F(IntegrityITest, RestartedMasterRejoinsMembershipAndHearsOfDeadDatanodes) {
  // A heartbeat timeout far beyond the test: only membership can notice.
  StartCluster(2, 2, "--master_flags=--dfs_heartbeat_timeout_ms=120000");
  if (HasFatalFailure() || IsSkipped()) return;
  auto alive_datanodes = [&] {
    Result<std::unique_ptr<MasterClient>> master = cluster_.ConnectToMaster();
    if (!master.ok()) return 0;
    Result<std::vector<wire::MemberStatus>> members = (*master)->ListMembers();
    int alive = 0;
    for (const wire::MemberStatus& m : members.ok() ? *members : std::vector<wire::MemberStatus>()) {
      alive += m.role == "datanode" && m.state == "alive";
    }
    return alive;
  };
  // Every datanode registered with the master (a node it does not know
  // cannot be declared dead).
  auto registered_datanodes = [&] {
    Result<std::vector<wire::DatanodeStatus>> nodes = cluster_.ListDatanodes();
    int live = 0;
    for (const auto& n : nodes.ok() ? *nodes : std::vector<wire::DatanodeStatus>()) {
      live += n.alive;
    }
    return live;
  };
  ASSERT_TRUE(Eventually([&] { return alive_datanodes() == 4; }, std::chrono::seconds(20)));
  RestartMaster();
  // The new master's view fills again through the members it remembered.
  ASSERT_TRUE(Eventually([&] { return alive_datanodes() == 4; }, std::chrono::seconds(20)));
  ASSERT_TRUE(Eventually([&] { return registered_datanodes() == 4; }, std::chrono::seconds(20)));
  ASSERT_TRUE(cluster_.KillNode("dn-1-1"));
  const auto killed = std::chrono::steady_clock::now();
  wire::DatanodeStatus dead;
  ASSERT_TRUE(Eventually([&] {
    Result<std::vector<wire::DatanodeStatus>> nodes = cluster_.ListDatanodes();
    if (!nodes.ok()) return false;
    for (const wire::DatanodeStatus& n : *nodes) {
      if (n.info.id == "dn-1-1" && !n.alive) dead = n;
    }
    return !dead.info.id.empty();
  }, std::chrono::seconds(30)));
  EXPECT_NE(dead.dead_reason.find("membership"), std::string::npos) << dead.dead_reason;
  std::cout << "dn-1-1 declared dead "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - killed).count()
            << " ms after its kill: " << dead.dead_reason << "\n";
}

// "/d/d/.../d", `depth` components.
std::string DeepPath(size_t depth, const std::string& prefix = "") {
  std::string path = prefix;
  for (size_t i = 0; i < depth; ++i) path += "/d";
  return path;
}

TEST_F(IntegrityITest, NamespaceAtTheLimitsSurvivesRestartsCheckpointsAndFsck) {
  StartCluster(2, 2, "--master_flags=--dfs_checkpoint_every_ops=50");
  if (HasFatalFailure() || IsSkipped()) return;
  // At the limits: a file 1000 components deep, one whose path is 4096
  // bytes of 255-byte components, and a few hundred entries beside them.
  const std::string deep_file = DeepPath(kMaxDfsPathDepth - 1) + "/f";
  std::string long_file = "/long";
  while (long_file.size() + 256 <= kMaxDfsPathBytes) long_file += "/" + std::string(255, 'n');
  long_file += "/" + std::string(kMaxDfsPathBytes - long_file.size() - 1, 'f');
  ASSERT_EQ(long_file.size(), kMaxDfsPathBytes);
  const std::string data = RandomBytes(kChunk + 99, 5);
  for (const std::string& path : {deep_file, long_file}) {
    Result<std::unique_ptr<DfsFileWriter>> w = client_->Create(path, {});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE((*w)->Write(data).ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(client_->Mkdirs("/wide/" + std::to_string(i)).ok());

  // Past the limits, through the raw RPC (no client-side check): refused
  // by the master, in one short line; the master lives on.
  Result<std::unique_ptr<MasterClient>> raw = cluster_.ConnectToMaster();
  ASSERT_TRUE(raw.ok());
  for (const std::string& bad :
       {"/" + std::string(300, 'x'), "/" + std::string(1 << 20, 'x'),
        "/" + std::string(15 << 20, 'x'), DeepPath(kMaxDfsPathDepth) + "/e", long_file + "x"}) {
    Status s = (*raw)->Mkdirs(bad);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString().substr(0, 200);
    EXPECT_LT(s.message().size(), 200u);
  }
  EXPECT_EQ((*raw)->Create("/x/" + std::string(256, 'c'), 3, kChunk, "c", "h").status().code(),
            Status::Code::kInvalidArgument);
  // The attack of issue 13, scaled: a deep tree moved under another one.
  const std::string half = DeepPath(kMaxDfsPathDepth / 2 + 1);
  ASSERT_EQ(Mrdfs("mkdir /t0" + half).exit_code, 0);
  ASSERT_EQ(Mrdfs("mkdir /t1" + half).exit_code, 0);
  CommandResult mv = Mrdfs("mv /t0 /t1" + half + "/t0");
  EXPECT_EQ(mv.exit_code, 1);
  EXPECT_NE(mv.err.find("components long (limits 4096 and 1000)"), std::string::npos) << mv.err;
  EXPECT_FALSE((*raw)->Rename("/t0", "/t1" + half + "/t0").ok());

  // kill -9 and restart twice: the first restart replays the log on top of
  // a checkpoint (one is written every 50 ops), the second a fresh one.
  for (int round = 0; round < 2; ++round) {
    RestartMaster();
    for (const std::string& path : {deep_file, long_file}) {
      Result<DfsFileStatus> st = Stat(path);
      ASSERT_TRUE(st.ok()) << st.status().ToString();
      EXPECT_EQ(st->length, static_cast<int64_t>(data.size()));
    }
    // Healthy once the datanodes have reported to the new master.
    CommandResult fsck;
    EXPECT_TRUE(Eventually([&] {
      fsck = Mrdfs("fsck /");
      return fsck.exit_code == 0 && fsck.out.find("status: HEALTHY") != std::string::npos;
    }, std::chrono::seconds(20))) << fsck.out.substr(fsck.out.size() - std::min<size_t>(400, fsck.out.size())) << fsck.err;
    EXPECT_NE(fsck.out.find("files: 2 "), std::string::npos) << fsck.out.substr(0, 400);
    CommandResult du = Mrdfs("du --json /");
    EXPECT_EQ(du.exit_code, 0) << du.err;
    EXPECT_NE(du.out.find("\"bytes\":" + std::to_string(2 * data.size())), std::string::npos)
        << du.out;
  }
  Result<std::vector<std::string>> logs = ListInputFiles(JoinPath(cluster_.dir(), "master/data"));
  ASSERT_TRUE(logs.ok());
  int checkpoints = 0;
  for (const std::string& f : *logs) checkpoints += BaseName(f).starts_with("checkpoint.");
  EXPECT_GE(checkpoints, 1);
  EXPECT_EQ(Mrdfs("cat " + deep_file).out, data);
  ASSERT_EQ(Mrdfs("rm -r /d").exit_code, 0);
}

TEST_F(IntegrityITest, NamesPrintEscapedAndExactInJson) {
  StartCluster();
  if (HasFatalFailure() || IsSkipped()) return;
  const std::string tricky = "/n/a\nb\x1b[31mred\xe2\x80\xae" "txt\\";
  ASSERT_TRUE(client_->Mkdirs(tricky).ok());
  CommandResult ls = Mrdfs("ls /n");
  EXPECT_EQ(ls.exit_code, 0);
  EXPECT_EQ(ls.out.find('\x1b'), std::string::npos) << "an escape reached the terminal";
  EXPECT_EQ(std::count(ls.out.begin(), ls.out.end(), '\n'), 1) << ls.out;
  EXPECT_NE(ls.out.find("/n/a\\nb\\033[31mred\\342\\200\\256txt\\\\"), std::string::npos) << ls.out;
  CommandResult json = Mrdfs("ls --json /n");
  EXPECT_NE(json.out.find("\"/n/a\\nb\\u001b[31mred\xe2\x80\xaetxt\\\\\""), std::string::npos)
      << json.out;
  CommandResult missing = Mrdfs("stat /n/x\x1b" "y");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err.find('\x1b'), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("/n/x\\033y"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace mr::dfs
