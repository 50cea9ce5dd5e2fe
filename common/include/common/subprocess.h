// Child processes with pipes to their standard streams: a user's command in
// a streaming job, a job binary asked to check its flags.
//
// Thread-safety: a Subprocess belongs to one thread. Starting one is safe in
// a multi-threaded process (the child only calls async-signal-safe functions
// between fork and exec), and no descriptor of ours but the pipes is left
// open in the child.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace mr {

class Subprocess {
 public:
  struct Options {
    // argv[0] is a path to the executable (not searched in PATH).
    std::vector<std::string> argv;
    std::string working_dir;    // Empty: ours.
    bool pipe_stdin = false;    // Else /dev/null.
    bool pipe_stdout = true;    // Else inherited.
    bool pipe_stderr = false;   // Else inherited.
    // SIGKILL the child if the thread that started it dies (a killed task
    // must not leave its user's command running).
    bool kill_with_parent = true;
    // The child leads a process group of its own, and Kill() and the
    // destructor signal the whole group: what a shell command started goes
    // with it. Off: it stays in our group (e.g. a cluster task's, which its
    // node manager kills as one).
    bool new_process_group = true;
  };

  // Starts the process. An exec failure (missing binary, no permission) is
  // returned here, not seen later as an exit code.
  static Result<std::unique_ptr<Subprocess>> Start(const Options& options);
  // Kills (SIGKILL) the child, and its group if it has its own, and reaps
  // the child if it is still running.
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // The parent's ends of the pipes, -1 when not piped (or closed). All are
  // non-blocking and close-on-exec.
  int stdin_fd() const { return stdin_fd_; }
  int stdout_fd() const { return stdout_fd_; }
  int stderr_fd() const { return stderr_fd_; }
  void CloseStdin();

  pid_t pid() const { return pid_; }
  // Waits for the exit; the exit code, or 128 + N if signal N killed it.
  int Wait();
  // As Wait(), but false at once if the process is still running.
  bool TryWait(int* exit_code);
  // Signals the child (its group too, if it has its own) until it is reaped.
  void Kill(int signal);

 private:
  Subprocess() = default;

  pid_t pid_ = -1;
  bool own_group_ = false;
  bool reaped_ = false;
  int exit_code_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
};

// "exit code N" or "killed by signal N" for an exit code from Wait().
std::string DescribeExitCode(int exit_code);

struct ProcessOutput {
  int exit_code = -1;  // As Subprocess::Wait(); -1 if it timed out.
  bool timed_out = false;
  std::string out;     // At most max_bytes of each; the rest is dropped.
  std::string err;
};

// Runs argv with stdin from /dev/null and captures its output; a process
// still running after timeout_ms is killed (SIGKILL) and reported as
// timed_out.
Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, int timeout_ms,
                                 size_t max_bytes = 1 << 20);

}  // namespace mr
