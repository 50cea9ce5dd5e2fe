// Control plane of the DFS (docs/DFS.md): the MasterService that clients and
// datanodes call, and the master's durable records (op log, checkpoint).
//
// Versioning: fields are only ever added, with new ids, as optional or with a
// default; ids are never reused. The on-disk records carry a format version.
namespace cpp mr.dfs.wire

// ---- Shared values -------------------------------------------------------

struct DatanodeInfo {
  1: string id,         // Persisted in the datanode's data directory.
  2: string host,
  3: i32 data_port,     // Data-plane (Boost.Asio) port.
  4: string rack,       // e.g. "/r1".
}

// One replica as a datanode holds it.
struct ChunkReplicaInfo {
  1: i64 chunk_id,
  2: i64 generation,
  3: i64 length,
}

struct LocatedChunk {
  1: i64 chunk_id,
  2: i64 generation,
  3: i64 offset_in_file,
  4: i64 length,
  // For reads: live replicas, closest first. For AddChunk: the write
  // pipeline in order (the client connects to the first).
  5: list<DatanodeInfo> replicas,
  // GetChunkLocations only: how many replicas of this chunk were reported
  // corrupt (ReportBadReplica) and are not yet healed, i.e. the chunk has not
  // been back at its replication in good replicas since. fsck: > 0 is
  // "corrupt".
  6: optional i32 corrupt_replicas,
  // A "chunk" token (ChunkTokenId) for this chunk id and generation: READ
  // from GetChunkLocations, WRITE from AddChunk and
  // BumpChunkGenerationWithToken. Empty when the master runs without
  // security. Datanodes of a secure cluster refuse a request without one.
  7: optional binary access_token,
}

struct FileStatus {
  1: string path,
  2: bool is_dir,
  3: i64 length,
  4: i32 replication,
  5: i64 chunk_size,
  6: i64 modification_time_ms,
  7: bool under_construction,
  // Closed by lease recovery, not by its writer (docs/DFS.md, "Leases"):
  // `length` is what was recovered. Readers must ask for such a file
  // explicitly (GetChunkLocations' include_incomplete).
  8: optional bool incomplete,
  // Permissions (docs/DFS.md, "Permissions"): the owner, the group and the
  // mode bits (0 to 01777: rwx for owner, group, others, and the sticky
  // bit 01000). Masters before permissions leave them unset.
  9: optional string owner,
  10: optional string group,
  11: optional i32 mode,
}

// Who the master takes the caller for (MasterService.WhoAmI): the user, the
// groups it belongs to on the master's host, and whether every permission
// check passes for it (a daemon, the cluster's own user, or a member of
// --dfs_permissions_superusergroup).
struct CallerInfo {
  1: string user,
  2: list<string> groups,
  3: bool superuser,
}

// One member of the cluster's membership layer (docs/MEMBERSHIP.md) as the
// master sees it.
struct MemberStatus {
  1: string id,
  2: string address,       // host:port of its membership (UDP) socket.
  3: string rack,
  4: string state,         // "alive", "suspect", "failed" or "left".
  5: i64 incarnation,
  6: string role,          // "master", "datanode", "resourcemanager", "nodemanager".
}

// One datanode as ListDatanodes reports it.
struct DatanodeStatus {
  1: DatanodeInfo info,
  2: bool alive,                  // False: declared dead (no heartbeat in time).
  3: i64 last_heartbeat_age_ms,   // Since its last heartbeat (or registration).
  4: i64 capacity_bytes,          // From its last heartbeat; 0 before the first.
  5: i64 used_bytes,
  6: i32 active_transfers,
  7: i64 replica_count,           // Replicas the master counts on it (0 if dead).
  8: bool heartbeated,            // Has heartbeated since registering: counts for placement.
  // Dead nodes: why ("no heartbeat for N ms", or the membership layer's
  // "failed (membership)" / "left (membership)").
  9: optional string dead_reason,
}

enum DatanodeCommandKind {
  REPLICATE = 1,  // Copy chunk_id to `targets` (a pipeline, in order).
  DELETE = 2,     // Remove the local replica of chunk_id.
}

