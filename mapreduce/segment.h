// Sorted runs of records on local disk. A segment is the records of one
// reduce partition, stored as a block stream (common/block_stream.h) in a
// region of a file; a spill file or a map output file holds one segment per
// partition, back to back, described by a SegmentIndex.
//
// Thread-safety: writers and readers belong to one thread each.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/block_stream.h"
#include "common/file.h"
#include "common/status.h"

namespace mr {

// Where one partition's records live in a file.
struct SegmentInfo {
  uint64_t offset = 0;
  uint64_t length = 0;     // Stored bytes (after compression).
  uint64_t raw_bytes = 0;  // Encoded record bytes before compression.
  uint64_t records = 0;
};

// A file of consecutive segments, one per partition.
struct SegmentFile {
  std::string path;
  std::vector<SegmentInfo> partitions;
};

BlockStreamOptions SegmentBlockOptions();

// Writes the segments of a SegmentFile, partition 0 first. Every partition
// gets a (possibly empty) segment.
class SegmentFileWriter {
 public:
  static Result<std::unique_ptr<SegmentFileWriter>> Create(const std::string& path,
                                                            int num_partitions);
  // Starts the segment of `partition`; partitions must come in increasing
  // order, and skipped ones get empty segments.
  Status StartPartition(int partition);
  // Appends one encoded record (record.h) to the current partition.
  Status AppendEncoded(std::string_view record);
  Status Append(std::string_view key, std::string_view value);
  // Ends the last segment and closes the file.
  Result<SegmentFile> Finish();

 private:
  SegmentFileWriter(std::unique_ptr<WritableFile> file, int num_partitions);
  Status EndPartition();

  std::unique_ptr<WritableFile> file_;
  BlockWriter blocks_;
  SegmentFile result_;
  int current_ = -1;
  uint64_t segment_start_ = 0;
  uint64_t raw_at_start_ = 0;
  uint64_t records_ = 0;
  std::string scratch_;
};

// Iterates the records of one segment in order. The file must outlive it.
class SegmentReader {
 public:
  SegmentReader(const RandomAccessFile* file, const SegmentInfo& segment);
  // Advances to the next record. Views stay valid until the next call.
  Status Next(bool* done);
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }

 private:
  BlockReader blocks_;
  std::string_view block_;
  const char* pos_ = nullptr;
  std::string_view key_;
  std::string_view value_;
};

}  // namespace mr
