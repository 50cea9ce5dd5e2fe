// LogRetention: deletes aggregated container logs (scheduler/logs) older
// than the retention, as YARN's AggregatedLogDeletionService does for
// yarn.log-aggregation.retain-seconds. Every check_ms its thread lists
// /.logs in the DFS and deletes each application's directory whose newest
// file was written more than retention_ms ago; a standby RM skips its turn.
//
// Thread-safety: Start and Stop from the owning thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"

namespace mr::dfs {
class DfsClient;
}

namespace mr::sched {

class LogRetention {
 public:
  struct Options {
    std::string dfs_master;  // host:port
    int64_t retention_ms = 7LL * 24 * 3600 * 1000;
    int64_t check_ms = 3600 * 1000;
    // Whether this RM is the active one now (a standby skips its passes).
    std::function<bool()> active;
  };

  explicit LogRetention(Options options);
  ~LogRetention();  // Stop().
  void Start();
  void Stop();  // Idempotent.

  // One pass at `now_ms` (Unix ms) with `dfs`; how many application
  // directories it deleted. Public for tests.
  static Result<int> DeleteExpired(dfs::DfsClient* dfs, int64_t retention_ms, int64_t now_ms);

 private:
  void Loop();

  const Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace mr::sched
