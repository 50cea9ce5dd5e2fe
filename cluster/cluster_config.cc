#include "cluster/cluster_config.h"

#include <set>
#include <sstream>

#include "common/file.h"
#include "security/process_security.h"

namespace mr::cluster {

namespace {

Result<Role> ParseRole(const std::string& name) {
  if (name == "master") return Role::kMaster;
  if (name == "datanode") return Role::kDatanode;
  if (name == "resourcemanager") return Role::kResourceManager;
  if (name == "nodemanager") return Role::kNodeManager;
  return Status::InvalidArgument("unknown role '" + name + "'");
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kMaster: return "master";
    case Role::kDatanode: return "datanode";
    case Role::kResourceManager: return "resourcemanager";
    case Role::kNodeManager: return "nodemanager";
  }
  return "?";
}

const NodeConfig* ClusterConfig::Find(const std::string& id) const {
  for (const NodeConfig& n : nodes) {
    if (n.id == id) return &n;
  }
  return nullptr;
}

const NodeConfig* ClusterConfig::FindRole(Role role) const {
  for (const NodeConfig& n : nodes) {
    if (n.role == role) return &n;
  }
  return nullptr;
}

const std::string& NodeConfig::Attribute(const std::string& name) const {
  static const std::string kNone;
  auto it = attributes.find(name);
  return it == attributes.end() ? kNone : it->second;
}

std::string ClusterConfig::Serialize() const {
  std::ostringstream out;
  out << "# node <role> <id> <host> <port> <rack> <data_dir> [name=value...]\n";
  for (const auto& [name, value] : settings) out << "setting " << name << " " << value << "\n";
  for (const NodeConfig& n : nodes) {
    out << "node " << RoleName(n.role) << " " << n.id << " " << n.host << " " << n.port << " "
        << (n.rack.empty() ? "-" : n.rack) << " " << n.data_dir;
    for (const auto& [name, value] : n.attributes) out << " " << name << "=" << value;
    out << "\n";
  }
  return out.str();
}

Result<ClusterConfig> ClusterConfig::Parse(const std::string& text) {
  ClusterConfig config;
  std::istringstream lines(text);
  std::string line;
  std::set<std::string> ids;
  for (int number = 1; std::getline(lines, line); ++number) {
    line = line.substr(0, line.find('#'));
    std::istringstream fields(line);
    std::string kind;
    if (!(fields >> kind)) continue;
    auto bad = [&](const std::string& why) {
      return Status::InvalidArgument("cluster.conf line " + std::to_string(number) + ": " + why);
    };
    std::string extra;
    if (kind == "setting") {
      std::string name, value;
      if (!(fields >> name >> value) || (fields >> extra)) return bad("expected: setting NAME VALUE");
      config.settings[name] = value;
      continue;
    }
    if (kind != "node") return bad("unknown entry '" + kind + "'");
    std::string role;
    NodeConfig node;
    if (!(fields >> role >> node.id >> node.host >> node.port >> node.rack >> node.data_dir)) {
      return bad("expected: node ROLE ID HOST PORT RACK DATA_DIR [NAME=VALUE...]");
    }
    while (fields >> extra) {
      size_t eq = extra.find('=');
      if (eq == 0 || eq == std::string::npos) return bad("expected NAME=VALUE, got '" + extra + "'");
      node.attributes[extra.substr(0, eq)] = extra.substr(eq + 1);
    }
    Result<Role> parsed = ParseRole(role);
    if (!parsed.ok()) return bad(parsed.status().message());
    node.role = *parsed;
    if (node.rack == "-") node.rack.clear();
    if (node.port < 1 || node.port > 65535) return bad("port out of range");
    if (!ids.insert(node.id).second) return bad("duplicate node id '" + node.id + "'");
    config.nodes.push_back(node);
  }
  int masters = 0, active_resource_managers = 0;
  for (const NodeConfig& n : config.nodes) {
    masters += n.role == Role::kMaster;
    active_resource_managers += n.role == Role::kResourceManager && !n.IsStandby();
  }
  if (masters != 1) return Status::InvalidArgument("cluster.conf must name exactly one master");
  if (active_resource_managers > 1) {
    return Status::InvalidArgument(
        "cluster.conf names more than one resourcemanager without standby=1");
  }
  return config;
}

std::vector<const NodeConfig*> ClusterConfig::ResourceManagers() const {
  std::vector<const NodeConfig*> out;
  for (bool standby : {false, true}) {
    for (const NodeConfig& n : nodes) {
      if (n.role == Role::kResourceManager && n.IsStandby() == standby) out.push_back(&n);
    }
  }
  return out;
}

const NodeConfig* ClusterConfig::ResourceManager() const {
  std::vector<const NodeConfig*> all = ResourceManagers();
  return all.empty() ? nullptr : all.front();
}

std::string ClusterConfig::ResourceManagerAddresses() const {
  std::string out;
  for (const NodeConfig* rm : ResourceManagers()) {
    if (!out.empty()) out += ",";
    out += rm->host + ":" + std::to_string(rm->port);
  }
  return out;
}

std::string ConfigPath(const std::string& cluster_dir) {
  return JoinPath(cluster_dir, "cluster.conf");
}

Result<ClusterConfig> LoadConfig(const std::string& cluster_dir) {
  Result<std::string> text = ReadFileToString(ConfigPath(cluster_dir));
  if (!text.ok()) {
    return Status::NotFound("no cluster in " + cluster_dir + " (" + text.status().message() + ")");
  }
  // Every client meets its cluster here: it talks to it with the caller's
  // credential for it (security/process_security.h).
  RETURN_NOT_OK(security::InitClientSecurity(cluster_dir));
  return ClusterConfig::Parse(*text);
}

}  // namespace mr::cluster
