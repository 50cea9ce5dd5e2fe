// ChunkMap: the master's soft state (docs/DFS.md, "Chunk map"): the datanode
// registry and, for every chunk the namespace knows, the replicas datanodes
// have reported. Nothing here is persisted; after a restart it is rebuilt
// from the namespace (the known chunks) and from datanode registrations,
// chunk reports and ChunkReceived calls (the replicas).
//
// Liveness: a registered datanode is live until it goes
// --dfs_heartbeat_timeout_ms without a heartbeat. ExpireDeadNodes then drops
// it and every replica it held; it must register again (and send a full
// chunk report) to come back. Dead nodes are remembered (address and last
// load) for ListDatanodes until they register again.
//
// Corrupt replicas: MarkCorrupt records a node whose replica of a chunk was
// reported bad. The chunk counts as corrupt until healed: until it again
// has its replication in replicas from nodes not so marked, which clears the
// marks. A node's mark also goes when it receives a new copy (AddReplica),
// but not when a chunk report lists its old one. fsck reads the count
// through GetChunkLocations.
//
// Validity of a reported replica: the chunk must be known, the generation
// must equal the master's, and for a complete chunk the length must equal
// the chunk's. Anything else is rejected: the caller schedules a DELETE.
//
// Times are milliseconds on the caller's monotonic clock, passed in.
// Thread-safety: none. MasterService serializes every call with its mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "dfs/master/placement.h"
#include "dfs/master/replication_planner.h"

namespace mr::dfs {

// A registered datanode: its address and the load of its last heartbeat.
struct DatanodeDescriptor {
  std::string id;
  std::string host;
  int32_t data_port = 0;
  std::string rack;
  int64_t capacity_bytes = 0;
  int64_t used_bytes = 0;
  int32_t active_transfers = 0;
  int64_t last_heartbeat_ms = 0;
  bool heartbeated = false;  // Since it (last) registered: it counts for placement.
  std::string dead_reason;   // Why it was declared dead; empty while it is live.
};

// One replica as a datanode reported it.
struct ReplicaReport {
  int64_t chunk_id = 0;
  int64_t generation = 0;
  int64_t length = 0;
};

class ChunkMap {
 public:
  struct Options {
    int64_t heartbeat_timeout_ms = 3000;
    // Options with the values of the --dfs_* flags.
    static Options FromFlags();
  };

  explicit ChunkMap(Options options) : options_(options) {}

  // ---- Datanodes.
  // Adds or refreshes `node` (load and address); it counts as heartbeating
  // now. A re-registering node keeps no replicas: it must report them again.
  void RegisterDatanode(const DatanodeDescriptor& node, int64_t now_ms);
  // NotFound if `id` is not registered (or was declared dead): the datanode
  // must register again.
  Status Heartbeat(const std::string& id, int64_t capacity_bytes, int64_t used_bytes,
                   int32_t active_transfers, int64_t now_ms);
  // Drops every node silent for longer than the timeout, and its replicas.
  // Returns the ids dropped.
  std::vector<std::string> ExpireDeadNodes(int64_t now_ms);
  // Drops a registered node and its replicas at once (the membership layer
  // found it failed); `why` is logged. False if it was not registered. A
  // node that is in fact alive registers again on its next heartbeat.
  bool DeclareDead(const std::string& id, const std::string& why);
  const DatanodeDescriptor* FindDatanode(const std::string& id) const;
  // Registered nodes, by id, in placement's terms.
  std::vector<DatanodeLoad> LiveNodes() const;
  // Calls fn(descriptor, alive, replica_count) for every live node, then every
  // node declared dead (and not registered again) since the map was made.
  void ForEachDatanode(
      const std::function<void(const DatanodeDescriptor&, bool, int64_t)>& fn) const;

  // ---- Chunks the namespace knows.
  // A chunk being written: replicas of any length are accepted and it is
  // not re-replicated.
  void AddChunk(int64_t chunk_id, int64_t generation, int32_t replication);
  // The file was closed: the chunk's final length.
  void CompleteChunk(int64_t chunk_id, int64_t length);
  // Forgets the chunk; returns the nodes that held it (they get a DELETE).
  std::vector<std::string> RemoveChunk(int64_t chunk_id);
  // A recovered pipeline gave the chunk a higher generation: replicas of
  // the old one no longer count. They are forgotten, not deleted here: the
  // nodes still in the pipeline replace them with the new generation, and
  // any other node's copy is rejected (and deleted) when next reported.
  void SetGeneration(int64_t chunk_id, int64_t generation);
  // The master's generation of a chunk, if known.
  std::optional<int64_t> Generation(int64_t chunk_id) const;

  // ---- Replicas.
  // Records `replica` on `node_id` if valid (see above); false if it must be
  // deleted instead. The node must be registered. For a replica just
  // written (ChunkReceived): a corrupt mark of that node is cleared.
  bool AddReplica(const std::string& node_id, const ReplicaReport& replica);
  // Drops one replica; false if the map did not have it.
  bool RemoveReplica(const std::string& node_id, int64_t chunk_id);
  // Replaces `node_id`'s replica set by `report`; returns the entries that
  // were rejected (unknown chunk, stale generation, wrong length).
  std::vector<ReplicaReport> ApplyChunkReport(const std::string& node_id,
                                              const std::vector<ReplicaReport>& report);
  // Live nodes holding a valid replica of `chunk_id` with `length` bytes
  // (any length if nullopt), sorted by id.
  std::vector<std::string> Replicas(int64_t chunk_id,
                                    std::optional<int64_t> length = std::nullopt) const;
  // Complete chunks with their replicas, length and the nodes whose copy was
  // reported corrupt (ChunkReplicas::avoid), for the re-replication planner.
  std::vector<ChunkReplicas> CompleteChunks() const;
  // Every replica of `chunk_id` with its reported length (any length), by
  // node id; for lease recovery, which picks the length of a chunk.
  std::map<std::string, int64_t> ReplicaLengths(int64_t chunk_id) const;

  // ---- Corrupt replicas (see above).
  void MarkCorrupt(int64_t chunk_id, const std::string& node_id);
  // Marked nodes of `chunk_id` not yet healed; 0 for an unknown chunk.
  int32_t CorruptReplicas(int64_t chunk_id) const;

 private:
  struct Chunk {
    int64_t generation = 0;
    int32_t replication = 0;
    bool complete = false;
    int64_t length = 0;                      // Valid once complete.
    std::map<std::string, int64_t> replicas;  // Node id -> reported length.
    std::set<std::string> corrupt;            // Nodes whose replica was reported bad.
  };
  struct Node {
    DatanodeDescriptor descriptor;
    std::set<int64_t> chunks;  // The chunk ids it holds in chunks_.
  };

  bool IsValid(const Chunk& chunk, const ReplicaReport& replica) const;
  // AddReplica for a replica from a chunk report: it may be the very copy
  // reported bad, so a corrupt mark stays.
  bool AddReportedReplica(const std::string& node_id, const ReplicaReport& replica);
  void DropNodeReplicas(Node* node, const std::string& node_id);

  // Clears chunk.corrupt once it is back at its replication in good replicas.
  static void MaybeHeal(Chunk* chunk);

  const Options options_;
  std::map<std::string, Node> nodes_;
  std::map<std::string, DatanodeDescriptor> dead_nodes_;  // Declared dead, by id.
  std::map<int64_t, Chunk> chunks_;
};

}  // namespace mr::dfs
