#include "dfs/datanode/datanode_id.h"

#include <random>

#include "common/file.h"

namespace mr::dfs {

Result<std::string> LoadOrCreateDatanodeId(const std::string& data_dir,
                                           const std::string& requested,
                                           const std::string& rack) {
  std::string path = JoinPath(data_dir, "DATANODE_ID");
  if (PathExists(path)) {
    ASSIGN_OR_RETURN(std::string stored, ReadFileToString(path));
    if (!requested.empty() && requested != stored) {
      return Status::InvalidArgument(data_dir + " belongs to datanode " + stored + ", not " +
                                     requested);
    }
    return stored;
  }
  std::string id = requested;
  if (id.empty()) {
    std::string label = rack;
    std::erase(label, '/');
    id = "node-" + label + "-" + std::to_string(std::random_device()() % 1000000);
  }
  RETURN_NOT_OK(CreateDirs(data_dir));
  std::string tmp = path + ".tmp";
  (void)RemoveAll(tmp);
  RETURN_NOT_OK(WriteStringToFile(tmp, id, /*sync=*/true));
  RETURN_NOT_OK(RenameNoReplace(tmp, path));
  return id;
}

}  // namespace mr::dfs
