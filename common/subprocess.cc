#include "common/subprocess.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

namespace mr {

namespace {

// A pipe whose parent end (`parent_reads` says which) is non-blocking; both
// ends close-on-exec (the child dup2s its end, which clears the flag).
Status MakePipe(int fds[2], bool parent_reads) {
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  int parent = parent_reads ? fds[0] : fds[1];
  int flags = ::fcntl(parent, F_GETFL);
  ::fcntl(parent, F_SETFL, flags | O_NONBLOCK);
  return Status::OK();
}

void CloseIfOpen(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

// In the child, after fork: only async-signal-safe calls. Reports a failure
// through `error_fd` (errno, then the step's number) and exits 127.
[[noreturn]] void ExecChild(char* const* argv, const char* working_dir, int in_fd, int out_fd,
                            int err_fd, bool kill_with_parent, bool new_group, int error_fd,
                            int max_fd) {
  auto fail = [&](int step) {
    int report[2] = {errno, step};
    (void)!::write(error_fd, report, sizeof(report));
    ::_exit(127);
  };
  if (kill_with_parent && ::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(1);
  if (new_group && ::setpgid(0, 0) != 0) fail(7);
  // Signals: default dispositions and none blocked (the parent may ignore
  // SIGPIPE or block others; a user's command expects neither).
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
  }
  if (in_fd >= 0 && ::dup2(in_fd, STDIN_FILENO) < 0) fail(2);
  if (out_fd >= 0 && ::dup2(out_fd, STDOUT_FILENO) < 0) fail(3);
  if (err_fd >= 0 && ::dup2(err_fd, STDERR_FILENO) < 0) fail(4);
  if (working_dir != nullptr && ::chdir(working_dir) != 0) fail(5);
  // Every other descriptor goes (error_fd is close-on-exec).
  if (::syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < max_fd; ++fd) {
      if (fd != error_fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
  }
  ::execv(argv[0], argv);
  fail(6);
  ::_exit(127);  // fail() does not return.
}

const char* StepName(int step) {
  switch (step) {
    case 1: return "prctl";
    case 2: case 3: case 4: return "dup2";
    case 5: return "chdir";
    case 7: return "setpgid";
    default: return "exec";
  }
}

}  // namespace

Result<std::unique_ptr<Subprocess>> Subprocess::Start(const Options& options) {
  if (options.argv.empty()) return Status::InvalidArgument("no command");
  std::vector<char*> argv;
  for (const std::string& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, report[2] = {-1, -1};
  auto close_all = [&] {
    for (int* fd : {&in[0], &in[1], &out[0], &out[1], &err[0], &err[1], &report[0], &report[1]}) {
      CloseIfOpen(fd);
    }
  };
  Status s;
  if (s.ok() && options.pipe_stdin) s = MakePipe(in, /*parent_reads=*/false);
  if (s.ok() && options.pipe_stdout) s = MakePipe(out, true);
  if (s.ok() && options.pipe_stderr) s = MakePipe(err, true);
  if (s.ok() && ::pipe2(report, O_CLOEXEC) != 0) s = Status::FromErrno(errno, "pipe");
  if (!s.ok()) {
    close_all();
    return s;
  }
  int null_fd = options.pipe_stdin ? -1 : ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  rlimit limit{};
  int max_fd = ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536
                   ? static_cast<int>(limit.rlim_cur)
                   : 65536;
  const char* working_dir = options.working_dir.empty() ? nullptr : options.working_dir.c_str();
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    close_all();
    if (null_fd >= 0) ::close(null_fd);
    return Status::FromErrno(e, "fork");
  }
  if (pid == 0) {
    ExecChild(argv.data(), working_dir, options.pipe_stdin ? in[0] : null_fd, out[1], err[1],
              options.kill_with_parent, options.new_process_group, report[1], max_fd);
  }
  // Also here: a Kill() right after Start() must find the group.
  if (options.new_process_group) ::setpgid(pid, pid);
  if (null_fd >= 0) ::close(null_fd);
  CloseIfOpen(&in[0]);
  CloseIfOpen(&out[1]);
  CloseIfOpen(&err[1]);
  CloseIfOpen(&report[1]);
  int failure[2] = {0, 0};
  ssize_t n;
  while ((n = ::read(report[0], failure, sizeof(failure))) < 0 && errno == EINTR) {
  }
  CloseIfOpen(&report[0]);
  if (n == sizeof(failure)) {
    close_all();
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return Status::FromErrno(failure[0], std::string(StepName(failure[1])) + " " + options.argv[0]);
  }
  std::unique_ptr<Subprocess> p(new Subprocess());
  p->pid_ = pid;
  p->own_group_ = options.new_process_group;
  p->stdin_fd_ = in[1];
  p->stdout_fd_ = out[0];
  p->stderr_fd_ = err[0];
  return p;
}

Subprocess::~Subprocess() {
  CloseIfOpen(&stdin_fd_);
  CloseIfOpen(&stdout_fd_);
  CloseIfOpen(&stderr_fd_);
  if (!reaped_) {
    Kill(SIGKILL);
    Wait();
  }
}

void Subprocess::CloseStdin() { CloseIfOpen(&stdin_fd_); }

void Subprocess::Kill(int signal) {
  // Not once reaped: the pid may be another process's by then (while the
  // child is a zombie, neither its pid nor its group id can be reused).
  if (reaped_) return;
  if (own_group_) ::kill(-pid_, signal);
  ::kill(pid_, signal);
}

int Subprocess::Wait() {
  if (reaped_) return exit_code_;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  exit_code_ = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  return exit_code_;
}

bool Subprocess::TryWait(int* exit_code) {
  if (!reaped_) {
    int status = 0;
    pid_t got;
    while ((got = ::waitpid(pid_, &status, WNOHANG)) < 0 && errno == EINTR) {
    }
    if (got != pid_) return false;
    reaped_ = true;
    exit_code_ = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  }
  *exit_code = exit_code_;
  return true;
}

std::string DescribeExitCode(int exit_code) {
  if (exit_code > 128) return "killed by signal " + std::to_string(exit_code - 128);
  return "exit code " + std::to_string(exit_code);
}

Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, int timeout_ms,
                                 size_t max_bytes) {
  Subprocess::Options options;
  options.argv = argv;
  options.pipe_stdout = true;
  options.pipe_stderr = true;
  ASSIGN_OR_RETURN(std::unique_ptr<Subprocess> child, Subprocess::Start(options));
  ProcessOutput result;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int fds[2] = {child->stdout_fd(), child->stderr_fd()};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  char buf[16384];
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd polls[2];
    for (int i = 0; i < 2; ++i) polls[i] = {fds[i], POLLIN, 0};
    int ready = ::poll(polls, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return Status::FromErrno(errno, "poll");
    for (int i = 0; i < 2 && ready > 0; ++i) {
      if (fds[i] < 0 || polls[i].revents == 0) continue;
      ssize_t n = ::read(fds[i], buf, sizeof(buf));
      if (n > 0) {
        size_t room = max_bytes - std::min(max_bytes, sinks[i]->size());
        sinks[i]->append(buf, std::min<size_t>(room, n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        fds[i] = -1;  // The Subprocess closes it.
        --open_fds;
      }
    }
  }
  // Its output closed; it may still run (or have left a child holding the
  // pipes, which ended the loop by the deadline).
  while (!result.timed_out && !child->TryWait(&result.exit_code)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
    } else {
      ::usleep(2000);
    }
  }
  if (result.timed_out) {
    result.exit_code = -1;
    child->Kill(SIGKILL);
    child->Wait();
  }
  return result;
}

}  // namespace mr