struct DatanodeCommand {
  1: DatanodeCommandKind kind,
  2: i64 chunk_id,
  3: i64 generation,
  4: list<DatanodeInfo> targets,
  // REPLICATE: the "chunk" token (REPLICATE access) the datanode presents to
  // the first target, forwarded down the pipeline. Empty without security.
  5: optional binary access_token,
}

// Access a chunk token grants: ChunkTokenId.modes is a bit set of these.
enum ChunkAccess {
  READ = 1,       // ReadRequest, LocalReplicaRequest
  WRITE = 2,      // WriteRequest from a writer
  REPLICATE = 4,  // WriteRequest of a re-replication copy
}

// The identifier of a "chunk" token (security/token.h), as HDFS's
// BlockTokenIdentifier: the master signs one with every chunk location it
// hands out, and a datanode serves a request for a replica only with a
// valid one for exactly that chunk id and generation, granting the access
// the request needs (docs/DFS.md, "Chunk access tokens").
struct ChunkTokenId {
  1: i64 chunk_id,
  2: i64 generation,
  3: i32 modes,
  4: string user,  // Who asked the master; for the datanodes' logs.
}

// The one exception of the service; `code` is mr::Status::Code's numbering
// (1 NotFound, 2 AlreadyExists, 3 InvalidArgument, 4 IOError, 5 Corruption,
// 6 NoSpace, 7 Aborted, 8 Unavailable, 9 Internal, 10 PermissionDenied).
exception DfsError {
  1: i32 code,
  2: string message,
}

// ---- Master RPC ----------------------------------------------------------

