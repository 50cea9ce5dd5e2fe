#include "scheduler/nodemanager/log_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace mr::sched::nm {

namespace {

// Closes on every path.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<std::string> ReadFileTail(const std::string& path, uint64_t max_bytes,
                                 uint64_t* size) {
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)};
  if (file.fd < 0) {
    if (errno == ELOOP) return Status::PermissionDenied(path + " is a symlink; not read");
    return Status::FromErrno(errno, "open " + path);
  }
  struct stat st;
  if (::fstat(file.fd, &st) != 0) return Status::FromErrno(errno, "stat " + path);
  if (!S_ISREG(st.st_mode)) return Status::PermissionDenied(path + " is not a regular file");
  uint64_t file_size = static_cast<uint64_t>(st.st_size);
  if (size != nullptr) *size = file_size;
  uint64_t n = std::min(file_size, max_bytes);
  std::string out(n, '\0');
  size_t done = 0;
  while (done < n) {
    ssize_t got = ::pread(file.fd, out.data() + done, n - done,
                          static_cast<off_t>(file_size - n + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Status::FromErrno(errno, "read " + path);
    if (got == 0) break;  // Truncated meanwhile.
    done += static_cast<size_t>(got);
  }
  out.resize(done);
  return out;
}

std::string LastLines(const std::string& path, int max_lines, uint64_t max_bytes) {
  Result<std::string> tail = ReadFileTail(path, max_bytes);
  if (!tail.ok()) return "";
  std::string_view text = *tail;
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  // Walk back over max_lines newlines; what follows the last one crossed is
  // the answer.
  size_t start = text.size();
  for (int lines = 0; lines < max_lines && start > 0; ++lines) {
    size_t nl = text.rfind('\n', start - 1);
    start = nl == std::string_view::npos ? 0 : nl;
  }
  if (start < text.size() && text[start] == '\n') ++start;
  return std::string(text.substr(start));
}

}  // namespace mr::sched::nm
