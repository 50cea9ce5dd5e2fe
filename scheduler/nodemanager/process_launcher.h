// Starting a container's process and ending its process group.
// Thread-safety: stateless; safe from any thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace mr::sched::nm {

struct LaunchSpec {
  std::string binary;                // Absolute path of the executable; argv[0].
  std::vector<std::string> arguments;  // argv[1..].
  std::vector<std::string> env;      // "NAME=value", the whole environment.
  std::string working_dir;
  std::string stdout_path;           // Created (truncated) for the process.
  std::string stderr_path;
};

// Spawns the process with posix_spawn (no code of ours runs between fork
// and exec): a new session, so its own process group with pgid == pid;
// stdin from /dev/null; stdout and stderr to the files; cwd working_dir;
// every signal unblocked and at its default disposition (the NM blocks
// SIGTERM/SIGINT and ignores SIGPIPE, which children would inherit); no
// other descriptors of ours. Exec errors (missing binary, no permission,
// bad #! line) are returned here, not seen later as an exit code.
Result<pid_t> SpawnProcess(const LaunchSpec& spec);

// Sends `signal` to the process group `pgid` (and to the process `pgid`
// itself, in case it has not finished setting its session up). OK if none
// is left.
void SignalGroup(pid_t pgid, int signal);

// Exit code convention of ContainerStatus: the exit status, or 128 + the
// signal number; `reason` gets "exit code N" or "killed by signal N".
int ExitCodeOf(int wait_status, std::string* reason);

}  // namespace mr::sched::nm
