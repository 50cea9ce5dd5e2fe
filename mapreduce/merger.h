// K-way merging of sorted segments with a binary heap, and multi-pass merging
// that bounds the fan-in (the number of segments open at once).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/file.h"
#include "common/status.h"
#include "progress_reporter.h"
#include "record_iterator.h"
#include "segment.h"

namespace mr {

// One segment of a file. `file` is opened only when the segment is merged,
// so a reducer holds at most fan-in map outputs open however many maps ran;
// an intermediate merge file comes already open (and unlinked).
struct SegmentRef {
  std::string path;
  SegmentInfo info;
  std::shared_ptr<RandomAccessFile> file;
};

// Merges sorted children into one sorted stream. Equal keys come out in the
// order of the children (stable), so earlier spills precede later ones.
class MergingIterator final : public RecordIterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<RecordIterator>> children);
  Status Next(bool* done) override;
  std::string_view key() const override { return heap_.front().it->key(); }
  std::string_view value() const override { return heap_.front().it->value(); }

 private:
  struct Entry {
    uint64_t prefix;  // KeyPrefix() of it->key(): settles most comparisons.
    RecordIterator* it;
    size_t order;
  };
  bool Less(const Entry& a, const Entry& b) const;
  void SiftDown(size_t i);

  std::vector<std::unique_ptr<RecordIterator>> children_;
  std::vector<Entry> heap_;
  bool started_ = false;
};

// Opens a merging iterator over the given segments.
Result<std::unique_ptr<RecordIterator>> MergeSegments(const std::vector<SegmentRef>& segments);

struct MergeStats {
  uint64_t intermediate_records = 0;  // Records written by intermediate passes.
  int passes = 0;
};

// While there are more than fan_in segments, merges the smallest ones into a
// new segment file in `dir`, so that the final merge reads exactly fan_in.
// Returns the remaining segments; `file_prefix` names the intermediate files.
// Reports to `progress` the records merged of all the segments' records (an
// approximation: a pass merges only some of them, a second pass some again).
Result<std::vector<SegmentRef>> MergeDownToFanIn(std::vector<SegmentRef> segments, int fan_in,
                                                 const std::string& dir,
                                                 const std::string& file_prefix,
                                                 MergeStats* stats,
                                                 const ProgressPhase& progress = ProgressPhase());

}  // namespace mr
