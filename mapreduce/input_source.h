// Where a record reader's bytes come from: the seam between the record
// readers (input_format.h) and a file system. A local file today; a DFS file
// for a task on a cluster (dfs_io.h).
//
// Readers call Read once per buffer refill (megabytes), never per record, so
// the virtual call costs nothing measurable.
//
// Thread-safety: an InputSource belongs to one reader, on one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/file.h"
#include "common/status.h"

namespace mr {

struct InputSplit;

class InputSource {
 public:
  virtual ~InputSource() = default;
  // Reads up to n bytes at `offset` into scratch; *bytes_read < n only at the
  // end of the file. Sequential reads (each at the end of the previous one)
  // are the fast path.
  virtual Status Read(uint64_t offset, size_t n, char* scratch, size_t* bytes_read) = 0;
  virtual uint64_t size() const = 0;
  virtual const std::string& path() const = 0;
};

// Opens the input of a split. Empty: the split's path on the local disk.
using InputOpener = std::function<Result<std::unique_ptr<InputSource>>(const InputSplit&)>;

// A local file, read with pread; hints the kernel to read ahead.
class LocalInputSource final : public InputSource {
 public:
  static Result<std::unique_ptr<InputSource>> Open(const std::string& path);
  Status Read(uint64_t offset, size_t n, char* scratch, size_t* bytes_read) override {
    return file_->Read(offset, n, scratch, bytes_read);
  }
  uint64_t size() const override { return file_->size(); }
  const std::string& path() const override { return file_->path(); }

 private:
  explicit LocalInputSource(std::unique_ptr<RandomAccessFile> file) : file_(std::move(file)) {}
  std::unique_ptr<RandomAccessFile> file_;
};

}  // namespace mr
