#include "dfs/master/permission.h"

#include <algorithm>

#include <gflags/gflags.h>

DEFINE_string(dfs_permissions_superusergroup, "supergroup",
              "Members of this group (of the master host's OS groups) are DFS superusers, as "
              "HDFS's dfs.permissions.superusergroup; it is also the group of / in a new "
              "namespace.");

namespace mr::dfs {

namespace {

// "\"/x\"" (appended piece by piece: g++ 12 warns, wrongly, on "\"" + string).
std::string Quoted(const std::string& path) {
  std::string s(1, '"');
  s += path;
  s += '"';
  return s;
}

std::string Describe(const std::string& path, bool is_dir, const Permission& p) {
  return Quoted(path) + ":" + p.owner + ":" + p.group + ":" + ModeString(is_dir, p.mode);
}

}  // namespace

bool Caller::InGroup(std::string_view group) const {
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

const std::string& SuperuserGroup() { return FLAGS_dfs_permissions_superusergroup; }

bool ModePermits(const Caller& caller, const Permission& p, Access access) {
  int shift = caller.user == p.owner ? 6 : caller.InGroup(p.group) ? 3 : 0;
  int granted = (p.mode >> shift) & 7;
  int wanted = static_cast<int>(access);
  return (granted & wanted) == wanted;
}

std::string_view AccessName(Access access) {
  switch (access) {
    case Access::kNone: return "NONE";
    case Access::kExecute: return "EXECUTE";
    case Access::kWrite: return "WRITE";
    case Access::kRead: return "READ";
    case Access::kReadExecute: return "READ_EXECUTE";
    case Access::kAll: return "ALL";
  }
  return "UNKNOWN";
}

std::string ModeString(bool is_dir, uint16_t mode) {
  std::string s = is_dir ? "d" : "-";
  for (int shift = 6; shift >= 0; shift -= 3) {
    s += (mode >> shift) & 4 ? 'r' : '-';
    s += (mode >> shift) & 2 ? 'w' : '-';
    s += (mode >> shift) & 1 ? 'x' : '-';
  }
  if (mode & kStickyBit) s.back() = s.back() == 'x' ? 't' : 'T';
  return s;
}

std::string OctalMode(uint16_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & kMaxMode));
  return buf;
}

Status AccessDenied(const Caller& caller, Access access, const std::string& path, bool is_dir,
                    const Permission& p) {
  return Status::PermissionDenied("user=" + caller.user + ", access=" +
                                  std::string(AccessName(access)) + ", inode=" +
                                  Describe(path, is_dir, p));
}

Status NotOwner(const Caller& caller, const std::string& path) {
  return Status::PermissionDenied("user=" + caller.user + " is not the owner of inode=" +
                                  Quoted(path));
}

Status StickyBitDenied(const Caller& caller, const std::string& path, bool is_dir,
                       const Permission& p, const std::string& parent_path,
                       const Permission& parent) {
  return Status::PermissionDenied("by sticky bit: user=" + caller.user + ", path=" +
                                  Describe(path, is_dir, p) + ", parent=" +
                                  Describe(parent_path, /*is_dir=*/true, parent));
}

Result<uint16_t> ParseOctalMode(std::string_view text) {
  auto bad = [&] {
    std::string message = "not an octal mode in [0, 1777]: ";
    message += text.substr(0, 16);
    return Status::InvalidArgument(message);
  };
  if (text.empty() || text.size() > 5) return bad();
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '7') return bad();
    value = value * 8 + static_cast<unsigned>(c - '0');
  }
  if (value > kMaxMode) return bad();
  return static_cast<uint16_t>(value);
}

Status ValidateOwnerName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 &&
            std::all_of(name.begin(), name.end(), [](char c) {
              return c > ' ' && c < 127 && c != ':' && c != '/';
            });
  if (ok) return Status::OK();
  std::string message = "not a user or group name (1 to 64 printable ASCII characters, no ':' "
                        "or '/'): ";
  message += name.substr(0, 64);
  return Status::InvalidArgument(message);
}

}  // namespace mr::dfs
