// Kernel-enforced memory limits for containers with cgroup v2
// (docs/SCHEDULER.md, "Memory enforcement"). Each container gets a cgroup
// <root>/<parent>/<container_id> with memory.max = its memory grant and no
// swap (memory.swap.max 0: the grant is RAM, as the RSS check counts RAM),
// memory.oom.group 1 (an OOM kill ends all of it, as the NM ends a whole
// container); the child joins it before exec (process_launcher.h). The
// parent is one per NM, named after its node id and a hash of its --dir, so
// several NMs on one host keep theirs apart; the parent's children found at
// Open (a crashed run's) are killed and removed.
//
// Thread-safety: every method may be called from any thread (each touches
// only its container's files).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace mr::sched::nm {

class ContainerCgroups {
 public:
  // Unavailable, with the reason, unless `root` is a cgroup2 mount offering
  // the memory controller to a parent this process can create there.
  // `nm_dir` and `node_id` name the parent. !limit_memory: cgroups without
  // memory limits (process tracking and cgroup.kill only), for tests on
  // hosts whose cgroup2 mount has no memory controller.
  static Result<std::unique_ptr<ContainerCgroups>> Open(const std::string& root,
                                                        const std::string& node_id,
                                                        const std::string& nm_dir,
                                                        bool limit_memory = true);
  ~ContainerCgroups();  // Removes the parent if it is empty.

  // Creates (afresh) the container's cgroup; returns its cgroup.procs.
  Result<std::string> Create(const std::string& container_id, int64_t memory_bytes);
  // How many processes the kernel's OOM killer ended in the container's
  // cgroup (memory.events oom_kill); 0 if unknown.
  int64_t OomKills(const std::string& container_id) const;
  // Kills whatever is left in the cgroup (cgroup.kill) and removes it.
  Status Remove(const std::string& container_id);

  const std::string& parent() const { return parent_; }

 private:
  ContainerCgroups(std::string parent, bool limit_memory)
      : parent_(std::move(parent)), limit_memory_(limit_memory) {}
  std::string PathOf(const std::string& container_id) const;

  const std::string parent_;
  const bool limit_memory_;
};

}  // namespace mr::sched::nm
