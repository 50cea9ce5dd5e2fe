#include "cluster/daemon_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "common/file.h"

namespace mr::cluster {

namespace {

sockaddr_in Address(const std::string& host, int port, bool* ok) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  *ok = ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) == 1;
  return addr;
}

bool ProcessRuns(pid_t pid, const std::string& binary_name) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  Result<std::string> cmdline = ReadFileToString("/proc/" + std::to_string(pid) + "/cmdline");
  if (!cmdline.ok()) return false;
  std::string argv0 = cmdline->substr(0, cmdline->find('\0'));
  // A zombie (exited, not yet reaped) has an empty command line. An empty
  // `binary_name` matches any live process.
  if (binary_name.empty()) return !cmdline->empty();
  return BaseName(argv0) == binary_name;
}

// The start time of `pid` (field 22 of /proc/<pid>/stat, in clock ticks
// since boot), or 0 if it is gone. A pid and its start time name one process:
// a pid reused by another process has a later start time.
uint64_t StartTimeOf(pid_t pid) {
  Result<std::string> stat = ReadFileToString("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.ok()) return 0;
  // The command name (field 2) may hold spaces and parentheses: count from
  // its closing parenthesis, which is field 3's left neighbour.
  size_t pos = stat->rfind(')');
  if (pos == std::string::npos) return 0;
  for (int field = 2; field < 22 && pos != std::string::npos; ++field) {
    pos = stat->find(' ', pos + 1);
  }
  return pos == std::string::npos ? 0 : std::strtoull(stat->c_str() + pos + 1, nullptr, 10);
}

}  // namespace

Result<pid_t> StartDaemon(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& log_path, const std::string& pid_path) {
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Status::FromErrno(errno, "open " + log_path);
  // The child reports a failed exec through this pipe (closed on success).
  int exec_pipe[2];
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    ::close(log_fd);
    return Status::FromErrno(errno, "pipe");
  }
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return Status::FromErrno(errno, "fork");
  if (pid == 0) {
    ::setsid();
    int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execv(binary.c_str(), argv.data());
    int err = errno;
    (void)!::write(exec_pipe[1], &err, sizeof(err));
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(exec_pipe[1]);
  int child_errno = 0;
  ssize_t n = ::read(exec_pipe[0], &child_errno, sizeof(child_errno));
  ::close(exec_pipe[0]);
  if (n == sizeof(child_errno)) {
    ::waitpid(pid, nullptr, 0);
    return Status::FromErrno(child_errno, "exec " + binary);
  }
  RETURN_NOT_OK(WriteStringToFile(pid_path + ".tmp", std::to_string(pid) + "\n", true));
  if (::rename((pid_path + ".tmp").c_str(), pid_path.c_str()) != 0) {
    return Status::FromErrno(errno, "rename " + pid_path);
  }
  return pid;
}

pid_t LiveDaemonPid(const std::string& pid_path, const std::string& binary_name) {
  Result<std::string> text = ReadFileToString(pid_path);
  if (!text.ok()) return 0;
  pid_t pid = static_cast<pid_t>(std::atol(text->c_str()));
  // Reap it if it is our own child that has exited.
  ::waitpid(pid, nullptr, WNOHANG);
  return ProcessRuns(pid, binary_name) ? pid : 0;
}

Status StopDaemon(pid_t pid, int signal, int grace_ms) {
  const uint64_t started = StartTimeOf(pid);
  if (started == 0) return Status::OK();
  if (::kill(pid, signal) != 0) return errno == ESRCH ? Status::OK() : Status::FromErrno(errno, "kill");
  // Gone, a zombie whose parent (not us: daemons outlive mrcluster) has not
  // reaped it yet, or reaped and its pid already reused by another process,
  // which must not get the SIGKILL.
  auto gone = [&] {
    ::waitpid(pid, nullptr, WNOHANG);
    return ::kill(pid, 0) != 0 || !ProcessRuns(pid, "") || StartTimeOf(pid) != started;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (gone()) return Status::OK();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (gone()) return Status::OK();
  if (::kill(pid, SIGKILL) != 0 && errno != ESRCH) return Status::FromErrno(errno, "kill -9");
  ::waitpid(pid, nullptr, 0);
  return Status::OK();
}

bool WaitForPort(const std::string& host, int port, int timeout_ms) {
  bool ok = false;
  sockaddr_in addr = Address(host, port, &ok);
  if (!ok) return false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  do {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool connected = fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    if (fd >= 0) ::close(fd);
    if (connected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

Result<int> PickFreePort(const std::string& host) {
  bool ok = false;
  sockaddr_in addr = Address(host, 0, &ok);
  if (!ok) return Status::InvalidArgument("not an IPv4 address: " + host);
  // Below the kernel's ephemeral range (32768-60999 by default): a port
  // from that range, free now, may be taken as the source port of some
  // outgoing connection before its daemon binds it. Never the same port
  // twice from one process (one cluster's daemons).
  static std::mutex mu;
  static std::set<int> handed_out;
  static std::mt19937 rng(static_cast<uint32_t>(::getpid()) ^
                          static_cast<uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::lock_guard<std::mutex> lock(mu);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int port = 20000 + static_cast<int>(rng() % 12000);
    if (handed_out.count(port) > 0) continue;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Status::FromErrno(errno, "socket");
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    if (!free) continue;
    handed_out.insert(port);
    return port;
  }
  return Status::Unavailable("no free TCP port on " + host + " in [20000, 32000)");
}

std::string ExecutableDir() {
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  return DirName(std::string(self, n > 0 ? n : 0));
}

}  // namespace mr::cluster
