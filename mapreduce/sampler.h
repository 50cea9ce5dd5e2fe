// Split points for the range partitioner, sampled from the input as Hadoop's
// InputSampler.SplitSampler does: the first records of splits spread evenly
// over the input, sorted, cut into equal-count ranges.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "input_format.h"
#include "mapreduce/mapreduce.h"

namespace mr {

struct SampleOptions {
  size_t max_samples = 100000;
  size_t max_splits = 20;
  // Opens a split's records; empty: the local file (OpenRecordReader).
  // The Application Master passes one that reads the DFS.
  std::function<Result<std::unique_ptr<RecordReader>>(const InputSplit&)> open;
};

// Returns num_partitions - 1 sorted split points (fewer distinct ones when
// the keys are skewed; a repeated point just leaves a partition empty).
Result<std::vector<std::string>> SampleSplitPoints(const Job& job,
                                                   const std::vector<InputSplit>& splits,
                                                   int num_partitions, const SampleOptions& options);

}  // namespace mr
