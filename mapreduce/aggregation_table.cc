#include "aggregation_table.h"

#include <algorithm>
#include <cstring>

#include "common/coding.h"

namespace mr {

namespace {
constexpr size_t kArenaBlockBytes = 1 << 20;
constexpr size_t kInitialSlots = 1 << 12;
// std::string keeps this many bytes without a heap allocation (libstdc++).
constexpr size_t kInlineStringBytes = 15;
}  // namespace

AggregationTable::AggregationTable() : slots_(kInitialSlots, 0) {}

std::string_view AggregationTable::CopyToArena(std::string_view key) {
  if (key.size() > arena_left_) {
    size_t block = std::max(kArenaBlockBytes, key.size());
    arena_blocks_.emplace_back(new char[block]);
    arena_pos_ = arena_blocks_.back().get();
    arena_left_ = block;
    arena_bytes_ += block;
  }
  std::memcpy(arena_pos_, key.data(), key.size());
  std::string_view copy(arena_pos_, key.size());
  arena_pos_ += key.size();
  arena_left_ -= key.size();
  return copy;
}

void AggregationTable::Grow() {
  std::vector<uint32_t> bigger(slots_.size() * 2, 0);
  size_t mask = bigger.size() - 1;
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    size_t slot = entries_[i].hash & mask;
    while (bigger[slot] != 0) slot = (slot + 1) & mask;
    bigger[slot] = i + 1;
  }
  slots_.swap(bigger);
}

AggregationTable::Entry* AggregationTable::FindOrInsert(std::string_view key, uint64_t hash,
                                                        bool* inserted) {
  size_t mask = slots_.size() - 1;
  size_t slot = hash & mask;
  while (uint32_t index = slots_[slot]) {
    Entry& e = entries_[index - 1];
    if (e.hash == hash && e.key == key) {
      *inserted = false;
      return &e;
    }
    slot = (slot + 1) & mask;
  }
  *inserted = true;
  entries_.push_back(Entry{CopyToArena(key), hash, 0, 0, {}});
  slots_[slot] = static_cast<uint32_t>(entries_.size());
  // Keep the load factor at most 1/2.
  if (entries_.size() * 2 > slots_.size()) Grow();
  return &entries_.back();
}

size_t AggregationTable::HeapBytes(const std::string& s) {
  return s.capacity() > kInlineStringBytes ? s.capacity() + 1 : 0;
}

void AggregationTable::AddValue(Entry* entry, std::string_view value) {
  size_t before = HeapBytes(entry->values);
  PutVarint32(&entry->values, static_cast<uint32_t>(value.size()));
  entry->values.append(value);
  ++entry->value_count;
  value_heap_bytes_ += HeapBytes(entry->values) - before;
}

void AggregationTable::ReplaceValues(Entry* entry, std::string_view values,
                                     uint32_t value_count) {
  value_heap_bytes_ -= HeapBytes(entry->values);
  entry->values.assign(values);
  entry->values.shrink_to_fit();
  entry->value_count = value_count;
  value_heap_bytes_ += HeapBytes(entry->values);
}

std::vector<uint32_t> AggregationTable::SortedOrder() const {
  std::vector<uint32_t> order(entries_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [this](uint32_t a, uint32_t b) {
    const Entry& x = entries_[a];
    const Entry& y = entries_[b];
    if (x.partition != y.partition) return x.partition < y.partition;
    return x.key < y.key;
  });
  return order;
}

void AggregationTable::Clear() {
  entries_ = {};
  slots_.assign(kInitialSlots, 0);
  arena_blocks_.clear();
  arena_pos_ = nullptr;
  arena_left_ = 0;
  arena_bytes_ = 0;
  value_heap_bytes_ = 0;
}

}  // namespace mr
