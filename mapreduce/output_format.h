// Writes a reduce task's pairs into its part file in the job's output format.
// Not thread-safe; owned by one reduce task.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/file.h"
#include "common/status.h"
#include "mapreduce/mapreduce.h"

namespace mr {

class OutputWriter {
 public:
  static Result<std::unique_ptr<OutputWriter>> Create(const std::string& path, OutputFormat format);
  Status Write(std::string_view key, std::string_view value);
  Status Close();
  uint64_t bytes_written() const { return file_->size(); }

 private:
  OutputWriter(std::unique_ptr<WritableFile> file, OutputFormat format)
      : file_(std::move(file)), format_(format) {}
  std::unique_ptr<WritableFile> file_;
  OutputFormat format_;
};

// "part-r-00003".
std::string PartFileName(int partition);

}  // namespace mr
