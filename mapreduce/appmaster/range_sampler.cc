#include "mapreduce/appmaster/range_sampler.h"

#include <algorithm>

#include <gflags/gflags.h>

#include "dfs_io.h"
#include "input_format.h"
#include "sampler.h"

// Defined by the local runner (local_job_runner.cc); the AM samples as it does.
DECLARE_int32(range_sample_size);
DECLARE_int32(range_sample_splits);

namespace mr::am {

Result<std::vector<std::string>> SampleSplitPointsFromDfs(dfs::DfsClient* dfs, const Job& job,
                                                          const std::vector<MapSplit>& splits,
                                                          int num_partitions) {
  std::vector<InputSplit> inputs;
  inputs.reserve(splits.size());
  for (const MapSplit& split : splits) {
    inputs.push_back({split.path, static_cast<uint64_t>(split.offset),
                      static_cast<uint64_t>(split.length)});
  }
  SampleOptions options;
  options.max_samples = static_cast<size_t>(std::max(1, FLAGS_range_sample_size));
  options.max_splits = static_cast<size_t>(std::max(1, FLAGS_range_sample_splits));
  options.open = [dfs, &job](const InputSplit& split) -> Result<std::unique_ptr<RecordReader>> {
    ASSIGN_OR_RETURN(std::unique_ptr<InputSource> source, DfsInputSource::Open(dfs, split.path));
    return OpenRecordReader(std::move(source), split, job);
  };
  return SampleSplitPoints(job, inputs, num_partitions, options);
}

}  // namespace mr::am
