// SWIM's randomized round-robin probe order over member indexes
// (member_directory.h): walked one member per protocol period; after a full
// pass, rebuilt from the live members and reshuffled; a newcomer goes in at
// a random position. Every live member is thus probed once per pass, which
// bounds detection by 2N-1 periods.
// Thread-safety: none (owned by one core).
#pragma once

#include <cstdint>
#include <functional>
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
  // The next id for which `live` holds. At the end of a pass, Reset()s to
  // `rebuild()` first. nullopt if no id is live.
  std::optional<Index> Next(const std::function<bool(Index)>& live,
                            const std::function<std::vector<Index>()>& rebuild,
                            std::mt19937_64& rng);
  // Every id, live or not (until the next rebuild).
  const std::vector<Index>& ids() const { return ids_; }

 private:
  std::vector<Index> ids_;
  size_t next_ = 0;
};

}  // namespace mr::membership
