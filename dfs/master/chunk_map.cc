#include "dfs/master/chunk_map.h"

#include <gflags/gflags.h>
#include <glog/logging.h>

DEFINE_int64(dfs_heartbeat_timeout_ms, 3000,
             "The master declares a datanode dead after this long without a heartbeat, "
             "drops its replicas and re-replicates them.");

namespace mr::dfs {

ChunkMap::Options ChunkMap::Options::FromFlags() {
  Options options;
  options.heartbeat_timeout_ms = FLAGS_dfs_heartbeat_timeout_ms;
  return options;
}

void ChunkMap::RegisterDatanode(const DatanodeDescriptor& node, int64_t now_ms) {
  auto it = nodes_.find(node.id);
  if (it != nodes_.end()) {
    LOG(INFO) << "chunk map: datanode " << node.id << " registers again; forgetting its "
              << it->second.chunks.size() << " replicas until it reports them";
    DropNodeReplicas(&it->second, node.id);
  } else {
    dead_nodes_.erase(node.id);
    it = nodes_.emplace(node.id, Node()).first;
    LOG(INFO) << "chunk map: datanode " << node.id << " (" << node.host << ":" << node.data_port
              << ", rack " << node.rack << ") registered";
  }
  it->second.descriptor = node;
  it->second.descriptor.dead_reason.clear();
  it->second.descriptor.last_heartbeat_ms = now_ms;
  it->second.descriptor.heartbeated = false;
}

Status ChunkMap::Heartbeat(const std::string& id, int64_t capacity_bytes, int64_t used_bytes,
                           int32_t active_transfers, int64_t now_ms) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) {
    return Status::NotFound("datanode " + id + " is not registered (or was declared dead)");
  }
  DatanodeDescriptor& d = it->second.descriptor;
  d.capacity_bytes = capacity_bytes;
  d.used_bytes = used_bytes;
  d.active_transfers = active_transfers;
  d.last_heartbeat_ms = now_ms;
  d.heartbeated = true;
  return Status::OK();
}

std::vector<std::string> ChunkMap::ExpireDeadNodes(int64_t now_ms) {
  std::vector<std::string> dead;
  for (const auto& [id, node] : nodes_) {
    int64_t silent_ms = now_ms - node.descriptor.last_heartbeat_ms;
    if (silent_ms > options_.heartbeat_timeout_ms) dead.push_back(id);
  }
  for (const std::string& id : dead) {
    DeclareDead(id, "no heartbeat for " +
                        std::to_string(now_ms - nodes_[id].descriptor.last_heartbeat_ms) + " ms");
  }
  return dead;
}

bool ChunkMap::DeclareDead(const std::string& id, const std::string& why) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return false;
  LOG(WARNING) << "chunk map: datanode " << id << " " << why << ": declared dead, dropping its "
               << it->second.chunks.size() << " replicas";
  DropNodeReplicas(&it->second, id);
  DatanodeDescriptor& dead = dead_nodes_[id];
  dead = it->second.descriptor;
  dead.dead_reason = why;
  nodes_.erase(it);
  return true;
}

const DatanodeDescriptor* ChunkMap::FindDatanode(const std::string& id) const {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : &it->second.descriptor;
}

std::vector<DatanodeLoad> ChunkMap::LiveNodes() const {
  std::vector<DatanodeLoad> live;
  for (const auto& [id, node] : nodes_) {
    const DatanodeDescriptor& d = node.descriptor;
    live.push_back({id, d.host, d.rack, d.capacity_bytes, d.used_bytes, d.active_transfers});
  }
  return live;
}

void ChunkMap::ForEachDatanode(
    const std::function<void(const DatanodeDescriptor&, bool, int64_t)>& fn) const {
  for (const auto& [id, node] : nodes_) {
    fn(node.descriptor, true, static_cast<int64_t>(node.chunks.size()));
  }
  for (const auto& [id, descriptor] : dead_nodes_) fn(descriptor, false, 0);
}

void ChunkMap::AddChunk(int64_t chunk_id, int64_t generation, int32_t replication) {
  Chunk& chunk = chunks_[chunk_id];
  chunk.generation = generation;
  chunk.replication = replication;
}

void ChunkMap::CompleteChunk(int64_t chunk_id, int64_t length) {
  auto it = chunks_.find(chunk_id);
  if (it == chunks_.end()) return;
  Chunk& chunk = it->second;
  chunk.complete = true;
  chunk.length = length;
  // Replicas of another length were partial copies: forget them.
  for (auto r = chunk.replicas.begin(); r != chunk.replicas.end();) {
    if (r->second == length) {
      ++r;
      continue;
    }
    nodes_[r->first].chunks.erase(chunk_id);
    r = chunk.replicas.erase(r);
  }
}

std::vector<std::string> ChunkMap::RemoveChunk(int64_t chunk_id) {
  std::vector<std::string> holders;
  auto it = chunks_.find(chunk_id);
  if (it == chunks_.end()) return holders;
  for (const auto& [node_id, length] : it->second.replicas) {
    holders.push_back(node_id);
    nodes_[node_id].chunks.erase(chunk_id);
  }
  chunks_.erase(it);
  return holders;
}

