// Lifeguard's local health awareness (Dadgar et al. 2018, "LHA-Probe";
// memberlist's awareness): a score in [0, max_multiplier - 1] that rises on
// evidence that this member, not its peers, is slow or cut off -- a probe
// that failed while the helpers' NACKs went missing, a suspicion about
// itself it had to refute, a stall of its own clock -- and falls with every
// probe that succeeds. Probe periods and ping timeouts are multiplied by
// score + 1, so a member that cannot keep up probes less, and waits longer,
// instead of accusing healthy members.
// Thread-safety: none (owned by one core).
#pragma once

#include <algorithm>
#include <cstdint>

namespace mr::membership {

class LocalHealth {
 public:
  explicit LocalHealth(int max_multiplier) : max_score_(std::max(1, max_multiplier) - 1) {}

  void Apply(int delta) { score_ = std::clamp(score_ + delta, 0, max_score_); }
  int score() const { return score_; }
  int multiplier() const { return score_ + 1; }
  int64_t Scale(int64_t ms) const { return ms * multiplier(); }

 private:
  int max_score_;
  int score_ = 0;
};

}  // namespace mr::membership
