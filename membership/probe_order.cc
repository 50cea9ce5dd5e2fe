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

}  // namespace mr::membership
