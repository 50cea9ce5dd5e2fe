// MasterService: the handler of the MasterService RPCs (dfs.thrift) over the
// durable namespace (MasterState), the soft chunk map (ChunkMap), placement
// and the replication monitor. Each method takes the one mutex, does its
// work on Status values, and only at the very end turns a failure into the
// DfsError that Thrift sends back (rpc/status_codes.h).
//
// Semantics worth knowing:
// - Create validates replication in [1, 16] and chunk_size in
//   [64 KiB, 1 GiB], a multiple of 64 KiB; it remembers client_host for the
//   lease holder so that AddChunk can place the first replica locally.
//   Retries are safe (docs/DFS.md, "Master restarts"): Create of a file that
//   `client_name` already holds under construction, with no chunk yet and
//   the same replication and chunk size, is its own earlier Create whose
//   reply was lost, and succeeds again (renewing the lease). The client
//   makes sure it never creates one path twice itself.
// - AddChunk takes the id of the last chunk the writer knows
//   (previous_chunk_id) and, if the master already allocated one after it,
//   hands that one out again (HDFS's addBlock does the same); AbandonChunk
//   removes a last chunk nobody stored; BumpChunkGeneration gives the last
//   chunk a new generation when its writer recovers the pipeline, so that
//   replicas of the old one (on a datanode that dropped out) are rejected
//   and deleted when reported.
// - Startup grace: for --dfs_master_startup_grace_ms after a restart on a
//   non-empty op log, datanodes are still re-registering and reporting.
//   AddChunk then waits (without the lock) for min(--dfs_min_replicas,
//   replication) placeable datanodes, and GetChunkLocations for a replica
//   of every chunk it returns, instead of failing or returning none (as
//   HDFS's safe mode holds clients back until block reports arrive).
// - AddChunk places the chunk's pipeline (placement.h) among live datanodes
//   with at least --dfs_datanode_reserved_bytes + chunk_size bytes free (as
//   of their last heartbeat); Unavailable if there is none. (A datanode
//   counts its space from its first heartbeat.) It avoids the caller's
//   excluded datanodes (which failed that writer) unless no other qualifies.
// - Complete returns false, changing nothing, until every chunk of the file
//   has at least min(--dfs_min_replicas, replication) replicas of the
//   expected length reported by ChunkReceived: the client retries (with
//   backoff) until true. On a file already closed it returns true, so a
//   retry after a lost reply succeeds — if the file's last chunk has the
//   length asked for; else (lease recovery closed it shorter) Aborted.
// - Readers see closed files only: GetChunkLocations of a file under
//   construction is Unavailable. It returns every live valid replica with
//   its rack, by datanode id; ordering by distance is the client's job.
// - Datanode commands are queued per node and handed out by Heartbeat. The
//   re-replication planner runs inside Heartbeat, at most once per
//   --dfs_replication_check_ms (replication_monitor.h); dead datanodes are
//   expired at the start of every datanode call and of AddChunk /
//   GetChunkLocations / Complete.
// - ReportBadReplica drops the replica, sends that node a DELETE and asks
//   for a planner round at the next heartbeat — unless it is the chunk's
//   last replica, which is kept (a suspect copy beats none) and logged.
//   Either way the chunk counts as corrupt (LocatedChunk.corrupt_replicas)
//   until it is back at its replication in good replicas.
// - Leases: Create grants the writer (client_name) a lease; RenewLease
//   renews every lease of that client. A lease not renewed (or re-granted
//   by Create) for --dfs_lease_timeout_ms expires; the check runs inside
//   Heartbeat, so it needs no thread of its own. A file is complete only
//   when its writer closed it, so lease recovery never makes a file look
//   complete. Each file the client still has under construction is, through
//   the op log (durable, replayed after a restart):
//     * closed as incomplete (RecoverLeaseOp; FileStatus.incomplete), with
//       the longest prefix of its chunks that is stored: a full replica of
//       the right generation, reported by a live datanode, for every chunk
//       but the file's last; for the last, the length that the most replicas
//       report (ties: the longest). Chunks after the prefix are dropped (and
//       their replicas deleted); replicas of another length are forgotten;
//       the replication monitor brings the kept chunks back to their
//       replication. Readers get Corruption for such a file unless they ask
//       for it (GetChunkLocations' include_incomplete: fsck, stat); Complete
//       of it is Aborted; fsck lists it and fails.
//     * removed when that prefix is empty (no chunk, or the first chunk has
//       no replica: nothing of the file is stored), like a delete.
//   After a master restart every file under construction gets a fresh
//   lease (HDFS does the same): the writer may still be alive, and the
//   datanodes need time to report their replicas; and no lease expires
//   during the startup grace (as HDFS recovers no lease in safe mode).
// - Rename with overwrite (put -f) replaces a closed file by a closed file
//   in one logged op; the replaced file's replicas are deleted.
// - Heartbeat carries the replicas the datanode's directory scan found
//   missing or cut short (lost_replicas): the master forgets them at once
//   and re-replicates, as for a dead node's.
// - ListDatanodes reports every datanode known since the master started,
//   live and dead, with its last load and replica count.
// - Liveness has two sources: heartbeats (--dfs_heartbeat_timeout_ms), and
//   the membership layer, whose failure events call DatanodeFailed, usually
//   well before the heartbeat timeout.
//
// - Permissions (docs/DFS.md, "Permissions"; HDFS's checks): the caller is
//   security::CurrentIdentity() of the RPC's thread, its groups those of the
//   master's host (user_groups.h); a superuser (a daemon, the cluster's own
//   user, or a member of --dfs_permissions_superusergroup) passes every
//   check. Every client call needs EXECUTE on each existing ancestor
//   directory; beyond that: List of a directory READ_EXECUTE on it;
//   GetChunkLocations READ on the file; Mkdirs and Create WRITE on the
//   nearest existing ancestor; Delete WRITE on the parent, the sticky-bit
//   rule, and (a non-empty directory) rwx on every non-empty directory
//   under it; Rename WRITE on both parents and the sticky-bit rule for the
//   source and a replaced destination; the writer's calls (AddChunk,
//   AbandonChunk, BumpChunkGeneration, Complete) the file's owner, and
//   RenewLease the user that holds the client's lease; SetPermission the
//   owner; SetOwner a superuser to change the owner, the owner to give the
//   file one of its own groups. The datanodes' calls (RegisterDatanode,
//   Heartbeat, ChunkReport, ChunkReceived) need a superuser. New inodes
//   belong to the caller, with the group of their parent and the mode asked
//   for less the caller's umask. Refusals are PermissionDenied, counted
//   and logged (at most one line a second).
//
// - Durability (group commit): a mutating RPC (Mkdirs, Delete, Rename,
//   Create, AddChunk, Complete; Heartbeat, whose lease recovery logs ops)
//   replies only after the op log is fsynced through every op logged when
//   it released mu_ — its own included, success or failure. The fsync runs
//   after mu_ is released, so other RPCs proceed meanwhile and concurrent
//   mutations share one fsync. Hence any RPC may briefly see an op that is
//   applied but not yet durable (HDFS does the same): e.g. Stat shows a file
//   whose Create has not yet returned and which a crash in that window would
//   lose. If an fsync fails the master dies (LOG(FATAL)): memory is ahead of
//   the log and it cannot go on consistently; a restart recovers from the
//   log.
//
// Thread-safety: all methods may be called concurrently (TThreadedServer
// runs one thread per connection); mu_ serializes them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "MasterService.h"
#include "common/status.h"
#include "dfs/master/chunk_map.h"
#include "dfs/master/master_state.h"
#include "dfs/master/permission.h"
#include "dfs/master/replication_monitor.h"

