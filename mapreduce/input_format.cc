#include "input_format.h"

#include <algorithm>
#include <cstring>

#include <gflags/gflags.h>

DEFINE_int32(input_buffer_kb, 4096, "Read buffer of each record reader.");

namespace mr {

namespace {

// A window over a file region, refilled from its source one large read at a
// time. Bytes before `consumed` may be dropped on the next refill.
class FileWindow {
 public:
  FileWindow(std::unique_ptr<InputSource> file, uint64_t start)
      : file_(std::move(file)), file_pos_(start) {
    buf_.resize(std::max<size_t>(FLAGS_input_buffer_kb, 4) << 10);
  }

  const char* begin() const { return buf_.data() + begin_; }
  const char* end() const { return buf_.data() + end_; }
  size_t available() const { return end_ - begin_; }
  // File offset of begin().
  uint64_t position() const { return file_pos_ - (end_ - begin_); }
  bool at_eof() const { return file_pos_ >= file_->size(); }
  void Consume(size_t n) { begin_ += n; }

  // Reads more bytes after end(), keeping [begin(), end()). Grows the buffer
  // when it is full of unconsumed bytes (a long record). Sets *eof when the
  // file has nothing more.
  Status Fill(bool* eof) {
    if (at_eof()) {
      *eof = true;
      return Status::OK();
    }
    *eof = false;
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    size_t n = 0;
    RETURN_NOT_OK(file_->Read(file_pos_, buf_.size() - end_, buf_.data() + end_, &n));
    if (n == 0) return Status::IOError(file_->path() + ": file shrank while being read");
    end_ += n;
    file_pos_ += n;
    return Status::OK();
  }

 private:
  std::unique_ptr<InputSource> file_;
  uint64_t file_pos_;  // File offset of buf_[end_].
  std::string buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

class LineRecordReader final : public RecordReader {
 public:
  LineRecordReader(std::unique_ptr<InputSource> file, const InputSplit& split)
      : window_(std::move(file), split.offset == 0 ? 0 : split.offset - 1),
        path_(split.path),
        split_end_(split.offset + split.length),
        skip_partial_line_(split.offset != 0) {}

  Status Next(std::string_view* key, std::string_view* value, bool* done) override {
    if (skip_partial_line_) {
      // Starting at offset-1: if that byte is '\n' a line starts at offset;
      // otherwise the split begins inside a line its predecessor reads.
      skip_partial_line_ = false;
      std::string_view ignored;
      bool eof = false;
      RETURN_NOT_OK(ReadLine(&ignored, &eof));
      bytes_read_ = 0;
      if (eof) {
        *done = true;
        return Status::OK();
      }
    }
    if (window_.position() >= split_end_) {
      *done = true;
      return Status::OK();
    }
    bool eof = false;
    record_offset_ = window_.position();
    RETURN_NOT_OK(ReadLine(value, &eof));
    *done = eof;
    *key = std::string_view();
    return Status::OK();
  }

  uint64_t bytes_read() const override { return bytes_read_; }
  const std::string& path() const override { return path_; }
  uint64_t record_offset() const override { return record_offset_; }

 private:
  // Reads the line at the window's position; *eof if no bytes remain.
  Status ReadLine(std::string_view* line, bool* eof) {
    size_t scanned = 0;
    while (true) {
      const char* start = window_.begin();
      const char* nl = static_cast<const char*>(
          std::memchr(start + scanned, '\n', window_.available() - scanned));
      if (nl != nullptr) {
        size_t len = nl - start;
        window_.Consume(len + 1);
        bytes_read_ += len + 1;
        *line = TrimCR(std::string_view(start, len));
        *eof = false;
        return Status::OK();
      }
      scanned = window_.available();
      bool file_eof = false;
      RETURN_NOT_OK(window_.Fill(&file_eof));
      if (file_eof) {
        // The last line of a file without a final newline.
        size_t len = window_.available();
        *eof = len == 0;
        *line = TrimCR(std::string_view(window_.begin(), len));
        window_.Consume(len);
        bytes_read_ += len;
        return Status::OK();
      }
    }
  }

  static std::string_view TrimCR(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }

  FileWindow window_;
  const std::string path_;
  uint64_t split_end_;
  bool skip_partial_line_;
  uint64_t bytes_read_ = 0;
  uint64_t record_offset_ = 0;
};

class FixedRecordReader final : public RecordReader {
 public:
  FixedRecordReader(std::unique_ptr<InputSource> file, const InputSplit& split,
                    int record_bytes, int key_bytes)
      : window_(std::move(file), split.offset),
        path_(split.path),
        split_end_(split.offset + split.length),
        record_bytes_(record_bytes),
        key_bytes_(key_bytes) {}

  Status Next(std::string_view* key, std::string_view* value, bool* done) override {
    if (window_.position() >= split_end_) {
      *done = true;
      return Status::OK();
    }
    while (window_.available() < static_cast<size_t>(record_bytes_)) {
      bool eof = false;
      RETURN_NOT_OK(window_.Fill(&eof));
      if (eof) {
        *done = true;
        if (window_.available() == 0) return Status::OK();
        return Status::Corruption("truncated record at end of input");
      }
    }
    const char* p = window_.begin();
    record_offset_ = window_.position();
    *key = std::string_view(p, key_bytes_);
    *value = std::string_view(p + key_bytes_, record_bytes_ - key_bytes_);
    window_.Consume(record_bytes_);
    bytes_read_ += record_bytes_;
    *done = false;
    return Status::OK();
  }

