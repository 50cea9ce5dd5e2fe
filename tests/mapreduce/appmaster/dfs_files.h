// Whole-file DFS helpers for the scheduler's tests (the AM's and mrjob's):
// write a file, read one back, list a directory's names.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "dfs/client/whole_file.h"

namespace mr::testing {

inline Status PutDfsFile(dfs::DfsClient* dfs, const std::string& path, const std::string& data) {
  return dfs::WriteWholeFile(dfs, path, data);
}

inline Result<std::string> GetDfsFile(dfs::DfsClient* dfs, const std::string& path) {
  return dfs::ReadWholeFile(dfs, path);
}

// Base names of the entries of `dir`, sorted; none if it does not exist.
inline std::vector<std::string> DfsNames(dfs::DfsClient* dfs, const std::string& dir) {
  std::vector<std::string> names;
  auto entries = dfs->List(dir);
  if (entries.ok()) {
    for (const auto& e : *entries) names.push_back(BaseName(e.path));
  }
  return names;
}

}  // namespace mr::testing