namespace mr::dfs {

class MasterService : public wire::MasterServiceIf {
 public:
  struct Options {
    int32_t min_replicas = 2;
    // See "Startup grace" above; 0 = none.
    int64_t startup_grace_ms = 0;
    int64_t lease_timeout_ms = 60000;
    int64_t datanode_reserved_bytes = 0;  // Placement needs this + chunk_size free.
    ChunkMap::Options chunk_map;
    ReplicationMonitor::Options replication;
    uint64_t seed = 0;  // For placement; 0 = random.
    // Monotonic milliseconds for heartbeats and planning; steady_clock if unset.
    std::function<int64_t()> clock_ms;
    // A user's groups; the master host's (CachedHostGroupsOf) if unset.
    std::function<std::vector<std::string>(const std::string&)> groups_of;
    // Options with the values of the --dfs_* flags.
    static Options FromFlags();
  };

  // Takes ownership of `state` and builds the chunk map's chunk list from it.
  MasterService(std::unique_ptr<MasterState> state, Options options);
  ~MasterService() override;

  // Clients.
  void Stat(wire::FileStatus& out, const std::string& path) override;
  void List(std::vector<wire::FileStatus>& out, const std::string& path) override;
  void Mkdirs(const std::string& path, int32_t umask, int32_t mode) override;
  void SetPermission(const std::string& path, int32_t mode) override;
  void SetOwner(const std::string& path, const std::string& owner,
                const std::string& group) override;
  void WhoAmI(wire::CallerInfo& out) override;
  void Delete(const std::string& path, bool recursive) override;
  void Rename(const std::string& src, const std::string& dst, bool overwrite) override;
  void Create(wire::FileStatus& out, const std::string& path, int32_t replication,
              int64_t chunk_size, const std::string& client_name,
              const std::string& client_host, int32_t umask, int32_t mode) override;
  void AddChunk(wire::LocatedChunk& out, const std::string& path,
                const std::string& client_name,
                const std::vector<std::string>& excluded_datanodes,
                int64_t previous_chunk_id) override;
  void AbandonChunk(const std::string& path, const std::string& client_name,
                    int64_t chunk_id) override;
  int64_t BumpChunkGeneration(const std::string& path, const std::string& client_name,
                              int64_t chunk_id) override;
  void BumpChunkGenerationWithToken(wire::LocatedChunk& out, const std::string& path,
                                    const std::string& client_name, int64_t chunk_id) override;
  bool Complete(const std::string& path, const std::string& client_name,
                int64_t last_chunk_length) override;
  void GetChunkLocations(std::vector<wire::LocatedChunk>& out, const std::string& path,
                         int64_t offset, int64_t length, bool include_incomplete) override;
  void RenewLease(const std::string& client_name) override;
  void ReportBadReplica(int64_t chunk_id, const std::string& datanode_id) override;
  void ListDatanodes(std::vector<wire::DatanodeStatus>& out) override;
  void ListMembers(std::vector<wire::MemberStatus>& out) override;

