#include "common/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>

#include <gflags/gflags.h>

DEFINE_int64(fault_inject_enospc_after_bytes, -1,
             "Testing only: every WritableFile fails with ENOSPC once it has "
             "written this many bytes. -1 disables.");

namespace mr {

namespace fs = std::filesystem;

Result<std::unique_ptr<WritableFile>> WritableFile::Create(const std::string& path,
                                                           size_t buffer_bytes, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::FromErrno(errno, "create " + path);
  return std::unique_ptr<WritableFile>(new WritableFile(path, fd, buffer_bytes));
}

WritableFile::WritableFile(std::string path, int fd, size_t buffer_bytes)
    : path_(std::move(path)), fd_(fd), buffer_capacity_(std::max<size_t>(buffer_bytes, 4096)) {
  buffer_.reserve(buffer_capacity_);
}

WritableFile::~WritableFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status WritableFile::WriteRaw(const char* data, size_t n) {
  while (n > 0) {
    size_t chunk = n;
    if (FLAGS_fault_inject_enospc_after_bytes >= 0) {
      off_t pos = ::lseek(fd_, 0, SEEK_CUR);
      int64_t room = FLAGS_fault_inject_enospc_after_bytes - pos;
      if (room <= 0) return Status::FromErrno(ENOSPC, "write " + path_);
      chunk = std::min<size_t>(chunk, room);
    }
    ssize_t w = ::write(fd_, data, chunk);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "write " + path_);
    }
    data += w;
    n -= w;
  }
  return Status::OK();
}

Status WritableFile::Append(std::string_view data) {
  size_ += data.size();
  if (buffer_.size() + data.size() <= buffer_capacity_) {
    buffer_.append(data);
    return Status::OK();
  }
  RETURN_NOT_OK(Flush());
  if (data.size() >= buffer_capacity_) return WriteRaw(data.data(), data.size());
  buffer_.append(data);
  return Status::OK();
}

Status WritableFile::Flush() {
  if (buffer_.empty()) return Status::OK();
  Status s = WriteRaw(buffer_.data(), buffer_.size());
  buffer_.clear();
  return s;
}

Status WritableFile::Sync() {
  RETURN_NOT_OK(Flush());
  if (::fdatasync(fd_) != 0) return Status::FromErrno(errno, "fdatasync " + path_);
  return Status::OK();
}

Status WritableFile::Close() {
  if (fd_ < 0) return Status::OK();
  Status s = Flush();
  if (::close(fd_) != 0 && s.ok()) s = Status::FromErrno(errno, "close " + path_);
  fd_ = -1;
  return s;
}

Result<std::unique_ptr<RandomAccessFile>> RandomAccessFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno(err, "stat " + path);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("is a directory: " + path);
  }
  return std::unique_ptr<RandomAccessFile>(new RandomAccessFile(path, fd, st.st_size));
}

RandomAccessFile::~RandomAccessFile() { ::close(fd_); }

Status RandomAccessFile::Read(uint64_t offset, size_t n, char* scratch, size_t* bytes_read) const {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd_, scratch + done, n - done, offset + done);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "read " + path_);
    }
    if (r == 0) break;
    done += r;
  }
  *bytes_read = done;
  return Status::OK();
}

void RandomAccessFile::AdviseSequential() const {
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<uint64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "stat " + path);
  return static_cast<uint64_t>(st.st_size);
}

Status CreateDirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Status::FromErrno(ec.value(), "mkdir " + path);
  return Status::OK();
}

Status RemoveAll(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return Status::FromErrno(ec.value(), "remove " + path);
  return Status::OK();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + dir);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Status::OK() : Status::FromErrno(err, "fsync " + dir);
}

Status RenameNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
    return Status::FromErrno(errno, "rename " + from + " to " + to);
  }
  return Status::OK();
}

Status WriteStringToFile(const std::string& path, std::string_view data, bool sync) {
  ASSIGN_OR_RETURN(auto file, WritableFile::Create(path, data.size() + 1));
  RETURN_NOT_OK(file->Append(data));
  if (sync) RETURN_NOT_OK(file->Sync());
  return file->Close();
}

Status WritePrivateFile(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  ::unlink(tmp.c_str());  // A stale one from a crash.
  ASSIGN_OR_RETURN(auto file, WritableFile::Create(tmp, data.size() + 1, 0600));
  Status s = file->Append(data);
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = Status::FromErrno(errno, "rename " + path);
  if (!s.ok()) ::unlink(tmp.c_str());
  return s;
}

Result<std::string> ReadFileToString(const std::string& path) {
  ASSIGN_OR_RETURN(auto file, RandomAccessFile::Open(path));
  // Reads to the end rather than to the size stat reports: files under
  // /proc report 0 and still have contents.
  std::string data;
  size_t n = 0;
  do {
    size_t old = data.size();
    data.resize(old + std::max<size_t>(file->size(), 4096));
    RETURN_NOT_OK(file->Read(old, data.size() - old, data.data() + old, &n));
    data.resize(old + n);
  } while (n > 0);
  return data;
}

namespace {
bool IsHidden(const fs::path& p) {
  std::string name = p.filename().string();
  return !name.empty() && (name[0] == '_' || name[0] == '.');
}
}  // namespace

Result<std::vector<std::string>> ListInputFiles(const std::string& path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Status::NotFound("input path does not exist: " + path);
  std::vector<std::string> files;
  if (fs::is_regular_file(st)) {
    files.push_back(path);
    return files;
  }
  if (!fs::is_directory(st)) return Status::InvalidArgument("not a file or directory: " + path);
  fs::recursive_directory_iterator it(path, ec), end;
  if (ec) return Status::FromErrno(ec.value(), "list " + path);
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::FromErrno(ec.value(), "list " + path);
    if (IsHidden(it->path())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string DirName(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

std::string BaseName(const std::string& path) {
  return fs::path(path).filename().string();
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out += '/';
  out += name;
  return out;
}

Status WritePortFile(const std::string& dir, int port) {
  std::string path = JoinPath(dir, "port");
  std::string tmp = path + ".tmp";
  (void)RemoveAll(tmp);
  RETURN_NOT_OK(WriteStringToFile(tmp, std::to_string(port) + "\n", /*sync=*/true));
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::FromErrno(errno, "rename " + tmp);
  return Status::OK();
}

}  // namespace mr
