#include "mapreduce/appmaster/split_planner.h"

#include <algorithm>

namespace mr::am {

namespace {

int64_t RoundUp(int64_t value, int64_t unit) { return (value + unit - 1) / unit * unit; }

// The chunk of `file` that holds most of [begin, end); null if none overlaps.
const ChunkLocation* MajorityChunk(const InputFile& file, int64_t begin, int64_t end) {
  const ChunkLocation* best = nullptr;
  int64_t best_bytes = 0;
  for (const ChunkLocation& chunk : file.chunks) {
    int64_t overlap = std::min(end, chunk.offset + chunk.length) - std::max(begin, chunk.offset);
    if (overlap > best_bytes) {
      best = &chunk;
      best_bytes = overlap;
    }
  }
  return best;
}

void SetPreferences(const ChunkLocation* chunk, MapSplit* split) {
  if (chunk == nullptr) return;
  for (const ReplicaLocation& replica : chunk->replicas) {
    split->datanode_ids.push_back(replica.datanode_id);
    if (!replica.rack.empty() && replica.rack != "-" &&
        std::find(split->racks.begin(), split->racks.end(), replica.rack) == split->racks.end()) {
      split->racks.push_back(replica.rack);
    }
  }
}

}  // namespace

Result<std::vector<MapSplit>> PlanSplits(const std::vector<InputFile>& files, int64_t record_bytes) {
  if (record_bytes < 1) return Status::InvalidArgument("record size must be positive");
  std::vector<MapSplit> splits;
  for (const InputFile& file : files) {
    if (file.length % record_bytes != 0) {
      return Status::InvalidArgument(file.path + ": size " + std::to_string(file.length) +
                                     " is not a multiple of the record size " +
                                     std::to_string(record_bytes));
    }
    for (size_t i = 0; i < file.chunks.size(); ++i) {
      const ChunkLocation& chunk = file.chunks[i];
      int64_t begin = std::min(RoundUp(chunk.offset, record_bytes), file.length);
      int64_t end = i + 1 < file.chunks.size()
                        ? std::min(RoundUp(file.chunks[i + 1].offset, record_bytes), file.length)
                        : file.length;
      if (end <= begin) continue;  // No record starts in this chunk.
      MapSplit split;
      split.path = file.path;
      split.offset = begin;
      split.length = end - begin;
      SetPreferences(MajorityChunk(file, begin, end), &split);
      splits.push_back(std::move(split));
    }
  }
  return splits;
}

std::vector<std::string> PreferredNodeManagers(const MapSplit& split,
                                               const DatanodeToNodeManager& nms) {
  std::vector<std::string> out;
  for (const std::string& datanode : split.datanode_ids) {
    auto it = nms.find(datanode);
    if (it != nms.end() && std::find(out.begin(), out.end(), it->second) == out.end()) {
      out.push_back(it->second);
    }
  }
  return out;
}

}  // namespace mr::am