service MasterService {
  // Clients. Paths are absolute and normalized ("/a/b"); anything else is
  // InvalidArgument. Every call is checked against the caller's permissions
  // (docs/DFS.md, "Permissions"); a refusal is PermissionDenied.
  //
  // Modes of new inodes: `mode` is what the caller asks for (-1: 0777 for a
  // directory, 0666 for a file), less the bits of the caller's `umask` (-1:
  // 022, as HDFS's fs.permissions.umask-mode); missing parents created on
  // the way get 0777 less the umask, plus u+wx. The owner is the caller, the
  // group that of the parent directory.
  FileStatus Stat(1: string path) throws (1: DfsError error),
  list<FileStatus> List(1: string path) throws (1: DfsError error),
  void Mkdirs(1: string path, 2: i32 umask = -1, 3: i32 mode = -1)
      throws (1: DfsError error),
  // chmod: mode in [0, 01777]. The owner or a superuser only.
  void SetPermission(1: string path, 2: i32 mode) throws (1: DfsError error),
  // chown/chgrp; an empty owner or group leaves it as it is. Changing the
  // owner takes a superuser; the owner may change the group to one of its
  // own groups.
  void SetOwner(1: string path, 2: string owner, 3: string group)
      throws (1: DfsError error),
  // The caller as the master sees it.
  CallerInfo WhoAmI() throws (1: DfsError error),
  void Delete(1: string path, 2: bool recursive) throws (1: DfsError error),
  // overwrite: a closed file src may replace a closed file dst, atomically
  // (put -f writes a hidden temporary file, then renames it over the old).
  void Rename(1: string src, 2: string dst, 3: bool overwrite = false)
      throws (1: DfsError error),
  // Creates missing parents (as HDFS does); grants `client_name` the lease.
  FileStatus Create(1: string path, 2: i32 replication, 3: i64 chunk_size,
                    4: string client_name, 5: string client_host,
                    6: i32 umask = -1, 7: i32 mode = -1)
      throws (1: DfsError error),
  // Allocates the next chunk and its pipeline. Every chunk before it is taken
  // to be full (chunk_size bytes). The pipeline leaves out nodes with less
  // than --dfs_datanode_reserved_bytes + chunk_size free (Unavailable if
  // none is left) and avoids `excluded_datanodes` (nodes that failed this
  // writer) unless no other node qualifies.
  //
  // Retries (docs/DFS.md, "Master restarts"): `previous_chunk_id` is the id
  // of the last chunk the caller knows the file has (0: none). If the file's
  // last chunk is that one, a new chunk is allocated. If the file has one
  // chunk more, allocated after it, that chunk is an allocation whose reply
  // the caller never got: it is handed out again (same id and generation,
  // a freshly placed pipeline) instead of leaking an orphan. Anything else
  // is Aborted. -1 (old clients): always allocates.
  LocatedChunk AddChunk(1: string path, 2: string client_name,
                        3: list<string> excluded_datanodes,
                        4: i64 previous_chunk_id = -1) throws (1: DfsError error),
  // Removes chunk_id, the file's last chunk, from a file the caller is
  // writing: every datanode of its pipeline refused it, so it holds no
  // byte. Idempotent: OK if the file no longer lists the chunk. Aborted if
  // it is not the last chunk.
  void AbandonChunk(1: string path, 2: string client_name, 3: i64 chunk_id)
      throws (1: DfsError error),
  // A new, higher generation for chunk_id, the last chunk of a file the
  // caller is writing, whose pipeline it is recovering (a datanode dropped
  // out). Durable before it returns. Replicas of older generations no
  // longer count and are deleted when reported. Each call bumps again.
  i64 BumpChunkGeneration(1: string path, 2: string client_name, 3: i64 chunk_id)
      throws (1: DfsError error),
  // BumpChunkGeneration, answering with the chunk's id, new generation and
  // a WRITE access token for it (no replicas, offset or length): what a
  // writer of a secure cluster needs to rewrite the chunk.
  LocatedChunk BumpChunkGenerationWithToken(1: string path, 2: string client_name,
                                            3: i64 chunk_id) throws (1: DfsError error),
  // Closes the file; the last chunk holds last_chunk_length bytes.
  bool Complete(1: string path, 2: string client_name, 3: i64 last_chunk_length)
      throws (1: DfsError error),
  // A file lease recovery closed as incomplete is Corruption unless
  // include_incomplete (fsck and stat ask; readers and jobs do not).
  list<LocatedChunk> GetChunkLocations(1: string path, 2: i64 offset, 3: i64 length,
                                       4: bool include_incomplete = false)
      throws (1: DfsError error),
  void RenewLease(1: string client_name) throws (1: DfsError error),
  void ReportBadReplica(1: i64 chunk_id, 2: string datanode_id) throws (1: DfsError error),
  // Every datanode the master knows since it started: live ones and those
  // declared dead, sorted by id.
  list<DatanodeStatus> ListDatanodes() throws (1: DfsError error),
  // The membership view of the master (empty when it runs no member).
  list<MemberStatus> ListMembers() throws (1: DfsError error),

  // Datanodes: callers other than the cluster's daemons (superusers) are
  // refused (PermissionDenied).
  void RegisterDatanode(1: DatanodeInfo info) throws (1: DfsError error),
  // lost_replicas: finalized replicas the node found missing or cut short
  // on its disk since its last heartbeat (its directory scan); the master
  // forgets them and re-replicates.
  list<DatanodeCommand> Heartbeat(1: string datanode_id, 2: i64 capacity_bytes,
                                  3: i64 used_bytes, 4: i32 active_transfers,
                                  5: list<ChunkReplicaInfo> lost_replicas)
      throws (1: DfsError error),
  void ChunkReport(1: string datanode_id, 2: list<ChunkReplicaInfo> chunks)
      throws (1: DfsError error),
  void ChunkReceived(1: string datanode_id, 2: ChunkReplicaInfo chunk)
      throws (1: DfsError error),
}

// ---- Master durable state (dfs/master/op_log.h documents the files) -------

struct ChunkRecord {
  1: i64 chunk_id,
  2: i64 generation,
  3: i64 length,
}

// Permissions of new inodes (MkdirsOp, CreateOp): the owner, the mode of
// the inode the op names, and the mode of missing parents it creates. The
// group is always the parent directory's. Records of masters before
// permissions have none of them: the owner is then the superuser (the
// master's user), the modes 0755 (directories) and 0644 (files).
struct MkdirsOp {
  1: string path,
  2: optional string owner,
  3: optional i32 mode,
  4: optional i32 parent_mode,
}

