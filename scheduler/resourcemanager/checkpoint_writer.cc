#include "scheduler/resourcemanager/checkpoint_writer.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <glog/logging.h>

#include "common/clock.h"

namespace mr::sched {

namespace {

constexpr int64_t kRetryAfterFailureMs = 1000;
constexpr int kShutdownGraceMs = 2000;

}  // namespace

struct CheckpointWriter::Shared {
  explicit Shared(std::shared_ptr<RmStateStore> s) : store(std::move(s)) {}

  void Loop() {
    std::unique_lock lock(mu);
    for (;;) {
      cv.wait(lock, [this] { return stopping || pending.has_value(); });
      if (!pending) break;  // Stopping with nothing left to save.
      wire::RmCheckpoint checkpoint = std::move(*pending);
      pending.reset();
      lock.unlock();
      Status s = store->Save(checkpoint);
      lock.lock();
      if (s.ok()) {
        durable_version = std::max(durable_version, checkpoint.version);
        last_failure_ms = 0;
      } else {
        LOG_EVERY_N(ERROR, 10) << "rm: cannot checkpoint to " << store->Describe() << ": "
                               << s.ToString();
        last_failure_ms = SteadyClockMs();
      }
      cv.notify_all();
    }
    done = true;
    cv.notify_all();
  }

  const std::shared_ptr<RmStateStore> store;
  std::mutex mu;
  std::condition_variable cv;
  std::optional<wire::RmCheckpoint> pending;  // GUARDED_BY(mu)
  int64_t durable_version = -1;               // GUARDED_BY(mu)
  int64_t last_failure_ms = 0;                // GUARDED_BY(mu), steady clock.
  bool stopping = false;                      // GUARDED_BY(mu)
  bool done = false;                          // GUARDED_BY(mu): the thread ended.
};

CheckpointWriter::CheckpointWriter(std::shared_ptr<RmStateStore> store)
    : shared_(std::make_shared<Shared>(std::move(store))) {
  std::thread([shared = shared_] { shared->Loop(); }).detach();
}

CheckpointWriter::~CheckpointWriter() {
  std::unique_lock lock(shared_->mu);
  shared_->stopping = true;
  shared_->cv.notify_all();
  if (!shared_->cv.wait_for(lock, std::chrono::milliseconds(kShutdownGraceMs),
                            [this] { return shared_->done; })) {
    LOG(WARNING) << "rm: a checkpoint save to " << shared_->store->Describe()
                 << " is still running at shutdown; not waiting for it";
  }
}

bool CheckpointWriter::Offer(wire::RmCheckpoint checkpoint) {
  std::lock_guard lock(shared_->mu);
  if (shared_->last_failure_ms != 0 &&
      SteadyClockMs() - shared_->last_failure_ms < kRetryAfterFailureMs) {
    return false;
  }
  shared_->pending = std::move(checkpoint);
  shared_->cv.notify_all();
  return true;
}

bool CheckpointWriter::WaitDurable(int64_t version, int timeout_ms) {
  std::unique_lock lock(shared_->mu);
  return shared_->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                              [&] { return shared_->durable_version >= version; });
}

bool CheckpointWriter::NeedsRetry() {
  std::lock_guard lock(shared_->mu);
  return shared_->last_failure_ms != 0 && !shared_->pending &&
         SteadyClockMs() - shared_->last_failure_ms >= kRetryAfterFailureMs;
}

}  // namespace mr::sched
