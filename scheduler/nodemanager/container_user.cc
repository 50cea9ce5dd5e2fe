#include "scheduler/nodemanager/container_user.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace mr::sched::nm {

namespace {

constexpr size_t kMaxNameBytes = 64;

// The user's supplementary groups as the login would get them (initgroups).
Result<std::vector<gid_t>> GroupsOf(const std::string& name, gid_t gid) {
  int count = 32;
  std::vector<gid_t> groups;
  for (int attempt = 0; attempt < 8; ++attempt) {
    groups.resize(static_cast<size_t>(count));
    int n = count;
    if (::getgrouplist(name.c_str(), gid, groups.data(), &n) >= 0) {
      groups.resize(static_cast<size_t>(n));
      return groups;
    }
    count = std::max(n, count * 2);
  }
  return Status::IOError("cannot list the groups of user " + name);
}

}  // namespace

Result<ContainerUser> ResolveContainerUser(const std::string& name) {
  ContainerUser user;
  user.uid = ::geteuid();
  user.gid = ::getegid();
  if (name.empty()) return user;
  if (name.size() > kMaxNameBytes) {
    return Status::PermissionDenied("container user name of " + std::to_string(name.size()) +
                                    " bytes is not a local user");
  }
  struct passwd entry;
  struct passwd* found = nullptr;
  std::vector<char> buffer(16384);
  int rc;
  while ((rc = ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found)) ==
             ERANGE &&
         buffer.size() < (1 << 20)) {
    buffer.resize(buffer.size() * 2);
  }
  if (rc != 0 && rc != ENOENT && rc != ESRCH) {
    return Status::FromErrno(rc, "looking up container user " + name);
  }
  if (found == nullptr) {
    return Status::PermissionDenied("container user " + name + " is not a user on this node");
  }
  if (entry.pw_uid == 0) {
    return Status::PermissionDenied("container user " + name +
                                    " is root (uid 0): containers never run as root");
  }
  user.name = name;
  if (::geteuid() != 0) return user;  // Unprivileged NM: its own user it is.
  user.switch_user = true;
  user.uid = entry.pw_uid;
  user.gid = entry.pw_gid;
  user.home = entry.pw_dir != nullptr ? entry.pw_dir : "/";
  ASSIGN_OR_RETURN(user.groups, GroupsOf(name, entry.pw_gid));
  return user;
}

}  // namespace mr::sched::nm
