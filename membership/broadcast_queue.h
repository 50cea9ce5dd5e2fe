// SWIM's dissemination buffer: recent membership updates waiting to be
// piggybacked on pings, acks and ping-reqs. Each update is sent at most
// `limit` times (lambda * log N, chosen by the caller), least-sent first and,
// among equals, newest first. A newer update about a member replaces the
// older one. Bounded: past `capacity`, the most-sent updates are dropped.
// Ordered by priority, so taking a datagram's worth costs what it takes,
// not the whole queue (at 30% loss and N=1000 the queue stays full).
// Thread-safety: none (owned by one core).
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

#include "membership_types.h"

namespace mr::membership {

class BroadcastQueue {
 public:
  explicit BroadcastQueue(size_t capacity) : capacity_(capacity) {}

  using Member = uint32_t;  // Whom an update is about (a member index).
  static constexpr Member kNobody = UINT32_MAX;

  void Enqueue(Member member, wire::Update update);
  // Appends to `out` the updates that fit in `budget` bytes, least-sent
  // first; each counts as sent once more and leaves the queue after its
  // `limit`-th send. An ALIVE about `recipient` itself is left for others
  // (it is news it cannot use).
  void Take(size_t budget, int limit, Member recipient, std::vector<wire::Update>* out);
  size_t size() const { return by_priority_.size(); }
  bool Contains(Member member) const { return key_of_.contains(member); }

 private:
  // (sends so far, UINT64_MAX - order): least-sent first, then newest.
  using Key = std::pair<int, uint64_t>;
  struct Entry {
    wire::Update update;
    size_t encoded_size;
    Member member;
  };
  size_t capacity_;
  uint64_t next_order_ = 0;
  std::map<Key, Entry> by_priority_;
  std::unordered_map<Member, Key> key_of_;  // Member -> its update's key.
};

}  // namespace mr::membership
