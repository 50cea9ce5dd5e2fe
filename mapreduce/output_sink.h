// Where a reduce task's part file goes: the seam between OutputWriter
// (output_format.h) and a file system. A new local file in a local run; a
// new DFS file for a task on a cluster (dfs_io.h).
//
// OutputWriter hands a sink whole buffers (about a megabyte), never single
// records, so the virtual call costs nothing measurable.
//
// Thread-safety: a sink belongs to one writer, on one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/file.h"
#include "common/status.h"

namespace mr {

class OutputSink {
 public:
  // Destroying a sink without a successful Close() abandons the file (a DFS
  // file is deleted; a local one is left for the job's cleanup to remove).
  virtual ~OutputSink() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes the file complete and visible; no Append after it.
  virtual Status Close() = 0;
};

// Creates the part file at `path`. Empty: a new local file.
using OutputOpener = std::function<Result<std::unique_ptr<OutputSink>>(const std::string& path)>;

// A new local file (fails if `path` exists).
class LocalOutputSink final : public OutputSink {
 public:
  static Result<std::unique_ptr<OutputSink>> Create(const std::string& path);
  Status Append(std::string_view data) override { return file_->Append(data); }
  Status Close() override { return file_->Close(); }

 private:
  explicit LocalOutputSink(std::unique_ptr<WritableFile> file) : file_(std::move(file)) {}
  std::unique_ptr<WritableFile> file_;
};

}  // namespace mr
