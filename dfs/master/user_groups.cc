#include "dfs/master/user_groups.h"

#include <grp.h>
#include <pwd.h>

#include <gflags/gflags.h>

#include "common/clock.h"

DEFINE_int64(dfs_master_groups_cache_ms, 300000,
             "How long the master keeps a user's OS groups (getgrouplist) before asking the "
             "host again, as Hadoop's hadoop.security.groups.cache.secs.");

namespace mr::dfs {

namespace {

constexpr size_t kMaxCachedUsers = 4096;

}  // namespace

std::vector<std::string> HostGroupsOf(const std::string& user) {
  std::vector<char> buffer(16384);
  struct passwd pw, *found = nullptr;
  if (::getpwnam_r(user.c_str(), &pw, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return {};
  }
  std::vector<gid_t> gids(64);
  int count = static_cast<int>(gids.size());
  while (::getgrouplist(user.c_str(), pw.pw_gid, gids.data(), &count) < 0) {
    if (count <= static_cast<int>(gids.size())) count = static_cast<int>(gids.size()) * 2;
    if (count > 65536) return {};
    gids.resize(static_cast<size_t>(count));
  }
  std::vector<std::string> groups;
  for (int i = 0; i < count; ++i) {
    struct group gr, *g = nullptr;
    if (::getgrgid_r(gids[i], &gr, buffer.data(), buffer.size(), &g) == 0 && g != nullptr) {
      groups.emplace_back(g->gr_name);
    }
  }
  return groups;
}

UserGroupCache::UserGroupCache(std::function<std::vector<std::string>(const std::string&)> lookup,
                               int64_t ttl_ms, std::function<int64_t()> clock_ms)
    : lookup_(std::move(lookup)), ttl_ms_(ttl_ms), clock_ms_(std::move(clock_ms)) {}

std::vector<std::string> UserGroupCache::Get(const std::string& user) {
  const int64_t now = clock_ms_();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(user);
    if (it != entries_.end() && it->second.expires_ms > now) return it->second.groups;
  }
  std::vector<std::string> groups = lookup_(user);  // Outside mu_: the OS may be slow.
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= kMaxCachedUsers) entries_.clear();  // Bounded: start over.
  entries_[user] = Entry{groups, now + ttl_ms_};
  return groups;
}

std::vector<std::string> CachedHostGroupsOf(const std::string& user) {
  static UserGroupCache* cache =
      new UserGroupCache(HostGroupsOf, FLAGS_dfs_master_groups_cache_ms, SteadyClockMs);
  return cache->Get(user);
}

}  // namespace mr::dfs
