// The local account a container's process runs as (docs/SCHEDULER.md,
// "Containers and users"). A Node Manager running as root runs each
// container as the user its container token names, as Hadoop's
// LinuxContainerExecutor does; one that is not root runs every container as
// its own user, because it cannot do otherwise.
// Thread-safety: stateless.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace mr::sched::nm {

struct ContainerUser {
  std::string name;           // "" = the NM's own user.
  bool switch_user = false;   // The launcher changes ids before exec.
  uid_t uid = 0;              // The ids the process runs with (the NM's when !switch_user).
  gid_t gid = 0;
  std::vector<gid_t> groups;  // Supplementary groups (with gid), when switching.
  std::string home;           // Its home directory, when switching.
};

// The account for `name` ("" = the NM's own user). PermissionDenied for a
// name with no local account and for uid 0 (no container runs as root on
// behalf of a user), whether or not the NM is root. When the NM is not root,
// a valid name still runs as the NM's user (switch_user false).
Result<ContainerUser> ResolveContainerUser(const std::string& name);

}  // namespace mr::sched::nm
