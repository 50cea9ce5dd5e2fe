#include "aggregation_table.h"

#include <algorithm>
#include <cstring>

#include "common/coding.h"
#include "key_prefix.h"

namespace mr {

namespace {
// Arena blocks start small and double up to the largest size, so that the
// memory_bytes() of a table with a few keys is small: a first block of the
// largest size alone would exceed a small buffer budget and force a spill
// after every record.
constexpr size_t kMinArenaBlockBytes = 4 << 10;
constexpr size_t kArenaBlockBytes = 1 << 20;
constexpr size_t kInitialSlots = 1 << 12;
// std::string keeps this many bytes without a heap allocation (libstdc++).
constexpr size_t kInlineStringBytes = 15;
}  // namespace

AggregationTable::AggregationTable() : slots_(kInitialSlots, Slot{0, 0}) {}

std::string_view AggregationTable::CopyToArena(std::string_view key) {
  if (key.size() > arena_left_) {
    size_t block = std::clamp(arena_bytes_, kMinArenaBlockBytes, kArenaBlockBytes);
    block = std::max(block, key.size());
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
  std::vector<Slot> bigger(slots_.size() * 2, Slot{0, 0});
  size_t mask = bigger.size() - 1;
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    uint64_t hash = entries_[i].hash;
    size_t slot = hash & mask;
    while (bigger[slot].index != 0) slot = (slot + 1) & mask;
    bigger[slot] = Slot{i + 1, static_cast<uint32_t>(hash >> 32)};
  }
  slots_.swap(bigger);
}

AggregationTable::Entry* AggregationTable::FindOrInsert(std::string_view key, uint64_t hash,
                                                        bool* inserted) {
  size_t mask = slots_.size() - 1;
  size_t slot = hash & mask;
  uint32_t tag = static_cast<uint32_t>(hash >> 32);
  while (uint32_t index = slots_[slot].index) {
    if (slots_[slot].tag == tag) {
      Entry& e = entries_[index - 1];
      if (e.hash == hash && e.key == key) {
        *inserted = false;
        return &e;
      }
    }
    slot = (slot + 1) & mask;
  }
  *inserted = true;
  entries_.push_back(Entry{CopyToArena(key), hash, 0, 0, {}});
  slots_[slot] = Slot{static_cast<uint32_t>(entries_.size()), tag};
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
  entry->value_count = value_count;
  value_heap_bytes_ += HeapBytes(entry->values);
}

std::vector<uint32_t> AggregationTable::SortedOrder() const {
  // Sort compact (partition, key prefix, index) triples; only equal prefixes
  // look at the keys.
  struct SortEntry {
    uint32_t partition;
    uint32_t index;
    uint64_t prefix;
  };
  std::vector<SortEntry> sorted(entries_.size());
  for (uint32_t i = 0; i < sorted.size(); ++i) {
    sorted[i] = SortEntry{entries_[i].partition, i, KeyPrefix(entries_[i].key)};
  }
  std::sort(sorted.begin(), sorted.end(), [this](const SortEntry& a, const SortEntry& b) {
    if (a.partition != b.partition) return a.partition < b.partition;
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return entries_[a.index].key < entries_[b.index].key;
  });
  std::vector<uint32_t> order(sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) order[i] = sorted[i].index;
  return order;
}

void AggregationTable::Clear() {
  entries_ = {};
  slots_.assign(kInitialSlots, Slot{0, 0});
  arena_blocks_.clear();
  arena_pos_ = nullptr;
  arena_left_ = 0;
  arena_bytes_ = 0;
  value_heap_bytes_ = 0;
}

}  // namespace mr
