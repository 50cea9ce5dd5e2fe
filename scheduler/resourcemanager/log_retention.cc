#include "scheduler/resourcemanager/log_retention.h"

#include <algorithm>
#include <chrono>

#include <glog/logging.h>

#include "common/clock.h"
#include "common/host_port.h"
#include "dfs/client/dfs_client.h"
#include "scheduler/logs/aggregated_logs.h"

namespace mr::sched {

LogRetention::LogRetention(Options options) : options_(std::move(options)) {}

LogRetention::~LogRetention() { Stop(); }

void LogRetention::Start() { thread_ = std::thread([this] { Loop(); }); }

void LogRetention::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<int> LogRetention::DeleteExpired(dfs::DfsClient* dfs, int64_t retention_ms,
                                        int64_t now_ms) {
  Result<std::vector<dfs::DfsFileStatus>> apps = dfs->List(kAggregatedLogsRoot);
  if (apps.status().IsNotFound()) return 0;
  RETURN_NOT_OK(apps.status());
  int deleted = 0;
  for (const dfs::DfsFileStatus& app : *apps) {
    int64_t newest = app.modification_time_ms;
    if (app.is_dir) {
      Result<std::vector<dfs::DfsFileStatus>> files = dfs->List(app.path);
      if (!files.ok()) continue;
      for (const dfs::DfsFileStatus& file : *files) {
        newest = std::max(newest, file.modification_time_ms);
      }
    }
    if (now_ms - newest <= retention_ms) continue;
    Status s = dfs->Delete(app.path, /*recursive=*/true);
    if (s.ok()) {
      ++deleted;
      LOG(INFO) << "rm: deleted the aggregated logs " << app.path << " (retention "
                << retention_ms << " ms)";
    } else if (!s.IsNotFound()) {
      LOG(WARNING) << "rm: deleting " << app.path << ": " << s.ToString();
    }
  }
  return deleted;
}

void LogRetention::Loop() {
  std::unique_ptr<dfs::DfsClient> dfs;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(10, options_.check_ms)),
                 [this] { return stopping_; });
    if (stopping_) return;
    if (options_.active && !options_.active()) continue;
    lock.unlock();
    if (dfs == nullptr) {
      dfs::DfsClient::Options options;
      Status s = ParseHostPort(options_.dfs_master, &options.master_host, &options.master_port);
      options.client_name = "resource-manager-log-retention";
      if (s.ok()) {
        Result<std::unique_ptr<dfs::DfsClient>> connected = dfs::DfsClient::Connect(options);
        if (connected.ok()) dfs = std::move(connected).value();
      } else {
        LOG_EVERY_N(WARNING, 10) << "rm: log retention: bad master address: " << s.ToString();
      }
    }
    if (dfs != nullptr) {
      Result<int> deleted = DeleteExpired(dfs.get(), options_.retention_ms, WallClockMs());
      if (!deleted.ok()) {
        LOG_EVERY_N(WARNING, 10) << "rm: log retention: " << deleted.status().ToString();
        dfs.reset();
      }
    }
    lock.lock();
  }
}

}  // namespace mr::sched
