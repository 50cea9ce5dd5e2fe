#include "scheduler/nodemanager/process_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mr::sched::nm {

namespace {

// Frees posix_spawn's attribute and file-action objects on every path.
struct SpawnObjects {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  bool attr_ok = false;
  bool actions_ok = false;
  ~SpawnObjects() {
    if (attr_ok) posix_spawnattr_destroy(&attr);
    if (actions_ok) posix_spawn_file_actions_destroy(&actions);
  }
};

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

Status Check(int rc, const char* what) {
  return rc == 0 ? Status::OK() : Status::FromErrno(rc, what);
}

}  // namespace

Result<pid_t> SpawnProcess(const LaunchSpec& spec) {
  SpawnObjects o;
  RETURN_NOT_OK(Check(posix_spawnattr_init(&o.attr), "posix_spawnattr_init"));
  o.attr_ok = true;
  RETURN_NOT_OK(Check(posix_spawn_file_actions_init(&o.actions), "posix_spawn_file_actions_init"));
  o.actions_ok = true;

  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  RETURN_NOT_OK(Check(posix_spawnattr_setsigmask(&o.attr, &none), "setsigmask"));
  RETURN_NOT_OK(Check(posix_spawnattr_setsigdefault(&o.attr, &all), "setsigdefault"));
  RETURN_NOT_OK(Check(posix_spawnattr_setflags(&o.attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                                            POSIX_SPAWN_SETSIGDEF),
                      "setflags"));

  auto* a = &o.actions;
  RETURN_NOT_OK(Check(posix_spawn_file_actions_addopen(a, 0, "/dev/null", O_RDONLY, 0), "stdin"));
  RETURN_NOT_OK(Check(posix_spawn_file_actions_addopen(a, 1, spec.stdout_path.c_str(),
                                                       O_WRONLY | O_CREAT | O_TRUNC, 0644),
                      "stdout"));
  RETURN_NOT_OK(Check(posix_spawn_file_actions_addopen(a, 2, spec.stderr_path.c_str(),
                                                       O_WRONLY | O_CREAT | O_TRUNC, 0644),
                      "stderr"));
  RETURN_NOT_OK(Check(posix_spawn_file_actions_addchdir_np(a, spec.working_dir.c_str()), "chdir"));
  RETURN_NOT_OK(Check(posix_spawn_file_actions_addclosefrom_np(a, 3), "closefrom"));

  std::vector<std::string> argv_strings{spec.binary};
  argv_strings.insert(argv_strings.end(), spec.arguments.begin(), spec.arguments.end());
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<char*> envp = CStrings(spec.env);

  // ETXTBSY: another thread's child may briefly hold a write descriptor of
  // a binary being localized (inherited between its fork and exec); it goes
  // away at that exec, so retry a little.
  for (int attempt = 0;; ++attempt) {
    pid_t pid = -1;
    int rc = posix_spawn(&pid, spec.binary.c_str(), a, &o.attr, argv.data(), envp.data());
    if (rc == 0) return pid;
    if (rc != ETXTBSY || attempt >= 50) return Status::FromErrno(rc, "exec " + spec.binary);
    timespec pause{0, 10 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
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
