#include "sort_buffer.h"

#include <algorithm>
#include <cstring>

#include <glog/logging.h>

#include "key_prefix.h"
#include "record.h"

namespace mr {

SortBuffer::SortBuffer(size_t capacity_bytes)
    // Entries are laid out from the end, so keep the end aligned for them.
    : capacity_(capacity_bytes / alignof(IndexEntry) * alignof(IndexEntry)),
      memory_(new char[capacity_]) {
  CHECK_GE(capacity_, sizeof(IndexEntry));
  CHECK_LE(capacity_, uint64_t{UINT32_MAX});
}

size_t SortBuffer::FootprintOf(std::string_view key, std::string_view value) {
  return EncodedRecordSize(key, value) + sizeof(IndexEntry);
}

bool SortBuffer::Add(uint32_t partition, std::string_view key, std::string_view value) {
  size_t record_size = EncodedRecordSize(key, value);
  // Checked first so that index_start cannot wrap around in a tiny buffer.
  if ((count_ + 1) * sizeof(IndexEntry) > capacity_) return false;
  size_t index_start = capacity_ - (count_ + 1) * sizeof(IndexEntry);
  if (record_size > capacity_ || data_end_ + record_size > index_start) return false;
  EncodeRecord(memory_.get() + data_end_, key, value);
  IndexEntry* e = reinterpret_cast<IndexEntry*>(memory_.get() + index_start);
  e->prefix = KeyPrefix(key);
  e->partition = partition;
  e->offset = static_cast<uint32_t>(data_end_);
  data_end_ += record_size;
  ++count_;
  return true;
}

void SortBuffer::Sort() {
  // Entries were added back to front; the sort does not care.
  std::sort(index_begin(), index_begin() + count_, [this](const IndexEntry& a, const IndexEntry& b) {
    if (a.partition != b.partition) return a.partition < b.partition;
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return Key(a) < Key(b);
  });
}

void SortBuffer::Clear() {
  data_end_ = 0;
  count_ = 0;
}

std::string_view SortBuffer::Record(const IndexEntry& e) const {
  std::string_view key, value;
  const char* start = memory_.get() + e.offset;
  const char* end = DecodeRecord(start, memory_.get() + data_end_, &key, &value);
  return std::string_view(start, end - start);
}

std::string_view SortBuffer::Key(const IndexEntry& e) const {
  std::string_view key, value;
  DecodeRecord(memory_.get() + e.offset, memory_.get() + data_end_, &key, &value);
  return key;
}

std::string_view SortBuffer::Value(const IndexEntry& e) const {
  std::string_view key, value;
  DecodeRecord(memory_.get() + e.offset, memory_.get() + data_end_, &key, &value);
  return value;
}

}  // namespace mr
