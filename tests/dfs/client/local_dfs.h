// LocalDfs: a local cluster of DFS daemon processes for integration tests,
// started with `mrcluster up` (one master and racks x nodes_per_rack
// datanodes on 127.0.0.1 with ephemeral ports) and always taken down by the
// destructor (mrcluster down, then SIGKILL of any daemon of this cluster
// still running, found by its pid file and checked by its command line).
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cluster/cluster_config.h"
#include "cluster/daemon_process.h"
#include "common/file.h"
#include "dfs/client/dfs_client_types.h"
#include "dfs/master/master_client.h"
#include "test_util.h"

namespace mr::testing {

// The clusters' chunk size unless Up() says otherwise.
constexpr int64_t kLocalDfsChunk = 1 << 20;

// Why the daemons cannot run here, or "" if they can.
inline std::string MissingDfsDaemons() {
  for (const char* name : {"dfs_master", "dfs_datanode", "mrcluster", "mrdfs"}) {
    if (!PathExists(BinPath(name))) return std::string(name) + " is not built";
  }
  CommandResult help = RunCommand(Quote(BinPath("dfs_datanode")) + " --help", 20);
  if ((help.out + help.err).find("--master") == std::string::npos) {
    return "dfs_datanode has no --master flag yet";
  }
  return "";
}

// True once the local file `path` is gone or no longer holds `bytes` (a
// corrupt replica the master had deleted, maybe re-replicated with the
// right bytes), polling for at most `timeout`.
inline bool EventuallyNotHolding(const std::string& path, const std::string& bytes,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  return Eventually([&] {
    Result<std::string> now = ReadFileToString(path);
    return !now.ok() || *now != bytes;
  }, timeout);
}

// A local cluster of processes, always taken down by the destructor.
class LocalDfs {
 public:
  LocalDfs() : dir_(tmp_.Join("cluster")) {}
  ~LocalDfs() { Down(); }

  // mrcluster up: the DFS alone, or with `scheduler` also a resource manager
  // and a node manager per datanode; `extra` goes to mrcluster as is (e.g.
  // "--master_flags=--dfs_lease_timeout_ms=2000"). The result says why it
  // failed.
  CommandResult Up(int racks = 2, int nodes_per_rack = 2, int64_t chunk_size = kLocalDfsChunk,
                   bool scheduler = false, const std::string& extra = "") {
    up_ = true;
    return RunCommand(Quote(BinPath("mrcluster")) + " up " +
                          (scheduler ? "--scheduler" : "--noscheduler") + " --dir " + Quote(dir_) +
                          " --racks " + std::to_string(racks) + " --nodes-per-rack " +
                          std::to_string(nodes_per_rack) + " --chunk-size " +
                          std::to_string(chunk_size) + " " + extra,
                      90);
  }

  // mrcluster start of one node (after KillNode); the result says why it
  // failed.
  CommandResult StartNode(const std::string& node_id) {
    return RunCommand(Quote(BinPath("mrcluster")) + " start --dir " + Quote(dir_) + " " + node_id,
                      60);
  }

  // mrdfs on this cluster.
  CommandResult Mrdfs(const std::string& args, int timeout_s = 60) const {
    return RunCommand(Quote(BinPath("mrdfs")) + " --cluster " + Quote(dir_) + " " + args,
                      timeout_s);
  }

  // A client of the master, for raw RPCs (no client-side checks).
  Result<std::unique_ptr<dfs::MasterClient>> ConnectToMaster() const {
    ASSIGN_OR_RETURN(cluster::ClusterConfig config, cluster::LoadConfig(dir_));
    return dfs::MasterClient::Connect(config.Master()->host, config.Master()->port);
  }

  // Kills datanode `node_id` and starts it again on the command line
  // mrcluster gives it (cluster/local_cluster.cc, DaemonArgs) plus
  // `extra_flags`, with its pid file and log where mrcluster keeps them (so
  // Down() stops it); returns once its data port is open.
  Status RestartDatanode(const std::string& node_id, const std::vector<std::string>& extra_flags) {
    ASSIGN_OR_RETURN(cluster::ClusterConfig config, cluster::LoadConfig(dir_));
    const cluster::NodeConfig* node = config.Find(node_id);
    if (node == nullptr || node->role != cluster::Role::kDatanode) {
      return Status::NotFound("no datanode " + node_id);
    }
    KillNode(node_id);
    const cluster::NodeConfig& master = *config.Master();
    std::vector<std::string> args = {"--dir=" + JoinPath(node->data_dir, "data"),
                                     "--port=" + std::to_string(node->port),
                                     "--bind=" + node->host,
                                     "--host=" + node->host,
                                     "--id=" + node->id,
                                     "--rack=" + node->rack,
                                     "--master=" + master.host + ":" + std::to_string(master.port)};
    args.insert(args.end(), extra_flags.begin(), extra_flags.end());
    RETURN_NOT_OK(cluster::StartDaemon(BinPath("dfs_datanode"), args,
                                       JoinPath(node->data_dir, "log"),
                                       JoinPath(node->data_dir, "pid"))
                      .status());
    if (!cluster::WaitForPort(node->host, node->port, 20000)) {
      return Status::Unavailable(node_id + " did not come back");
    }
    return Status::OK();
  }

  // The datanodes as the master sees them.
  Result<std::vector<dfs::wire::DatanodeStatus>> ListDatanodes() const {
    ASSIGN_OR_RETURN(std::unique_ptr<dfs::MasterClient> master, ConnectToMaster());
    return master->ListDatanodes();
  }

  void Down() {
    if (!up_) return;
    up_ = false;
    (void)RunCommand(Quote(BinPath("mrcluster")) + " down --dir " + Quote(dir_), 60);
    // Whatever is left of this cluster (its pid files name the processes).
    for (const std::string& node : ListDir(dir_)) KillNode(node);
  }

  // SIGKILL of one daemon of this cluster, by the pid in its pid file, if
  // that process still runs one of our daemons on this cluster's directory.
  bool KillNode(const std::string& node_id) {
    Result<std::string> pid_text = ReadFileToString(JoinPath(JoinPath(dir_, node_id), "pid"));
    if (!pid_text.ok()) return false;
    pid_t pid = static_cast<pid_t>(std::atol(pid_text->c_str()));
    if (pid <= 0) return false;
    std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (args.find(dir_ + "/") == std::string::npos) return false;
    if (::kill(pid, SIGKILL) != 0) return false;
    for (int i = 0; i < 200 && ::kill(pid, 0) == 0; ++i) {
      std::ifstream status("/proc/" + std::to_string(pid) + "/stat");
      std::string line;
      std::getline(status, line);
      if (line.find(") Z ") != std::string::npos) break;  // A zombie: dead.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  const std::string& dir() const { return dir_; }
  std::string Join(const std::string& name) const { return tmp_.Join(name); }

  // The file holding a replica's bytes on its datanode.
  std::string ChunkDataPath(const std::string& node_id, const dfs::DfsChunk& chunk) const {
    Result<cluster::ClusterConfig> config = cluster::LoadConfig(dir_);
    if (!config.ok() || config->Find(node_id) == nullptr) return "";
    return JoinPath(
        JoinPath(config->Find(node_id)->data_dir, "data/chunks"),
        std::to_string(chunk.chunk_id) + "_" + std::to_string(chunk.generation) + ".data");
  }

 private:
  ScopedTempDir tmp_;
  const std::string dir_;
  bool up_ = false;
};

}  // namespace mr::testing
