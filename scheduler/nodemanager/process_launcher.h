// Starting a container's process and ending its process group.
// Thread-safety: stateless; safe from any thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"
#include "scheduler/nodemanager/container_user.h"

namespace mr::sched::nm {

struct LaunchSpec {
  std::string binary;                // Absolute path of the executable; argv[0].
  std::vector<std::string> arguments;  // argv[1..].
  std::vector<std::string> env;      // "NAME=value", the whole environment.
  std::string working_dir;
  std::string stdout_path;           // Created (truncated) for the process.
  std::string stderr_path;
  // Who runs it: with switch_user, the child takes the user's groups, gid
  // and uid before anything else of it happens as that user.
  ContainerUser user;
  // cgroup.procs of the cgroup the child joins before exec ("" none).
  std::string cgroup_procs;
};

// Forks and execs the process. The child, in this order: a new session (so
// its own process group, pgid == pid); joins the cgroup; takes the user's
// supplementary groups, gid and uid (each checked, and then that uid 0
// cannot be taken back); changes to working_dir; opens stdin from
// /dev/null and creates stdout and stderr (0600, never through a symlink)
// as that user, so nothing of the container's directory is opened with the
// NM's privileges; every signal unblocked and at its default disposition
// (the NM blocks SIGTERM/SIGINT and ignores SIGPIPE); no other descriptors
// of ours. Between fork and exec only async-signal-safe calls run, on data
// prepared before the fork. A failure of any step (exec errors too: a
// missing binary, no permission, a bad #! line) is returned here, naming
// the step, and the process never runs: PermissionDenied when the ids
// cannot be taken.
Result<pid_t> SpawnProcess(const LaunchSpec& spec);

// Sends `signal` to the process group `pgid` (and to the process `pgid`
// itself, in case it has not finished setting its session up). OK if none
// is left.
void SignalGroup(pid_t pgid, int signal);

// Exit code convention of ContainerStatus: the exit status, or 128 + the
// signal number; `reason` gets "exit code N" or "killed by signal N".
int ExitCodeOf(int wait_status, std::string* reason);

}  // namespace mr::sched::nm
