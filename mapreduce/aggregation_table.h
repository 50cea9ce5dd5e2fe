// Map-side aggregation for jobs with a combiner (as Spark's map-side
// combine): instead of buffering every emitted pair and sorting them all,
// keep one entry per distinct key in an open-addressing hash table, append
// each value to its key's entry, and run the combiner on an entry whose
// value list has grown long. A spill then sorts only the distinct keys.
//
// Not thread-safe; owned by one map task.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mr {

class AggregationTable {
 public:
  struct Entry {
    std::string_view key;  // Points into the table's arena.
    uint64_t hash;
    uint32_t partition;
    uint32_t value_count;
    std::string values;  // Each value as varint32 length + bytes.
  };

  AggregationTable();

  // The entry of `key`; a new one (*inserted set) has no values and
  // partition 0 for the caller to set. The pointer is valid until the next
  // FindOrInsert or Clear.
  Entry* FindOrInsert(std::string_view key, uint64_t hash, bool* inserted);
  void AddValue(Entry* entry, std::string_view value);
  // Replaces an entry's values (by the combiner's output).
  void ReplaceValues(Entry* entry, std::string_view values, uint32_t value_count);

  // Heap bytes in use (approximate): what the map task's budget is checked on.
  size_t memory_bytes() const {
    return entries_.capacity() * sizeof(Entry) + slots_.size() * sizeof(Slot) +
           arena_bytes_ + value_heap_bytes_;
  }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::vector<Entry>& entries() { return entries_; }
  // Entry indexes sorted by (partition, key).
  std::vector<uint32_t> SortedOrder() const;
  void Clear();

 private:
  std::string_view CopyToArena(std::string_view key);
  void Grow();
  static size_t HeapBytes(const std::string& s);

  std::vector<Entry> entries_;
  // Open addressing with linear probing. A slot keeps the high half of the
  // hash beside the index, so probing past other keys rarely touches their
  // entries.
  struct Slot {
    uint32_t index;  // Entry index + 1; 0 is empty.
    uint32_t tag;    // hash >> 32.
  };
  std::vector<Slot> slots_;
  std::vector<std::unique_ptr<char[]>> arena_blocks_;
  char* arena_pos_ = nullptr;
  size_t arena_left_ = 0;
  size_t arena_bytes_ = 0;
  size_t value_heap_bytes_ = 0;
};


}  // namespace mr
