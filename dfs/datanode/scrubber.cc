#include "dfs/datanode/scrubber.h"

#include <gflags/gflags.h>
#include <glog/logging.h>

DEFINE_int64(dfs_datanode_scrub_bytes_per_second, 4 << 20,
             "Most bytes per second the datanode's scrubber re-reads to verify checksums.");
DEFINE_int32(dfs_datanode_scrub_interval_s, 3600,
             "Seconds the scrubber rests between two passes over all chunks.");

namespace mr::dfs {

Scrubber::Options Scrubber::Options::FromFlags() {
  Options options;
  options.bytes_per_second = std::max<int64_t>(1, FLAGS_dfs_datanode_scrub_bytes_per_second);
  options.pass_interval = std::chrono::seconds(std::max(0, FLAGS_dfs_datanode_scrub_interval_s));
  return options;
}

Scrubber::Scrubber(ChunkStore* store, Options options, CorruptionCallback on_corrupt)
    : store_(store), options_(options), on_corrupt_(std::move(on_corrupt)) {}

Scrubber::~Scrubber() { Stop(); }

void Scrubber::Start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
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

bool Scrubber::WaitFor(std::chrono::steady_clock::duration d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

bool Scrubber::Pace(uint64_t bytes) {
  bytes_ += bytes;
  window_bytes_ += bytes;
  // The time these bytes should have taken at the limit, from the window start.
  auto due = window_start_ + std::chrono::microseconds(window_bytes_ * 1000000 /
                                                       std::max<uint64_t>(1, options_.bytes_per_second));
  auto now = std::chrono::steady_clock::now();
  if (due > now) return WaitFor(due - now);
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
    window_start_ = std::chrono::steady_clock::now();
    window_bytes_ = 0;
    ScrubOnePass();
  } while (WaitFor(options_.pass_interval));
}

}  // namespace mr::dfs
