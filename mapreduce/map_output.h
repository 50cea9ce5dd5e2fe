// Collects a map task's output in bounded memory and leaves it on local disk
// as one file of sorted segments, one per reduce partition (a SegmentFile).
//
// Two collectors share the spill and merge logic:
//  - SortingCollector: the sort buffer (sort_buffer.h); a full buffer is
//    sorted and spilled, with the combiner (if any) run on each key's run.
//  - AggregatingCollector: for jobs with a combiner, the hash table of
//    aggregation_table.h; a full table is sorted by key and spilled.
// Finish() merges the spills per partition (k-way, bounded fan-in), running
// the combiner again when there were at least 3 spills (as Hadoop does).
//
// Not thread-safe; owned by one map task.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "counters.h"
#include "mapreduce/mapreduce.h"
#include "progress_reporter.h"
#include "segment.h"

namespace mr {

struct MapOutputOptions {
  size_t buffer_bytes = 64 << 20;  // Memory for buffered output.
  std::string work_dir;            // Spills go here.
  std::string output_path;         // The final SegmentFile.
  int merge_fan_in = 64;
  bool aggregate = true;           // Use the AggregatingCollector when there is a combiner.
  // Reported to every few records of the final merge of the spills, so a
  // long merge still ticks (default: nowhere).
  ProgressPhase merge_progress;
};

class MapOutputCollector {
 public:
  // `partitioner`, `info` and `counters` must outlive the collector.
  static std::unique_ptr<MapOutputCollector> Create(const Job& job, const Partitioner& partitioner,
                                                    const TaskInfo& info, MapOutputOptions options,
                                                    Counters* counters);
  virtual ~MapOutputCollector() = default;
  // Throws TaskFailure on a spill error.
  virtual void Collect(std::string_view key, std::string_view value) = 0;
  // Spills what is left and merges every spill into options.output_path.
  virtual Result<SegmentFile> Finish() = 0;
};

}  // namespace mr
