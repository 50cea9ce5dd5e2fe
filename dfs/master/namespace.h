// The master's in-memory namespace: a tree of directories and files, each
// file with its replication, chunk size, chunk list and, while a writer has it
// open, under_construction + the lease holder (docs/DFS.md).
//
// Every mutator is all-or-nothing and takes a MutationMode: kCheck returns
// exactly the Status kApply would, without changing anything. The master uses
// this to validate an op before logging it, then applies it with the same
// code (see op_apply.h), so live mutations and log replay share one path.
// Times are passed in (from the op-log record), never read from a clock, so
// replay reproduces the same tree.
//
// Paths must pass ValidatePath (dfs_path.h: normalized, at most 4096 bytes,
// 255 per component, 1000 components); a bad one is InvalidArgument. Rename
// also refuses a move that would take a path under src past those limits,
// so every path in the tree stays within them.
//
// Complete files and incomplete ones: a file is complete only when its
// writer closed it (Complete). Lease recovery of a file whose writer went
// away closes it as incomplete (RecoverLease): it keeps the bytes that were
// recovered, and says so in every listing (FileInfo::incomplete).
//
// Permissions (permission.h): every inode has an owner, a group and a mode.
// New inodes get the owner and modes their op names (NewInodeAttributes)
// and the group of their parent directory. The mutators apply them and never
// check them: CheckAccess is the caller's check, made before the op (log
// replay makes none). Owner and group names are interned: an inode holds
// two small ids.
//
// Walks (listing subtrees, checkpoints, deletes, the destructor) are
// iterative: their stack does not grow with the depth of the tree and their
// memory is linear in it.
//
// Thread-safety: none. The owner (MasterState) serializes all calls.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "dfs/master/permission.h"

namespace mr::dfs {

namespace wire {
class InodeRecord;
class NamespaceImage;
}

struct ChunkInfo {
  int64_t chunk_id = 0;
  int64_t generation = 0;
  int64_t length = 0;  // 0 for a chunk still being written.
  bool operator==(const ChunkInfo&) const = default;
};

// What Stat and List report (the service turns it into wire::FileStatus).
struct FileInfo {
  std::string path;
  bool is_dir = false;
  int64_t length = 0;
  int32_t replication = 0;
  int64_t chunk_size = 0;
  int64_t modification_time_ms = 0;
  bool under_construction = false;
  std::string lease_holder;
  // Closed by lease recovery, not by its writer: `length` is what was
  // recovered, which may be less than the writer wrote.
  bool incomplete = false;
  Permission permission;
  bool operator==(const FileInfo&) const = default;
};

// The owner and modes of the inodes an op creates (the master fills them
// in from the caller and its umask; replay from the record). The group is
// always the parent directory's (as in HDFS).
struct NewInodeAttributes {
  std::string owner;         // Empty: the namespace's superuser.
  int32_t mode = -1;         // Of the inode named; -1: kDefaultDirMode or kDefaultFileMode.
  int32_t parent_mode = -1;  // Of missing parents created on the way; -1: kDefaultDirMode.
};

enum class MutationMode { kCheck, kApply };

// Longest lease holder (client) name the namespace stores.
inline constexpr size_t kMaxClientNameBytes = 1024;

class Namespace {
 public:
  // `superuser` owns "/" (group `supergroup`, mode 0755) and every inode
  // that records and images from before permissions create. The default:
  // the process's user and SuperuserGroup().
  Namespace();
  Namespace(std::string superuser, std::string supergroup);
  ~Namespace();
  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

  // mkdir -p: OK if `path` is already a directory (its mode unchanged);
  // AlreadyExists if it or an ancestor is a file.
  Status Mkdirs(const std::string& path, int64_t time_ms, MutationMode mode,
                const NewInodeAttributes& attributes = {});
  // Creates an empty file under construction, leased to `client`, creating
  // missing parents. AlreadyExists if the path exists.
  Status Create(const std::string& path, int32_t replication, int64_t chunk_size,
                const std::string& client, int64_t time_ms, MutationMode mode,
                const NewInodeAttributes& attributes = {});
  // chmod: `permission_mode` in [0, 01777].
  Status SetPermission(const std::string& path, int32_t permission_mode, MutationMode mode);
  // chown/chgrp: an empty owner or group is left as it is.
  Status SetOwner(const std::string& path, const std::string& owner, const std::string& group,
                  MutationMode mode);

