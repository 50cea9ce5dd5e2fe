#include "dfs/datanode/scrubber.h"

#include <algorithm>

#include <gflags/gflags.h>
#include <glog/logging.h>

DEFINE_int64(dfs_datanode_scrub_bytes_per_second, 4 << 20,
             "Most bytes per second the datanode's scrubber re-reads to verify checksums.");
DEFINE_int32(dfs_datanode_scrub_interval_s, 3600,
             "Seconds the scrubber rests between two passes over all chunks.");
DEFINE_int32(dfs_datanode_directory_scan_interval_ms, 2000,
             "How often the datanode checks that every replica's files exist with the right "
             "sizes (a stat each, no read) and reports those deleted or cut short to the master "
             "in its next heartbeat; 0 = never.");
DEFINE_int32(dfs_datanode_directory_scan_busy_percent, 10,
             "The directory scan rests between batches of replicas so that it is busy at most "
             "this percent of the time (1..100): a datanode with many replicas scans less "
             "often rather than hotter.");

namespace mr::dfs {

Scrubber::Options Scrubber::Options::FromFlags() {
  Options options;
  options.bytes_per_second = std::max<int64_t>(1, FLAGS_dfs_datanode_scrub_bytes_per_second);
  options.pass_interval = std::chrono::seconds(std::max(0, FLAGS_dfs_datanode_scrub_interval_s));
  options.scan_interval =
      std::chrono::milliseconds(std::max(0, FLAGS_dfs_datanode_directory_scan_interval_ms));
  options.scan_busy_percent = std::clamp(FLAGS_dfs_datanode_directory_scan_busy_percent, 1, 100);
  return options;
}

Scrubber::Scrubber(ChunkStore* store, Options options, CorruptionCallback on_corrupt,
                   LostCallback on_lost)
    : store_(store),
      options_(options),
      on_corrupt_(std::move(on_corrupt)),
      on_lost_(std::move(on_lost)) {}

Scrubber::~Scrubber() { Stop(); }

void Scrubber::Start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  next_scan_ = Clock::now() + options_.scan_interval;
  thread_ = std::thread([this] { Run(); });
}

void Scrubber::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scrubber::MaybeScan() {
  if (options_.scan_interval.count() <= 0 || Clock::now() < next_scan_) return;
  const std::vector<ChunkInfo> replicas = store_->List();
  for (size_t at = 0; at < replicas.size(); at += kScanBatch) {
    const Clock::time_point start = Clock::now();
    std::vector<ChunkInfo> batch(replicas.begin() + static_cast<std::ptrdiff_t>(at),
                                 replicas.begin() + static_cast<std::ptrdiff_t>(
                                                        std::min(at + kScanBatch, replicas.size())));
    for (const LostReplica& lost : store_->CheckReplicas(batch)) {
      if (on_lost_) on_lost_(lost.info, lost.why);
    }
    if (at + kScanBatch >= replicas.size()) break;
    const Clock::duration busy = Clock::now() - start;
    if (!Rest(busy * (100 - options_.scan_busy_percent) / options_.scan_busy_percent)) return;
  }
  ++scans_;
  next_scan_ = Clock::now() + options_.scan_interval;
}

bool Scrubber::Rest(Clock::duration d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

bool Scrubber::WaitFor(Clock::duration d) {
  const Clock::time_point deadline = Clock::now() + d;
  while (true) {
    MaybeScan();
    Clock::time_point until = deadline;
    if (options_.scan_interval.count() > 0) until = std::min(until, next_scan_);
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_until(lock, until, [this] { return stopping_; })) return false;
    }
    if (Clock::now() >= deadline) {
      MaybeScan();
      return true;
    }
  }
}

bool Scrubber::Pace(uint64_t bytes) {
  bytes_ += bytes;
  window_bytes_ += bytes;
  // The time these bytes should have taken at the limit, from the window start.
  auto due = window_start_ + std::chrono::microseconds(window_bytes_ * 1000000 /
                                                       std::max<uint64_t>(1, options_.bytes_per_second));
  auto now = Clock::now();
  if (due > now) return WaitFor(due - now);
  MaybeScan();
  std::unique_lock lock(mu_);
  return !stopping_;
}

void Scrubber::ScrubOnePass() {
  for (const ChunkInfo& chunk : store_->List()) {
    Status s = store_->Verify(chunk.chunk_id, [this](uint64_t n) { return Pace(n); });
    if (s.IsCorruption()) {
      LOG(ERROR) << "scrubber: " << s.ToString();
      on_corrupt_(chunk, s);
    } else if (s.code() == Status::Code::kAborted) {
      return;  // Stopping.
    } else if (!s.ok() && !s.IsNotFound()) {
      LOG(WARNING) << "scrubber: " << s.ToString();
    }
  }
  ++passes_;
}

void Scrubber::Run() {
  do {
    window_start_ = Clock::now();
    window_bytes_ = 0;
    ScrubOnePass();
  } while (WaitFor(options_.pass_interval));
}

}  // namespace mr::dfs
