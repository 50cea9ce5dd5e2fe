// The simulator's running account of who holds whom, kept from the members'
// events rather than by asking N cores about N members each period: which
// members have one full view (every other up member held alive or suspect),
// when the whole group last came to agree, and how many up members are
// held failed by someone right now (and at most, ever at once).
// Thread-safety: none (the simulator's thread).
#pragma once

#include <cstdint>
#include <vector>

#include "membership/types.h"

namespace mr::membership::sim {

class ViewTracker {
 public:
  // `n` members; `full_mesh`: every member starts holding every other live.
  ViewTracker(int n, bool full_mesh);

  // `observer`'s event about `target` at `at_ms`.
  void Observe(int observer, int target, EventType type, int64_t at_ms);
  // `member` crashed: it no longer counts as an observer or as a target.
  void Crash(int member, int64_t at_ms);

  bool converged() const { return full_views_ == up_; }
  // When the group last came to one full view (-1: not converged now).
  int64_t converged_since_ms() const { return converged() ? converged_since_ms_ : -1; }
  // Up members some up member holds failed: now, and at most at once.
  int falsely_failed_now() const { return falsely_failed_now_; }
  int max_falsely_failed() const { return max_falsely_failed_; }
  int full_views() const { return full_views_; }

 private:
  size_t Bit(int observer, int target) const {
    return static_cast<size_t>(observer) * static_cast<size_t>(n_) + static_cast<size_t>(target);
  }
  bool Full(int member) const { return !crashed_[member] && held_live_[member] == up_ - 1; }
  void SetLive(int observer, int target, bool live, int64_t at_ms);
  void SetFailed(int observer, int target, bool failed);

  int n_;
  int up_;
  std::vector<bool> live_;     // (observer, target): held alive or suspect.
  std::vector<bool> failed_;   // (observer, target): held failed.
  std::vector<bool> crashed_;
  std::vector<int> held_live_;   // Per observer: up members it holds live.
  std::vector<int> failed_by_;   // Per target: up observers holding it failed.
  int full_views_ = 0;
  int64_t converged_since_ms_ = 0;
  int falsely_failed_now_ = 0;
  int max_falsely_failed_ = 0;
};

}  // namespace mr::membership::sim