struct CreateOp {
  1: string path,
  2: i32 replication,
  3: i64 chunk_size,
  4: string client_name,
  5: optional string owner,
  6: optional i32 mode,
  7: optional i32 parent_mode,
}

// chmod (MasterService.SetPermission).
struct SetPermissionOp {
  1: string path,
  2: i32 mode,
}

// chown/chgrp (MasterService.SetOwner): unset leaves it as it is.
struct SetOwnerOp {
  1: string path,
  2: optional string owner,
  3: optional string group,
}

struct AddChunkOp {
  1: string path,
  2: string client_name,
  3: i64 chunk_id,
  4: i64 generation,
}

struct CompleteOp {
  1: string path,
  2: string client_name,
  3: i64 last_chunk_length,
  // Set by older masters when they closed the file themselves because
  // client_name's lease expired (lease recovery). Replayed as a
  // RecoverLeaseOp keeping every chunk: the file is incomplete.
  4: optional bool lease_recovery,
}

struct DeleteOp {
  1: string path,
  2: bool recursive,
}

struct RenameOp {
  1: string src,
  2: string dst,
  3: optional bool overwrite,  // A closed file src replaces a closed file dst.
}

// The writer gave up its last chunk (MasterService.AbandonChunk).
struct AbandonChunkOp {
  1: string path,
  2: string client_name,
  3: i64 chunk_id,
}

// The last chunk of a file being written gets a new generation (pipeline
// recovery, MasterService.BumpChunkGeneration).
struct BumpGenerationOp {
  1: string path,
  2: string client_name,
  3: i64 chunk_id,
  4: i64 generation,
}

// Lease recovery (docs/DFS.md, "Leases"): the master closes a file whose
// writer's lease expired as incomplete, keeping its first chunks_kept
// chunks, the last of them last_chunk_length bytes long.
struct RecoverLeaseOp {
  1: string path,
  2: string client_name,
  3: i64 chunks_kept,
  4: i64 last_chunk_length,
}

// One namespace mutation. Exactly one of the op fields is set (a master that
// does not know an op finds none, and refuses to replay the log).
struct OpLogRecord {
  1: i64 sequence,            // 1, 2, 3, ... across logs and checkpoints.
  2: i64 time_ms,             // Wall clock of the mutation (mtimes).
  3: i64 next_chunk_id,       // The chunk id counter after this op.
  10: optional MkdirsOp mkdirs,
  11: optional CreateOp create,
  12: optional AddChunkOp add_chunk,
  13: optional CompleteOp complete,
  14: optional DeleteOp delete_op,
  15: optional RenameOp rename,
  16: optional AbandonChunkOp abandon_chunk,
  17: optional BumpGenerationOp bump_generation,
  18: optional RecoverLeaseOp recover_lease,
  19: optional SetPermissionOp set_permission,
  20: optional SetOwnerOp set_owner,
}

// A file or directory of a checkpoint; parents come before their children.
struct InodeRecord {
  1: string path,
  2: bool is_dir,
  3: i64 modification_time_ms,
  4: i32 replication,
  5: i64 chunk_size,
  6: list<ChunkRecord> chunks,
  7: bool under_construction,
  8: string lease_holder,
  9: optional bool incomplete,  // Version 2: closed by lease recovery.
  // Version 3: permissions. Unset (older images): the superuser, the
  // group of the parent, 0755 or 0644.
  10: optional string owner,
  11: optional string group,
  12: optional i32 mode,
}

struct NamespaceImage {
  // 3 (2: no permissions; 1: nor incomplete files; both still read).
  1: i32 version,
  2: i64 last_sequence,       // The last op the image includes.
  3: i64 next_chunk_id,
  4: list<InodeRecord> inodes,
  // Version 3: "/" (path "/": its owner, group and mode only). Unset: the
  // superuser, the superuser group, 0755.
  5: optional InodeRecord root,
}