  uint64_t bytes_read() const override { return bytes_read_; }
  const std::string& path() const override { return path_; }
  uint64_t record_offset() const override { return record_offset_; }

 private:
  FileWindow window_;
  const std::string path_;
  uint64_t split_end_;
  int record_bytes_;
  int key_bytes_;
  uint64_t bytes_read_ = 0;
  uint64_t record_offset_ = 0;
};

class PiecesRecordReader final : public RecordReader {
 public:
  PiecesRecordReader(std::vector<InputSplit> pieces, InputOpener open, const Job& job)
      : pieces_(std::move(pieces)), open_(std::move(open)), job_(job) {}

  Status Next(std::string_view* key, std::string_view* value, bool* done) override {
    while (next_piece_ < pieces_.size() || current_ != nullptr) {
      if (current_ == nullptr) RETURN_NOT_OK(OpenNext());
      const std::string& path = pieces_[next_piece_ - 1].path;
      bool piece_done = false;
      RETURN_NOT_OK_PREPEND(current_->Next(key, value, &piece_done), path);
      if (!piece_done) {
        *done = false;
        return Status::OK();
      }
      finished_bytes_ += current_->bytes_read();
      current_.reset();
    }
    *done = true;
    return Status::OK();
  }

  uint64_t bytes_read() const override {
    return finished_bytes_ + (current_ != nullptr ? current_->bytes_read() : 0);
  }
  const std::string& path() const override {
    static const std::string kNone;
    return next_piece_ == 0 ? kNone : pieces_[next_piece_ - 1].path;
  }
  uint64_t record_offset() const override {
    return current_ != nullptr ? current_->record_offset() : 0;
  }

 private:
  Status OpenNext() {
    const InputSplit& piece = pieces_[next_piece_++];
    if (open_) {
      ASSIGN_OR_RETURN(auto source, open_(piece));
      ASSIGN_OR_RETURN(current_, OpenRecordReader(std::move(source), piece, job_));
    } else {
      ASSIGN_OR_RETURN(current_, OpenRecordReader(piece, job_));
    }
    return Status::OK();
  }

  const std::vector<InputSplit> pieces_;
  const InputOpener open_;
  const Job& job_;
  size_t next_piece_ = 0;
  std::unique_ptr<RecordReader> current_;  // Of pieces_[next_piece_ - 1].
  uint64_t finished_bytes_ = 0;            // Read by the pieces before it.
};

}  // namespace

Result<std::vector<InputSplit>> ComputeSplits(const std::string& input, const Job& job,
                                              uint64_t split_bytes) {
  ASSIGN_OR_RETURN(std::vector<std::string> files, ListInputFiles(input));
  bool fixed = job.input_format() == InputFormat::kFixedRecords;
  uint64_t record = fixed ? job.record_bytes() : 1;
  // Fixed-size splits hold whole records.
  split_bytes = std::max<uint64_t>(record, split_bytes / record * record);
  std::vector<InputSplit> splits;
  for (const std::string& path : files) {
    ASSIGN_OR_RETURN(uint64_t size, FileSize(path));
    if (fixed && size % record != 0) {
      return Status::InvalidArgument(path + ": size " + std::to_string(size) +
                                     " is not a multiple of the record size " +
                                     std::to_string(record));
    }
    for (uint64_t offset = 0; offset < size; offset += split_bytes) {
      splits.push_back({path, offset, std::min(split_bytes, size - offset)});
    }
  }
  return splits;
}

Result<std::unique_ptr<RecordReader>> OpenRecordReader(const InputSplit& split, const Job& job) {
  ASSIGN_OR_RETURN(auto file, LocalInputSource::Open(split.path));
  return OpenRecordReader(std::move(file), split, job);
}

Result<std::unique_ptr<RecordReader>> OpenRecordReader(std::unique_ptr<InputSource> file,
                                                       const InputSplit& split, const Job& job) {
  if (split.offset + split.length > file->size()) {
    return Status::InvalidArgument(file->path() + ": split [" + std::to_string(split.offset) +
                                   ", +" + std::to_string(split.length) + ") is past its end (" +
                                   std::to_string(file->size()) + " bytes)");
  }
  if (job.input_format() == InputFormat::kFixedRecords) {
    return std::unique_ptr<RecordReader>(std::make_unique<FixedRecordReader>(
        std::move(file), split, job.record_bytes(), job.key_bytes()));
  }
  return std::unique_ptr<RecordReader>(std::make_unique<LineRecordReader>(std::move(file), split));
}

std::unique_ptr<RecordReader> OpenPiecesRecordReader(std::vector<InputSplit> pieces,
                                                     InputOpener open, const Job& job) {
  return std::make_unique<PiecesRecordReader>(std::move(pieces), std::move(open), job);
}

}  // namespace mr
