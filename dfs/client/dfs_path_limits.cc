#include "dfs/client/dfs_path_limits.h"

#include <string>

#include "dfs/master/dfs_path.h"

namespace mr::dfs {

Status ValidateDfsPath(std::string_view path) {
  auto invalid = [&](const std::string& why) {
    std::string shown(path.substr(0, 40));
    if (path.size() > shown.size()) shown += "...";
    return Status::InvalidArgument("invalid path '" + shown + "': " + why);
  };
  if (path.size() > kMaxDfsPathBytes) {
    return invalid("longer than " + std::to_string(kMaxDfsPathBytes) + " bytes");
  }
  RETURN_NOT_OK(ValidatePath(path));
  for (const std::string& part : SplitPath(path)) {
    if (part.size() > kMaxDfsComponentBytes) {
      return invalid("a component is longer than " + std::to_string(kMaxDfsComponentBytes) +
                     " bytes");
    }
  }
  return Status::OK();
}

}  // namespace mr::dfs
