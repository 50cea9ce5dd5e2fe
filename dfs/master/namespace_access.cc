// Namespace::CheckAccess: HDFS's FSPermissionChecker.checkPermission over
// our tree (permission.h says what each check means).
#include <algorithm>

#include "dfs/master/dfs_path.h"
#include "dfs/master/namespace.h"

namespace mr::dfs {

Status Namespace::CheckAccess(const Caller& caller, const std::string& path,
                              const AccessCheck& check) const {
  RETURN_NOT_OK(ValidatePath(path));
  if (caller.superuser) return Status::OK();
  std::vector<std::string> parts = SplitPath(path);
  // chain[i]: the inode at parts[0, i), as far as the path exists; it stops
  // after a file (nothing is under one).
  std::vector<const Inode*> chain = {root_.get()};
  for (size_t i = 0; i < parts.size() && chain.back()->is_dir; ++i) {
    auto it = chain.back()->children.find(parts[i]);
    if (it == chain.back()->children.end()) break;
    chain.push_back(it->second.get());
  }
  return CheckChain(caller, parts, chain, check);
}

Status Namespace::CheckChain(const Caller& caller, const std::vector<std::string>& parts,
                             const std::vector<const Inode*>& chain,
                             const AccessCheck& check) const {
  const size_t n = parts.size();
  const bool exists = chain.size() == n + 1;
  // The nearest existing ancestor of the inode: its parent if that exists.
  const size_t ancestor = std::min(chain.size() - 1, n == 0 ? 0 : n - 1);
  auto check_one = [&](size_t i, Access access) -> Status {
    if (access == Access::kNone) return Status::OK();
    const Inode& inode = *chain[i];
    Permission p = PermissionOf(inode);
    if (ModePermits(caller, p, access)) return Status::OK();
    return AccessDenied(caller, access, JoinComponents(parts, i), inode.is_dir, p);
  };
  // Traverse: EXECUTE on every existing directory above the inode. A file
  // on the way ends the walk; the op reports that.
  for (size_t i = 0; i <= ancestor && chain[i]->is_dir; ++i) {
    if (i == ancestor && n == 0) break;  // "/" has no ancestor.
    RETURN_NOT_OK(check_one(i, Access::kExecute));
  }
  if (n > 0 && chain[ancestor]->is_dir) RETURN_NOT_OK(check_one(ancestor, check.ancestor));
  const bool parent_exists = n > 0 && chain.size() >= n && chain[n - 1]->is_dir;
  if (parent_exists) RETURN_NOT_OK(check_one(n - 1, check.parent));
  if (!exists) return Status::OK();
  const Inode& inode = *chain[n];
  const std::string path = JoinComponents(parts, n);
  if (check.sticky && parent_exists) {
    const Inode& parent = *chain[n - 1];
    if ((parent.mode & kStickyBit) && names_[parent.owner] != caller.user &&
        names_[inode.owner] != caller.user) {
      return StickyBitDenied(caller, path, inode.is_dir, PermissionOf(inode),
                             JoinComponents(parts, n - 1), PermissionOf(parent));
    }
  }
  if (check.owner && names_[inode.owner] != caller.user) return NotOwner(caller, path);
  RETURN_NOT_OK(check_one(n, check.self));
  if (check.sub != Access::kNone && inode.is_dir) {
    RETURN_NOT_OK(CheckSubtree(caller, path, inode, check.sub));
  }
  return Status::OK();
}

Status Namespace::CheckSubtree(const Caller& caller, const std::string& path, const Inode& root,
                               Access access) const {
  // Every directory that has entries (HDFS's ignoreEmptyDir): removing a
  // tree removes what is in them. Stops at the first refusal.
  Status refused;
  Walk(root, path, [&](const std::string& dir, const Inode& node, size_t) {
    if (!refused.ok() || !node.is_dir || node.children.empty()) return;
    Permission p = PermissionOf(node);
    if (!ModePermits(caller, p, access)) refused = AccessDenied(caller, access, dir, true, p);
  });
  return refused;
}

}  // namespace mr::dfs
