// Small whole files in the DFS, written or read in one call: the AM's
// records (the commit's _SUCCESS and _counters.json, aggregated logs, the
// recovery log), the RM's checkpoint, tests' fixtures.
// Thread-safety: as the DfsClient's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "dfs/client/dfs_client.h"

namespace mr::dfs {

// Creates `path` holding `data`; on any error the file is not left behind.
Status WriteWholeFile(DfsClient* dfs, const std::string& path, std::string_view data,
                      const DfsClient::CreateOptions& options = {});
// The whole file; Corruption if it is longer than max_bytes.
Result<std::string> ReadWholeFile(DfsClient* dfs, const std::string& path,
                                  int64_t max_bytes = int64_t{1} << 30);

}  // namespace mr::dfs
