// SWIM's dissemination buffer: recent membership updates waiting to be
// piggybacked on pings, acks and ping-reqs. Each update is sent at most
// `limit` times (lambda * log N, chosen by the caller), least-sent first and,
// among equals, newest first. A newer update about a member replaces the
// older one. Bounded: past `capacity`, the most-sent updates are dropped.
// Thread-safety: none (owned by one core).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "membership_types.h"

namespace mr::membership {

class BroadcastQueue {
 public:
  explicit BroadcastQueue(size_t capacity) : capacity_(capacity) {}

  void Enqueue(const wire::Update& update);
  // Updates that fit in `budget` bytes, least-sent first; each counts as
  // sent once more and leaves the queue after its `limit`-th send.
  std::vector<wire::Update> Take(size_t budget, int limit);
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    wire::Update update;
    size_t encoded_size;
    int transmits;
    uint64_t order;  // Larger is newer.
  };
  size_t capacity_;
  uint64_t next_order_ = 0;
  std::vector<Entry> entries_;
};

}  // namespace mr::membership
