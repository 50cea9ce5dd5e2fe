#include "scheduler/nodemanager/app_cleaner.h"

#include <algorithm>
#include <chrono>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/clock.h"
#include "common/file.h"
#include "common/host_port.h"
#include "dfs/client/dfs_client.h"
#include "scheduler/nodemanager/container_manager.h"
#include "scheduler/nodemanager/local_dirs.h"
#include "scheduler/nodemanager/log_tail.h"

DEFINE_int64(nm_log_aggregate_bytes, 8 << 20,
             "When an application ends, the last bytes of each of its containers' stdout and "
             "stderr that the node manager writes into the DFS (/.logs/<app>/<node>) before it "
             "deletes the application's local directory.");

DEFINE_int32(nm_log_replication, 0,
             "Replicas of the aggregated log files the node manager writes into the DFS (0: "
             "the DFS's default).");

namespace mr::sched::nm {

namespace {
constexpr int kContainerPollMs = 20;
}  // namespace

AppCleaner::Options AppCleaner::Options::FromFlags() {
  Options options;
  options.max_bytes_per_stream = std::max<int64_t>(0, FLAGS_nm_log_aggregate_bytes);
  options.replication = std::max(0, FLAGS_nm_log_replication);
  return options;
}

AppCleaner::AppCleaner(Options options, ContainerManager* containers)
    : options_(std::move(options)), containers_(containers) {}

AppCleaner::~AppCleaner() { Stop(); }

void AppCleaner::Start() { thread_ = std::thread([this] { Loop(); }); }

void AppCleaner::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AppCleaner::Cleanup(const std::string& app_id) {
  {
    std::lock_guard lock(mu_);
    if (!queued_.insert(app_id).second) return;
    queue_.push_back({app_id, 0, 0});
  }
  // Its containers stop at once, whatever the queue holds before it.
  containers_->StopApp(app_id);
  cv_.notify_all();
}

std::vector<LogRecord> AppCleaner::CollectLogs(const std::string& app_dir, int64_t max_bytes) {
  std::vector<LogRecord> records;
  std::string dir = JoinPath(app_dir, "containers");
  for (const std::string& container_id : SubdirectoryNames(dir)) {
    for (const char* stream : {"stdout", "stderr"}) {
      std::string path = JoinPath(JoinPath(dir, container_id), stream);
      if (!PathExists(path)) continue;
      Result<std::string> tail = ReadFileTail(path, static_cast<uint64_t>(max_bytes));
      records.push_back({container_id, stream,
                         tail.ok() ? *std::move(tail)
                                   : "(unreadable: " + tail.status().ToString() + ")\n"});
    }
  }
  return records;
}

bool AppCleaner::CleanOnce(const std::string& app_id) {
  // The containers end first (StopApp killed them), so their logs are whole.
  int64_t deadline = SteadyClockMs() + options_.container_wait_ms;
  while (containers_->RunningOf(app_id) > 0 && SteadyClockMs() < deadline) {
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, std::chrono::milliseconds(kContainerPollMs),
                     [this] { return stopping_; })) {
      break;
    }
  }
  std::vector<LogRecord> records =
      CollectLogs(containers_->AppDir(app_id), options_.max_bytes_per_stream);
  if (!records.empty() && !options_.dfs_master.empty()) {
    Status s;
    if (dfs_ == nullptr) {
      dfs::DfsClient::Options options;
      s = ParseHostPort(options_.dfs_master, &options.master_host, &options.master_port);
      options.client_host = options_.client_host;
      options.client_name = "node-manager-logs-" + options_.node_id;
      Result<std::unique_ptr<dfs::DfsClient>> connected =
          s.ok() ? dfs::DfsClient::Connect(options) : Result<std::unique_ptr<dfs::DfsClient>>(s);
      s = connected.status();
      if (connected.ok()) dfs_ = *std::move(connected);
    }
    if (s.ok()) s = WriteNodeLogs(dfs_.get(), app_id, options_.node_id, records, options_.replication);
    if (!s.ok()) {
      LOG(WARNING) << "node " << options_.node_id << ": aggregating the logs of " << app_id
                   << ": " << s.ToString();
      dfs_.reset();
      return false;
    }
    LOG(INFO) << "node " << options_.node_id << ": aggregated " << records.size()
              << " logs of " << app_id;
  }
  containers_->ForgetApp(app_id);
  return true;
}

void AppCleaner::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (queue_.empty()) {
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      continue;
    }
    Job job = queue_.front();
    queue_.pop_front();
    int64_t wait = job.not_before_ms - SteadyClockMs();
    if (wait > 0) {
      // Retries wait their turn; a new job may be queued meanwhile.
      queue_.push_back(job);
      cv_.wait_for(lock, std::chrono::milliseconds(std::min<int64_t>(wait, 200)));
      continue;
    }
    lock.unlock();
    bool done = CleanOnce(job.app_id);
    if (!done && ++job.tries >= options_.max_tries) {
      LOG(WARNING) << "node " << options_.node_id << ": giving up on the logs of " << job.app_id
                   << " after " << job.tries << " tries";
      containers_->ForgetApp(job.app_id);
      done = true;
    }
    lock.lock();
    if (done) {
      queued_.erase(job.app_id);
    } else {
      job.not_before_ms = SteadyClockMs() + options_.retry_ms;
      queue_.push_back(job);
    }
  }
}

}  // namespace mr::sched::nm
