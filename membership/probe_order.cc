#include "membership/probe_order.h"

#include <algorithm>

namespace mr::membership {

void ProbeOrder::Reset(std::vector<Index> ids, std::mt19937_64& rng) {
  ids_ = std::move(ids);
  std::shuffle(ids_.begin(), ids_.end(), rng);
  next_ = 0;
}

void ProbeOrder::Insert(Index id, std::mt19937_64& rng) {
  size_t pos = std::uniform_int_distribution<size_t>(0, ids_.size())(rng);
  ids_.insert(ids_.begin() + static_cast<ptrdiff_t>(pos), id);
  if (pos < next_) next_++;  // Keep the walk where it was.
}

std::optional<ProbeOrder::Index> ProbeOrder::Next(
    const std::function<bool(Index)>& live, const std::function<std::vector<Index>()>& rebuild,
    std::mt19937_64& rng) {
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

}  // namespace mr::membership
