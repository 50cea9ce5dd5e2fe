// The description of a cluster: which daemon runs where. One file,
// `<dir>/cluster.conf`, written by `mrcluster up` for a local cluster and by
// hand for several hosts; every tool finds the cluster through it
// (`--cluster DIR`). Nothing in it is specific to localhost.
//
// Format: one node per line, fields separated by spaces, '#' starts a
// comment:
//   node <role> <id> <host> <port> <rack> <data_dir>
//   setting <name> <value>
// Roles: master, datanode. A rack is a label such as /r1 ("-" for none).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace mr::cluster {

enum class Role { kMaster, kDatanode };

struct NodeConfig {
  Role role;
  std::string id;
  std::string host;
  int port = 0;
  std::string rack;
  std::string data_dir;
};

struct ClusterConfig {
  std::vector<NodeConfig> nodes;
  std::map<std::string, std::string> settings;

  const NodeConfig* Find(const std::string& id) const;
  const NodeConfig* Master() const;
  std::string Serialize() const;
  // Parses and validates (known roles, unique ids, ports in range, exactly
  // one master); errors name the line.
  static Result<ClusterConfig> Parse(const std::string& text);
};

const char* RoleName(Role role);
std::string ConfigPath(const std::string& cluster_dir);
Result<ClusterConfig> LoadConfig(const std::string& cluster_dir);

}  // namespace mr::cluster
