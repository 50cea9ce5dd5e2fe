// The client's path check: the master's one validator (dfs/master/dfs_path.h:
// absolute, normalized, at most 4096 bytes, 255 per component and 1000
// components), so that a bad path is refused before any RPC. Every DfsClient
// entry point, mrdfs's argument parser and mrjob submit use it.
// Thread-safety: stateless.
#pragma once

#include <string_view>

#include "common/status.h"
#include "dfs/master/dfs_path.h"

namespace mr::dfs {

inline Status ValidateDfsPath(std::string_view path) { return ValidatePath(path); }

}  // namespace mr::dfs
