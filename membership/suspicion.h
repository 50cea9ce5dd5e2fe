// Lifeguard's dynamic suspicion timeout (Dadgar et al. 2018, "LHA-Suspicion";
// memberlist's suspicion.go): a suspicion starts with a long timeout, `max`,
// that shrinks toward `min` as independent members confirm it:
//
//   timeout(n) = max(min, max - (max - min) * log(n + 1) / log(k + 1))
//
// for n confirmations out of the k expected (k < 1: min at once). A member
// that is merely slow, or behind a lossy link, is usually suspected by one
// member at a time and has the long timeout to refute; a crashed one is
// soon suspected by k others and is failed after `min`.
// Thread-safety: none (owned by one core).
#pragma once

#include <cstdint>
#include <vector>

namespace mr::membership {

class Suspicion {
 public:
  using Suspecter = uint32_t;  // A member index (member_directory.h).

  Suspicion(int64_t start_ms, int64_t min_ms, int64_t max_ms, int k, Suspecter from);

  // `from` suspects it too. True if that is a new, independent
  // confirmation (the deadline may be earlier now); the suspecter that
  // started it, repeats and confirmations past k change nothing.
  bool Confirm(Suspecter from);
  int64_t deadline_ms() const;
  int confirmations() const { return static_cast<int>(suspecters_.size()) - 1; }
  // All the confirmations expected came (or none were).
  bool confirmed() const { return confirmations() >= k_; }
  // Moves the start `ms` later (this member stalled: the time did not count).
  void Delay(int64_t ms) { start_ms_ += ms; }

 private:
  int64_t start_ms_;
  int64_t min_ms_;
  int64_t max_ms_;
  int k_;
  std::vector<Suspecter> suspecters_;  // The first started it.
};

}  // namespace mr::membership
