#include "dfs/master/replication_planner.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace mr::dfs {

namespace {

using NodeIndex = std::map<std::string, const DatanodeLoad*>;

// The replica with the fewest active transfers whose node still has a
// replication slot this round, or nullptr.
const DatanodeLoad* ChooseSource(const ChunkReplicas& chunk, const NodeIndex& nodes,
                                 const std::map<std::string, int32_t>& used_slots,
                                 int32_t max_per_source) {
  const DatanodeLoad* best = nullptr;
  for (const std::string& id : chunk.live_replicas) {
    auto it = nodes.find(id);
    if (it == nodes.end()) continue;
    auto used = used_slots.find(id);
    if (used != used_slots.end() && used->second >= max_per_source) continue;
    if (best == nullptr || it->second->active_transfers < best->active_transfers) best = it->second;
  }
  return best;
}

void PlanReplications(const std::vector<const ChunkReplicas*>& under, const NodeIndex& nodes,
                      const std::vector<DatanodeLoad>& live_nodes,
                      const ReplicationPlanOptions& options, std::mt19937_64* rng,
                      ReplicationPlan* plan) {
  std::map<std::string, int32_t> used_slots;
  int32_t planned = 0;
  for (const ChunkReplicas* chunk : under) {
    if (planned >= options.max_replications) {
      ++plan->deferred_chunks;
      continue;
    }
    const DatanodeLoad* source =
        ChooseSource(*chunk, nodes, used_slots, options.max_replications_per_source);
    PlacementRequest request;
    request.replicas_wanted =
        chunk->expected_replication - static_cast<int32_t>(chunk->live_replicas.size());
    request.existing = chunk->live_replicas;
    request.excluded.insert(chunk->avoid.begin(), chunk->avoid.end());
    request.min_free_bytes = options.min_free_bytes + chunk->length;
    PlacementResult placed;
    if (source != nullptr) placed = ChooseTargets(live_nodes, request, rng);
    if (placed.targets.empty()) {
      ++plan->deferred_chunks;  // Busy sources or no room: try again next round.
      continue;
    }
    ++used_slots[source->id];
    ++planned;
    plan->commands.push_back({ReplicationCommand::Kind::kReplicate, source->id, chunk->chunk_id,
                              chunk->generation, placed.targets});
  }
}

// Deletes the excess replicas of `chunk`, each from the rack holding the most.
void PlanDeletions(const ChunkReplicas& chunk, const NodeIndex& nodes, ReplicationPlan* plan) {
  std::vector<const DatanodeLoad*> holders;
  for (const std::string& id : chunk.live_replicas) holders.push_back(nodes.at(id));
  while (static_cast<int32_t>(holders.size()) > chunk.expected_replication) {
    std::map<std::string, int> per_rack;
    for (const DatanodeLoad* n : holders) ++per_rack[n->rack];
    auto victim = std::min_element(holders.begin(), holders.end(),
                                   [&per_rack](const DatanodeLoad* a, const DatanodeLoad* b) {
                                     return std::make_tuple(-per_rack[a->rack], a->free_bytes(), a->id) <
                                            std::make_tuple(-per_rack[b->rack], b->free_bytes(), b->id);
                                   });
    plan->commands.push_back({ReplicationCommand::Kind::kDelete, (*victim)->id, chunk.chunk_id,
                              chunk.generation, {}});
    holders.erase(victim);
  }
}

}  // namespace

ReplicationPlan PlanReplication(const std::vector<ChunkReplicas>& chunks,
                                const std::vector<DatanodeLoad>& live_nodes,
                                const ReplicationPlanOptions& options, std::mt19937_64* rng) {
  NodeIndex nodes;
  for (const DatanodeLoad& n : live_nodes) nodes[n.id] = &n;
  // Replicas on nodes that are not live do not count.
  std::vector<ChunkReplicas> live_chunks = chunks;
  for (ChunkReplicas& chunk : live_chunks) {
    std::erase_if(chunk.live_replicas, [&nodes](const std::string& id) { return !nodes.count(id); });
  }
  ReplicationPlan plan;
  std::vector<const ChunkReplicas*> under;
  for (const ChunkReplicas& chunk : live_chunks) {
    auto live = static_cast<int32_t>(chunk.live_replicas.size());
    if (live == 0) {
      ++plan.missing_chunks;
    } else if (live < chunk.expected_replication) {
      under.push_back(&chunk);
    }
  }
  auto priority = [](const ChunkReplicas* c) {
    auto live = static_cast<int32_t>(c->live_replicas.size());
    return std::make_tuple(live, live - c->expected_replication, c->chunk_id);
  };
  std::sort(under.begin(), under.end(),
            [&](const ChunkReplicas* a, const ChunkReplicas* b) { return priority(a) < priority(b); });
  PlanReplications(under, nodes, live_nodes, options, rng, &plan);
  for (const ChunkReplicas& chunk : live_chunks) {
    if (static_cast<int32_t>(chunk.live_replicas.size()) > chunk.expected_replication) {
      PlanDeletions(chunk, nodes, &plan);
    }
  }
  return plan;
}

}  // namespace mr::dfs
