// Rack-aware replica placement, the HDFS rules of docs/DFS.md:
//   replica 1: the writer's node if it is a datanode, else a lightly loaded
//              node;
//   replica 2: a node on another rack than replica 1;
//   replica 3: another node on replica 2's rack (or, when replicas 1 and 2
//              share a rack, a node on another rack);
//   more:      any lightly loaded node.
// Never two replicas on one node. When a rule or the count cannot be met the
// best possible choice is made and the result says `degraded`.
//
// "Lightly loaded" is the better of two random eligible nodes (fewer active
// transfers, then more free space): load spreads without a global sort, and
// the choice is deterministic for a given RNG seed and node order.
//
// Thread-safety: stateless functions; the RNG belongs to the caller.
#pragma once

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace mr::dfs {

// A live datanode as placement sees it.
struct DatanodeLoad {
  std::string id;
  std::string host;
  std::string rack;
  int64_t capacity_bytes = 0;
  int64_t used_bytes = 0;
  int32_t active_transfers = 0;
  int64_t free_bytes() const { return capacity_bytes - used_bytes; }
};

struct PlacementRequest {
  std::string writer_host;            // Empty or not a datanode's: no local replica.
  int32_t replicas_wanted = 3;        // New replicas to place.
  std::vector<std::string> existing;  // Nodes that already hold the chunk (re-replication).
  std::set<std::string> excluded;     // Nodes not to use (e.g. failed in a pipeline).
  int64_t min_free_bytes = 0;         // A target needs this much free space.
};

struct PlacementResult {
  std::vector<std::string> targets;  // Node ids, in pipeline order.
  bool degraded = false;             // A rack rule or the count was not met.
};

PlacementResult ChooseTargets(const std::vector<DatanodeLoad>& live_nodes,
                              const PlacementRequest& request, std::mt19937_64* rng);

}  // namespace mr::dfs
