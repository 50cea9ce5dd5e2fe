// The verbs of `mrcluster`: a cluster of daemon processes described by
// `<dir>/cluster.conf` (cluster_config.h), each with its data directory,
// log and pid file under `<dir>/<node id>/`. `Up` lays out and starts a new
// cluster on one host; the others work on any cluster.conf whose nodes run
// on this host. Like Kudu's external mini cluster, tests drive clusters
// through this same code.
#pragma once

#include <sys/types.h>

#include <cstdint>
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
  std::string host = "127.0.0.1";
  int ready_timeout_ms = 20000;
};

// Writes cluster.conf and starts a master and racks * nodes_per_rack
// datanodes; returns once every daemon accepts connections and the master
// counts every datanode as live. Refuses a dir that already holds a
// cluster. On failure, stops what it started.
Status Up(const UpOptions& options);

struct NodeStatus {
  NodeConfig node;
  pid_t pid = 0;  // 0 when not running.
};

Result<std::vector<NodeStatus>> GetStatus(const std::string& dir);
// A table for people, or {"nodes": [...]} with --json.
std::string FormatStatus(const std::vector<NodeStatus>& nodes, bool json);

// Starts one node (by id) that is not running, and waits until it is ready.
Status StartNode(const std::string& dir, const std::string& id, int ready_timeout_ms = 20000);
// kill -9 of one node (by id).
Status KillNode(const std::string& dir, const std::string& id);
// Stops every running node: SIGTERM, then SIGKILL after a grace period.
Status Down(const std::string& dir);

}  // namespace mr::cluster
