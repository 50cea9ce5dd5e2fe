// Whole small files in the DFS, for the AM's own records (the commit's
// _SUCCESS and _counters.json, aggregated logs, the recovery log).
// Thread-safety: as the DfsClient's.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace mr::dfs {
class DfsClient;
}

namespace mr::am {

// Creates `path` holding `data`; on any error the file is not left behind.
Status WriteDfsFile(dfs::DfsClient* dfs, const std::string& path, const std::string& data);
// The whole file; Corruption if it is longer than max_bytes.
Result<std::string> ReadDfsFile(dfs::DfsClient* dfs, const std::string& path,
                                int64_t max_bytes = 16 << 20);

}  // namespace mr::am
