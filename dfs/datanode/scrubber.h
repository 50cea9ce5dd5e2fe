// Background verification of every replica in a ChunkStore.
//
// A thread walks List() over and over, verifying each replica with
// ChunkStore::Verify at no more than `bytes_per_second`, and calls
// `on_corrupt` (on the scrubber thread) for each replica that fails with
// Corruption. Replicas deleted meanwhile are skipped. Between passes it waits
// `pass_interval`. Stop() (or destruction) interrupts any wait promptly.
//
// Thread-safety: Start/Stop from one owning thread; counters from any thread.
// The store must outlive the scrubber.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "common/status.h"
#include "dfs/datanode/chunk_store.h"

namespace mr::dfs {

class Scrubber {
 public:
  struct Options {
    uint64_t bytes_per_second = 4 << 20;
    std::chrono::milliseconds pass_interval{std::chrono::hours(1)};
    // From --dfs_datanode_scrub_bytes_per_second and --dfs_datanode_scrub_interval_s.
    static Options FromFlags();
  };
  using CorruptionCallback = std::function<void(const ChunkInfo& chunk, const Status& status)>;

  Scrubber(ChunkStore* store, Options options, CorruptionCallback on_corrupt);
  ~Scrubber();
  Scrubber(const Scrubber&) = delete;
  Scrubber& operator=(const Scrubber&) = delete;

  void Start();
  void Stop();

  uint64_t passes_completed() const { return passes_.load(); }
  uint64_t bytes_verified() const { return bytes_.load(); }

 private:
  void Run();
  void ScrubOnePass();
  // Sleeps so that the byte rate stays under the limit; false if stopping.
  bool Pace(uint64_t bytes);
  // Waits up to `d`; false if Stop() was called.
  bool WaitFor(std::chrono::steady_clock::duration d);

  ChunkStore* const store_;
  const Options options_;
  const CorruptionCallback on_corrupt_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  // Rate limiting state; scrubber thread only.
  std::chrono::steady_clock::time_point window_start_;
  uint64_t window_bytes_ = 0;
  std::atomic<uint64_t> passes_{0};
  std::atomic<uint64_t> bytes_{0};
};

}  // namespace mr::dfs