  // Whether `caller` may do what `check` describes on `path` (permission.h):
  // OK, or PermissionDenied naming the inode that refused. A superuser
  // passes. Checks inodes that exist only: what is missing is the op's to
  // report. InvalidArgument for a bad path.
  Status CheckAccess(const Caller& caller, const std::string& path,
                     const AccessCheck& check) const;
  // The permission of "/".
  Permission RootPermission() const;
  // Appends `chunk` (its length is ignored: a new chunk is empty). The chunk
  // before it, if any, becomes full: chunk_size bytes. Aborted unless
  // `client` holds the file's lease.
  Status AddChunk(const std::string& path, const std::string& client, const ChunkInfo& chunk,
                  int64_t time_ms, MutationMode mode);
  // Removes `chunk_id`, the file's last chunk (a writer abandoned it: no
  // datanode took it). NotFound if the file does not list the chunk;
  // Aborted if it is not the last one or `client` does not hold the lease.
  Status AbandonChunk(const std::string& path, const std::string& client, int64_t chunk_id,
                      int64_t time_ms, MutationMode mode);
  // Sets the generation of `chunk_id`, the file's last chunk (pipeline
  // recovery), to `generation`, which must be higher. Aborted if it is not
  // the last chunk or `client` does not hold the lease.
  Status SetChunkGeneration(const std::string& path, const std::string& client,
                            int64_t chunk_id, int64_t generation, MutationMode mode);
  // Closes the file; its last chunk holds `last_chunk_length` bytes (0 when
  // the file has no chunk). Aborted unless `client` holds the lease.
  Status Complete(const std::string& path, const std::string& client, int64_t last_chunk_length,
                  int64_t time_ms, MutationMode mode);
  // Lease recovery: closes the file as incomplete, keeping its first
  // `chunks_kept` chunks, the last of them with `last_chunk_length` bytes (0
  // when none is kept). Aborted unless `client` holds the lease. On kApply,
  // appends the ids of the chunks dropped to *removed_chunks if given.
  Status RecoverLease(const std::string& path, const std::string& client, int64_t chunks_kept,
                      int64_t last_chunk_length, int64_t time_ms, MutationMode mode,
                      std::vector<int64_t>* removed_chunks = nullptr);
  // Removes a file or directory; a non-empty directory needs `recursive`.
  // On kApply, appends the ids of the chunks removed to *removed_chunks if
  // given (the caller has their replicas deleted).
  Status Delete(const std::string& path, bool recursive, int64_t time_ms, MutationMode mode,
                std::vector<int64_t>* removed_chunks = nullptr);
  // Moves `src` to `dst`. Fails if dst exists (unless `overwrite`), dst's
  // parent is not a directory, src is "/", dst lies inside src, or a path
  // under src would be too long or too deep at dst. With `overwrite`, a
  // closed file src replaces a closed file dst (put -f); the replaced
  // file's chunk ids are appended to *removed_chunks on kApply if given.
  Status Rename(const std::string& src, const std::string& dst, bool overwrite, int64_t time_ms,
                MutationMode mode, std::vector<int64_t>* removed_chunks = nullptr);

  Result<FileInfo> Stat(const std::string& path) const;
  // A directory's entries sorted by name; for a file, the file itself.
  Result<std::vector<FileInfo>> List(const std::string& path) const;
  // A file's chunks in order.
  Result<std::vector<ChunkInfo>> GetChunks(const std::string& path) const;
  // Calls fn(info, chunks) for every file, in path order.
  void ForEachFile(const std::function<void(const FileInfo&, const std::vector<ChunkInfo>&)>& fn) const;

