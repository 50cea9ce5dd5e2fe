#include "aggregation_table.h"

#include <algorithm>
#include <cstring>

#include "common/coding.h"
#include "key_compare.h"
#include "key_prefix.h"

namespace mr {

namespace {
// Arena blocks start small and double up to the largest size, so that the
// memory_bytes() of a table with a few keys is small: a first block of the
// largest size alone would exceed a small buffer budget and force a spill
// after every record.
constexpr size_t kMinArenaBlockBytes = 4 << 10;
constexpr size_t kArenaBlockBytes = 1 << 20;
// Small, so that an empty table costs little against a small budget.
constexpr size_t kInitialSlots = 1 << 8;
// Keys up to this long live inside their entry, leaving room for values.
constexpr size_t kMaxInlineKeyBytes = 16;
}  // namespace

AggregationTable::AggregationTable() : slots_(kInitialSlots, Slot{0, 0}) {}

AggregationTable::~AggregationTable() = default;

const char* AggregationTable::CopyToArena(std::string_view key) {
  if (key.size() > arena_left_) {
    size_t block = std::clamp(arena_bytes_, kMinArenaBlockBytes, kArenaBlockBytes);
    block = std::max(block, key.size());
    arena_blocks_.emplace_back(new char[block]);
    arena_pos_ = arena_blocks_.back().get();
    arena_left_ = block;
    arena_bytes_ += block;
  }
  std::memcpy(arena_pos_, key.data(), key.size());
  const char* copy = arena_pos_;
  arena_pos_ += key.size();
  arena_left_ -= key.size();
  return copy;
}

void AggregationTable::Grow() {
  std::vector<Slot> bigger(slots_.size() * 2, Slot{0, 0});
  size_t mask = bigger.size() - 1;
  // The low 32 hash bits place a slot in a table of up to 2^32 slots.
  for (const Slot& old : slots_) {
    if (old.index == 0) continue;
    size_t slot = old.hash & mask;
    while (bigger[slot].index != 0) slot = (slot + 1) & mask;
    bigger[slot] = old;
  }
  slots_.swap(bigger);
}

AggregationTable::Entry& AggregationTable::Append() {
  if (size_ == capacity_) {
    size_t entries = BlockEntries(blocks_.size());
    // Default-initialized: no entry is written until it is handed out.
    blocks_.emplace_back(new Entry[entries]);
    capacity_ += entries;
  }
  return EntryAt(size_++);
}

AggregationTable::Entry* AggregationTable::FindOrInsert(std::string_view key, uint64_t hash,
                                                        bool* inserted) {
  size_t mask = slots_.size() - 1;
  size_t slot = hash & mask;
  uint32_t low = static_cast<uint32_t>(hash);
  while (uint32_t index = slots_[slot].index) {
    if (slots_[slot].hash == low) {
      Entry& e = EntryAt(index - 1);
      if (KeysEqual(e.key(), key)) {
        *inserted = false;
        return &e;
      }
    }
    slot = (slot + 1) & mask;
  }
  *inserted = true;
  Entry& e = Append();
  e.partition = 0;
  e.value_count = 0;
  e.overflow = nullptr;
  e.key_len = static_cast<uint32_t>(key.size());
  e.key_inline = key.size() <= kMaxInlineKeyBytes;
  if (e.key_inline) {
    std::memcpy(e.data, key.data(), key.size());
    e.key_ptr = nullptr;
    e.used = e.values_start = static_cast<uint8_t>(key.size());
  } else {
    e.key_ptr = CopyToArena(key);
    e.used = e.values_start = 0;
  }
  slots_[slot] = Slot{static_cast<uint32_t>(size_), low};
  // Keep the load factor at most 1/2.
  if (size_ * 2 > slots_.size()) Grow();
  return &e;
}

AggregationTable::Overflow* AggregationTable::OverflowOf(Entry* entry) {
  if (entry->overflow == nullptr) {
    overflows_.push_back(std::make_unique<Overflow>());
    entry->overflow = overflows_.back().get();
  }
  return entry->overflow;
}

bool AggregationTable::FitsInline(const Entry& entry, std::string_view value) {
  size_t encoded = Varint32Length(static_cast<uint32_t>(value.size())) + value.size();
  return !entry.overflowed() && entry.used + encoded <= Entry::kDataBytes;
}

bool AggregationTable::AddValue(Entry* entry, std::string_view value) {
  ++entry->value_count;
  size_t encoded = Varint32Length(static_cast<uint32_t>(value.size())) + value.size();
  bool inline_values = !entry->overflowed();
  if (FitsInline(*entry, value)) {
    char* p = EncodeVarint32(entry->data + entry->used, static_cast<uint32_t>(value.size()));
    std::memcpy(p, value.data(), value.size());
    entry->used += encoded;
    return true;
  }
  Overflow* overflow = OverflowOf(entry);
  std::string& values = overflow->values;
  size_t before = values.capacity();
  if (inline_values) {
    // Overflowing afresh: nothing of an earlier overflow's history counts.
    values.assign(entry->values());
    overflow->combined_bytes = 0;
    overflow->combining_stopped = false;
  }
  PutVarint32(&values, static_cast<uint32_t>(value.size()));
  values.append(value);
  overflow_bytes_ += values.capacity() - before;
  return false;
}

void AggregationTable::ReplaceValues(Entry* entry, std::string_view values,
                                     uint32_t value_count) {
  entry->value_count = value_count;
  if (entry->values_start + values.size() <= Entry::kDataBytes) {
    // Copy first: `values` may point into the overflow string.
    std::memcpy(entry->data + entry->values_start, values.data(), values.size());
    entry->used = static_cast<uint16_t>(entry->values_start + values.size());
    if (entry->overflow != nullptr) entry->overflow->values.clear();  // Keeps its capacity.
    return;
  }
  std::string& overflow = OverflowOf(entry)->values;
  size_t before = overflow.capacity();
  overflow.assign(values);
  overflow_bytes_ += overflow.capacity() - before;
}

namespace {

struct SortEntry {
  uint64_t prefix;
  uint32_t partition;
  uint32_t index;
};

// Byte `byte` of the sort key (partition, prefix): bytes 0-7 are the
// prefix's, least significant first, bytes 8-11 the partition's.
inline uint32_t KeyByte(const SortEntry& e, int byte) {
  return byte < 8 ? (e.prefix >> (8 * byte)) & 0xff : (e.partition >> (8 * (byte - 8))) & 0xff;
}

// LSD radix sort by (partition, prefix), one stable counting pass per key
// byte, skipping the bytes on which all entries agree (the high bytes of
// text prefixes, the partition's upper bytes). Linear where a comparison
// sort of the distinct keys was a tenth of a word count's time.
void RadixSort(std::vector<SortEntry>* entries) {
  std::vector<SortEntry> scratch(entries->size());
  for (int byte = 0; byte < 12; ++byte) {
    size_t count[257] = {};
    for (const SortEntry& e : *entries) ++count[KeyByte(e, byte) + 1];
    if (std::find(count + 1, count + 257, entries->size()) != count + 257) continue;
    for (int b = 1; b < 257; ++b) count[b] += count[b - 1];
    for (const SortEntry& e : *entries) scratch[count[KeyByte(e, byte)]++] = e;
    entries->swap(scratch);
  }
}

}  // namespace

std::vector<uint32_t> AggregationTable::SortedOrder() const {
  std::vector<SortEntry> sorted(size_);
  for (uint32_t i = 0; i < sorted.size(); ++i) {
    const Entry& e = EntryAt(i);
    sorted[i] = SortEntry{KeyPrefix(e.key()), e.partition, i};
  }
  RadixSort(&sorted);
  // Keys that share their 8-byte prefix are ordered by their full bytes.
  for (size_t begin = 0; begin < sorted.size();) {
    size_t end = begin + 1;
    while (end < sorted.size() && sorted[end].prefix == sorted[begin].prefix &&
           sorted[end].partition == sorted[begin].partition) {
      ++end;
    }
    if (end - begin > 1) {
      std::sort(sorted.begin() + begin, sorted.begin() + end, [this](const SortEntry& a, const SortEntry& b) {
        return EntryAt(a.index).key() < EntryAt(b.index).key();
      });
    }
    begin = end;
  }
  std::vector<uint32_t> order(sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) order[i] = sorted[i].index;
  return order;
}

void AggregationTable::Clear() {
  // Frees the entries: memory_bytes() counts their capacity, so a table
  // that kept blocks which alone had outgrown the budget would spill after
  // every record from then on.
  blocks_.clear();
  size_ = 0;
  capacity_ = 0;
  slots_.assign(kInitialSlots, Slot{0, 0});
  arena_blocks_.clear();
  arena_pos_ = nullptr;
  arena_left_ = 0;
  arena_bytes_ = 0;
  overflows_.clear();
  overflow_bytes_ = 0;
}

}  // namespace mr
