// Map-side aggregation for jobs with a combiner (as Spark's map-side
// combine): instead of buffering every emitted pair and sorting them all,
// keep one entry per distinct key in an open-addressing hash table, append
// each value to its key's entry, and run the combiner on an entry whose
// values have filled its room. A spill then sorts only the distinct keys.
//
// An entry is one 64-byte cache line holding the key (when short) and the
// values (while they fit), so a lookup usually touches one slot and one
// line; long keys go to an arena and long value lists to a heap string.
// Entries live in blocks that double in size and never move: a vector's
// reallocations copied every entry into fresh pages as it grew.
//
// Not thread-safe; owned by one map task.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mr {

class AggregationTable {
 public:
  // The values of an entry that outgrew it, and what the collector's
  // re-combining policy remembers of them.
  struct Overflow {
    std::string values;
    // Bytes of `values` right after the last combine of them; 0: never
    // combined since they overflowed.
    size_t combined_bytes = 0;
    // The combiner did not shrink them: leave them to the spill.
    bool combining_stopped = false;
  };

  struct alignas(64) Entry {
    std::string_view key() const {
      return std::string_view(key_inline ? data : key_ptr, key_len);
    }
    // Each value as varint32 length + bytes.
    std::string_view values() const {
      return overflowed() ? std::string_view(overflow->values)
                          : std::string_view(data + values_start, used - values_start);
    }
    bool overflowed() const { return overflow != nullptr && !overflow->values.empty(); }
    // The overflow state while overflowed(); null otherwise.
    Overflow* overflow_state() const { return overflowed() ? overflow : nullptr; }

    uint32_t partition;
    uint32_t value_count;

   private:
    friend class AggregationTable;
    static constexpr size_t kDataBytes = 32;
    const char* key_ptr;  // When !key_inline: the key in the arena.
    Overflow* overflow;   // Values that outgrew data; owned by the table.
    uint32_t key_len;
    uint16_t used;          // Bytes of data in use (inline key + values).
    uint8_t values_start;   // Offset of the values in data.
    bool key_inline;
    char data[kDataBytes];
  };
  static_assert(sizeof(Entry) == 64);

  AggregationTable();
  ~AggregationTable();
  AggregationTable(const AggregationTable&) = delete;
  AggregationTable& operator=(const AggregationTable&) = delete;

  // The entry of `key`; a new one (*inserted set) has no values and
  // partition 0 for the caller to set. The pointer is valid until the next
  // FindOrInsert or Clear.
  Entry* FindOrInsert(std::string_view key, uint64_t hash, bool* inserted);
  // Appends a value. Returns true while the entry's values still fit inside
  // the entry; false once they have overflowed (time to combine).
  bool AddValue(Entry* entry, std::string_view value);
  // Whether AddValue(entry, value) would keep the values inside the entry.
  static bool FitsInline(const Entry& entry, std::string_view value);
  // Replaces an entry's values (by the combiner's output). Values that fit
  // move back inside the entry, which is then no longer overflowed.
  void ReplaceValues(Entry* entry, std::string_view values, uint32_t value_count);

  // Heap bytes in use: what the map task's buffer budget is checked against.
  size_t memory_bytes() const { return lookup_bytes() + overflow_bytes_; }
  // The part of memory_bytes() that lookups touch (entries, slots, long
  // keys), which should stay near the CPU's cache; overflowed values are
  // only appended to.
  size_t lookup_bytes() const {
    return capacity_ * sizeof(Entry) + slots_.size() * sizeof(Slot) + arena_bytes_;
  }
  // Bytes the next insertion may add at once (the entries or slots
  // doubling), so a caller can spill before a budget would be overshot.
  size_t next_growth_bytes() const {
    size_t growth = 0;
    if (size_ == capacity_) growth += BlockEntries(blocks_.size()) * sizeof(Entry);
    if ((size_ + 1) * 2 > slots_.size()) growth += slots_.size() * sizeof(Slot);
    return growth;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Entry `index`, in [0, size()), in insertion order.
  Entry& entry(size_t index) { return EntryAt(index); }
  const Entry& entry(size_t index) const { return EntryAt(index); }
  // Entry indexes sorted by (partition, key).
  std::vector<uint32_t> SortedOrder() const;
  void Clear();

 private:
  // Open addressing with linear probing. A slot keeps the low half of the
  // hash beside the index, so probing past other keys rarely touches their
  // entries, and growing the table touches none.
  struct Slot {
    uint32_t index;  // Entry index + 1; 0 is empty.
    uint32_t hash;   // Low 32 bits of the entry's hash.
  };

  // Block 0 holds entries [0, 256); block b > 0 holds [256 << (b - 1), 256 << b).
  static constexpr int kFirstBlockShift = 8;
  static size_t BlockEntries(size_t block) {
    return size_t{1} << (kFirstBlockShift + (block == 0 ? 0 : block - 1));
  }
  Entry& EntryAt(size_t index) const {
    size_t block = std::bit_width(index >> kFirstBlockShift);
    size_t start = block == 0 ? 0 : size_t{1} << (kFirstBlockShift + block - 1);
    return blocks_[block][index - start];
  }
  // A new entry at the end, uninitialized.
  Entry& Append();

  const char* CopyToArena(std::string_view key);
  void Grow();
  Overflow* OverflowOf(Entry* entry);

  // Entries are uninitialized memory until Append hands them out, so the
  // pages of a block are touched only as it fills.
  std::vector<std::unique_ptr<Entry[]>> blocks_;
  size_t size_ = 0;
  size_t capacity_ = 0;  // Entries in blocks_.
  std::vector<Slot> slots_;
  std::vector<std::unique_ptr<char[]>> arena_blocks_;
  std::vector<std::unique_ptr<Overflow>> overflows_;
  char* arena_pos_ = nullptr;
  size_t arena_left_ = 0;
  size_t arena_bytes_ = 0;
  size_t overflow_bytes_ = 0;
};

}  // namespace mr
