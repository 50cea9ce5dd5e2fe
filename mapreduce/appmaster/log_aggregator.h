// Before the AM finishes, it copies the tail of every attempt's stdout and
// stderr from the NMs into one DFS file (scheduler/client/aggregated_logs.h),
// since an NM deletes an application's container logs once it ends; `mrjob
// logs` reads them from there afterwards. Best effort: a node that does not
// answer is skipped after its first failure, so a lost node costs one RPC
// timeout at most.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "mapreduce/appmaster/node_managers.h"
#include "mapreduce/appmaster/task_tracker.h"

namespace mr::dfs {
class DfsClient;
}

namespace mr::am {

Status AggregateLogs(const std::string& app_id, const std::vector<AttemptInfo>& attempts,
                     int64_t max_bytes_per_stream, NodeManagers* nms, dfs::DfsClient* dfs);

}  // namespace mr::am
