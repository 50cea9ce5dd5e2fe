// Resident memory and members of process groups, from /proc (Linux).
// Thread-safety: stateless.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>

namespace mr::sched::nm {

// RSS in bytes of every process group on the machine (sum over its
// processes' /proc/<pid>/stat "rss"), from one scan of /proc. Processes that
// vanish during the scan are skipped.
std::map<pid_t, uint64_t> RssByProcessGroup();

// Whether any process other than `except` is in process group `pgid` and is
// not a zombie (one scan of /proc).
bool GroupHasOtherProcesses(pid_t pgid, pid_t except);

}  // namespace mr::sched::nm
