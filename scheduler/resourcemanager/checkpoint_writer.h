// CheckpointWriter: saves the RM's checkpoints (RmStateStore) from a thread
// of its own, so that a slow store (the DFS while a datanode dies) never
// stalls the RM's calls. Offer() hands it the newest snapshot; one still
// waiting is replaced (only the newest matters). WaitDurable() lets a call
// that must not be acknowledged before its change is saved (a submission)
// wait for it. A failed save is retried with the next offer, at most once a
// second: the RM offers again on every tick.
//
// On destruction it saves what waits, but gives up waiting after a grace
// period (a DFS gone before the RM): the thread is then left to finish or
// die with the process, owning everything it uses.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>

#include "scheduler/resourcemanager/state_store.h"

namespace mr::sched {

class CheckpointWriter {
 public:
  explicit CheckpointWriter(std::shared_ptr<RmStateStore> store);
  ~CheckpointWriter();

  // False (and the checkpoint is not taken) while the last save failed less
  // than a second ago.
  bool Offer(wire::RmCheckpoint checkpoint);
  // True once a checkpoint of `version` or later is saved; false after
  // `timeout_ms`.
  bool WaitDurable(int64_t version, int timeout_ms);
  // The last save failed, nothing newer waits, and a retry is due: the
  // caller offers the current state again.
  bool NeedsRetry();

 private:
  struct Shared;  // Owned jointly with the thread.
  std::shared_ptr<Shared> shared_;
};

}  // namespace mr::sched
