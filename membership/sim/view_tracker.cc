#include "membership/sim/view_tracker.h"

#include <algorithm>

namespace mr::membership::sim {

ViewTracker::ViewTracker(int n, bool full_mesh)
    : n_(n),
      up_(n),
      live_(static_cast<size_t>(n) * static_cast<size_t>(n), full_mesh),
      failed_(static_cast<size_t>(n) * static_cast<size_t>(n), false),
      crashed_(n, false),
      held_live_(n, full_mesh ? n - 1 : 0),
      failed_by_(n, 0) {
  for (int i = 0; i < n; ++i) live_[Bit(i, i)] = false;
  full_views_ = full_mesh ? n : (n == 1 ? 1 : 0);
}

void ViewTracker::SetLive(int observer, int target, bool live, int64_t at_ms) {
  size_t bit = Bit(observer, target);
  if (live_[bit] == live) return;
  live_[bit] = live;
  if (crashed_[target] || crashed_[observer]) return;
  bool was_full = Full(observer);
  held_live_[observer] += live ? 1 : -1;
  bool full = Full(observer);
  if (was_full == full) return;
  bool was_converged = converged();
  full_views_ += full ? 1 : -1;
  if (!was_converged && converged()) converged_since_ms_ = at_ms;
}

void ViewTracker::SetFailed(int observer, int target, bool failed) {
  size_t bit = Bit(observer, target);
  if (failed_[bit] == failed) return;
  failed_[bit] = failed;
  if (crashed_[target] || crashed_[observer]) return;
  int before = failed_by_[target];
  failed_by_[target] += failed ? 1 : -1;
  if (before == 0 && failed_by_[target] > 0) falsely_failed_now_++;
  if (before > 0 && failed_by_[target] == 0) falsely_failed_now_--;
  max_falsely_failed_ = std::max(max_falsely_failed_, falsely_failed_now_);
}

void ViewTracker::Observe(int observer, int target, EventType type, int64_t at_ms) {
  switch (type) {
    case EventType::kJoined:
    case EventType::kAlive:
      SetLive(observer, target, true, at_ms);
      SetFailed(observer, target, false);
      break;
    case EventType::kSuspect:
      break;
    case EventType::kFailed:
      SetLive(observer, target, false, at_ms);
      SetFailed(observer, target, true);
      break;
    case EventType::kLeft:
      SetLive(observer, target, false, at_ms);
      break;
  }
}

void ViewTracker::Crash(int member, int64_t at_ms) {
  if (crashed_[member]) return;
  bool was_converged = converged();
  if (failed_by_[member] > 0) falsely_failed_now_--;
  failed_by_[member] = 0;
  crashed_[member] = true;
  up_--;
  // What the crashed member held no longer counts, nor what others held of it.
  for (int t = 0; t < n_; ++t) {
    if (!crashed_[t] && failed_[Bit(member, t)] && --failed_by_[t] == 0) falsely_failed_now_--;
  }
  for (int i = 0; i < n_; ++i) {
    if (!crashed_[i] && live_[Bit(i, member)]) held_live_[i]--;
  }
  full_views_ = 0;
  for (int i = 0; i < n_; ++i) full_views_ += Full(i);
  if (!was_converged && converged()) converged_since_ms_ = at_ms;
}

}  // namespace mr::membership::sim
