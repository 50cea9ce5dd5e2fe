#include "segment.h"

#include <gflags/gflags.h>

#include "record.h"

DEFINE_bool(spill_compression, true,
            "Compress spills and map outputs with LZ4 (they are checksummed either way).");
DEFINE_int32(spill_block_kb, 64, "Raw size of the checksummed, compressed blocks of spills.");

namespace mr {

BlockStreamOptions SegmentBlockOptions() {
  BlockStreamOptions options;
  options.block_bytes = static_cast<size_t>(FLAGS_spill_block_kb) << 10;
  options.compress = FLAGS_spill_compression;
  return options;
}

Result<std::unique_ptr<SegmentFileWriter>> SegmentFileWriter::Create(const std::string& path,
                                                                     int num_partitions) {
  ASSIGN_OR_RETURN(auto file, WritableFile::Create(path));
  return std::unique_ptr<SegmentFileWriter>(new SegmentFileWriter(std::move(file), num_partitions));
}

SegmentFileWriter::SegmentFileWriter(std::unique_ptr<WritableFile> file, int num_partitions)
    : file_(std::move(file)), blocks_(file_.get(), SegmentBlockOptions()) {
  result_.path = file_->path();
  result_.partitions.resize(num_partitions);
}

Status SegmentFileWriter::EndPartition() {
  if (current_ < 0) return Status::OK();
  RETURN_NOT_OK(blocks_.Finish());
  SegmentInfo& info = result_.partitions[current_];
  info.offset = segment_start_;
  info.length = file_->size() - segment_start_;
  info.raw_bytes = blocks_.raw_bytes() - raw_at_start_;
  info.records = records_;
  return Status::OK();
}

Status SegmentFileWriter::StartPartition(int partition) {
  RETURN_NOT_OK(EndPartition());
  // Skipped partitions are empty segments at the current end of the file.
  for (int p = current_ + 1; p < partition; ++p) result_.partitions[p].offset = file_->size();
  current_ = partition;
  segment_start_ = file_->size();
  raw_at_start_ = blocks_.raw_bytes();
  records_ = 0;
  return Status::OK();
}

Status SegmentFileWriter::AppendEncoded(std::string_view record) {
  ++records_;
  return blocks_.Append(record);
}

Status SegmentFileWriter::Append(std::string_view key, std::string_view value) {
  scratch_.clear();
  AppendRecord(&scratch_, key, value);
  return AppendEncoded(scratch_);
}

Result<SegmentFile> SegmentFileWriter::Finish() {
  RETURN_NOT_OK(EndPartition());
  int n = static_cast<int>(result_.partitions.size());
  for (int p = current_ + 1; p < n; ++p) result_.partitions[p].offset = file_->size();
  RETURN_NOT_OK(file_->Close());
  return std::move(result_);
}

SegmentReader::SegmentReader(const RandomAccessFile* file, const SegmentInfo& segment)
    : blocks_(file, segment.offset, segment.length) {}

Status SegmentReader::Next(bool* done) {
  while (pos_ == nullptr || pos_ == block_.data() + block_.size()) {
    bool end = false;
    RETURN_NOT_OK(blocks_.Next(&block_, &end));
    if (end) {
      *done = true;
      return Status::OK();
    }
    pos_ = block_.data();
  }
  pos_ = DecodeRecord(pos_, block_.data() + block_.size(), &key_, &value_);
  if (pos_ == nullptr) return Status::Corruption("record crosses a block boundary");
  *done = false;
  return Status::OK();
}

}  // namespace mr
