// Split points for range partitioning, sampled from the input in the DFS the
// way the local runner samples local files (mapreduce/sampler.h): the first
// records of up to --range_sample_splits splits spread over the input, at
// most --range_sample_size keys in all, sorted and cut into equal-count
// ranges. Reads go through the engine's own record readers over the DFS
// (dfs_io.h), so a sampled key is exactly what a map task reads.
// Thread-safety: stateless.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "mapreduce/appmaster/split_planner.h"
#include "mapreduce/mapreduce.h"

namespace mr::dfs {
class DfsClient;
}

namespace mr::am {

// num_partitions - 1 sorted points (empty when there are no records).
Result<std::vector<std::string>> SampleSplitPointsFromDfs(dfs::DfsClient* dfs, const Job& job,
                                                          const std::vector<MapSplit>& splits,
                                                          int num_partitions);

}  // namespace mr::am
