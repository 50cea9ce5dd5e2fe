// The spill and merge half of a map output collector, shared by the
// SortingCollector (sort_buffer.h) and the AggregatingCollector
// (aggregation_table.h): spill files, the combiner, and the final per-
// partition merge of the spills into the task's output file.
//
// Not thread-safe; owned by one map task.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "counters.h"
#include "map_output.h"
#include "segment.h"
#include "task_context.h"

namespace mr {

class SpillingCollector : public MapOutputCollector {
 public:
  SpillingCollector(const Job& job, const Partitioner& partitioner, const TaskInfo& info,
                    MapOutputOptions options, Counters* counters);
  Result<SegmentFile> Finish() override;

 protected:
  virtual bool HasBuffered() const = 0;
  // Writes what is buffered as one sorted spill (throws TaskFailure).
  virtual void SpillBuffered() = 0;

  // A writer for the next spill. The first spill is written straight to the
  // output path: if it is the only one, it needs no merge.
  std::unique_ptr<SegmentFileWriter> NewSpillWriter();
  // Closes a spill written with NewSpillWriter() and records it.
  void FinishSpill(SegmentFileWriter* writer);
  // The partitioner's choice, checked (throws TaskFailure when out of range).
  uint32_t PartitionOf(std::string_view key) const;

  const Partitioner& partitioner_;
  const TaskInfo& info_;
  MapOutputOptions options_;
  Counters* counters_;
  int num_partitions_;
  std::optional<Combiner> combiner_;

 private:
  std::string SpillPath(size_t n) const;
  // Merges the spills, partition by partition, into the output path.
  Status MergeSpills();

  std::vector<SegmentFile> spills_;
  SegmentFile final_;
  uint64_t spilled_records_ = 0;
};

std::unique_ptr<MapOutputCollector> NewSortingCollector(const Job& job,
                                                        const Partitioner& partitioner,
                                                        const TaskInfo& info,
                                                        MapOutputOptions options,
                                                        Counters* counters);
std::unique_ptr<MapOutputCollector> NewAggregatingCollector(const Job& job,
                                                            const Partitioner& partitioner,
                                                            const TaskInfo& info,
                                                            MapOutputOptions options,
                                                            Counters* counters);

}  // namespace mr
