#include "cluster/local_cluster.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "cluster/daemon_process.h"
#include "common/file.h"
#include "common/json_writer.h"
#include "dfs/master/master_client.h"
#include "scheduler/client/rm_client.h"
#include "security/credential.h"
#include "security/key_material.h"
#include "security/process_security.h"

namespace mr::cluster {

namespace {

constexpr int kStopGraceMs = 10000;

std::string BinaryOf(Role role) {
  switch (role) {
    case Role::kMaster: return "dfs_master";
    case Role::kDatanode: return "dfs_datanode";
    case Role::kResourceManager: return "mr_resourcemanager";
    case Role::kNodeManager: return "mr_nodemanager";
  }
  return "";
}

std::string PidPath(const NodeConfig& node) { return JoinPath(node.data_dir, "pid"); }

std::string Address(const NodeConfig& node) { return node.host + ":" + std::to_string(node.port); }

// The command line of a node's daemon.
std::vector<std::string> DaemonArgs(const ClusterConfig& config, const NodeConfig& node) {
  std::vector<std::string> args = {"--dir=" + JoinPath(node.data_dir, "data"),
                                   "--port=" + std::to_string(node.port)};
  // Membership: every node with a membership port is a member; the DFS
  // master is the seed the others join through.
  const std::string& membership_port = node.Attribute("membership_port");
  if (!membership_port.empty()) {
    args.push_back("--membership");
    args.push_back("--membership_bind_host=" + node.host);
    args.push_back("--membership_port=" + membership_port);
    const NodeConfig& seed = *config.Master();
    if (&seed != &node && !seed.Attribute("membership_port").empty()) {
      args.push_back("--membership_seeds=" + seed.host + ":" + seed.Attribute("membership_port"));
    }
  }
  switch (node.role) {
    case Role::kMaster:
      args.push_back("--host=" + node.host);
      break;
    case Role::kResourceManager: {
      args.push_back("--host=" + node.host);
      args.push_back("--id=" + node.id);
      // The checkpoint every RM of the cluster shares (setting rm_state_dfs_path).
      auto state_path = config.settings.find("rm_state_dfs_path");
      if (state_path != config.settings.end()) {
        args.push_back("--rm_state_dfs_path=" + state_path->second);
        args.push_back("--rm_dfs_master=" + Address(*config.Master()));
      }
      std::string peers;
      for (const NodeConfig* rm : config.ResourceManagers()) {
        if (rm->id == node.id) continue;
        peers += (peers.empty() ? "" : ",") + Address(*rm);
      }
      if (!peers.empty()) args.push_back("--rm_peers=" + peers);
      if (node.IsStandby()) args.push_back("--rm_standby");
      break;
    }
    case Role::kDatanode:
      args.push_back("--bind=" + node.host);
      args.push_back("--host=" + node.host);
      args.push_back("--id=" + node.id);
      args.push_back("--rack=" + node.rack);
      args.push_back("--master=" + Address(*config.Master()));
      break;
    case Role::kNodeManager:
      args.push_back("--bind=" + node.host);
      args.push_back("--host=" + node.host);
      args.push_back("--id=" + node.id);
      args.push_back("--rack=" + node.rack);
      args.push_back("--dfs_master=" + Address(*config.Master()));
      // Every RM, the active one first: the NM fails over between them.
      if (config.ResourceManager()) args.push_back("--rm=" + config.ResourceManagerAddresses());
      if (auto chunk = config.settings.find("chunk_size"); chunk != config.settings.end()) {
        args.push_back("--dfs_chunk_size=" + chunk->second);
      }
      for (const char* name : {"shuffle_port", "datanode_id", "vcores", "memory_mb"}) {
        if (!node.Attribute(name).empty()) {
          args.push_back(std::string("--") + name + "=" + node.Attribute(name));
        }
      }
      break;
  }
  if (auto keys = config.settings.find("security_dir"); keys != config.settings.end()) {
    args.push_back("--security_dir=" + keys->second);
  }
  // Extra flags for every daemon of this role (setting flags.<role>).
  auto extra = config.settings.find(std::string("flags.") + RoleName(node.role));
  if (extra != config.settings.end()) {
    for (const std::string& flag : SplitFlagList(extra->second)) args.push_back(flag);
  }
  return args;
}

}  // namespace

std::vector<std::string> SplitFlagList(const std::string& list) {
  std::vector<std::string> flags;
  size_t start = 0;
  while (start <= list.size()) {
    // A comma ends a flag only before the next flag's '-': a value may hold
    // commas (--rm_queues=prod:3,dev:1).
    size_t comma = list.find(',', start);
    while (comma != std::string::npos && comma + 1 < list.size() && list[comma + 1] != '-') {
      comma = list.find(',', comma + 1);
    }
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) flags.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return flags;
}

namespace {

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

// Waits until the RM counts every nodemanager in `config` as live.
Status WaitForNodeManagers(const ClusterConfig& config, int timeout_ms) {
  if (config.ResourceManager() == nullptr) return Status::OK();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t expected = 0;
  for (const NodeConfig& node : config.nodes) expected += node.role == Role::kNodeManager;
  size_t ready = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    sched::RmClient::Options options;
    options.failover_wait_ms = 0;  // This loop retries.
    auto client = sched::RmClient::Create(config.ResourceManagerAddresses(), options);
    if (client.ok()) {
      auto nodes = (*client)->CallFor<std::vector<sched::wire::NodeReport>>(
          "ListNodes", [](auto& stub, auto& out) { stub.ListNodes(out); });
      if (nodes.ok()) {
        ready = 0;
        for (const auto& n : *nodes) ready += n.alive && config.Find(n.info.id);
        if (ready >= expected) return Status::OK();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Unavailable("only " + std::to_string(ready) + " of " + std::to_string(expected) +
                             " node managers registered with the resource manager in time");
}

Status StartAll(const ClusterConfig& config, int ready_timeout_ms) {
  // The DFS first: the master, then the datanodes, which register with it;
  // then the RMs (the active one before its standby), which may load their
  // checkpoint from the DFS (a cluster brought up again), and the node
  // managers, which register with them.
  auto start_role = [&](Role role) -> Status {
    for (const NodeConfig& node : config.nodes) {
      if (node.role == role) RETURN_NOT_OK(StartOne(config, node));
    }
    return Status::OK();
  };
  RETURN_NOT_OK(StartOne(config, *config.Master()));
  RETURN_NOT_OK(WaitReady(*config.Master(), ready_timeout_ms));
  RETURN_NOT_OK(start_role(Role::kDatanode));
  RETURN_NOT_OK(WaitForDatanodes(config, ready_timeout_ms));
  for (const NodeConfig* rm : config.ResourceManagers()) {
    RETURN_NOT_OK(StartOne(config, *rm));
    RETURN_NOT_OK(WaitReady(*rm, ready_timeout_ms));
  }
  RETURN_NOT_OK(start_role(Role::kNodeManager));
  for (const NodeConfig& node : config.nodes) RETURN_NOT_OK(WaitReady(node, ready_timeout_ms));
  return WaitForNodeManagers(config, ready_timeout_ms);
}

// Held from picking a cluster's ports until its daemons listen on them, so
// that two `mrcluster up`s on one host (tests run side by side) never pick
// the same free port: a port is only free until a daemon binds it. A host
// wide flock on a file in /tmp; without one (no /tmp), `up` goes on
// unguarded.
class PortPickingLock {
 public:
  PortPickingLock() : fd_(::open("/tmp/mrcluster-ports.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666)) {
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~PortPickingLock() {
    if (fd_ >= 0) ::close(fd_);  // Releases the lock.
  }
  PortPickingLock(const PortPickingLock&) = delete;
  PortPickingLock& operator=(const PortPickingLock&) = delete;

 private:
  int fd_;
};

}  // namespace

int SharedNodeManagerVcores(int nodes, unsigned host_cores) {
  return std::max(1, static_cast<int>(host_cores) / std::max(1, nodes));
}

Status Up(const UpOptions& options) {
  if (PathExists(ConfigPath(options.dir))) {
    // A cluster taken down before: up again as cluster.conf lays it out,
    // with its data (the DFS, the RM's checkpoint, logs) where it was.
    ASSIGN_OR_RETURN(ClusterConfig config, LoadConfig(options.dir));
    for (const NodeConfig& node : config.nodes) {
      if (LiveDaemonPid(PidPath(node), BinaryOf(node.role)) != 0) {
        return Status::AlreadyExists("a cluster is running in " + options.dir + " (" + node.id +
                                     " is up; mrcluster start/down manage it)");
      }
    }
    PortPickingLock lock;
    Status s = StartAll(config, options.ready_timeout_ms);
    if (!s.ok()) (void)Down(options.dir);
    return s.Prepend("restarting the cluster in " + options.dir);
  }
  RETURN_NOT_OK(CreateDirs(options.dir));
  PortPickingLock lock;  // Until every daemon listens (StartAll returns).
  ClusterConfig config;
  config.settings["chunk_size"] = std::to_string(options.chunk_size);
  if (options.security) {
    const std::string keys_dir = security::KeyPaths::OfCluster(options.dir).dir;
    RETURN_NOT_OK(security::CreateClusterKeys(keys_dir).Prepend("making the cluster's keys"));
    RETURN_NOT_OK(CreateDirs(JoinPath(options.dir, "users")));
    config.settings["security_dir"] = keys_dir;
  }
  // The readiness checks below talk to the daemons as the cluster's owner.
  RETURN_NOT_OK(security::InitClientSecurity(options.dir));
  for (const auto& [role, flags] : options.daemon_flags) {
    if (!flags.empty()) config.settings["flags." + role] = flags;
  }
  auto add = [&](Role role, const std::string& id, const std::string& rack) -> Status {
    ASSIGN_OR_RETURN(int port, PickFreePort(options.host));
    config.nodes.push_back({role, id, options.host, port, rack, JoinPath(options.dir, id), {}});
    if (options.membership) {
      // Membership listens on this port number for UDP and TCP (join sync);
      // a TCP port free now is almost surely free for UDP too.
      ASSIGN_OR_RETURN(int membership_port, PickFreePort(options.host));
      config.nodes.back().attributes["membership_port"] = std::to_string(membership_port);
    }
    return Status::OK();
  };
  RETURN_NOT_OK(add(Role::kMaster, "master", ""));
  if (options.scheduler) {
    // Checkpoints of the RM's applications, in the DFS, where a standby
    // (on another server, in general) finds them.
    config.settings["rm_state_dfs_path"] = "/.rm/state";
    RETURN_NOT_OK(add(Role::kResourceManager, "rm", ""));
    if (options.rm_standby) {
      RETURN_NOT_OK(add(Role::kResourceManager, "rm-standby", ""));
      config.nodes.back().attributes["standby"] = "1";
    }
  }
  const int vcores = options.nm_vcores > 0
                         ? options.nm_vcores
                         : SharedNodeManagerVcores(options.racks * options.nodes_per_rack,
                                                   std::thread::hardware_concurrency());
  for (int r = 1; r <= options.racks; ++r) {
    for (int n = 1; n <= options.nodes_per_rack; ++n) {
      std::string suffix = std::to_string(r) + "-" + std::to_string(n);
      std::string rack = "/r" + std::to_string(r);
      RETURN_NOT_OK(add(Role::kDatanode, "dn-" + suffix, rack));
      if (!options.scheduler) continue;
      // A node manager beside each datanode, with the same rack.
      RETURN_NOT_OK(add(Role::kNodeManager, "nm-" + suffix, rack));
      ASSIGN_OR_RETURN(int shuffle_port, PickFreePort(options.host));
      auto& attributes = config.nodes.back().attributes;
      attributes["shuffle_port"] = std::to_string(shuffle_port);
      attributes["datanode_id"] = "dn-" + suffix;
      attributes["vcores"] = std::to_string(vcores);
      attributes["memory_mb"] = std::to_string(options.nm_memory_mb);
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

namespace {

// "active" if the RM serves, "standby" if it says so, else "".
std::string RmServingState(const NodeConfig& rm) {
  sched::RmClient::Options options;
  options.rpc.connect_timeout_ms = 1000;
  options.rpc.rpc_timeout_ms = 2000;
  options.failover_wait_ms = 0;
  auto client = sched::RmClient::Create(Address(rm), options);
  if (!client.ok()) return "";
  Status s = (*client)->Call("ListNodes", [](auto& stub) {
    std::vector<sched::wire::NodeReport> nodes;
    stub.ListNodes(nodes);
  });
  if (s.ok()) return "active";
  return s.IsUnavailable() && s.message().find("standby") != std::string::npos ? "standby" : "";
}

}  // namespace

Result<std::vector<NodeStatus>> GetStatus(const std::string& dir) {
  ASSIGN_OR_RETURN(ClusterConfig config, LoadConfig(dir));
  // Each node's state as the master's membership layer sees it, if it runs.
  std::map<std::string, std::string> member_states;
  const NodeConfig& master = *config.Master();
  if (LiveDaemonPid(PidPath(master), BinaryOf(master.role)) != 0) {
    dfs::MasterClient::Options rpc;
    rpc.connect_timeout_ms = 1000;
    rpc.rpc_timeout_ms = 2000;
    auto client = dfs::MasterClient::Connect(master.host, master.port, rpc);
    if (client.ok()) {
      auto members = (*client)->ListMembers();
      if (members.ok()) {
        for (const auto& m : *members) member_states[m.id] = m.state;
      }
    }
  }
  std::vector<NodeStatus> nodes;
  for (const NodeConfig& node : config.nodes) {
    auto it = member_states.find(node.id);
    pid_t pid = LiveDaemonPid(PidPath(node), BinaryOf(node.role));
    nodes.push_back({node, pid, it == member_states.end() ? "" : it->second,
                     node.role == Role::kResourceManager && pid != 0 ? RmServingState(node) : ""});
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
          .Key("member").String(s.member_state)
          .Key("serving").String(s.serving)
          .EndObject();
    }
    out.EndArray().EndObject();
    return out.str() + "\n";
  }
  char line[256];
  std::snprintf(line, sizeof(line), "%-15s %-10s %-6s %-21s %-8s %-5s %-8s %s\n", "ROLE", "ID",
                "RACK", "ADDRESS", "PID", "ALIVE", "MEMBER", "SERVING");
  std::string text = line;
  for (const NodeStatus& s : nodes) {
    std::snprintf(line, sizeof(line), "%-15s %-10s %-6s %-21s %-8s %-5s %-8s %s\n",
                  RoleName(s.node.role), s.node.id.c_str(),
                  s.node.rack.empty() ? "-" : s.node.rack.c_str(), Address(s.node).c_str(),
                  s.pid ? std::to_string(s.pid).c_str() : "-", s.pid ? "yes" : "no",
                  s.member_state.empty() ? "-" : s.member_state.c_str(),
                  s.serving.empty() ? "-" : s.serving.c_str());
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
  auto stop = [&](const NodeConfig& node) {
    pid_t pid = LiveDaemonPid(PidPath(node), BinaryOf(node.role));
    if (pid == 0) return;
    Status s = StopDaemon(pid, SIGTERM, kStopGraceMs);
    if (!s.ok() && first_error.ok()) first_error = s.Prepend("stop " + node.id);
  };
  // The resource managers first, standbys before the active one (no
  // takeover), while the DFS still takes their last checkpoint and before
  // their node managers vanish (which would start new AM attempts). Then the
  // rest in reverse order of the file: workers first, the DFS master last,
  // so no datanode sees its master vanish.
  std::vector<const NodeConfig*> rms = config.ResourceManagers();
  for (auto it = rms.rbegin(); it != rms.rend(); ++it) stop(**it);
  for (auto it = config.nodes.rbegin(); it != config.nodes.rend(); ++it) {
    if (it->role != Role::kResourceManager) stop(*it);
  }
  return first_error;
}

Result<std::string> AddUser(const std::string& dir, const std::string& name) {
  const security::KeyPaths keys = security::KeyPaths::OfCluster(dir);
  if (!PathExists(ConfigPath(dir))) return Status::NotFound("no cluster in " + dir);
  if (!PathExists(keys.ca_cert())) {
    return Status::InvalidArgument("the cluster in " + dir + " runs without security: it has no users");
  }
  Result<security::Keyring> keyring = security::Keyring::Load(keys.keyring());
  if (!keyring.ok()) {
    return Status::PermissionDenied("only the cluster's owner can add users: " +
                                    keyring.status().message());
  }
  if (!security::IsValidUserName(name)) {
    return Status::InvalidArgument("'" + name + "' is not a user name (1-32 of a-z 0-9 _ . -)");
  }
  struct passwd pw, *found = nullptr;
  char buf[4096];
  if (::getpwnam_r(name.c_str(), &pw, buf, sizeof(buf), &found) != 0 || found == nullptr) {
    return Status::NotFound("no user '" + name + "' on this host");
  }
  RETURN_NOT_OK(CreateDirs(JoinPath(dir, "users")));
  const std::string path = security::UserCredentialPath(dir, name);
  RETURN_NOT_OK(security::WriteCredentialFile(path, security::UserCredential(*keyring, name)));
  if (::chown(path.c_str(), found->pw_uid, found->pw_gid) != 0) {
    Status s = Status::FromErrno(errno, "chown " + path);
    ::unlink(path.c_str());
    return s;
  }
  return path;
}

}  // namespace mr::cluster
