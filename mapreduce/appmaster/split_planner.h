// Split planning for the Application Master: one map split per DFS chunk of
// every input file, each with the NMs and racks that hold its data, so the RM
// can place the map beside a replica (docs/SCHEDULER.md, "Protocol of a job");
// then small splits combined into fewer map tasks, grouped by locality, as
// Hadoop's CombineFileInputFormat does (docs/SCHEDULER.md, "Combined splits").
//
// Pure functions of plain values (no DFS, no RPC), so every rule is unit
// tested: chunk boundaries, fixed-size records, replicas -> NM ids.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace mr::am {

// One replica of a chunk, as the DFS reports it.
struct ReplicaLocation {
  std::string datanode_id;
  std::string rack;
};

struct ChunkLocation {
  int64_t offset = 0;
  int64_t length = 0;
  std::vector<ReplicaLocation> replicas;
};

// One input file and its chunks, sorted by offset and covering [0, length).
struct InputFile {
  std::string path;
  int64_t length = 0;
  std::vector<ChunkLocation> chunks;
  int64_t chunk_size = 0;  // The file's DFS chunk size; 0: unknown.
};

struct MapSplit {
  std::string path;
  int64_t offset = 0;
  int64_t length = 0;
  // Of the chunk holding most of the split's bytes (ties: the earlier).
  std::vector<std::string> datanode_ids;
  std::vector<std::string> racks;  // Distinct, in replica order.
};

// One split per chunk. `record_bytes` > 1 (fixed-size records): every
// boundary moves up to the next record boundary, so a split holds whole
// records and a record belongs to the split holding its first byte; a
// chunk holding no record start yields no split, and a file whose length
// is not a multiple of record_bytes is InvalidArgument. Text input
// (record_bytes 1) keeps chunk boundaries: the line reader already reads a
// line in the split where it starts. Empty files yield no split.
Result<std::vector<MapSplit>> PlanSplits(const std::vector<InputFile>& files, int64_t record_bytes);

// One map task's input: pieces read one after another (a record belongs to
// the piece holding its first byte), with the datanodes and racks that hold
// replicas of the most of its bytes, the task's placement preferences.
struct MapTaskInput {
  struct Piece {
    std::string path;
    int64_t offset = 0;
    int64_t length = 0;
  };
  std::vector<Piece> pieces;
  int64_t length = 0;  // Sum of the pieces' lengths.
  // Every datanode holding replicas of as many of the task's bytes as any
  // other (a split's majority chunk counts for the whole split), in the
  // order the task's splits list them; likewise the racks.
  std::vector<std::string> datanode_ids;
  std::vector<std::string> racks;
};

// Groups `splits` (PlanSplits' output, in its order) into map tasks of at
// most `max_bytes` each; a split larger than that is a task of its own, and
// splits are never cut (so fixed-size records stay whole). max_bytes <= 0:
// one task per split. Grouping, by locality first:
//   1. node by node, round robin over the datanodes in id order: each turn
//      a node gathers unassigned splits with a replica on it (first fit, in
//      input order) and keeps the group if it is at least half of max_bytes
//      (else its splits wait for step 2);
//   2. rack by rack, likewise, but every group is kept;
//   3. splits without replica locations, in input order.
// Adjacent pieces of one file in a task are merged into one piece. Tasks
// come in the order they were formed. Deterministic.
std::vector<MapTaskInput> CombineSplits(const std::vector<MapSplit>& splits, int64_t max_bytes);

// The NM id of each datanode that has an NM beside it (ListNodes' NodeInfo):
// datanode id -> NM id. Only live NMs belong in it.
using DatanodeToNodeManager = std::map<std::string, std::string>;

// The NM ids a split prefers: those beside one of its replicas, in replica
// order. Replicas without an NM are left out (their rack still counts).
std::vector<std::string> PreferredNodeManagers(const MapSplit& split,
                                               const DatanodeToNodeManager& nms);
std::vector<std::string> PreferredNodeManagers(const MapTaskInput& task,
                                               const DatanodeToNodeManager& nms);

}  // namespace mr::am
