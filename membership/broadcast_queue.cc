#include "membership/broadcast_queue.h"

#include <algorithm>

#include "membership/codec.h"

namespace mr::membership {
namespace {

// Least-sent first, then newest first.
bool SendsFirst(int transmits_a, uint64_t order_a, int transmits_b, uint64_t order_b) {
  if (transmits_a != transmits_b) return transmits_a < transmits_b;
  return order_a > order_b;
}

}  // namespace

void BroadcastQueue::Enqueue(const wire::Update& update) {
  std::erase_if(entries_, [&](const Entry& e) { return e.update.id == update.id; });
  entries_.push_back(Entry{update, EncodedSize(update), 0, next_order_++});
  if (entries_.size() > capacity_) {
    // Drop the update that would be sent last.
    auto last = std::max_element(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return SendsFirst(a.transmits, a.order, b.transmits, b.order);
    });
    entries_.erase(last);
  }
}

std::vector<wire::Update> BroadcastQueue::Take(size_t budget, int limit) {
  std::vector<wire::Update> taken;
  if (entries_.empty()) return taken;
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return SendsFirst(a.transmits, a.order, b.transmits, b.order);
  });
  size_t used = 0;
  for (Entry& e : entries_) {
    if (used + e.encoded_size > budget) continue;  // A smaller one may still fit.
    used += e.encoded_size;
    taken.push_back(e.update);
    e.transmits++;
  }
  std::erase_if(entries_, [limit](const Entry& e) { return e.transmits >= limit; });
  return taken;
}

}  // namespace mr::membership
