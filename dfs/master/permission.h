// Owners, groups and mode bits of DFS inodes, and the rules that check them,
// as HDFS's FSPermissionChecker (docs/DFS.md, "Permissions"):
//
// - Every inode has an owner, a group and a mode: rwx for its owner, its
//   group and others, plus the sticky bit (01000). A caller gets the owner's
//   bits if it is the owner, else the group's if it belongs to the group,
//   else the others'. A superuser passes every check.
// - The sticky bit of a directory (/tmp): an entry of it may be deleted or
//   renamed (or replaced) only by the entry's owner, the directory's owner
//   or a superuser, even by callers that may write the directory.
//
// This file holds the pure pieces: the caller, access bits, the checks on
// one inode and the refusal messages. Namespace::CheckAccess walks a path
// with them.
// Thread-safety: plain values and stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mr::dfs {

// Access bits, as one rwx triplet of a mode (HDFS's FsAction).
enum class Access : uint8_t {
  kNone = 0,
  kExecute = 1,
  kWrite = 2,
  kRead = 4,
  kReadExecute = 5,
  kAll = 7,
};

inline constexpr uint16_t kStickyBit = 01000;
inline constexpr uint16_t kMaxMode = 01777;
// Before the umask (HDFS's defaults), and what records and images written
// before permissions get.
inline constexpr uint16_t kDirModeBeforeUmask = 0777;
inline constexpr uint16_t kFileModeBeforeUmask = 0666;
inline constexpr uint16_t kDefaultUmask = 022;
inline constexpr uint16_t kDefaultDirMode = 0755;
inline constexpr uint16_t kDefaultFileMode = 0644;

// An inode's owner, group and mode.
struct Permission {
  std::string owner;
  std::string group;
  uint16_t mode = 0;
  bool operator==(const Permission&) const = default;
};

// What an operation needs on a path, beyond EXECUTE on every existing
// ancestor directory (always checked), as the arguments of HDFS's
// checkPermission. Each check applies only if its inode exists.
struct AccessCheck {
  Access ancestor = Access::kNone;  // On the nearest existing ancestor (creating under it).
  Access parent = Access::kNone;    // On the parent directory.
  Access self = Access::kNone;      // On the inode.
  Access sub = Access::kNone;       // On every non-empty directory at and under the inode.
  bool owner = false;               // The caller owns the inode.
  bool sticky = false;              // The parent's sticky bit (removing or replacing the inode).
};

// The caller of an operation as the checks see it.
struct Caller {
  std::string user;
  std::vector<std::string> groups;
  bool superuser = false;
  bool InGroup(std::string_view group) const;
};

// The OS group that makes its members superusers, and the group of "/"
// in a new namespace (--dfs_permissions_superusergroup, HDFS's
// dfs.permissions.superusergroup: "supergroup").
const std::string& SuperuserGroup();

// Whether `caller` has every bit of `access` on an inode with `p` (the
// superuser rule is the caller's to apply: this is the mode check alone).
bool ModePermits(const Caller& caller, const Permission& p, Access access);

// "READ", "WRITE", "EXECUTE", "READ_EXECUTE", "ALL", as HDFS names them.
std::string_view AccessName(Access access);
// "drwxr-xr-x", with 't' (or 'T' without x) for the sticky bit, as ls -l.
std::string ModeString(bool is_dir, uint16_t mode);
// "0755", "01777".
std::string OctalMode(uint16_t mode);

// The refusals, in HDFS's words:
// "user=alice, access=WRITE, inode=\"/x\":bob:bob:drwxr-xr-x" (Status
// prints "Permission denied: " before it).
Status AccessDenied(const Caller& caller, Access access, const std::string& path, bool is_dir,
                    const Permission& p);
// "user=alice is not the owner of inode=\"/x\"".
Status NotOwner(const Caller& caller, const std::string& path);
// "by sticky bit: user=alice, path=\"/tmp/x\":bob:g:-rw-r--r--,
// parent=\"/tmp\":root:g:drwxrwxrwt".
Status StickyBitDenied(const Caller& caller, const std::string& path, bool is_dir,
                       const Permission& p, const std::string& parent_path,
                       const Permission& parent);

// Parses an octal mode ("755", "0644", "1777"): InvalidArgument unless it
// is 1 to 5 octal digits with a value in [0, 01777].
Result<uint16_t> ParseOctalMode(std::string_view text);
// Whether `name` can be an owner or group: 1 to 64 printable ASCII
// characters other than ':' and '/' (ls -l and "USER:GROUP" stay
// unambiguous).
Status ValidateOwnerName(std::string_view name);

}  // namespace mr::dfs
