// The bounded map-output buffer. Records are appended, in record.h's
// encoding, from the front of one fixed allocation; a 16-byte index entry
// per record (partition, key prefix, offset) grows from the back. Sorting
// moves only the index entries: a quicksort (std::sort's introsort) on
// (partition, key), where the 8-byte key prefix in the entry settles most
// comparisons without touching the record.
//
// Not thread-safe; owned by one map task.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

namespace mr {

class SortBuffer {
 public:
  struct IndexEntry {
    uint64_t prefix;  // First 8 key bytes, big-endian, zero-padded.
    uint32_t partition;
    uint32_t offset;  // Of the record from the start of the buffer.
  };

  explicit SortBuffer(size_t capacity_bytes);

  // Bytes one record takes in the buffer, index entry included.
  static size_t FootprintOf(std::string_view key, std::string_view value);
  // Appends a record; false (and nothing added) if it does not fit.
  bool Add(uint32_t partition, std::string_view key, std::string_view value);
  void Sort();
  void Clear();

  size_t capacity() const { return capacity_; }
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // The i-th entry (in sorted order after Sort()).
  const IndexEntry& entry(size_t i) const { return index_begin()[i]; }
  // The encoded record an entry points at, and its parts.
  std::string_view Record(const IndexEntry& e) const;
  std::string_view Key(const IndexEntry& e) const;
  std::string_view Value(const IndexEntry& e) const;

 private:
  IndexEntry* index_begin() const {
    return reinterpret_cast<IndexEntry*>(memory_.get() + capacity_) - count_;
  }

  size_t capacity_;
  std::unique_ptr<char[]> memory_;
  size_t data_end_ = 0;
  size_t count_ = 0;
};

}  // namespace mr
