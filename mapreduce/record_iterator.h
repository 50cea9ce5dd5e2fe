// A forward iterator over sorted key/value records, and the helpers that
// group its records by key. Implemented by segment readers, the sort buffer
// and the k-way merge, so that combining and reducing see one interface.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "mapreduce/mapreduce.h"

namespace mr {

class RecordIterator {
 public:
  virtual ~RecordIterator() = default;
  // Advances to the next record (the first, on the first call); sets *done at
  // the end. key() and value() stay valid until the next call.
  virtual Status Next(bool* done) = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
};

// Calls fn(key, value) on every record of `it`, stopping at the first error
// of either.
Status ForEachRecord(RecordIterator* it,
                     const std::function<Status(std::string_view key, std::string_view value)>& fn);

// Calls fn once per run of equal keys in `sorted`, with an iterator over that
// run's values. Values fn leaves unread are skipped. Returns the first error
// of the underlying iterator.
Status ForEachKeyGroup(RecordIterator* sorted,
                       const std::function<void(std::string_view key, ValueIterator& values)>& fn);

}  // namespace mr
