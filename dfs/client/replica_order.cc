#include "dfs/client/replica_order.h"

#include <algorithm>

namespace mr::dfs {

std::string EffectiveClientRack(const ClientLocation& location,
                                const std::vector<DfsReplica>& replicas) {
  if (!location.rack.empty()) return location.rack;
  for (const DfsReplica& r : replicas) {
    bool same_node =
        location.datanode_id.empty() ? r.host == location.host : r.node_id == location.datanode_id;
    if (same_node && !r.rack.empty()) return r.rack;
  }
  return "";
}

ReplicaDistance DistanceTo(const DfsReplica& replica, const ClientLocation& location,
                           const std::string& client_rack) {
  if (!location.datanode_id.empty()) {
    if (replica.node_id == location.datanode_id) return ReplicaDistance::kSameHost;
  } else if (!location.host.empty() && replica.host == location.host) {
    return ReplicaDistance::kSameHost;
  }
  if (!client_rack.empty() && replica.rack == client_rack) return ReplicaDistance::kSameRack;
  return ReplicaDistance::kOffRack;
}

void OrderReplicasByDistance(const ClientLocation& location, std::vector<DfsReplica>* replicas,
                             std::mt19937_64* rng) {
  const std::string rack = EffectiveClientRack(location, *replicas);
  std::shuffle(replicas->begin(), replicas->end(), *rng);
  std::stable_sort(replicas->begin(), replicas->end(),
                   [&](const DfsReplica& a, const DfsReplica& b) {
                     return DistanceTo(a, location, rack) < DistanceTo(b, location, rack);
                   });
}

}  // namespace mr::dfs
