// The verbs of `mrcluster`: a cluster of daemon processes described by
// `<dir>/cluster.conf` (cluster_config.h), each with its data directory,
// log and pid file under `<dir>/<node id>/`. `Up` lays out and starts a new
// cluster on one host; the others work on any cluster.conf whose nodes run
// on this host. Like Kudu's external mini cluster, tests drive clusters
// through this same code.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cluster/cluster_config.h"
#include "common/status.h"

namespace mr::cluster {

struct UpOptions {
  std::string dir;
  int racks = 2;
  int nodes_per_rack = 2;
  int64_t chunk_size = 64 << 20;
  // Also a resource manager, and a node manager beside each datanode.
  bool scheduler = true;
  // Also a standby resource manager, "rm-standby" (standby=1).
  bool rm_standby = false;
  // Every daemon also runs a membership member (the DFS master is the seed).
  bool membership = true;
  // Cores each node manager offers; 0: this host's cores shared out among
  // the node managers started on it (at least 1 each), so that the cluster
  // does not offer more cores than the machine has, as YARN's hardware
  // detection would on hosts of their own.
  int nm_vcores = 0;
  int64_t nm_memory_mb = 4096;
  std::string host = "127.0.0.1";
  int ready_timeout_ms = 20000;
  // TLS and credentials on every RPC, tokens on the data plane and shuffle,
  // signed membership (docs/SECURITY.md): keys made in <dir>/keys, kept in
  // cluster.conf as "setting security_dir <dir>/keys".
  bool security = false;
  // Extra flags for every daemon of a role (role name as in cluster.conf ->
  // "--a=1,--b=2"), kept in cluster.conf as "setting flags.<role> ...", so
  // `mrcluster start` uses them too.
  std::map<std::string, std::string> daemon_flags;
};

// The vcores each of `nodes` node managers on one host offers when
// UpOptions::nm_vcores is 0: the host's cores shared out, at least 1 each.
int SharedNodeManagerVcores(int nodes, unsigned host_cores);

// "--a=1,--b=2" -> {"--a=1", "--b=2"}.
std::vector<std::string> SplitFlagList(const std::string& list);

// Writes cluster.conf and starts a master and racks * nodes_per_rack
// datanodes (and with `scheduler`, a resource manager and a node manager per
// datanode); returns once every daemon accepts connections, the master
// counts every datanode as live and the RM every node manager. A dir that
// holds a cluster taken down (`Down`) is brought up again as its
// cluster.conf says (the layout options are then ignored), with its data;
// one whose daemons run is refused. On failure, stops what it started.
Status Up(const UpOptions& options);

struct NodeStatus {
  NodeConfig node;
  pid_t pid = 0;             // 0 when not running.
  std::string member_state;  // As the master's membership sees it; "" unknown.
  std::string serving;       // A resource manager's "active" or "standby"; "" unknown.
};

Result<std::vector<NodeStatus>> GetStatus(const std::string& dir);
// A table for people, or {"nodes": [...]} with --json.
std::string FormatStatus(const std::vector<NodeStatus>& nodes, bool json);

// Starts one node (by id) that is not running, and waits until it is ready.
Status StartNode(const std::string& dir, const std::string& id, int ready_timeout_ms = 20000);
// Issues user `name` (an account on this host) a credential for the
// cluster: <dir>/users/<name>.cred, mode 0600, owned by the user. Only the
// cluster's owner (who can read its keyring) can. Returns the file's path.
Result<std::string> AddUser(const std::string& dir, const std::string& name);

// kill -9 of one node (by id).
Status KillNode(const std::string& dir, const std::string& id);
// Stops every running node (the resource managers first, the DFS master
// last): SIGTERM, then SIGKILL after a grace period.
Status Down(const std::string& dir);

}  // namespace mr::cluster