  // Datanodes.
  void RegisterDatanode(const wire::DatanodeInfo& info) override;
  void Heartbeat(std::vector<wire::DatanodeCommand>& out, const std::string& datanode_id,
                 int64_t capacity_bytes, int64_t used_bytes, int32_t active_transfers,
                 const std::vector<wire::ChunkReplicaInfo>& lost_replicas) override;
  void ChunkReport(const std::string& datanode_id,
                   const std::vector<wire::ChunkReplicaInfo>& chunks) override;
  void ChunkReceived(const std::string& datanode_id,
                     const wire::ChunkReplicaInfo& chunk) override;

  // Membership (not RPCs). The membership layer found datanode `id` failed
  // or gone: it is declared dead now, not after the heartbeat timeout, and
  // its chunks are re-replicated. If it is in fact alive, its next
  // heartbeat registers it again.
  void DatanodeFailed(const std::string& id, const std::string& why);
  // Where ListMembers reads the membership view; called outside mu_.
  void SetMembersSource(std::function<std::vector<wire::MemberStatus>()> source);

  // Calls refused with PermissionDenied so far.
  int64_t permission_denials() const { return permission_denials_.load(); }

 private:
  struct Lease {
    std::string client_host;
    std::string user;  // Who holds it: only that user (or a superuser) renews it.
    int64_t renewed_ms = 0;
  };

  // The caller of the RPC this thread serves (call before taking mu_: its
  // groups may come from the OS).
  Caller CurrentCaller() const;
  // PermissionDenied unless `caller` is a superuser (the datanodes' calls).
  static Status RequireSuperuser(const Caller& caller, const char* method);
  // The writer's calls: the caller owns `path` (and may traverse to it).
  Status CheckWriter(const Caller& caller, const std::string& path) const;
  // chown/chgrp rules (HDFS's setOwner).
  Status CheckSetOwner(const Caller& caller, const std::string& path, const std::string& owner,
                       const std::string& group) const;
  // What a new inode gets: the caller as owner, `mode` (-1: 0777 or 0666)
  // less `umask` (-1: 022), parents 0777 less the umask plus u+wx.
  static Result<NewInodeAttributes> NewAttributes(const Caller& caller, int32_t umask,
                                                  int32_t mode, bool is_dir);

