#include "progress_reporter.h"

#include <algorithm>

#include <glog/logging.h>

#include "scheduler/nodemanager/progress_file.h"

namespace mr {

ProgressReporter::ProgressReporter(Options options) : options_(std::move(options)) {}

void ProgressReporter::Report(double fraction) {
  double now_fraction;
  {
    std::lock_guard lock(mu_);
    ++ticks_;
    fraction_ = std::max(fraction_, std::clamp(fraction, 0.0, 1.0));
    now_fraction = fraction_;
    if (!written_ || Clock::now() - last_write_ >= options_.interval) WriteLocked();
  }
  if (options_.on_report) options_.on_report(now_fraction);
}

void ProgressReporter::Flush() {
  std::lock_guard lock(mu_);
  WriteLocked();
}

double ProgressReporter::fraction() const {
  std::lock_guard lock(mu_);
  return fraction_;
}

int64_t ProgressReporter::ticks() const {
  std::lock_guard lock(mu_);
  return ticks_;
}

void ProgressReporter::WriteLocked() {
  written_ = true;
  last_write_ = Clock::now();
  // Advisory: a failed write only leaves the last report in place.
  Status s = sched::WriteProgressFile(options_.path, fraction_, ticks_);
  LOG_IF_EVERY_N(WARNING, !s.ok(), 100) << "progress: " << s.ToString();
}

}  // namespace mr
