// SWIM's randomized round-robin probe order over member indexes
// (member_directory.h): walked one member per protocol period; after a full
// pass, rebuilt from the live members and reshuffled; a newcomer goes in at
// a random position. Every live member is thus probed once per pass, which
// bounds detection by 2N-1 periods.
// Thread-safety: none (owned by one core).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

namespace mr::membership {

class ProbeOrder {
 public:
  using Index = uint32_t;

  // Replaces the order with `ids` (in a deterministic order: the result
  // depends on the seed only) shuffled; starts a new pass.
  void Reset(std::vector<Index> ids, std::mt19937_64& rng);
  void Insert(Index id, std::mt19937_64& rng);
  // The next id for which `live(id)` holds. At the end of a pass, Reset()s
  // to `rebuild()` first. nullopt if no id is live. (A template: it runs
  // once per probe per member, millions of times in the simulator.)
  template <typename Live, typename Rebuild>
  std::optional<Index> Next(const Live& live, const Rebuild& rebuild, std::mt19937_64& rng) {
    for (size_t tries = 0; tries <= ids_.size() + 1; ++tries) {
      if (next_ >= ids_.size()) {
        Reset(rebuild(), rng);
        if (ids_.empty()) return std::nullopt;
      }
      Index id = ids_[next_++];
      if (live(id)) return id;
    }
    return std::nullopt;
  }
  // Every id, live or not (until the next rebuild).
  const std::vector<Index>& ids() const { return ids_; }

 private:
  std::vector<Index> ids_;
  size_t next_ = 0;
};

}  // namespace mr::membership