void ChunkMap::SetGeneration(int64_t chunk_id, int64_t generation) {
  auto it = chunks_.find(chunk_id);
  if (it == chunks_.end()) return;
  for (const auto& [node_id, length] : it->second.replicas) {
    auto node = nodes_.find(node_id);
    if (node != nodes_.end()) node->second.chunks.erase(chunk_id);
  }
  it->second.replicas.clear();
  it->second.generation = generation;
}

std::optional<int64_t> ChunkMap::Generation(int64_t chunk_id) const {
  auto it = chunks_.find(chunk_id);
  if (it == chunks_.end()) return std::nullopt;
  return it->second.generation;
}

bool ChunkMap::IsValid(const Chunk& chunk, const ReplicaReport& replica) const {
  if (replica.generation != chunk.generation) return false;
  return !chunk.complete || replica.length == chunk.length;
}

bool ChunkMap::AddReplica(const std::string& node_id, const ReplicaReport& replica) {
  auto chunk = chunks_.find(replica.chunk_id);
  if (chunk != chunks_.end() && IsValid(chunk->second, replica)) {
    chunk->second.corrupt.erase(node_id);  // A new copy, not the one reported bad.
  }
  return AddReportedReplica(node_id, replica);
}

bool ChunkMap::AddReportedReplica(const std::string& node_id, const ReplicaReport& replica) {
  auto node = nodes_.find(node_id);
  auto chunk = chunks_.find(replica.chunk_id);
  if (node == nodes_.end() || chunk == chunks_.end() || !IsValid(chunk->second, replica)) {
    return false;
  }
  chunk->second.replicas[node_id] = replica.length;
  node->second.chunks.insert(replica.chunk_id);
  MaybeHeal(&chunk->second);
  return true;
}

bool ChunkMap::RemoveReplica(const std::string& node_id, int64_t chunk_id) {
  auto chunk = chunks_.find(chunk_id);
  if (chunk == chunks_.end() || chunk->second.replicas.erase(node_id) == 0) return false;
  auto node = nodes_.find(node_id);
  if (node != nodes_.end()) node->second.chunks.erase(chunk_id);
  return true;
}

std::vector<ReplicaReport> ChunkMap::ApplyChunkReport(const std::string& node_id,
                                                      const std::vector<ReplicaReport>& report) {
  std::vector<ReplicaReport> rejected;
  auto node = nodes_.find(node_id);
  if (node == nodes_.end()) return report;
  DropNodeReplicas(&node->second, node_id);
  for (const ReplicaReport& replica : report) {
    if (!AddReportedReplica(node_id, replica)) rejected.push_back(replica);
  }
  return rejected;
}

std::vector<std::string> ChunkMap::Replicas(int64_t chunk_id,
                                            std::optional<int64_t> length) const {
  std::vector<std::string> holders;
  auto it = chunks_.find(chunk_id);
  if (it == chunks_.end()) return holders;
  for (const auto& [node_id, replica_length] : it->second.replicas) {
    if (!length || *length == replica_length) holders.push_back(node_id);
  }
  return holders;
}

std::vector<ChunkReplicas> ChunkMap::CompleteChunks() const {
  std::vector<ChunkReplicas> out;
  for (const auto& [chunk_id, chunk] : chunks_) {
    if (!chunk.complete) continue;
    ChunkReplicas c;
    c.chunk_id = chunk_id;
    c.generation = chunk.generation;
    c.expected_replication = chunk.replication;
    for (const auto& [node_id, length] : chunk.replicas) c.live_replicas.push_back(node_id);
    c.length = chunk.length;
    c.avoid.assign(chunk.corrupt.begin(), chunk.corrupt.end());
    out.push_back(std::move(c));
  }
  return out;
}

std::map<std::string, int64_t> ChunkMap::ReplicaLengths(int64_t chunk_id) const {
  auto it = chunks_.find(chunk_id);
  return it == chunks_.end() ? std::map<std::string, int64_t>() : it->second.replicas;
}

void ChunkMap::MarkCorrupt(int64_t chunk_id, const std::string& node_id) {
  auto it = chunks_.find(chunk_id);
  if (it != chunks_.end()) it->second.corrupt.insert(node_id);
}

int32_t ChunkMap::CorruptReplicas(int64_t chunk_id) const {
  auto it = chunks_.find(chunk_id);
  return it == chunks_.end() ? 0 : static_cast<int32_t>(it->second.corrupt.size());
}

void ChunkMap::MaybeHeal(Chunk* chunk) {
  if (chunk->corrupt.empty()) return;
  int32_t good = 0;
  for (const auto& [node_id, length] : chunk->replicas) {
    if (!chunk->corrupt.contains(node_id)) ++good;
  }
  if (good >= chunk->replication) chunk->corrupt.clear();
}

void ChunkMap::DropNodeReplicas(Node* node, const std::string& node_id) {
  for (int64_t chunk_id : node->chunks) {
    auto chunk = chunks_.find(chunk_id);
    if (chunk != chunks_.end()) chunk->second.replicas.erase(node_id);
  }
  node->chunks.clear();
}

}  // namespace mr::dfs
