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

namespace mr::dfs {

namespace wire {
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
  bool operator==(const FileInfo&) const = default;
};

enum class MutationMode { kCheck, kApply };

// Longest lease holder (client) name the namespace stores.
inline constexpr size_t kMaxClientNameBytes = 1024;

class Namespace {
 public:
  Namespace();
  ~Namespace();
  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

  // mkdir -p: OK if `path` is already a directory; AlreadyExists if it or an
  // ancestor is a file.
  Status Mkdirs(const std::string& path, int64_t time_ms, MutationMode mode);
  // Creates an empty file under construction, leased to `client`, creating
  // missing parents. AlreadyExists if the path exists.
  Status Create(const std::string& path, int32_t replication, int64_t chunk_size,
                const std::string& client, int64_t time_ms, MutationMode mode);
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
  // Back to an empty namespace (only "/").
  void Clear();

 private:
  struct Inode {
    bool is_dir = false;
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
  // Creates the missing directories of components[0, count); returns the last.
  Inode* MakeDirs(const std::vector<std::string>& components, size_t count, int64_t time_ms);
  // The file at `path`, leased to `client` and under construction.
  Result<Inode*> FindLeasedFile(const std::string& path, const std::string& client);
  static FileInfo Describe(const std::string& path, const Inode& inode);
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

  std::unique_ptr<Inode> root_;
};

}  // namespace mr::dfs