  // Checkpoint images (namespace_image.cc). SaveImage fills image->inodes
  // only; LoadImage requires an empty namespace (a fresh object, or Clear).
  void SaveImage(wire::NamespaceImage* image) const;
  Status LoadImage(const wire::NamespaceImage& image);
  // Back to an empty namespace (only "/", the superuser's, 0755).
  void Clear();

  const std::string& superuser() const { return superuser_; }

 private:
  struct Inode {
    bool is_dir = false;
    uint16_t mode = 0;
    uint32_t owner = 0;  // Ids in names_.
    uint32_t group = 0;
    int64_t modification_time_ms = 0;
    std::map<std::string, std::unique_ptr<Inode>> children;  // Directories only.
    int32_t replication = 0;                                  // Files only, from here on.
    int64_t chunk_size = 0;
    std::vector<ChunkInfo> chunks;
    bool under_construction = false;
    std::string lease_holder;
    bool incomplete = false;
  };
  using WalkFn = std::function<void(const std::string& path, const Inode& inode, size_t depth)>;

  // The inode at `components[0, count)`, or nullptr.
  const Inode* Find(const std::vector<std::string>& components, size_t count) const;
  Inode* Find(const std::vector<std::string>& components, size_t count);
  // Checks that every existing prefix of `components[0, count)` is a directory.
  Status CheckAncestorsAreDirs(const std::vector<std::string>& components, size_t count) const;
  // Creates the missing directories of components[0, count) owned by
  // `owner`, each with its parent's group, the last with `last_mode` and
  // the others with `parent_mode`; returns the last.
  Inode* MakeDirs(const std::vector<std::string>& components, size_t count, int64_t time_ms,
                  uint32_t owner, uint16_t parent_mode, uint16_t last_mode);
  // The file at `path`, leased to `client` and under construction.
  Result<Inode*> FindLeasedFile(const std::string& path, const std::string& client);
  FileInfo Describe(const std::string& path, const Inode& inode) const;
  // The id of `name` in names_, added if new.
  uint32_t Intern(const std::string& name);
  Permission PermissionOf(const Inode& inode) const;
  // The owner id and modes `attributes` give (defaults filled in);
  // InvalidArgument for a mode outside [0, 01777].
  struct ResolvedAttributes {
    std::string owner;
    uint16_t mode;
    uint16_t parent_mode;
  };
  Result<ResolvedAttributes> Resolve(const NewInodeAttributes& attributes, bool is_dir) const;
  // The owner, group and mode of a checkpoint record (namespace_image.cc).
  Status LoadPermission(const wire::InodeRecord& record, const Inode& parent, Inode* node);
  // CheckAccess's walk (namespace_access.cc): the inode chain along `parts`.
  Status CheckChain(const Caller& caller, const std::vector<std::string>& parts,
                    const std::vector<const Inode*>& chain, const AccessCheck& check) const;
  Status CheckSubtree(const Caller& caller, const std::string& path, const Inode& root,
                      Access access) const;
  static void CollectChunks(const Inode& inode, std::vector<int64_t>* out);
  // Pre-order walk of `root` (at `root_path`) and every inode under it,
  // children in name order: fn(path, inode, depth below root). Iterative;
  // memory O(depth). With root_path "", paths are relative ("/a/b").
  static void Walk(const Inode& root, const std::string& root_path, const WalkFn& fn);
  // Frees a subtree without recursing (a deep tree must not overflow the
  // stack).
  static void DestroyTree(std::unique_ptr<Inode> root);
  // InvalidArgument if moving `node` from `src` to `dst` would take a path
  // under it past kMaxDfsPathBytes or kMaxDfsPathDepth.
  static Status CheckMoveFits(const Inode& node, const std::string& src, const std::string& dst);

  const std::string superuser_;
  const std::string supergroup_;
  // Owner and group names; an inode holds their index. Never shrinks (there
  // are few users and groups).
  std::vector<std::string> names_;
  std::map<std::string, uint32_t, std::less<>> name_ids_;
  std::unique_ptr<Inode> root_;
};

}  // namespace mr::dfs
