// How far a task attempt on a cluster is, kept in the file its Node Manager
// reads ("progress" in the container's working directory; format in
// scheduler/nodemanager/progress_file.h) and returns to the Application
// Master in ContainerStatus.progress and progress_ticks.
//
// The engine reports from the threads doing the work (input read, segment
// fetched, records merged or reduced), every few records, never from a timer:
// a task that hangs or is stopped stops ticking, which is how the AM tells
// it from one that is merely slow. Report() costs a lock and a clock read;
// the file is rewritten at most once per interval.
//
// The task's fraction is divided into phases (ProgressPhase): a map's input
// is all of it; a reduce has Hadoop's thirds: copy (segments fetched),
// sort (intermediate merges) and reduce (merged records consumed).
//
// Thread-safety: Report and Flush may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace mr {

class ProgressReporter {
 public:
  struct Options {
    std::string path;  // The progress file.
    std::chrono::milliseconds interval{200};  // Least time between two writes.
    // Called after every Report, on the reporting thread, without locks
    // held, with the task's fraction (fault injection hooks in here).
    std::function<void(double fraction)> on_report;
  };

  explicit ProgressReporter(Options options);
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // One step of progress: advances the tick counter and raises the task's
  // fraction to `fraction` (clamped to [0, 1]; it never goes down). Writes
  // the file when the interval has passed since the last write (the first
  // report writes at once).
  void Report(double fraction);
  // Writes the current state now.
  void Flush();

  double fraction() const;
  int64_t ticks() const;

 private:
  using Clock = std::chrono::steady_clock;
  void WriteLocked();

  const Options options_;
  mutable std::mutex mu_;
  double fraction_ = 0;        // GUARDED_BY(mu_)
  int64_t ticks_ = 0;          // GUARDED_BY(mu_)
  bool written_ = false;       // GUARDED_BY(mu_)
  Clock::time_point last_write_;  // GUARDED_BY(mu_)
};

// One phase of a task: the share [begin, end] of its fraction. A default
// phase (no reporter: a local run) reports nothing, so engine code calls it
// unconditionally.
class ProgressPhase {
 public:
  ProgressPhase() = default;
  ProgressPhase(ProgressReporter* reporter, double begin, double end)
      : reporter_(reporter), begin_(begin), end_(end) {}

  // `done` of the phase's `total` units are done (total 0: all of it).
  void Report(uint64_t done, uint64_t total) const {
    if (reporter_ == nullptr) return;
    double f = total == 0 || done >= total ? 1.0 : static_cast<double>(done) / total;
    reporter_->Report(begin_ + (end_ - begin_) * f);
  }
  void Done() const { Report(1, 1); }
  bool active() const { return reporter_ != nullptr; }

 private:
  ProgressReporter* reporter_ = nullptr;
  double begin_ = 0;
  double end_ = 0;
};

// How often, in records, the engine's record loops report progress: often
// enough to tick several times a second, rarely enough to cost nothing.
inline constexpr uint64_t kProgressRecordInterval = 256;

}  // namespace mr
