// Starting, finding and stopping daemon processes on this host. A daemon's
// pid lives in "<data_dir>/pid" and its stdout/stderr in "<data_dir>/log".
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace mr::cluster {

// Starts `binary args...` as a new session (so signals to mrcluster do not
// reach it), with stdin from /dev/null and output appended to `log_path`;
// writes its pid to `pid_path`. Returns once exec succeeded.
Result<pid_t> StartDaemon(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& log_path, const std::string& pid_path);

// The pid recorded in `pid_path` if that process is alive and runs
// `binary_name`, else 0 (a stale pid file, or a reused pid).
pid_t LiveDaemonPid(const std::string& pid_path, const std::string& binary_name);

// Sends `signal`; with SIGTERM waits up to `grace_ms` for the process to exit
// and then sends SIGKILL. OK if it is already gone.
Status StopDaemon(pid_t pid, int signal, int grace_ms);

// True once host:port accepts TCP connections, polling until `timeout_ms`.
bool WaitForPort(const std::string& host, int port, int timeout_ms);

// A TCP port that is free on `host` right now, outside the kernel's range
// of ephemeral ports, and not handed out before by this process.
Result<int> PickFreePort(const std::string& host);

// The directory of the running executable (where the daemons are built).
std::string ExecutableDir();

}  // namespace mr::cluster
