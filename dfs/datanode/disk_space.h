// DiskSpace: how many bytes a datanode can still take for new replicas, and
// the capacity it reports in heartbeats (so the master's placement sees the
// same figure the datanode enforces).
//
//   available = min(file system's free bytes (statvfs f_bavail),
//                   capacity_bytes - stored - being written)   if capacity_bytes > 0
//               - reserved_bytes - bytes promised to writes in progress
//
// `capacity_bytes` (--dfs_datanode_capacity_bytes) treats the disk as that
// big, counting the bytes of stored replicas and of replicas being written:
// tests make one node "full" with it without filling a real disk.
// `reserved_bytes` (--dfs_datanode_disk_reserved_bytes, HDFS's
// dfs.datanode.du.reserved) is kept free for everything else on the disk.
//
// A write reserves the bytes it may bring (the chunk size) before it is
// accepted (Reserve), so concurrent writes cannot together overcommit the
// disk even though each alone fits; the promise shrinks as bytes land on
// disk (where statvfs or the "being written" count sees them) and the rest
// is returned when the write ends (HDFS's reservedForReplicas).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "common/status.h"

namespace mr::dfs {

class DiskSpace {
 public:
  struct Options {
    std::string dir;             // Any path on the data directory's file system.
    int64_t capacity_bytes = 0;  // 0: the file system's size.
    int64_t reserved_bytes = 0;
    // capacity_bytes and reserved_bytes from the --dfs_datanode_* flags.
    static Options FromFlags(std::string dir);
  };
  struct Usage {
    int64_t capacity_bytes = 0;   // Usable by replicas: the disk (or cap) minus the reserve.
    int64_t available_bytes = 0;  // For new replicas now; never negative.
    int64_t used_bytes() const { return capacity_bytes - available_bytes; }
  };

  // `stored_bytes` returns the bytes of finalized replicas (the ChunkStore's
  // count); it is called without any DiskSpace lock held.
  DiskSpace(Options options, std::function<uint64_t()> stored_bytes);
  DiskSpace(const DiskSpace&) = delete;
  DiskSpace& operator=(const DiskSpace&) = delete;

  // The figures a heartbeat reports. If statvfs fails, as if the disk were full.
  Usage Measure() const;

  // Promises `bytes` to a new write. NoSpace("N bytes free, needs M") if
  // fewer are available.
  Status Reserve(uint64_t bytes);
  // `bytes` were written into a replica being written; `from_promise` of
  // them had been reserved.
  void Wrote(uint64_t bytes, uint64_t from_promise);
  // A write ended: its unused promise is returned and its `written` bytes
  // stop counting as "being written" (a finalized replica counts as stored
  // from then on; an aborted one is gone).
  void Finished(uint64_t unused_promise, uint64_t written);

 private:
  const Options options_;
  const std::function<uint64_t()> stored_bytes_;
  // Reservations are checked and taken under it, so that two writes cannot
  // both take the last free bytes. Outside it promised_ + being_written_
  // never grows (Wrote moves bytes from one to the other).
  std::mutex reserve_mu_;
  std::atomic<int64_t> promised_{0};       // Reserved and not yet written.
  std::atomic<int64_t> being_written_{0};  // In temp files of writes in progress.
};

}  // namespace mr::dfs
