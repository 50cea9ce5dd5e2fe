// ReplicationMonitor: turns the chunk map into datanode commands. It keeps a
// queue of commands per datanode (handed out by Heartbeat) and runs the
// re-replication planner (replication_planner.h) at most once per
// --dfs_replication_check_ms, or sooner when a round is requested (a replica
// was reported bad). The planner's per-round caps are the rate limit.
//
// A chunk with REPLICATE commands in flight is left out of planning until its
// new replicas are all reported or --dfs_pending_replication_timeout_ms
// passes, so a copy in progress is not ordered twice. DELETEs of excess
// replicas take the replica out of the chunk map at once.
//
// Thread-safety: none. MasterService serializes every call with its mutex.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "dfs/master/chunk_map.h"
#include "dfs/master/replication_planner.h"

namespace mr::dfs {

class ReplicationMonitor {
 public:
  struct Options {
    int64_t check_interval_ms = 1000;
    int64_t pending_timeout_ms = 30000;
    ReplicationPlanOptions plan;
    // Options with the values of the --dfs_* flags.
    static Options FromFlags();
  };

  ReplicationMonitor(Options options, uint64_t seed) : options_(options), rng_(seed) {}

  void QueueDelete(const std::string& node_id, int64_t chunk_id, int64_t generation);
  // Plans a round over `map` if one is due (see above); queues its commands.
  void MaybePlan(ChunkMap* map, int64_t now_ms);
  // Makes the next MaybePlan run a round regardless of the interval.
  void RequestRound() { round_requested_ = true; }
  // Removes and returns the commands queued for `node_id`, oldest first.
  std::vector<ReplicationCommand> TakeCommands(const std::string& node_id);
  // A dead node gets no more commands, and chunks with a copy pending to
  // it are planned again at the next round.
  void ForgetNode(const std::string& node_id);
  // `node_id` reported a good replica of `chunk_id`: one pending copy done.
  void OnReplicaAdded(int64_t chunk_id, const std::string& node_id);

 private:
  struct Pending {
    std::set<std::string> targets;  // New replicas not yet reported.
    int64_t deadline_ms = 0;
  };

  const Options options_;
  std::mt19937_64 rng_;
  bool round_requested_ = true;
  int64_t last_round_ms_ = 0;
  std::map<std::string, std::vector<ReplicationCommand>> queues_;
  std::map<int64_t, Pending> pending_;  // Chunk id -> copies in flight.
};

}  // namespace mr::dfs
