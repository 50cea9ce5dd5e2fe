#include "scheduler/nodemanager/container_cgroups.h"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>

#include "common/file.h"
#include "common/hash.h"
#include "scheduler/nodemanager/local_dirs.h"

namespace mr::sched::nm {

namespace {

// How long Remove waits for the processes of a killed cgroup to be gone.
constexpr int kRemoveWaitMs = 5000;

// Writes `value` to a cgroup control file (one write: the kernel takes each
// write as one command).
Status WriteControl(const std::string& path, const std::string& value) {
  FILE* f = std::fopen(path.c_str(), "we");
  if (f == nullptr) return Status::FromErrno(errno, "open " + path);
  bool ok = std::fwrite(value.data(), 1, value.size(), f) == value.size();
  int err = errno;
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    err = errno;
  }
  return ok ? Status::OK() : Status::FromErrno(err, "write '" + value + "' to " + path);
}

bool HasWord(const std::string& text, const std::string& word) {
  std::istringstream in(text);
  std::string w;
  while (in >> w) {
    if (w == word) return true;
  }
  return false;
}

// Adds the memory controller to `dir`'s children.
Status EnableMemoryForChildren(const std::string& dir) {
  std::string control = JoinPath(dir, "cgroup.subtree_control");
  ASSIGN_OR_RETURN(std::string enabled, ReadFileToString(control));
  if (HasWord(enabled, "memory")) return Status::OK();
  return WriteControl(control, "+memory");
}

// Kills what is in cgroup `dir` and removes it, waiting for its processes to
// be gone (rmdir fails with EBUSY until then).
Status KillAndRemove(const std::string& dir) {
  (void)WriteControl(JoinPath(dir, "cgroup.kill"), "1");  // Linux >= 5.14.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(kRemoveWaitMs);
  while (::rmdir(dir.c_str()) != 0) {
    if (errno == ENOENT) return Status::OK();
    if (errno != EBUSY || std::chrono::steady_clock::now() > give_up) {
      return Status::FromErrno(errno, "rmdir " + dir);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<ContainerCgroups>> ContainerCgroups::Open(const std::string& root,
                                                                 const std::string& node_id,
                                                                 const std::string& nm_dir,
                                                                 bool limit_memory) {
  struct statfs fs;
  if (::statfs(root.c_str(), &fs) != 0) return Status::FromErrno(errno, "statfs " + root);
  if (fs.f_type != CGROUP2_SUPER_MAGIC) {
    return Status::Unavailable(root + " is not a cgroup2 mount");
  }
  if (limit_memory) {
    Result<std::string> controllers = ReadFileToString(JoinPath(root, "cgroup.controllers"));
    if (!controllers.ok()) return controllers.status();
    if (!HasWord(*controllers, "memory")) {
      return Status::Unavailable(root + " does not offer the memory controller (controllers: " +
                                 *controllers + ")");
    }
    RETURN_NOT_OK_PREPEND(EnableMemoryForChildren(root), "enabling memory under " + root);
  }
  std::error_code ec;
  std::string dir = std::filesystem::weakly_canonical(nm_dir, ec).string();
  if (ec) dir = nm_dir;
  char hash[17];
  std::snprintf(hash, sizeof(hash), "%016llx", static_cast<unsigned long long>(Hash64(dir)));
  std::string parent = JoinPath(root, "mr-nm-" + node_id + "-" + std::string(hash, 8));
  if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::FromErrno(errno, "mkdir " + parent);
  }
  // A crashed run's containers: whatever survived of them dies now.
  for (const std::string& stale : SubdirectoryNames(parent)) {
    RETURN_NOT_OK_PREPEND(KillAndRemove(JoinPath(parent, stale)), "removing a stale cgroup");
  }
  if (limit_memory) {
    RETURN_NOT_OK_PREPEND(EnableMemoryForChildren(parent), "enabling memory under " + parent);
  }
  return std::unique_ptr<ContainerCgroups>(new ContainerCgroups(parent, limit_memory));
}

ContainerCgroups::~ContainerCgroups() { ::rmdir(parent_.c_str()); }

std::string ContainerCgroups::PathOf(const std::string& container_id) const {
  return JoinPath(parent_, container_id);
}

Result<std::string> ContainerCgroups::Create(const std::string& container_id,
                                             int64_t memory_bytes) {
  std::string dir = PathOf(container_id);
  RETURN_NOT_OK(KillAndRemove(dir));  // An earlier attempt's, in this run.
  if (::mkdir(dir.c_str(), 0755) != 0) return Status::FromErrno(errno, "mkdir " + dir);
  if (!limit_memory_) return JoinPath(dir, "cgroup.procs");
  Status s = WriteControl(JoinPath(dir, "memory.max"), std::to_string(memory_bytes));
  // Absent without swap accounting; nothing to limit then.
  if (s.ok() && PathExists(JoinPath(dir, "memory.swap.max"))) {
    s = WriteControl(JoinPath(dir, "memory.swap.max"), "0");
  }
  if (s.ok() && PathExists(JoinPath(dir, "memory.oom.group"))) {
    s = WriteControl(JoinPath(dir, "memory.oom.group"), "1");
  }
  if (!s.ok()) {
    ::rmdir(dir.c_str());
    return s;
  }
  return JoinPath(dir, "cgroup.procs");
}

int64_t ContainerCgroups::OomKills(const std::string& container_id) const {
  Result<std::string> events = ReadFileToString(JoinPath(PathOf(container_id), "memory.events"));
  if (!events.ok()) return 0;
  std::istringstream in(*events);
  std::string key;
  int64_t value = 0;
  while (in >> key >> value) {
    if (key == "oom_kill") return value;
  }
  return 0;
}

Status ContainerCgroups::Remove(const std::string& container_id) {
  return KillAndRemove(PathOf(container_id));
}

}  // namespace mr::sched::nm
