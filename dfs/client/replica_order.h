// Nearness of a replica to the client, and the read order that follows from
// it: same host first, then same rack, then any. Ties are broken randomly so
// that readers spread over equally near replicas.
// Thread-safety: stateless (the caller owns the random generator).
#pragma once

#include <random>
#include <string>
#include <vector>

#include "dfs/client/dfs_client_types.h"

namespace mr::dfs {

enum class ReplicaDistance { kSameHost = 0, kSameRack = 1, kOffRack = 2 };

// Where the client is: its host, and its rack if known (empty: unknown).
// When the client runs beside a datanode whose id it knows (a task on a
// cluster node), "same node" means that datanode: several datanodes may
// share a host (a local cluster on 127.0.0.1).
struct ClientLocation {
  std::string host;
  std::string rack;
  std::string datanode_id;
};

// The client's rack when it does not know it: the rack of a replica on the
// client's own host (a client running on a datanode), else `location.rack`.
std::string EffectiveClientRack(const ClientLocation& location,
                                const std::vector<DfsReplica>& replicas);

ReplicaDistance DistanceTo(const DfsReplica& replica, const ClientLocation& location,
                           const std::string& client_rack);

// Sorts `replicas` nearest first; equally near ones in random order.
void OrderReplicasByDistance(const ClientLocation& location, std::vector<DfsReplica>* replicas,
                             std::mt19937_64* rng);

}  // namespace mr::dfs
