#include "dfs/datanode/datanode_agent.h"

#include <algorithm>

#include <gflags/gflags.h>
#include <glog/logging.h>

DEFINE_int32(dfs_heartbeat_interval_ms, 500,
             "Milliseconds between two heartbeats of a datanode to the master (keep it well "
             "under the master's --dfs_heartbeat_timeout_ms).");
DEFINE_int32(dfs_chunk_report_interval_s, 600,
             "Seconds between two full chunk reports of a datanode; one is also sent right "
             "after every registration.");
DEFINE_int32(dfs_datanode_register_backoff_max_ms, 5000,
             "Longest wait between two registration attempts while the master is down "
             "(the wait starts at 100 ms and doubles).");

namespace mr::dfs {

namespace {
// Queued ChunkReceived events beyond this are replaced by one full report.
constexpr size_t kMaxQueuedReceived = 4096;
// Bad-replica reports beyond this are dropped; the replicas are deleted
// locally, so the next full report tells the master anyway.
constexpr size_t kMaxQueuedBadReplicas = 4096;
// Lost replicas beyond this are left to the next full report, which is
// then sent early.
constexpr size_t kMaxQueuedLost = 4096;
}  // namespace

DatanodeAgent::Options DatanodeAgent::Options::FromFlags() {
  Options options;
  options.heartbeat_interval = std::chrono::milliseconds(std::max(1, FLAGS_dfs_heartbeat_interval_ms));
  options.chunk_report_interval = std::chrono::seconds(std::max(1, FLAGS_dfs_chunk_report_interval_s));
  options.register_backoff_max =
      std::chrono::milliseconds(std::max(1, FLAGS_dfs_datanode_register_backoff_max_ms));
  options.register_backoff_initial = std::min(options.register_backoff_initial,
                                              options.register_backoff_max);
  options.replication = ChunkReplicator::Options::FromFlags();
  return options;
}

DatanodeAgent::DatanodeAgent(MasterLink* link, ChunkStore* store, DataServer* data_server,
                             Options options)
    : link_(link), store_(store), data_server_(data_server), options_(std::move(options)),
      replicator_(store, options_.replication,
                  [this](const ChunkInfo& chunk, const Status& why) {
                    OnCorruptReplica(chunk, why);
                  }) {}

DatanodeAgent::~DatanodeAgent() { Stop(); }

void DatanodeAgent::Start() {
  if (options_.self.data_port == 0 && data_server_ != nullptr) {
    options_.self.data_port = data_server_->port();
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  replicator_.Start();
  thread_ = std::thread([this] { Run(); });
}

void DatanodeAgent::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  replicator_.Stop();
  registered_ = false;
}

bool DatanodeAgent::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void DatanodeAgent::OnChunkWritten(const ChunkInfo& chunk) {
  {
    std::lock_guard lock(mu_);
    if (received_.size() >= kMaxQueuedReceived) {
      received_.clear();
      report_due_ = true;
    } else {
      wire::ChunkReplicaInfo info;
      info.chunk_id = chunk.chunk_id;
      info.generation = chunk.generation;
      info.length = static_cast<int64_t>(chunk.length);
      received_.push_back(info);
    }
    event_ = true;
  }
  cv_.notify_all();
}

void DatanodeAgent::OnCorruptReplica(const ChunkInfo& chunk, const Status& why) {
  LOG(ERROR) << "datanode " << options_.self.id << ": deleting corrupt "
             << ChunkName(chunk.chunk_id, chunk.generation) << ": " << why.ToString();
  // A newer generation may have replaced the bad replica meanwhile; keep it.
  // (A replacement between Find and Delete is not excluded; the master then
  // re-replicates, which is safe.)
  Result<ChunkInfo> current = store_->Find(chunk.chunk_id);
  if (current.ok() && current->generation == chunk.generation) {
    Status s = store_->Delete(chunk.chunk_id);
    if (!s.ok() && !s.IsNotFound()) {
      LOG(WARNING) << "datanode " << options_.self.id << ": " << s.ToString();
    }
  }
  {
    std::lock_guard lock(mu_);
    if (bad_replicas_.size() < kMaxQueuedBadReplicas) bad_replicas_.insert(chunk.chunk_id);
    event_ = true;
  }
  cv_.notify_all();
}

void DatanodeAgent::OnLostReplica(const ChunkInfo& chunk, const std::string& why) {
  LOG(ERROR) << "datanode " << options_.self.id << ": lost "
             << ChunkName(chunk.chunk_id, chunk.generation) << " (" << why
             << "); telling the master";
  std::lock_guard lock(mu_);
  if (lost_.size() >= kMaxQueuedLost) {
    report_due_ = true;
    return;
  }
  wire::ChunkReplicaInfo info;
  info.chunk_id = chunk.chunk_id;
  info.generation = chunk.generation;
  info.length = static_cast<int64_t>(chunk.length);
  lost_.push_back(info);
}

void DatanodeAgent::Run() {
  auto backoff = options_.register_backoff_initial;
  Clock::time_point last_register;  // Long ago.
  Clock::time_point next_heartbeat = Clock::now();
  Clock::time_point next_report = Clock::now();
  while (!stopping()) {
    if (!registered_) {
      // Spaced by the backoff even when registering succeeds, so that a
      // master that keeps forgetting the node is not hammered.
      WaitUntil(last_register + backoff, /*wake_on_event=*/false);
      if (stopping()) break;
      last_register = Clock::now();
      if (!Register().ok()) {
        backoff = std::min(backoff * 2, options_.register_backoff_max);
        continue;
      }
      backoff = options_.register_backoff_initial;
      next_heartbeat = next_report = Clock::now();
    }
    Clock::time_point now = Clock::now();
    bool report_due;
    {
      std::lock_guard lock(mu_);
      report_due = report_due_ || now >= next_report;
    }
    if (report_due) {
      Status s = SendChunkReport();
      if (s.ok()) next_report = now + options_.chunk_report_interval;
      if (s.IsNotFound()) continue;  // Register again.
    }
    if (now >= next_heartbeat) {
      next_heartbeat = now + options_.heartbeat_interval;
      if (SendHeartbeat().IsNotFound()) continue;
    }
    if (SendQueuedEvents().IsNotFound()) continue;
    WaitUntil(next_heartbeat, /*wake_on_event=*/true);
  }
}

Status DatanodeAgent::Register() {
  Status s = link_->Register(options_.self);
  NoteLinkStatus("register", s);
  if (!s.ok()) return s;
  LOG(WARNING) << "datanode " << options_.self.id << ": registered with the master as "
               << options_.self.host << ":" << options_.self.data_port << " rack "
               << options_.self.rack;
  registered_ = true;
  std::lock_guard lock(mu_);
  // The master forgot this node's replicas; the full report that follows
  // carries everything finalized so far, queued ChunkReceived included, and
  // leaves out the lost ones.
  received_.clear();
  lost_.clear();
  report_due_ = true;
  return s;
}

Status DatanodeAgent::SendChunkReport() {
  {
    // Cleared before the snapshot: a replica finalized after this point is
    // either in List() or queued again (OnChunkWritten runs after finalize).
    std::lock_guard lock(mu_);
    report_due_ = false;
  }
  std::vector<wire::ChunkReplicaInfo> report;
  for (const ChunkInfo& chunk : store_->List()) {
    wire::ChunkReplicaInfo info;
    info.chunk_id = chunk.chunk_id;
    info.generation = chunk.generation;
    info.length = static_cast<int64_t>(chunk.length);
    report.push_back(info);
  }
  Status s = link_->ChunkReport(report);
  NoteLinkStatus("chunk report", s);
  if (s.IsNotFound()) registered_ = false;
  if (!s.ok()) {
    std::lock_guard lock(mu_);
    report_due_ = true;  // Retried on the next tick.
  } else {
    VLOG(1) << "datanode " << options_.self.id << ": reported " << report.size() << " chunks";
  }
  return s;
}

Status DatanodeAgent::SendHeartbeat() {
  std::vector<wire::DatanodeCommand> commands;
  DatanodeStats stats = CollectStats();
  Status s = link_->Heartbeat(stats, &commands);
  NoteLinkStatus("heartbeat", s);
  if (s.IsNotFound()) registered_ = false;
  if (!s.ok() && !s.IsNotFound() && !stats.lost_replicas.empty()) {
    std::lock_guard lock(mu_);  // Not delivered: with the next one.
    lost_.insert(lost_.begin(), stats.lost_replicas.begin(), stats.lost_replicas.end());
  }
  if (!s.ok()) return s;
  for (const wire::DatanodeCommand& command : commands) Execute(command);
  return s;
}

Status DatanodeAgent::SendQueuedEvents() {
  std::vector<wire::ChunkReplicaInfo> received;
  std::set<int64_t> bad;
  {
    std::lock_guard lock(mu_);
    event_ = false;
    received.swap(received_);
    bad.swap(bad_replicas_);
  }
  Status result;
  for (size_t i = 0; i < received.size(); ++i) {
    Status s = link_->ChunkReceived(received[i]);
    NoteLinkStatus("chunk received", s);
    if (s.ok()) continue;
    std::lock_guard lock(mu_);
    report_due_ = true;  // The full report carries this one and the rest.
    if (s.IsNotFound()) registered_ = false;
    result = s;
    break;
  }
  for (auto it = bad.begin(); it != bad.end() && result.ok(); it = bad.erase(it)) {
    Status s = link_->ReportBadReplica(*it);
    NoteLinkStatus("bad replica report", s);
    if (!s.ok() && !s.IsNotFound()) result = s;  // NotFound: the master forgot the chunk.
    if (!result.ok()) break;
  }
  if (!bad.empty()) {  // Keep the rest for the next tick.
    std::lock_guard lock(mu_);
    bad_replicas_.insert(bad.begin(), bad.end());
  }
  return result;
}

void DatanodeAgent::Execute(const wire::DatanodeCommand& command) {
  const std::string chunk = ChunkName(command.chunk_id, command.generation);
  switch (command.kind) {
    case wire::DatanodeCommandKind::DELETE: {
      // Never a newer generation than the master meant (pipeline recovery).
      Status s = store_->Delete(command.chunk_id, command.generation);
      if (s.ok() || s.IsNotFound()) {
        VLOG(1) << "datanode " << options_.self.id << ": deleted " << chunk;
      } else {
        LOG(WARNING) << "datanode " << options_.self.id << ": delete " << chunk << ": "
                     << s.ToString();
      }
      return;
    }
    case wire::DatanodeCommandKind::REPLICATE: {
      std::vector<dataplane::Target> targets;
      for (const wire::DatanodeInfo& node : command.targets) {
        dataplane::Target target;
        target.datanode_id = node.id;
        target.host = node.host;
        target.port = node.data_port;
        targets.push_back(target);
      }
      if (targets.empty() ||
          !replicator_.Enqueue(command.chunk_id, command.generation, std::move(targets),
                               command.access_token)) {
        LOG(WARNING) << "datanode " << options_.self.id << ": dropped REPLICATE of " << chunk
                     << " (no targets, already queued, or queue full)";
      }
      return;
    }
  }
  LOG(WARNING) << "datanode " << options_.self.id << ": unknown command kind "
               << static_cast<int>(command.kind) << " for " << chunk;
}

DatanodeStats DatanodeAgent::CollectStats() {
  DatanodeStats stats;
  {
    std::lock_guard lock(mu_);
    stats.lost_replicas.swap(lost_);
  }
  // The figures the store enforces on writes (disk_space.h), so that the
  // master places chunks only where they will be accepted.
  DiskSpace::Usage usage = store_->space().Measure();
  stats.capacity_bytes = usage.capacity_bytes;
  stats.used_bytes = usage.used_bytes();
  if (data_server_ != nullptr) stats.active_transfers = data_server_->active_connections();
  return stats;
}

void DatanodeAgent::NoteLinkStatus(const char* what, const Status& s) {
  const bool unreachable =
      s.code() == Status::Code::kUnavailable || s.code() == Status::Code::kIOError;
  if (!s.ok() && !unreachable && !s.IsNotFound()) {  // The master refused: worth every line.
    LOG(WARNING) << "datanode " << options_.self.id << ": " << what << ": " << s.ToString();
  }
  if (link_healthy_ == !unreachable) return;  // No change.
  link_healthy_ = !unreachable;
  if (link_healthy_) {
    LOG(WARNING) << "datanode " << options_.self.id << ": master reachable again";
  } else {
    LOG(WARNING) << "datanode " << options_.self.id << ": " << what << " failed, master "
                 << "unreachable (retrying quietly): " << s.ToString();
  }
}

void DatanodeAgent::WaitUntil(Clock::time_point deadline, bool wake_on_event) {
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, deadline, [&] { return stopping_ || (wake_on_event && event_); });
}

}  // namespace mr::dfs
