// Background verification of every replica in a ChunkStore, at two depths,
// on one thread:
//
//  - the directory scan, every `scan_interval` (ChunkStore::CheckReplicas:
//    each replica's two files present with the right sizes, a stat each, as
//    HDFS's DirectoryScanner): a replica deleted or cut short under the
//    datanode is dropped from the store and passed to `on_lost`, so the
//    master hears of it in seconds. It checks batches of kScanBatch
//    replicas and rests between them so that it is busy at most
//    `scan_busy_percent` of the time (as HDFS's directoryscan throttle): a
//    node with many replicas scans less often, never hotter;
//  - the checksum pass: List() over and over, each replica re-read and
//    checked with ChunkStore::Verify at no more than `bytes_per_second`;
//    `on_corrupt` gets each one that fails with Corruption. Replicas deleted
//    meanwhile are skipped. Between passes it rests `pass_interval`.
//
// The scan runs between pieces of a pass and during the rest, so a long pass
// never delays it by more than one piece. Callbacks run on the scrubber
// thread. Stop() (or destruction) interrupts any wait promptly.
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
    std::chrono::milliseconds scan_interval{std::chrono::seconds(2)};  // 0: no scan.
    int scan_busy_percent = 10;  // 1..100.
    // From --dfs_datanode_scrub_bytes_per_second, --dfs_datanode_scrub_interval_s,
    // --dfs_datanode_directory_scan_interval_ms and
    // --dfs_datanode_directory_scan_busy_percent.
    static Options FromFlags();
  };
  using CorruptionCallback = std::function<void(const ChunkInfo& chunk, const Status& status)>;
  using LostCallback = std::function<void(const ChunkInfo& chunk, const std::string& why)>;

  Scrubber(ChunkStore* store, Options options, CorruptionCallback on_corrupt,
           LostCallback on_lost = {});
  ~Scrubber();
  Scrubber(const Scrubber&) = delete;
  Scrubber& operator=(const Scrubber&) = delete;

  static constexpr size_t kScanBatch = 1000;

  void Start();
  void Stop();

  uint64_t passes_completed() const { return passes_.load(); }
  uint64_t bytes_verified() const { return bytes_.load(); }
  uint64_t scans_completed() const { return scans_.load(); }

 private:
  using Clock = std::chrono::steady_clock;

  void Run();
  void ScrubOnePass();
  // Runs the directory scan if it is due.
  void MaybeScan();
  // Sleeps so that the byte rate stays under the limit; false if stopping.
  bool Pace(uint64_t bytes);
  // Waits up to `d`, scanning when due; false if Stop() was called.
  bool WaitFor(Clock::duration d);
  // Waits up to `d` without scanning; false if Stop() was called.
  bool Rest(Clock::duration d);

  ChunkStore* const store_;
  const Options options_;
  const CorruptionCallback on_corrupt_;
  const LostCallback on_lost_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  // Rate limiting and scan state; scrubber thread only.
  Clock::time_point window_start_;
  uint64_t window_bytes_ = 0;
  Clock::time_point next_scan_;
  std::atomic<uint64_t> passes_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> scans_{0};
};

}  // namespace mr::dfs
