// SWIM's randomized round-robin probe order over member ids: walked one id
// per protocol period; after a full pass, rebuilt from the live members and
// reshuffled; a newcomer goes in at a random position. Every live member
// is thus probed once per pass, which bounds detection by 2N-1 periods.
// Thread-safety: none (owned by one core).
#pragma once

#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace mr::membership {

class ProbeOrder {
 public:
  // Replaces the order with `ids`, sorted (so that the result depends on
  // the seed only) then shuffled; starts a new pass.
  void Reset(std::vector<std::string> ids, std::mt19937_64& rng);
  void Insert(const std::string& id, std::mt19937_64& rng);
  // The next id for which `live` holds. At the end of a pass, Reset()s to
  // `rebuild()` first. nullopt if no id is live.
  std::optional<std::string> Next(const std::function<bool(const std::string&)>& live,
                                  const std::function<std::vector<std::string>()>& rebuild,
                                  std::mt19937_64& rng);
  // Every id, live or not (until the next rebuild).
  const std::vector<std::string>& ids() const { return ids_; }

 private:
  std::vector<std::string> ids_;
  size_t next_ = 0;
};

}  // namespace mr::membership
