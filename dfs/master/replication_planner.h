// Re-replication planning: from the live replicas of each chunk, the commands
// that bring every chunk back to its replication factor.
//
// - Under-replicated chunks are served fewest-live-replicas-first (a chunk
//   with one copy left before one with two), at most
//   `max_replications` REPLICATE commands per round and at most
//   `max_replications_per_source` from one source node (the rate limit: the
//   master plans one round per heartbeat interval). New replicas follow the
//   placement rules (placement.h) given the existing ones, on nodes with
//   room for the chunk (its length + min_free_bytes) and not among the
//   chunk's `avoid` nodes. A chunk with no live replica cannot be repaired
//   and is counted as missing.
// - Over-replicated chunks get DELETE commands for the excess, each taken
//   from the rack holding the most replicas (then the node with the least
//   free space), so the rack spread is kept.
//
// Thread-safety: stateless function; the RNG belongs to the caller.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "dfs/master/placement.h"

namespace mr::dfs {

struct ChunkReplicas {
  int64_t chunk_id = 0;
  int64_t generation = 0;
  int32_t expected_replication = 0;
  std::vector<std::string> live_replicas;  // Nodes holding a good copy (others are ignored).
  int64_t length = 0;                      // Bytes a new copy needs.
  // Nodes not to copy to: their copy was reported bad, or a DELETE of it is
  // queued (a copy there would be refused as a duplicate, and wait out the
  // pending timeout).
  std::vector<std::string> avoid;
};

struct ReplicationCommand {
  enum class Kind { kReplicate, kDelete };
  Kind kind = Kind::kReplicate;
  std::string datanode_id;              // The node that carries the command out.
  int64_t chunk_id = 0;
  int64_t generation = 0;
  std::vector<std::string> target_ids;  // kReplicate: the copy's pipeline, in order.
};

struct ReplicationPlanOptions {
  int32_t max_replications = 32;
  int32_t max_replications_per_source = 2;
  // Free space a target must keep beyond the copy (the master's
  // --dfs_datanode_reserved_bytes).
  int64_t min_free_bytes = 0;
};

struct ReplicationPlan {
  std::vector<ReplicationCommand> commands;  // Replications in priority order, then deletions.
  int64_t missing_chunks = 0;                // No live replica left.
  int64_t deferred_chunks = 0;               // Under-replicated, left for a later round.
};

ReplicationPlan PlanReplication(const std::vector<ChunkReplicas>& chunks,
                                const std::vector<DatanodeLoad>& live_nodes,
                                const ReplicationPlanOptions& options, std::mt19937_64* rng);

}  // namespace mr::dfs
