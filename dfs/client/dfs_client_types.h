// The values the DFS client API hands out: file status, chunk locations and
// their replicas. Plain data, independent of the wire format (dfs.thrift), so
// that users of the client never include generated code.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mr::dfs {

struct DfsFileStatus {
  std::string path;
  bool is_dir = false;
  int64_t length = 0;        // Files: bytes; directories: 0.
  int32_t replication = 0;   // Files: target replica count.
  int64_t chunk_size = 0;    // Files.
  int64_t modification_time_ms = 0;
  bool under_construction = false;  // A writer holds the file open.
  // Its writer never closed it: lease recovery kept `length` bytes, which
  // may be fewer than were written. Open refuses it; fsck reports it.
  bool incomplete = false;
  // Permissions (docs/DFS.md, "Permissions"): owner, group, and the mode
  // bits (rwx for owner, group, others; 01000 the sticky bit).
  std::string owner;
  std::string group;
  uint16_t mode = 0;
};

// Who the master takes this client for.
struct DfsCaller {
  std::string user;
  std::vector<std::string> groups;  // On the master's host.
  bool superuser = false;           // Every permission check passes.
};

// One replica of a chunk: the datanode holding it.
struct DfsReplica {
  std::string node_id;
  std::string host;
  int port = 0;  // Data-plane port.
  std::string rack;
};

struct DfsChunk {
  int64_t chunk_id = 0;
  int64_t generation = 0;
  int64_t offset = 0;  // Of its first byte in the file.
  int64_t length = 0;
  // Live replicas, nearest to the client first (replica_order.h).
  std::vector<DfsReplica> replicas;
  // Replicas reported corrupt and not yet replaced (not in `replicas`).
  int corrupt_replicas = 0;
  // The master's READ token for this chunk and generation, presented to its
  // datanodes ("" from a master without security). Expires
  // (--dfs_chunk_token_lifetime_ms); readers then fetch the location again.
  std::string access_token;
};

}  // namespace mr::dfs
