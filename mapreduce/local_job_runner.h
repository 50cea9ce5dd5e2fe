// Runs a whole job on this machine: splits, optional sampling, map tasks on a
// pool of threads, the barrier, reduce tasks on the same pool, and the
// atomic commit of the output directory.
#pragma once

#include <atomic>
#include <string>

#include "common/status.h"
#include "counters.h"
#include "mapreduce/mapreduce.h"

namespace mr {

struct LocalJobOptions {
  std::string input;
  std::string output;
  int reducers = 1;
  int parallelism = 1;          // Concurrent tasks.
  uint64_t split_bytes = 0;     // 0: AutoSplitBytes().
  uint64_t sort_buffer_bytes = 64 << 20;  // Shared by the concurrent map tasks.
  std::string local_dir;        // Scratch space; empty: inside the output's temporary directory.
  int merge_fan_in = 64;
  bool map_side_aggregation = true;
  // Set from outside (a signal handler) to stop the job; it then fails with
  // Aborted and cleans up like any failed job. May be null.
  const std::atomic<bool>* interrupt = nullptr;
};

// The split size when none is given: 3/4 of a map task's share of the sort
// buffer (records grow by their framing and index entry when buffered, and
// one spill per map saves the map-side merge), within [1 MiB, 64 MiB].
uint64_t AutoSplitBytes(const LocalJobOptions& options);

// On success `output` holds part-r-00000.. (one per reducer), _counters.json
// and, written last, _SUCCESS. On failure nothing is left at `output`.
Status RunLocalJob(const Job& job, const LocalJobOptions& options, Counters* counters);

}  // namespace mr
