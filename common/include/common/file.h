// Local files: buffered appends, positional reads, and the directory
// operations the engine needs. Every call returns a Status; nothing throws.
//
// Thread-safety: a WritableFile belongs to one thread. A RandomAccessFile may
// be read by many threads at once (pread has no shared offset).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mr {

// Appends to a new file through a user-space buffer. Close() flushes; a file
// destroyed without Close() is closed and its buffered tail is lost.
class WritableFile {
 public:
  // Creates `path` with `mode` (less the umask), failing if it exists.
  static Result<std::unique_ptr<WritableFile>> Create(const std::string& path,
                                                      size_t buffer_bytes = 1 << 20,
                                                      mode_t mode = 0644);
  ~WritableFile();
  WritableFile(const WritableFile&) = delete;
  WritableFile& operator=(const WritableFile&) = delete;

  Status Append(std::string_view data);
  Status Flush();
  Status Sync();  // Flush + fdatasync.
  Status Close();
  // Bytes appended so far (buffered ones included).
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  WritableFile(std::string path, int fd, size_t buffer_bytes);
  Status WriteRaw(const char* data, size_t n);

  std::string path_;
  int fd_;
  std::string buffer_;
  size_t buffer_capacity_;
  uint64_t size_ = 0;
};

// Positional reads from an existing file.
class RandomAccessFile {
 public:
  static Result<std::unique_ptr<RandomAccessFile>> Open(const std::string& path);
  ~RandomAccessFile();
  RandomAccessFile(const RandomAccessFile&) = delete;
  RandomAccessFile& operator=(const RandomAccessFile&) = delete;

  // Reads up to n bytes at offset into scratch; *bytes_read < n only at EOF.
  Status Read(uint64_t offset, size_t n, char* scratch, size_t* bytes_read) const;
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // Tells the kernel the file will be read front to back.
  void AdviseSequential() const;

 private:
  RandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  std::string path_;
  int fd_;
  uint64_t size_;
};

bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);
Result<uint64_t> FileSize(const std::string& path);
// mkdir -p.
Status CreateDirs(const std::string& path);
// rm -r; OK if `path` does not exist.
Status RemoveAll(const std::string& path);
// fsync of a directory, so that the names created, renamed or removed in it
// are durable.
Status SyncDir(const std::string& dir);
// Atomic rename that fails with AlreadyExists instead of replacing `to`.
Status RenameNoReplace(const std::string& from, const std::string& to);
// Whole-file helpers for small files (markers, JSON, indexes).
Status WriteStringToFile(const std::string& path, std::string_view data, bool sync);
Result<std::string> ReadFileToString(const std::string& path);
// Replaces `path` atomically (temp file, fsync, rename) with `data` in a file
// that is mode 0600 from its creation: for keys and credentials.
Status WritePrivateFile(const std::string& path, std::string_view data);
// Regular files of `path` (itself if a file; else its entries, recursively,
// sorted by path). Names starting with '_' or '.' are skipped, as Hadoop
// skips hidden and marker files in input directories.
Result<std::vector<std::string>> ListInputFiles(const std::string& path);
// Parent directory of `path` ("." when it has none).
std::string DirName(const std::string& path);
std::string BaseName(const std::string& path);
std::string JoinPath(std::string_view dir, std::string_view name);

// Writes `port` to <dir>/port atomically (temp file, fsync, rename), so a
// launcher polling for the file never reads half of it. Daemons started with
// port 0 advertise the port they bound this way.
Status WritePortFile(const std::string& dir, int port);

}  // namespace mr
