#include "mapreduce/appmaster/split_planner.h"

#include <algorithm>
#include <utility>

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

// Byte counts per name, remembering the order names first appeared in.
class ByteTally {
 public:
  void Add(const std::string& name, int64_t bytes) {
    auto [it, inserted] = bytes_.emplace(name, 0);
    if (inserted) order_.push_back(name);
    it->second += bytes;
  }
  // The names with the largest count, in first-appearance order.
  std::vector<std::string> Top() const {
    int64_t most = 0;
    for (const auto& [name, bytes] : bytes_) most = std::max(most, bytes);
    std::vector<std::string> out;
    for (const std::string& name : order_) {
      if (bytes_.at(name) == most) out.push_back(name);
    }
    return out;
  }

 private:
  std::map<std::string, int64_t> bytes_;
  std::vector<std::string> order_;
};

MapTaskInput MakeTask(const std::vector<MapSplit>& splits, const std::vector<size_t>& group) {
  MapTaskInput task;
  ByteTally nodes, racks;
  for (size_t i : group) {
    const MapSplit& split = splits[i];
    task.length += split.length;
    // Adjacent ranges of one file read the same records as one range.
    if (!task.pieces.empty() && task.pieces.back().path == split.path &&
        task.pieces.back().offset + task.pieces.back().length == split.offset) {
      task.pieces.back().length += split.length;
    } else {
      task.pieces.push_back({split.path, split.offset, split.length});
    }
    std::vector<std::string> seen;  // A datanode listed twice counts once.
    for (const std::string& node : split.datanode_ids) {
      if (node.empty() || std::find(seen.begin(), seen.end(), node) != seen.end()) continue;
      seen.push_back(node);
      nodes.Add(node, split.length);
    }
    for (const std::string& rack : split.racks) racks.Add(rack, split.length);
  }
  task.datanode_ids = nodes.Top();
  task.racks = racks.Top();
  return task;
}

// The grouping passes of CombineSplits over split indices.
class Grouper {
 public:
  Grouper(const std::vector<MapSplit>& splits, int64_t max_bytes)
      : splits_(splits), max_bytes_(max_bytes), assigned_(splits.size(), false) {}

  // Round robin over the places (name -> split indices in input order): each
  // turn a place gathers a group; a place whose group is under min_bytes is
  // done (its candidates only shrink from then on).
  void Pass(const std::map<std::string, std::vector<size_t>>& places, int64_t min_bytes) {
    std::vector<const std::vector<size_t>*> active;
    for (const auto& [name, candidates] : places) active.push_back(&candidates);
    while (!active.empty()) {
      std::vector<const std::vector<size_t>*> next;
      for (const std::vector<size_t>* candidates : active) {
        auto [group, bytes] = Gather(*candidates);
        if (group.empty() || bytes < min_bytes) continue;
        for (size_t i : group) assigned_[i] = true;
        groups_.push_back(std::move(group));
        next.push_back(candidates);
      }
      active = std::move(next);
    }
  }

  std::vector<std::vector<size_t>> TakeGroups() { return std::move(groups_); }

 private:
  // First fit: unassigned candidates while they fit in max_bytes (the first
  // one always does, however large).
  std::pair<std::vector<size_t>, int64_t> Gather(const std::vector<size_t>& candidates) const {
    std::vector<size_t> group;
    int64_t bytes = 0;
    for (size_t i : candidates) {
      if (bytes >= max_bytes_) break;
      if (assigned_[i]) continue;
      if (!group.empty() && bytes + splits_[i].length > max_bytes_) continue;
      group.push_back(i);
      bytes += splits_[i].length;
    }
    return {std::move(group), bytes};
  }

  const std::vector<MapSplit>& splits_;
  const int64_t max_bytes_;
  std::vector<bool> assigned_;
  std::vector<std::vector<size_t>> groups_;
};

void AddPlace(const std::string& name, size_t index,
              std::map<std::string, std::vector<size_t>>* places) {
  if (name.empty()) return;
  std::vector<size_t>& candidates = (*places)[name];
  if (candidates.empty() || candidates.back() != index) candidates.push_back(index);
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

std::vector<MapTaskInput> CombineSplits(const std::vector<MapSplit>& splits, int64_t max_bytes) {
  std::vector<std::vector<size_t>> groups;
  if (max_bytes <= 0) {
    for (size_t i = 0; i < splits.size(); ++i) groups.push_back({i});
  } else {
    std::map<std::string, std::vector<size_t>> nodes, racks, anywhere;
    for (size_t i = 0; i < splits.size(); ++i) {
      for (const std::string& node : splits[i].datanode_ids) AddPlace(node, i, &nodes);
      for (const std::string& rack : splits[i].racks) AddPlace(rack, i, &racks);
      AddPlace("*", i, &anywhere);
    }
    // A node's group under half the target is worth more combined with its
    // rack's leftovers than as a small task of its own.
    Grouper grouper(splits, max_bytes);
    grouper.Pass(nodes, (max_bytes + 1) / 2);
    grouper.Pass(racks, 1);
    grouper.Pass(anywhere, 1);
    groups = grouper.TakeGroups();
  }
  std::vector<MapTaskInput> tasks;
  for (const std::vector<size_t>& group : groups) tasks.push_back(MakeTask(splits, group));
  return tasks;
}

namespace {

std::vector<std::string> NodeManagersOf(const std::vector<std::string>& datanode_ids,
                                        const DatanodeToNodeManager& nms) {
  std::vector<std::string> out;
  for (const std::string& datanode : datanode_ids) {
    auto it = nms.find(datanode);
    if (it != nms.end() && std::find(out.begin(), out.end(), it->second) == out.end()) {
      out.push_back(it->second);
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> PreferredNodeManagers(const MapSplit& split,
                                               const DatanodeToNodeManager& nms) {
  return NodeManagersOf(split.datanode_ids, nms);
}

std::vector<std::string> PreferredNodeManagers(const MapTaskInput& task,
                                               const DatanodeToNodeManager& nms) {
  return NodeManagersOf(task.datanode_ids, nms);
}

}  // namespace mr::am
