#include "membership/suspicion.h"

#include <algorithm>
#include <cmath>

namespace mr::membership {

Suspicion::Suspicion(int64_t start_ms, int64_t min_ms, int64_t max_ms, int k, Suspecter from)
    : start_ms_(start_ms), min_ms_(min_ms), max_ms_(std::max(min_ms, max_ms)), k_(k),
      suspecters_{from} {}

bool Suspicion::Confirm(Suspecter from) {
  if (confirmations() >= k_) return false;
  if (std::find(suspecters_.begin(), suspecters_.end(), from) != suspecters_.end()) return false;
  suspecters_.push_back(from);
  return true;
}

int64_t Suspicion::deadline_ms() const {
  if (k_ < 1) return start_ms_ + min_ms_;
  double n = confirmations();
  double fraction = std::log(n + 1) / std::log(static_cast<double>(k_) + 1);
  double timeout = static_cast<double>(max_ms_) - fraction * static_cast<double>(max_ms_ - min_ms_);
  return start_ms_ + std::max(min_ms_, static_cast<int64_t>(std::floor(timeout)));
}

}  // namespace mr::membership
