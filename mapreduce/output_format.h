// Writes a reduce task's pairs into its part file in the job's output format.
// Pairs are gathered in a buffer of its own and handed to the OutputSink a
// buffer at a time. Not thread-safe; owned by one reduce task.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "mapreduce/mapreduce.h"
#include "output_sink.h"

namespace mr {

class OutputWriter {
 public:
  // A new local file at `path`.
  static Result<std::unique_ptr<OutputWriter>> Create(const std::string& path, OutputFormat format);
  static std::unique_ptr<OutputWriter> Create(std::unique_ptr<OutputSink> sink, OutputFormat format);

  Status Write(std::string_view key, std::string_view value) {
    if (format_ == OutputFormat::kText) {
      buffer_.append(key).append(1, '\t').append(value).append(1, '\n');
    } else {
      buffer_.append(key).append(value);
    }
    return buffer_.size() >= kBufferBytes ? FlushBuffer() : Status::OK();
  }
  // Flushes and closes the sink.
  Status Close();
  // Bytes written so far (buffered ones included).
  uint64_t bytes_written() const { return flushed_ + buffer_.size(); }

 private:
  static constexpr size_t kBufferBytes = 1 << 20;

  OutputWriter(std::unique_ptr<OutputSink> sink, OutputFormat format);
  Status FlushBuffer();

  std::unique_ptr<OutputSink> sink_;
  OutputFormat format_;
  std::string buffer_;
  uint64_t flushed_ = 0;
};

// "part-r-00003".
std::string PartFileName(int partition);

}  // namespace mr
