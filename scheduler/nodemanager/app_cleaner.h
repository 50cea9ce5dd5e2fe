// AppCleaner: what a Node Manager does once the RM says an application is
// finished (NodeHeartbeatResponse.cleanup_app_ids), on a thread of its own
// so that heartbeats never wait for the DFS (docs/SCHEDULER.md, "Log
// aggregation"): it stops the application's containers, waits until their
// processes are gone, writes every container's stdout and stderr (the AM's
// included) into the DFS file /.logs/<app_id>/<node_id>
// (scheduler/logs/aggregated_logs.h), and then deletes the application's
// local directory. It works from the directory, not from the records, so a
// restarted NM aggregates what its previous run left too.
//
// A DFS that does not answer is tried again every retry_ms, up to
// max_tries; then the directory is deleted without its logs (a node's disk
// must not fill up with finished applications).
//
// Thread-safety: Cleanup may be called from any thread; Start and Stop from
// the owning one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "scheduler/logs/aggregated_logs.h"

namespace mr::dfs {
class DfsClient;
}

namespace mr::sched::nm {

class ContainerManager;

class AppCleaner {
 public:
  struct Options {
    std::string node_id;
    std::string dfs_master;   // host:port; empty: logs are not aggregated.
    std::string client_host = "127.0.0.1";
    int64_t max_bytes_per_stream = 8 << 20;  // The tail of each log kept.
    int replication = 0;  // Of the log files (0: the DFS client's default).
    int container_wait_ms = 15000;  // For the application's containers to end.
    int retry_ms = 5000;
    int max_tries = 12;
    // Defaults from --nm_log_aggregate_bytes and --nm_log_replication.
    static Options FromFlags();
  };

  // `containers` must outlive the cleaner.
  AppCleaner(Options options, ContainerManager* containers);
  ~AppCleaner();  // Stop().
  void Start();
  void Stop();  // Idempotent; an aggregation under way is finished first.

  // Queues the application (again is a no-op while it is queued).
  void Cleanup(const std::string& app_id);

  // The records of one application directory (<dir>/apps/<app_id>): each
  // container's stdout and stderr, the last max_bytes of each.
  static std::vector<LogRecord> CollectLogs(const std::string& app_dir, int64_t max_bytes);

 private:
  struct Job {
    std::string app_id;
    int tries = 0;
    int64_t not_before_ms = 0;  // Steady ms.
  };

  void Loop();
  // One try; false if the DFS write failed (try again later).
  bool CleanOnce(const std::string& app_id);

  const Options options_;
  ContainerManager* const containers_;
  std::unique_ptr<dfs::DfsClient> dfs_;  // The thread's.
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;        // GUARDED_BY(mu_)
  std::set<std::string> queued_;  // GUARDED_BY(mu_)
  bool stopping_ = false;        // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace mr::sched::nm
