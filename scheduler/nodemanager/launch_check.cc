#include "scheduler/nodemanager/launch_check.h"

#include "scheduler/resourcemanager/resources.h"
#include "scheduler/shuffle/local_names.h"

namespace mr::sched::nm {

namespace {

constexpr uint64_t kMaxFilesBytes = 64 << 20;

// Names the NM itself writes in a container's working directory.
bool IsReservedFileName(const std::string& name) {
  return name == "stdout" || name == "stderr" || name == "result";
}

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

}  // namespace

Status CheckLaunchContext(const wire::LaunchContext& context, const wire::Resource& capability,
                          const std::string& node_id) {
  RETURN_NOT_OK(shuffle::CheckSafeLocalName(context.app_id, "app id"));
  RETURN_NOT_OK(shuffle::CheckSafeLocalName(context.container_id, "container id"));
  const std::string& id = context.container_id;
  if (context.binary_dfs_path.empty() || context.binary_dfs_path[0] != '/') {
    return Status::InvalidArgument("container " + id +
                                   ": binary_dfs_path must be an absolute DFS path");
  }
  if (!IsValidGrant(context.resource)) {
    return Status::InvalidArgument("container " + id +
                                   ": resource needs vcores >= 0 and memory_mb > 0, got " +
                                   ToString(context.resource));
  }
  if (!Fits(context.resource, capability)) {
    return Status::InvalidArgument("container " + id + " asks " + ToString(context.resource) +
                                   ", more than node " + node_id + " has in all (" +
                                   ToString(capability) + ")");
  }
  uint64_t file_bytes = 0;
  for (const auto& [name, bytes] : context.files) {
    RETURN_NOT_OK(shuffle::CheckSafeLocalName(name, "file name"));
    if (IsReservedFileName(name)) {
      return Status::InvalidArgument("file name '" + name + "' is reserved for the container");
    }
    file_bytes += bytes.size();
  }
  if (file_bytes > kMaxFilesBytes) return Status::InvalidArgument("launch files over 64 MiB");
  for (const auto& [key, value] : context.env) {
    if (key.empty() || key.find('=') != std::string::npos || HasNul(key) || HasNul(value)) {
      return Status::InvalidArgument("bad environment variable '" + key.substr(0, 64) + "'");
    }
  }
  for (const std::string& arg : context.arguments) {
    if (HasNul(arg)) return Status::InvalidArgument("container " + id + ": NUL in an argument");
  }
  return Status::OK();
}

}  // namespace mr::sched::nm
