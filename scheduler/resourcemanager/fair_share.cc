#include "scheduler/resourcemanager/fair_share.h"

#include <algorithm>
#include <numeric>

namespace mr::sched {

std::vector<double> WaterFill(const std::vector<ShareClaim>& claims, double capacity) {
  std::vector<double> shares(claims.size(), 0.0);
  // Claims in order of demand per weight: the ones that fill up first.
  std::vector<size_t> order(claims.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return claims[a].demand / claims[a].weight < claims[b].demand / claims[b].weight;
  });
  double left = std::max(0.0, capacity);
  double weight_left = 0;
  for (const ShareClaim& c : claims) weight_left += c.weight;
  for (size_t i : order) {
    const ShareClaim& c = claims[i];
    double level = weight_left > 0 ? left / weight_left : 0;  // Per unit of weight.
    double share = std::min(std::max(0.0, c.demand), level * c.weight);
    shares[i] = share;
    left -= share;
    weight_left -= c.weight;
  }
  return shares;
}

}  // namespace mr::sched
