#include "cluster/local_cluster.h"

#include <signal.h>

#include <chrono>
#include <thread>

#include "cluster/daemon_process.h"
#include "common/file.h"
#include "common/json_writer.h"
#include "dfs/master/master_client.h"

namespace mr::cluster {

namespace {

constexpr int kStopGraceMs = 10000;

std::string BinaryOf(Role role) {
  return role == Role::kMaster ? "dfs_master" : "dfs_datanode";
}

std::string PidPath(const NodeConfig& node) { return JoinPath(node.data_dir, "pid"); }

std::string Address(const NodeConfig& node) { return node.host + ":" + std::to_string(node.port); }

// The command line of a node's daemon.
std::vector<std::string> DaemonArgs(const ClusterConfig& config, const NodeConfig& node) {
  std::vector<std::string> args = {"--dir=" + JoinPath(node.data_dir, "data"),
                                   "--port=" + std::to_string(node.port)};
  if (node.role == Role::kMaster) {
    args.push_back("--host=" + node.host);
  } else {
    args.push_back("--bind=" + node.host);
    args.push_back("--host=" + node.host);
    args.push_back("--id=" + node.id);
    args.push_back("--rack=" + node.rack);
    args.push_back("--master=" + Address(*config.Master()));
  }
  return args;
}

Status StartOne(const ClusterConfig& config, const NodeConfig& node) {
  if (LiveDaemonPid(PidPath(node), BinaryOf(node.role)) != 0) {
    return Status::AlreadyExists(node.id + " is already running");
  }
  RETURN_NOT_OK(CreateDirs(JoinPath(node.data_dir, "data")));
  std::string binary = JoinPath(ExecutableDir(), BinaryOf(node.role));
  return StartDaemon(binary, DaemonArgs(config, node), JoinPath(node.data_dir, "log"),
                     PidPath(node))
      .status()
      .Prepend("start " + node.id);
}

Status WaitReady(const NodeConfig& node, int timeout_ms) {
  if (!WaitForPort(node.host, node.port, timeout_ms)) {
    return Status::Unavailable(node.id + " did not start listening on " + Address(node) +
                               " (see " + JoinPath(node.data_dir, "log") + ")");
  }
  return Status::OK();
}

Result<NodeConfig> FindNode(const ClusterConfig& config, const std::string& id) {
  const NodeConfig* node = config.Find(id);
  if (node == nullptr) return Status::NotFound("no node '" + id + "' in the cluster");
  return *node;
}

// Waits until the master counts every datanode in `config` as live and
// placeable (it has heartbeated since registering): only then can a client
// write with full replication.
Status WaitForDatanodes(const ClusterConfig& config, int timeout_ms) {
  const NodeConfig& master = *config.Master();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t expected = 0;
  for (const NodeConfig& node : config.nodes) expected += node.role == Role::kDatanode;
  size_t ready = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto client = dfs::MasterClient::Connect(master.host, master.port);
    if (client.ok()) {
      auto nodes = (*client)->ListDatanodes();
      if (nodes.ok()) {
        ready = 0;
        for (const auto& n : *nodes) ready += n.alive && n.heartbeated && config.Find(n.info.id);
        if (ready >= expected) return Status::OK();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Unavailable("only " + std::to_string(ready) + " of " + std::to_string(expected) +
                             " datanodes registered with the master in time");
}

Status StartAll(const ClusterConfig& config, int ready_timeout_ms) {
  // The master first: datanodes register with it as they start.
  const NodeConfig& master = *config.Master();
  RETURN_NOT_OK(StartOne(config, master));
  RETURN_NOT_OK(WaitReady(master, ready_timeout_ms));
  for (const NodeConfig& node : config.nodes) {
    if (node.role != Role::kMaster) RETURN_NOT_OK(StartOne(config, node));
  }
  for (const NodeConfig& node : config.nodes) RETURN_NOT_OK(WaitReady(node, ready_timeout_ms));
  return WaitForDatanodes(config, ready_timeout_ms);
}

}  // namespace

Status Up(const UpOptions& options) {
  if (PathExists(ConfigPath(options.dir))) {
    return Status::AlreadyExists("a cluster already exists in " + options.dir +
                                 " (mrcluster start/down manage it)");
  }
  RETURN_NOT_OK(CreateDirs(options.dir));
  ClusterConfig config;
  config.settings["chunk_size"] = std::to_string(options.chunk_size);
  auto add = [&](Role role, const std::string& id, const std::string& rack) -> Status {
    ASSIGN_OR_RETURN(int port, PickFreePort(options.host));
    config.nodes.push_back({role, id, options.host, port, rack, JoinPath(options.dir, id), {}});
    return Status::OK();
  };
  RETURN_NOT_OK(add(Role::kMaster, "master", ""));
  for (int r = 1; r <= options.racks; ++r) {
    for (int n = 1; n <= options.nodes_per_rack; ++n) {
      RETURN_NOT_OK(add(Role::kDatanode, "dn-" + std::to_string(r) + "-" + std::to_string(n),
                        "/r" + std::to_string(r)));
    }
  }
  RETURN_NOT_OK(WriteStringToFile(ConfigPath(options.dir), config.Serialize(), /*sync=*/true));
  Status s = StartAll(config, options.ready_timeout_ms);
  if (!s.ok()) {
    // Leave no half-made cluster behind: a later `up` starts afresh.
    (void)Down(options.dir);
    for (const NodeConfig& node : config.nodes) (void)RemoveAll(node.data_dir);
    (void)RemoveAll(ConfigPath(options.dir));
  }
  return s;
}

Result<std::vector<NodeStatus>> GetStatus(const std::string& dir) {
  ASSIGN_OR_RETURN(ClusterConfig config, LoadConfig(dir));
  std::vector<NodeStatus> nodes;
  for (const NodeConfig& node : config.nodes) {
    nodes.push_back({node, LiveDaemonPid(PidPath(node), BinaryOf(node.role))});
  }
  return nodes;
}

std::string FormatStatus(const std::vector<NodeStatus>& nodes, bool json) {
  if (json) {
    JsonWriter out;
    out.BeginObject().Key("nodes").BeginArray();
    for (const NodeStatus& s : nodes) {
      out.BeginObject()
          .Key("role").String(RoleName(s.node.role))
          .Key("id").String(s.node.id)
          .Key("rack").String(s.node.rack)
          .Key("address").String(Address(s.node))
          .Key("pid").Int(s.pid)
          .Key("alive").Bool(s.pid != 0)
          .EndObject();
    }
    out.EndArray().EndObject();
    return out.str() + "\n";
  }
  char line[256];
  std::snprintf(line, sizeof(line), "%-9s %-10s %-6s %-21s %-8s %s\n", "ROLE", "ID", "RACK",
                "ADDRESS", "PID", "ALIVE");
  std::string text = line;
  for (const NodeStatus& s : nodes) {
    std::snprintf(line, sizeof(line), "%-9s %-10s %-6s %-21s %-8s %s\n", RoleName(s.node.role),
                  s.node.id.c_str(), s.node.rack.empty() ? "-" : s.node.rack.c_str(),
                  Address(s.node).c_str(), s.pid ? std::to_string(s.pid).c_str() : "-",
                  s.pid ? "yes" : "no");
    text += line;
  }
  return text;
}

Status StartNode(const std::string& dir, const std::string& id, int ready_timeout_ms) {
  ASSIGN_OR_RETURN(ClusterConfig config, LoadConfig(dir));
  ASSIGN_OR_RETURN(NodeConfig node, FindNode(config, id));
  RETURN_NOT_OK(StartOne(config, node));
  return WaitReady(node, ready_timeout_ms);
}

Status KillNode(const std::string& dir, const std::string& id) {
  ASSIGN_OR_RETURN(ClusterConfig config, LoadConfig(dir));
  ASSIGN_OR_RETURN(NodeConfig node, FindNode(config, id));
  pid_t pid = LiveDaemonPid(PidPath(node), BinaryOf(node.role));
  if (pid == 0) return Status::NotFound(id + " is not running");
  return StopDaemon(pid, SIGKILL, kStopGraceMs);
}

Status Down(const std::string& dir) {
  ASSIGN_OR_RETURN(ClusterConfig config, LoadConfig(dir));
  Status first_error;
  // Datanodes first, the master last, so no datanode sees its master vanish.
  for (auto it = config.nodes.rbegin(); it != config.nodes.rend(); ++it) {
    pid_t pid = LiveDaemonPid(PidPath(*it), BinaryOf(it->role));
    if (pid == 0) continue;
    Status s = StopDaemon(pid, SIGTERM, kStopGraceMs);
    if (!s.ok() && first_error.ok()) first_error = s.Prepend("stop " + it->id);
  }
  return first_error;
}

}  // namespace mr::cluster
