// Helpers shared by tests: a temp directory per test and bounded subprocesses.
#pragma once

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <functional>
#include <random>
#include <thread>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"

namespace mr::testing {

// A fresh directory under gtest's temp dir, removed with everything in it.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    std::string tmpl = JoinPath(::testing::TempDir(), "mr_test.XXXXXX");
    if (::mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << tmpl;
    path_ = tmpl;
  }
  ~ScopedTempDir() { (void)RemoveAll(path_); }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return JoinPath(path_, name); }

 private:
  std::string path_;
};

// Where the built executables are: $MR_BIN_DIR (set by mr_test for ctest),
// else <build>/bin next to <build>/tests where the test binary lives.
inline std::string BinPath(const std::string& name) {
  if (const char* dir = std::getenv("MR_BIN_DIR")) return JoinPath(dir, name);
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  std::string exe(self, n > 0 ? n : 0);
  return JoinPath(JoinPath(DirName(DirName(exe)), "bin"), name);
}

// Names in `dir`, hidden ones included, sorted ("." and ".." left out).
inline std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// `n` pseudo-random bytes, the same for the same seed.
inline std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

// Polls `done` every 10 ms until it holds (true) or `timeout` passes (false):
// tests wait with deadlines, never with fixed sleeps.
inline bool Eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// `s` in single quotes for /bin/sh (s must not contain a single quote).
inline std::string Quote(const std::string& s) { return "'" + s + "'"; }

struct CommandResult {
  int exit_code = -1;  // 124 if the timeout killed it; 128+N for signal N.
  std::string out;
  std::string err;
};

// Runs `command` through /bin/sh, killed after `timeout_s` seconds, capturing
// stdout and stderr. Tests never wait on a child without a bound.
inline CommandResult RunCommand(const std::string& command, int timeout_s = 120) {
  ScopedTempDir io;
  std::string full = "timeout " + std::to_string(timeout_s) + " " + command + " >" +
                     io.Join("out") + " 2>" + io.Join("err");
  int status = std::system(full.c_str());
  CommandResult r;
  if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (status != -1 && WIFSIGNALED(status)) r.exit_code = 128 + WTERMSIG(status);
  auto read = [&](const char* name) {
    Result<std::string> data = ReadFileToString(io.Join(name));
    return data.ok() ? *std::move(data) : std::string();
  };
  r.out = read("out");
  r.err = read("err");
  return r;
}

// Raw TCP to 127.0.0.1:port: sends `bytes` (junk, for robustness tests),
// waits up to 0.5 s for the server to close on it, and closes.
inline void SendRawTcp(int port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(bytes.size()));
  timeval tv{0, 500000};  // The server answers junk by closing; bound the wait anyway.
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char buf[256];
  (void)::recv(fd, buf, sizeof(buf), 0);
  ::close(fd);
}

}  // namespace mr::testing
