// The description of a cluster: which daemon runs where. One file,
// `<dir>/cluster.conf`, written by `mrcluster up` for a local cluster and by
// hand for several hosts; every tool finds the cluster through it
// (`--cluster DIR`). Nothing in it is specific to localhost.
//
// Format: one node per line, fields separated by spaces, '#' starts a
// comment:
//   node <role> <id> <host> <port> <rack> <data_dir> [<name>=<value>...]
//   setting <name> <value>
// Roles: master, datanode (the DFS), resourcemanager, nodemanager (the
// scheduler). A rack is a label such as /r1 ("-" for none). The port is the
// node's main service (a datanode's data plane, the others' Thrift service);
// attributes carry the rest, e.g. a nodemanager's shuffle_port and the
// datanode it sits beside (datanode=ID). A resourcemanager with standby=1
// is a standby RM (docs/SCHEDULER.md, "RM failover"); a cluster has at most
// one other.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace mr::cluster {

enum class Role { kMaster, kDatanode, kResourceManager, kNodeManager };

struct NodeConfig {
  Role role;
  std::string id;
  std::string host;
  int port = 0;
  std::string rack;
  std::string data_dir;
  std::map<std::string, std::string> attributes;

  // The attribute's value, or "" if it is not set.
  const std::string& Attribute(const std::string& name) const;
  // A standby resource manager (standby=1).
  bool IsStandby() const { return Attribute("standby") == "1"; }
};

struct ClusterConfig {
  std::vector<NodeConfig> nodes;
  std::map<std::string, std::string> settings;

  const NodeConfig* Find(const std::string& id) const;
  // The first node of `role`, or null.
  const NodeConfig* FindRole(Role role) const;
  const NodeConfig* Master() const { return FindRole(Role::kMaster); }
  // The resource managers, the active one (no standby=1) first.
  std::vector<const NodeConfig*> ResourceManagers() const;
  // The first of ResourceManagers(), or null.
  const NodeConfig* ResourceManager() const;
  // "host:port,host:port" of ResourceManagers(), for RmClient and --rm.
  std::string ResourceManagerAddresses() const;
  std::string Serialize() const;
  // Parses and validates (known roles, unique ids, ports in range, exactly
  // one master, at most one resourcemanager not standby=1); errors name
  // the line.
  static Result<ClusterConfig> Parse(const std::string& text);
};

const char* RoleName(Role role);
std::string ConfigPath(const std::string& cluster_dir);
// Also installs the caller's credential for the cluster, if it has keys
// (security::InitClientSecurity): PermissionDenied if the caller has none.
Result<ClusterConfig> LoadConfig(const std::string& cluster_dir);

}  // namespace mr::cluster
