#include <algorithm>

#include "common/hash.h"
#include "hash_partition.h"
#include "mapreduce/mapreduce.h"

namespace mr {

uint32_t HashPartitioner::Partition(std::string_view key, uint32_t num_partitions) const {
  return PartitionOfHash(Hash64(key), num_partitions);
}

RangePartitioner::RangePartitioner(std::vector<std::string> split_points)
    : split_points_(std::move(split_points)) {}

uint32_t RangePartitioner::Partition(std::string_view key, uint32_t num_partitions) const {
  // upper_bound: a key equal to split point i belongs to partition i + 1.
  auto it = std::upper_bound(split_points_.begin(), split_points_.end(), key,
                             [](std::string_view k, const std::string& s) { return k < s; });
  uint32_t p = static_cast<uint32_t>(it - split_points_.begin());
  return std::min(p, num_partitions - 1);
}

}  // namespace mr
