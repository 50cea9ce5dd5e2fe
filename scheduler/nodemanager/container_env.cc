#include "scheduler/nodemanager/container_env.h"

#include <cstdlib>

#include "security/process_security.h"

namespace mr::sched::nm {

namespace {
constexpr const char* kInheritedEnv[] = {"PATH", "HOME", "USER", "LOGNAME",
                                         "LANG", "LC_ALL", "TZ", "TMPDIR"};
}  // namespace

std::vector<std::string> ContainerEnvironment(const NodeEnv& node, const std::string& app_id,
                                              const std::string& container_id,
                                              const wire::Resource& resource,
                                              const std::string& app_local_dir,
                                              const std::map<std::string, std::string>& extra,
                                              const ContainerUser& user) {
  std::map<std::string, std::string> env;
  for (const char* name : kInheritedEnv) {
    if (const char* value = std::getenv(name)) env[name] = value;
  }
  if (user.switch_user) {
    env["USER"] = env["LOGNAME"] = user.name;
    env["HOME"] = user.home;
  }
  for (const auto& [key, value] : extra) env[key] = value;
  env["MR_APP_ID"] = app_id;
  env["MR_CONTAINER_ID"] = container_id;
  env["MR_NODE_ID"] = node.node_id;
  env["MR_NODE_HOST"] = node.host;
  env["MR_RACK"] = node.rack;
  env["MR_NM_PORT"] = std::to_string(node.nm_port);
  env["MR_SHUFFLE_PORT"] = std::to_string(node.shuffle_port);
  env["MR_APP_LOCAL_DIR"] = app_local_dir;
  env["MR_RM_ADDRESS"] = node.rm_address;
  env["MR_DFS_MASTER"] = node.dfs_master;
  if (!node.datanode_id.empty()) env["MR_DATANODE_ID"] = node.datanode_id;
  if (node.dfs_chunk_size > 0) env["MR_DFS_CHUNK_SIZE"] = std::to_string(node.dfs_chunk_size);
  if (!node.ca_file.empty()) env[security::kCaFileEnv] = node.ca_file;
  env["MR_CONTAINER_VCORES"] = std::to_string(resource.vcores);
  env["MR_CONTAINER_MEMORY_MB"] = std::to_string(resource.memory_mb);
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [key, value] : env) out.push_back(key + "=" + value);
  return out;
}

}  // namespace mr::sched::nm
