// The environment of a container's process (docs/SCHEDULER.md, "container
// environment"): a few variables of the NM's own environment (PATH, HOME,
// locale, ...) so that scripts find their tools, then LaunchContext.env,
// then the MR_* variables, which win over both: they must tell the truth
// about the container and its node. A container run as another user
// (container_user.h) gets that user's USER, LOGNAME and HOME.
// Thread-safety: stateless.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "scheduler/nodemanager/container_user.h"
#include "scheduler_types.h"

namespace mr::sched::nm {

// What a container's environment says about its node.
struct NodeEnv {
  std::string node_id;
  std::string host;
  std::string rack;
  int nm_port = 0;
  int shuffle_port = 0;
  std::string rm_address;  // host:port[,host:port...]: every RM, the active one first.
  std::string dfs_master;  // host:port
  std::string datanode_id;     // The datanode on this server ("" if none).
  int64_t dfs_chunk_size = 0;  // The cluster's default chunk size (0: unknown).
  std::string ca_file;         // The cluster CA (MR_CA_FILE), "" without security.
};

// "NAME=value" strings, sorted by name. `app_local_dir` is
// <nm dir>/apps/<app_id>.
std::vector<std::string> ContainerEnvironment(const NodeEnv& node, const std::string& app_id,
                                              const std::string& container_id,
                                              const wire::Resource& resource,
                                              const std::string& app_local_dir,
                                              const std::map<std::string, std::string>& extra,
                                              const ContainerUser& user = {});

}  // namespace mr::sched::nm
