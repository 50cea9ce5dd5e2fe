#include "scheduler/nodemanager/progress_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace mr::sched {

namespace {

// A report is some 30 bytes; anything longer is not one.
constexpr size_t kMaxProgressBytes = 256;

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "write " + path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

}  // namespace

std::string EncodeProgress(double fraction, int64_t ticks) {
  char line[64];
  std::snprintf(line, sizeof(line), "%.6f %lld\n", fraction, static_cast<long long>(ticks));
  return line;
}

ProgressReport ParseProgress(std::string_view text) {
  const ProgressReport invalid;
  if (text.empty() || text.back() != '\n') return invalid;
  text.remove_suffix(1);
  size_t space = text.find(' ');
  if (space == std::string_view::npos) return invalid;
  std::string_view f = text.substr(0, space), t = text.substr(space + 1);
  ProgressReport report;
  auto [f_end, f_ec] = std::from_chars(f.data(), f.data() + f.size(), report.fraction);
  auto [t_end, t_ec] = std::from_chars(t.data(), t.data() + t.size(), report.ticks);
  if (f.empty() || t.empty() || f_ec != std::errc() || t_ec != std::errc() ||
      f_end != f.data() + f.size() || t_end != t.data() + t.size()) {
    return invalid;
  }
  if (!std::isfinite(report.fraction) || report.fraction < 0 || report.fraction > 1 ||
      report.ticks < 0) {
    return invalid;
  }
  return report;
}

Status WriteProgressFile(const std::string& path, double fraction, int64_t ticks) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "open " + tmp);
  Status s = WriteAll(fd, EncodeProgress(fraction, ticks), tmp);
  if (::close(fd) != 0 && s.ok()) s = Status::FromErrno(errno, "close " + tmp);
  if (s.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Status::FromErrno(errno, "rename " + tmp);
  }
  return s;
}

ProgressReport ReadProgressFile(const std::string& path) {
  // The NM (maybe root) reads it from the container's directory: never
  // through a symlink, never blocked by a FIFO (log_tail.h).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return ProgressReport();
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return ProgressReport();
  }
  char buffer[kMaxProgressBytes];
  size_t size = 0;
  while (size < sizeof(buffer)) {
    ssize_t n = ::read(fd, buffer + size, sizeof(buffer) - size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  return ParseProgress(std::string_view(buffer, size));
}

}  // namespace mr::sched
