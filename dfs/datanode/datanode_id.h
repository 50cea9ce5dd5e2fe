// The datanode's identity, persisted in its data directory (docs/DFS.md,
// "Identifiers") as <data_dir>/DATANODE_ID so that it survives restarts.
#pragma once

#include <string>

#include "common/status.h"

namespace mr::dfs {

// Returns the id stored in `data_dir`, storing `requested` (or, if empty, a
// new "node-<rack>-<random>") on first start. InvalidArgument if `requested`
// differs from the stored id. Not thread-safe; call once at startup.
Result<std::string> LoadOrCreateDatanodeId(const std::string& data_dir,
                                           const std::string& requested, const std::string& rack);

}  // namespace mr::dfs
