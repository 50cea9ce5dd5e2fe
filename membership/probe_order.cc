#include "membership/probe_order.h"

#include <algorithm>

namespace mr::membership {

void ProbeOrder::Reset(std::vector<std::string> ids, std::mt19937_64& rng) {
  ids_ = std::move(ids);
  std::sort(ids_.begin(), ids_.end());
  std::shuffle(ids_.begin(), ids_.end(), rng);
  next_ = 0;
}

void ProbeOrder::Insert(const std::string& id, std::mt19937_64& rng) {
  size_t pos = std::uniform_int_distribution<size_t>(0, ids_.size())(rng);
  ids_.insert(ids_.begin() + static_cast<ptrdiff_t>(pos), id);
  if (pos < next_) next_++;  // Keep the walk where it was.
}

std::optional<std::string> ProbeOrder::Next(
    const std::function<bool(const std::string&)>& live,
    const std::function<std::vector<std::string>()>& rebuild, std::mt19937_64& rng) {
  for (size_t tries = 0; tries <= ids_.size() + 1; ++tries) {
    if (next_ >= ids_.size()) {
      Reset(rebuild(), rng);
      if (ids_.empty()) return std::nullopt;
    }
    const std::string& id = ids_[next_++];
    if (live(id)) return id;
  }
  return std::nullopt;
}

}  // namespace mr::membership
