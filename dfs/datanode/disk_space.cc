#include "dfs/datanode/disk_space.h"

#include <gflags/gflags.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <mutex>

// Named apart from the master's --dfs_datanode_reserved_bytes (a placement
// threshold in dfs/master/master_service.cc): gflags names are process-wide
// and a test may link both.
DEFINE_int64(dfs_datanode_disk_reserved_bytes, 0,
             "Bytes of the data directory's file system a datanode keeps free for other uses: "
             "it refuses a write that would leave less, and reports its capacity without them.");
DEFINE_int64(dfs_datanode_capacity_bytes, 0,
             "Testing: treat the datanode's disk as this many bytes big (counting the bytes of "
             "its replicas); 0 uses the file system's real size and free space.");

namespace mr::dfs {

DiskSpace::Options DiskSpace::Options::FromFlags(std::string dir) {
  Options options;
  options.dir = std::move(dir);
  options.capacity_bytes = std::max<int64_t>(0, FLAGS_dfs_datanode_capacity_bytes);
  options.reserved_bytes = std::max<int64_t>(0, FLAGS_dfs_datanode_disk_reserved_bytes);
  return options;
}

DiskSpace::DiskSpace(Options options, std::function<uint64_t()> stored_bytes)
    : options_(std::move(options)), stored_bytes_(std::move(stored_bytes)) {}

DiskSpace::Usage DiskSpace::Measure() const {
  int64_t capacity = 0;
  int64_t free = 0;
  struct statvfs fs;
  if (::statvfs(options_.dir.c_str(), &fs) == 0) {
    capacity = static_cast<int64_t>(fs.f_blocks) * static_cast<int64_t>(fs.f_frsize);
    free = static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
  }
  if (options_.capacity_bytes > 0) {
    capacity = options_.capacity_bytes;
    int64_t used = static_cast<int64_t>(stored_bytes_()) + being_written_.load();
    free = std::min(free, capacity - used);
  }
  Usage usage;
  usage.capacity_bytes = std::max<int64_t>(0, capacity - options_.reserved_bytes);
  usage.available_bytes = std::clamp<int64_t>(free - options_.reserved_bytes - promised_.load(), 0,
                                              usage.capacity_bytes);
  return usage;
}

Status DiskSpace::Reserve(uint64_t bytes) {
  std::lock_guard lock(reserve_mu_);
  int64_t available = Measure().available_bytes;
  if (static_cast<uint64_t>(available) < bytes) {
    return Status::NoSpace(std::to_string(available) + " bytes free, needs " +
                           std::to_string(bytes));
  }
  promised_ += static_cast<int64_t>(bytes);
  return Status::OK();
}

void DiskSpace::Wrote(uint64_t bytes, uint64_t from_promise) {
  promised_ -= static_cast<int64_t>(from_promise);
  being_written_ += static_cast<int64_t>(bytes);
}

void DiskSpace::Finished(uint64_t unused_promise, uint64_t written) {
  promised_ -= static_cast<int64_t>(unused_promise);
  being_written_ -= static_cast<int64_t>(written);
}

}  // namespace mr::dfs