  // Runs fn under mu_; a failure is logged and thrown as wire::DfsError.
  void Run(const char* method, const std::function<Status()>& fn);
  // Run, then (after releasing mu_) waits until the op log is synced through
  // the last op logged before mu_ was released. Dies if the sync fails.
  void RunMutation(const char* method, const std::function<Status()>& fn);
  void RunImpl(const char* method, bool mutation, const std::function<Status()>& fn);
  // Expires dead datanodes; call with mu_ held.
  void ExpireDeadNodes(int64_t now_ms);
  // Expires leases not renewed in time and recovers or removes their files
  // (see above); call with mu_ held.
  void ExpireLeases(int64_t now_ms);
  Status RecoverFileLocked(const std::string& path, const std::string& holder);
  // Removes chunks the namespace dropped from the chunk map, with DELETEs
  // for their replicas.
  void ForgetChunks(const std::vector<int64_t>& chunk_ids);
  // A datanode's directory scan found these replicas gone or cut short.
  void ForgetLostReplicas(const std::string& id,
                          const std::vector<wire::ChunkReplicaInfo>& lost);

  Status CreateLocked(wire::FileStatus* out, const Caller& caller, const std::string& path,
                      int32_t replication, int64_t chunk_size, const std::string& client,
                      const std::string& client_host, const NewInodeAttributes& attributes);
  // *wait: no answer yet, call again shortly (startup grace).
  Status AddChunkLocked(wire::LocatedChunk* out, const std::string& path,
                        const std::string& client, const std::vector<std::string>& excluded,
                        int64_t previous_chunk_id, bool* wait);
  Status AbandonChunkLocked(const std::string& path, const std::string& client,
                            int64_t chunk_id);
  // Runs `fn` (a mutation if `mutation`) under mu_ again every 100 ms, with
  // mu_ released in between, while it sets its argument (wait) to true.
  void RunWaiting(const char* method, bool mutation, const std::function<Status(bool*)>& fn);
  // Within the startup grace (see above); call with mu_ held.
  bool InStartupGrace(int64_t now_ms) const;
  Status CompleteLocked(bool* done, const std::string& path, const std::string& client,
                        int64_t last_chunk_length);
  Status GetChunkLocationsLocked(std::vector<wire::LocatedChunk>* out, const std::string& path,
                                 int64_t offset, int64_t length, bool include_incomplete,
                                 bool* wait);
  Status DeleteLocked(const std::string& path, bool recursive);
  Status RenameLocked(const std::string& src, const std::string& dst, bool overwrite);
  Status ReportBadReplicaLocked(int64_t chunk_id, const std::string& datanode_id);
  Status HeartbeatLocked(std::vector<wire::DatanodeCommand>* out, const std::string& id,
                         int64_t capacity_bytes, int64_t used_bytes, int32_t active_transfers,
                         const std::vector<wire::ChunkReplicaInfo>& lost_replicas);
  Status ChunkReportLocked(const std::string& id,
                           const std::vector<wire::ChunkReplicaInfo>& chunks);
  Status ChunkReceivedLocked(const std::string& id, const wire::ChunkReplicaInfo& chunk);
  // Node ids -> their addresses; ids no longer registered are left out.
  std::vector<wire::DatanodeInfo> Describe(const std::vector<std::string>& ids) const;

  const Options options_;
  // When the service started, and whether it recovered any op (a restart):
  // the startup grace applies only then.
  const int64_t start_ms_;
  const bool restarted_;
  std::mutex mu_;
  // All below guarded by mu_.
  std::unique_ptr<MasterState> state_;
  ChunkMap chunk_map_;
  ReplicationMonitor monitor_;
  // Client name -> lease. Every file under construction has its holder here
  // (Create adds it; the constructor adds the holders found after a restart).
  std::map<std::string, Lease> leases_;
  std::mt19937_64 rng_;                  // Placement.
  std::function<std::vector<wire::MemberStatus>()> members_source_;
  std::atomic<int64_t> permission_denials_{0};
};

}  // namespace mr::dfs
