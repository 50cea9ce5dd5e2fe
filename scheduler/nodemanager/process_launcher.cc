#include "scheduler/nodemanager/process_launcher.h"

#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mr::sched::nm {

namespace {

// The steps of the child, for the error it reports through its pipe.
enum class Step : int {
  kSetsid, kCgroup, kGroups, kGid, kUid, kUidCheck, kChdir, kStdin, kStdout, kStderr, kExec
};

const char* StepName(Step step) {
  switch (step) {
    case Step::kSetsid: return "setsid";
    case Step::kCgroup: return "joining the container's cgroup";
    case Step::kGroups: return "setgroups";
    case Step::kGid: return "setgid";
    case Step::kUid: return "setuid";
    case Step::kUidCheck: return "dropping root (uid 0 could be taken back)";
    case Step::kChdir: return "chdir to the working directory";
    case Step::kStdin: return "open /dev/null";
    case Step::kStdout: return "create stdout";
    case Step::kStderr: return "create stderr";
    case Step::kExec: return "exec";
  }
  return "?";
}

struct ChildError {
  Step step;
  int error;
};

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Everything the child needs, built before the fork: the child must not
// allocate (another thread may hold malloc's lock at the fork).
struct ChildPlan {
  const LaunchSpec* spec;
  std::vector<char*> argv;
  std::vector<char*> envp;
  int error_fd;  // Write end of the error pipe (close-on-exec).
};

// The rest of the child; async-signal-safe calls only.
[[noreturn]] void Fail(const ChildPlan& plan, Step step, int error) {
  ChildError report{step, error};
  ssize_t unused = ::write(plan.error_fd, &report, sizeof(report));
  (void)unused;
  ::_exit(127);
}

// `fd` moved to 3 or above, so that placing 0..2 cannot overwrite it.
int AboveStdio(int fd) {
  if (fd < 0 || fd > 2) return fd;
  int moved = ::fcntl(fd, F_DUPFD, 3);
  ::close(fd);
  return moved;
}

// Decimal digits of n into buffer (no allocation); returns the length.
size_t FormatPid(pid_t n, char* buffer) {
  char digits[16];
  size_t len = 0;
  do {
    digits[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0);
  for (size_t i = 0; i < len; ++i) buffer[i] = digits[len - 1 - i];
  return len;
}

[[noreturn]] void RunChild(const ChildPlan& plan) {
  const LaunchSpec& spec = *plan.spec;
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // Fails for KILL/STOP.

  if (::setsid() < 0) Fail(plan, Step::kSetsid, errno);
  if (!spec.cgroup_procs.empty()) {
    int fd = ::open(spec.cgroup_procs.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) Fail(plan, Step::kCgroup, errno);
    char pid[16];
    size_t len = FormatPid(::getpid(), pid);
    if (::write(fd, pid, len) != static_cast<ssize_t>(len)) Fail(plan, Step::kCgroup, errno);
    ::close(fd);
  }
  if (spec.user.switch_user) {
    // Raw system calls: glibc's wrappers would try to change every thread
    // of the process, and the child has one.
    const ContainerUser& u = spec.user;
    if (::syscall(SYS_setgroups, u.groups.size(), u.groups.data()) != 0) {
      Fail(plan, Step::kGroups, errno);
    }
    if (::syscall(SYS_setresgid, u.gid, u.gid, u.gid) != 0) Fail(plan, Step::kGid, errno);
    if (::syscall(SYS_setresuid, u.uid, u.uid, u.uid) != 0) Fail(plan, Step::kUid, errno);
    if (::getuid() != u.uid || ::geteuid() != u.uid || ::getgid() != u.gid ||
        ::getegid() != u.gid) {
      Fail(plan, Step::kUidCheck, EPERM);
    }
    if (::syscall(SYS_setresuid, 0, 0, 0) == 0) Fail(plan, Step::kUidCheck, EPERM);
  }
  if (::chdir(spec.working_dir.c_str()) != 0) Fail(plan, Step::kChdir, errno);
  int in = AboveStdio(::open("/dev/null", O_RDONLY));
  if (in < 0) Fail(plan, Step::kStdin, errno);
  constexpr int kLogFlags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW;
  int out = AboveStdio(::open(spec.stdout_path.c_str(), kLogFlags, 0600));
  if (out < 0) Fail(plan, Step::kStdout, errno);
  int err = AboveStdio(::open(spec.stderr_path.c_str(), kLogFlags, 0600));
  if (err < 0) Fail(plan, Step::kStderr, errno);
  if (::dup2(in, 0) < 0) Fail(plan, Step::kStdin, errno);
  if (::dup2(out, 1) < 0) Fail(plan, Step::kStdout, errno);
  if (::dup2(err, 2) < 0) Fail(plan, Step::kStderr, errno);
  // Every other descriptor but the error pipe (close-on-exec) goes.
  if (plan.error_fd > 3) ::close_range(3, static_cast<unsigned>(plan.error_fd) - 1, 0);
  ::close_range(static_cast<unsigned>(plan.error_fd) + 1, ~0U, 0);

  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // ETXTBSY: another thread's child may briefly hold a write descriptor of
  // a binary being localized (inherited between its fork and exec); it goes
  // away at that exec, so retry a little.
  for (int attempt = 0;; ++attempt) {
    ::execve(spec.binary.c_str(), plan.argv.data(), plan.envp.data());
    if (errno != ETXTBSY || attempt >= 50) break;
    timespec pause{0, 10 * 1000 * 1000};
    ::nanosleep(&pause, nullptr);
  }
  Fail(plan, Step::kExec, errno);
}

}  // namespace

Result<pid_t> SpawnProcess(const LaunchSpec& spec) {
  std::vector<std::string> argv_strings{spec.binary};
  argv_strings.insert(argv_strings.end(), spec.arguments.begin(), spec.arguments.end());
  ChildPlan plan{&spec, CStrings(argv_strings), CStrings(spec.env), -1};
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  plan.error_fd = pipe_fds[1];

  // Every signal blocked across the fork: no handler of ours may run in the
  // child before it resets them.
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = ::fork();
  if (pid == 0) RunChild(plan);
  int fork_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::close(pipe_fds[1]);
  if (pid < 0) {
    ::close(pipe_fds[0]);
    return Status::FromErrno(fork_errno, "fork");
  }
  // EOF: the exec happened (the pipe closed with it).
  ChildError report;
  size_t got = 0;
  while (got < sizeof(report)) {
    ssize_t n = ::read(pipe_fds[0], reinterpret_cast<char*>(&report) + got, sizeof(report) - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(pipe_fds[0]);
  if (got == 0) return pid;
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (got < sizeof(report)) return Status::IOError("launch of " + spec.binary + " failed");
  std::string what = std::string(StepName(report.step)) + " for " + spec.binary;
  if (spec.user.switch_user) {
    what += " as user " + spec.user.name + " (uid " + std::to_string(spec.user.uid) + ")";
  }
  Status s = Status::FromErrno(report.error, what);
  if (report.step >= Step::kGroups && report.step <= Step::kUidCheck) {
    return Status::PermissionDenied(s.message());
  }
  return s;
}

void SignalGroup(pid_t pgid, int signal) {
  if (pgid <= 0) return;
  ::kill(-pgid, signal);
  ::kill(pgid, signal);
}

int ExitCodeOf(int wait_status, std::string* reason) {
  if (WIFSIGNALED(wait_status)) {
    int sig = WTERMSIG(wait_status);
    *reason = "killed by signal " + std::to_string(sig);
    return 128 + sig;
  }
  int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  *reason = "exit code " + std::to_string(code);
  return code;
}

}  // namespace mr::sched::nm
