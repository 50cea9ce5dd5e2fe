// The groups of a user, from the master host's OS (getgrouplist(3)), as
// HDFS's ShellBasedUnixGroupsMapping, cached like Hadoop's Groups
// (hadoop.security.groups.cache.secs). A user the host does not know has no
// group (and is cached so too): it gets the "others" bits of every inode it
// does not own.
//
// Thread-safety: Get may be called from any thread; the cache has its own
// mutex, and the OS is asked outside it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace mr::dfs {

// The user's groups on this host, primary group first; none for an
// unknown user. Not cached.
std::vector<std::string> HostGroupsOf(const std::string& user);

class UserGroupCache {
 public:
  // Entries live `ttl_ms` by `clock_ms` (monotonic milliseconds).
  UserGroupCache(std::function<std::vector<std::string>(const std::string&)> lookup,
                 int64_t ttl_ms, std::function<int64_t()> clock_ms);

  std::vector<std::string> Get(const std::string& user);

 private:
  struct Entry {
    std::vector<std::string> groups;
    int64_t expires_ms = 0;
  };
  const std::function<std::vector<std::string>(const std::string&)> lookup_;
  const int64_t ttl_ms_;
  const std::function<int64_t()> clock_ms_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // Guarded by mu_.
};

// Groups of users from HostGroupsOf through one process-wide cache of
// --dfs_master_groups_cache_ms.
std::vector<std::string> CachedHostGroupsOf(const std::string& user);

}  // namespace mr::dfs
