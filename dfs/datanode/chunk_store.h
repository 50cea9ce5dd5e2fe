// The datanode's chunk replicas on local disk (format: chunk_format.h).
//
// At most one finalized replica per chunk id is kept: finalizing a higher
// generation replaces (deletes) the lower one; a lower or equal one is
// refused with AlreadyExists. Open() loads the finalized replicas already in
// <data_dir>/chunks and deletes leftover temp files and half-finalized ones.
//
// Thread-safety: all methods may be called concurrently. `mu_` (a
// reader-writer lock) guards `chunks_`, `writing_` and every rename or unlink
// of a final file name in the directory; readers hold it shared only while
// they look a replica up and open its files, so reads, writes and verifies
// of different chunks run in parallel. Writers and readers must not outlive
// the store.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "dfs/datanode/chunk_format.h"
#include "dfs/datanode/chunk_reader.h"
#include "dfs/datanode/chunk_writer.h"
#include "dfs/datanode/disk_space.h"

namespace mr::dfs {

// Where a finalized replica's files are (absolute paths).
struct ReplicaFiles {
  ChunkInfo info;
  std::string data_path;
  std::string meta_path;
};

// A finalized replica the directory scan found damaged on disk.
struct LostReplica {
  ChunkInfo info;
  std::string why;  // e.g. "data file missing", "data file has 5 bytes, not 9".
};

class ChunkStore {
 public:
  // Space limits default to the --dfs_datanode_* flags (disk_space.h).
  static Result<std::unique_ptr<ChunkStore>> Open(const std::string& data_dir);
  static Result<std::unique_ptr<ChunkStore>> Open(const std::string& data_dir,
                                                  DiskSpace::Options space);
  ChunkStore(const ChunkStore&) = delete;
  ChunkStore& operator=(const ChunkStore&) = delete;

  // Starts a new replica. AlreadyExists if the same (id, generation) is being
  // written, or a replica of this id with generation >= `generation` exists;
  // NoSpace if fewer than `reserve_bytes` (the most the write may bring) are
  // available. The writer holds them until it ends, and reserves as it goes
  // for bytes beyond them (NoSpace from Append when the disk is full).
  Result<std::unique_ptr<ChunkWriter>> CreateChunk(int64_t chunk_id, int64_t generation,
                                                   uint64_t reserve_bytes = 0);

  // Opens the finalized replica; NotFound if there is none of exactly this
  // generation.
  Result<std::unique_ptr<ChunkReader>> OpenChunk(int64_t chunk_id, int64_t generation) const;
  // The files of the finalized replica of exactly this generation, for a
  // short-circuit read by a client on this host; NotFound as OpenChunk.
  // The answer may be stale as soon as it is given (the replica deleted or
  // replaced): the client opens the files and falls back if they are gone.
  Result<ReplicaFiles> LocateChunk(int64_t chunk_id, int64_t generation) const;
  // OpenChunk + ChunkReader::Read: verified bytes [offset, offset + length).
  Status ReadChunk(int64_t chunk_id, int64_t generation, uint64_t offset, uint64_t length,
                   std::string* out) const;

  // Removes the replica of `chunk_id` if its generation is at most
  // `max_generation`. NotFound if there is none, or only a newer one (a
  // master's DELETE of a stale copy must not hit its recovered successor).
  Status Delete(int64_t chunk_id, int64_t max_generation = INT64_MAX);
  // Finalized replicas, by chunk id (the datanode's chunk report).
  std::vector<ChunkInfo> List() const;
  Result<ChunkInfo> Find(int64_t chunk_id) const;

  // The directory scan (HDFS's DirectoryScanner, but every few seconds): for
  // each of `replicas` (from List()), checks that both its files exist as
  // regular files of the sizes its length implies — two stat calls, no
  // read. A replica that fails is dropped from the store (what is left of
  // its files unlinked) and returned; one deleted or replaced since List()
  // is not reported. The scrubber scans in batches, paced.
  std::vector<LostReplica> CheckReplicas(const std::vector<ChunkInfo>& replicas);
  // CheckReplicas of every replica.
  std::vector<LostReplica> ScanForLostReplicas() { return CheckReplicas(List()); }

  // Re-reads the whole replica and checks every slice (for the scrubber).
  // `pace`, if set, is called after each piece with its size in bytes;
  // returning false stops early with Aborted.
  Status Verify(int64_t chunk_id, const std::function<bool(uint64_t)>& pace = {}) const;

  const std::string& chunk_dir() const { return dir_; }
  // Bytes of the finalized replicas.
  uint64_t stored_bytes() const;
  DiskSpace& space() { return space_; }

 private:
  friend class ChunkWriter;
  ChunkStore(std::string dir, DiskSpace::Options space);

  Status Load();
  // Renames a writer's temp files to their final names and publishes the
  // replica, replacing an older generation.
  Status Commit(const ChunkInfo& info, const std::string& data_tmp, const std::string& meta_tmp);
  void ReleaseWriter(int64_t chunk_id, int64_t generation);
  // Why the files of `info` are not a whole replica ("" if they are).
  std::string CheckReplicaFiles(int dir_fd, const ChunkInfo& info) const;
  // Unlinks both files of a replica; caller holds mu_ exclusively.
  void RemoveReplicaFiles(int64_t chunk_id, int64_t generation);
  std::string PathOf(const std::string& name) const;

  const std::string dir_;  // <data_dir>/chunks
  mutable std::shared_mutex mu_;
  std::map<int64_t, ChunkInfo> chunks_;               // GUARDED_BY(mu_)
  std::set<std::pair<int64_t, int64_t>> writing_;     // GUARDED_BY(mu_): (id, gen)
  uint64_t stored_bytes_ = 0;                         // GUARDED_BY(mu_): sum of chunks_ lengths.
  DiskSpace space_;
};

}  // namespace mr::dfs
