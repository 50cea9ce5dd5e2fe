#include "scheduler/nodemanager/process_memory.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace mr::sched::nm {

namespace {

// Parses /proc/<pid>/stat: "pid (comm) state ppid pgrp ... rss(24th) ...".
// comm may hold spaces and parentheses, so fields are counted after the
// last ')'.
bool ParseStat(const char* text, pid_t* pgrp, uint64_t* rss_pages, char* state = nullptr) {
  const char* p = std::strrchr(text, ')');
  if (p == nullptr) return false;
  ++p;
  // Fields after comm: 3 state, 4 ppid, 5 pgrp, ..., 24 rss.
  for (int field = 3; field <= 24; ++field) {
    while (*p == ' ') ++p;
    if (*p == '\0') return false;
    if (field == 3 && state != nullptr) *state = *p;
    if (field == 5) *pgrp = static_cast<pid_t>(std::strtol(p, nullptr, 10));
    if (field == 24) {
      *rss_pages = std::strtoull(p, nullptr, 10);
      return true;
    }
    while (*p != ' ' && *p != '\0') ++p;
  }
  return false;
}

// Calls visit(pid, text of /proc/<pid>/stat) for every process; ones that
// vanish during the scan are skipped.
template <typename Visit>
void ForEachProcessStat(Visit visit) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return;
  while (dirent* e = ::readdir(proc)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    std::string path = std::string("/proc/") + e->d_name + "/stat";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char buf[1024];
    ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
    ::close(fd);
    if (n <= 0) continue;
    buf[n] = '\0';
    visit(static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10)), buf);
  }
  ::closedir(proc);
}

}  // namespace

std::map<pid_t, uint64_t> RssByProcessGroup() {
  std::map<pid_t, uint64_t> rss;
  static const uint64_t page_size = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  ForEachProcessStat([&](pid_t, const char* stat) {
    pid_t pgrp = 0;
    uint64_t pages = 0;
    if (ParseStat(stat, &pgrp, &pages) && pgrp > 0) rss[pgrp] += pages * page_size;
  });
  return rss;
}

bool GroupHasOtherProcesses(pid_t pgid, pid_t except) {
  bool found = false;
  ForEachProcessStat([&](pid_t pid, const char* stat) {
    pid_t pgrp = 0;
    uint64_t pages = 0;
    char state = 0;
    if (pid != except && ParseStat(stat, &pgrp, &pages, &state) && pgrp == pgid && state != 'Z') {
      found = true;
    }
  });
  return found;
}

}  // namespace mr::sched::nm
