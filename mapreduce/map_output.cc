#include "map_output.h"

#include "spilling_collector.h"

namespace mr {

std::unique_ptr<MapOutputCollector> MapOutputCollector::Create(const Job& job,
                                                               const Partitioner& partitioner,
                                                               const TaskInfo& info,
                                                               MapOutputOptions options,
                                                               Counters* counters) {
  if (job.combiner() && options.aggregate) {
    return NewAggregatingCollector(job, partitioner, info, std::move(options), counters);
  }
  return NewSortingCollector(job, partitioner, info, std::move(options), counters);
}

}  // namespace mr
