#include "membership/broadcast_queue.h"

#include <climits>

#include "membership/codec.h"

namespace mr::membership {
namespace {

// Stop looking for an update small enough for what room is left after this
// many in a row did not fit.
constexpr int kMaxMisses = 16;

}  // namespace

void BroadcastQueue::Enqueue(Member member, wire::Update update) {
  auto it = key_of_.find(member);
  if (it != key_of_.end()) {
    by_priority_.erase(it->second);
    key_of_.erase(it);
  }
  Key key{0, UINT64_MAX - next_order_++};
  size_t size = EncodedSize(update);
  key_of_.emplace(member, key);
  by_priority_.emplace(key, Entry{std::move(update), size, member});
  if (by_priority_.size() > capacity_) {
    // Drop the update that would be sent last.
    auto last = std::prev(by_priority_.end());
    key_of_.erase(last->second.member);
    by_priority_.erase(last);
  }
}

void BroadcastQueue::Take(size_t budget, int limit, Member recipient,
                          std::vector<wire::Update>* out) {
  std::vector<Key> sent;
  size_t used = 0;
  int misses = 0;
  for (auto it = by_priority_.begin(); it != by_priority_.end() && misses < kMaxMisses; ++it) {
    const Entry& e = it->second;
    if (used + e.encoded_size > budget) {
      misses++;  // A smaller one may still fit.
      continue;
    }
    if (e.member == recipient && e.update.state == wire::State::ALIVE) continue;
    misses = 0;
    used += e.encoded_size;
    out->push_back(e.update);
    sent.push_back(it->first);
  }
  for (const Key& key : sent) {
    auto node = by_priority_.extract(key);
    if (key.first + 1 >= limit) {
      key_of_.erase(node.mapped().member);
      continue;
    }
    Key next{key.first + 1, key.second};
    key_of_[node.mapped().member] = next;
    node.key() = next;
    by_priority_.insert(std::move(node));
  }
}

}  // namespace mr::membership
