// One map task and one reduce task: pure functions of a spec, so that the
// local runner calls them on threads today and a task process will call them
// on a cluster node later.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "common/status.h"
#include "counters.h"
#include "input_format.h"
#include "map_output.h"
#include "mapreduce/mapreduce.h"
#include "merger.h"
#include "output_sink.h"
#include "progress_reporter.h"

namespace mr {

struct MapTaskSpec {
  int task_index = 0;
  InputSplit split;
  // A combined split: when set, the input is these, read one after another,
  // and `split` is unused.
  std::vector<InputSplit> pieces;
  int num_reducers = 1;
  // Opens the split's (or a piece's) file; empty: the local file at its path.
  InputOpener open_input;
  // output.output_path receives the sorted, partitioned output and
  // MapOutputIndexPath() of it the index.
  MapOutputOptions output;
  // Where the task reports its progress (input consumed); null: nowhere (a
  // local run).
  ProgressReporter* progress = nullptr;
};

// Reads the split, runs the mapper, and leaves the map output and its index.
// Stops early with Aborted once *cancelled is set (another task failed).
Status RunMapTask(const Job& job, const Partitioner& partitioner, const MapTaskSpec& spec,
                  const std::atomic<bool>& cancelled, Counters* counters);

struct ReduceTaskSpec {
  int partition = 0;
  int num_reducers = 1;
  std::vector<std::string> map_outputs;  // Paths of every map's output.
  // This partition's segments already on local disk (a cluster reduce's
  // fetched copies), merged along with those found through map_outputs.
  std::vector<SegmentRef> segments;
  std::string output_path;               // The part file to write.
  // Creates the part file; empty: a new local file at output_path.
  OutputOpener open_output;
  std::string work_dir;                  // For intermediate merge files.
  int merge_fan_in = 64;
  // Where the task reports its progress, null: nowhere (a local run). The
  // merges and the reduce are the last two thirds of a reduce's progress;
  // a cluster reduce reports its copy phase, the first third, itself.
  ProgressReporter* progress = nullptr;
};

// Merges this partition's segments of every map output, runs the reducer on
// each key's values in key order, and writes the part file.
Status RunReduceTask(const Job& job, const ReduceTaskSpec& spec, const std::atomic<bool>& cancelled,
                     Counters* counters);

}  // namespace mr
