#include "dfs/master/master_service.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <set>
#include <thread>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/clock.h"
#include "dfs/master/chunk_token_issuer.h"
#include "dfs/master/placement.h"
#include "dfs/master/user_groups.h"
#include "rpc/status_codes.h"
#include "security/identity.h"

DEFINE_int32(dfs_min_replicas, 2,
             "Complete succeeds only once every chunk of the file has this many replicas "
             "(or the file's replication, if smaller) reported by datanodes.");

DEFINE_int64(dfs_lease_timeout_ms, 60000,
             "A writer's lease expires when its client has not renewed it for this long "
             "(like HDFS's soft limit); the master then recovers or removes the files it "
             "had open. DFS clients renew every --dfs_client_lease_renew_interval_ms.");
DEFINE_int64(dfs_master_startup_grace_ms, 10000,
             "After a restart on an existing op log, for this long the master holds AddChunk "
             "and GetChunkLocations calls (up to that time) until datanodes have re-registered "
             "and reported replicas, instead of failing them or returning no replica "
             "(as HDFS's safe mode). 0 = no grace.");
DEFINE_int64(dfs_datanode_reserved_bytes, 0,
             "Free space a datanode keeps beyond a chunk: the master places a chunk only on "
             "datanodes whose last heartbeat reported at least this plus the chunk size free "
             "(like HDFS's dfs.datanode.du.reserved).");

namespace mr::dfs {

namespace {

constexpr int32_t kMaxReplication = 16;
constexpr int64_t kChunkSizeUnit = 64 << 10;
constexpr int64_t kMaxChunkSize = int64_t{1} << 30;

wire::FileStatus ToWire(const FileInfo& info) {
  wire::FileStatus s;
  s.path = info.path;
  s.is_dir = info.is_dir;
  s.length = info.length;
  s.replication = info.replication;
  s.chunk_size = info.chunk_size;
  s.modification_time_ms = info.modification_time_ms;
  s.under_construction = info.under_construction;
  if (info.incomplete) s.__set_incomplete(true);
  s.__set_owner(info.permission.owner);
  s.__set_group(info.permission.group);
  s.__set_mode(info.permission.mode);
  return s;
}

// What a call needs beyond traversing to its path.
AccessCheck Needs(Access self) {
  AccessCheck check;
  check.self = self;
  return check;
}

Result<FileInfo> StatFile(const Namespace& ns, const std::string& path) {
  ASSIGN_OR_RETURN(FileInfo info, ns.Stat(path));
  if (info.is_dir) return Status::InvalidArgument(path + " is a directory");
  return info;
}

}  // namespace

MasterService::Options MasterService::Options::FromFlags() {
  Options options;
  options.min_replicas = FLAGS_dfs_min_replicas;
  options.startup_grace_ms = FLAGS_dfs_master_startup_grace_ms;
  options.lease_timeout_ms = FLAGS_dfs_lease_timeout_ms;
  options.datanode_reserved_bytes = FLAGS_dfs_datanode_reserved_bytes;
  options.chunk_map = ChunkMap::Options::FromFlags();
  options.replication = ReplicationMonitor::Options::FromFlags();
  // Re-replication targets keep the same reserve as new chunks' (AddChunk).
  options.replication.plan.min_free_bytes = options.datanode_reserved_bytes;
  return options;
}

MasterService::MasterService(std::unique_ptr<MasterState> state, Options options)
    : options_([&] {
        if (!options.clock_ms) options.clock_ms = SteadyClockMs;
        if (options.seed == 0) options.seed = std::random_device()();
        if (!options.groups_of) options.groups_of = CachedHostGroupsOf;
        return options;
      }()),
      start_ms_(options_.clock_ms()),
      restarted_(state->last_sequence() > 0),
      state_(std::move(state)),
      chunk_map_(options_.chunk_map),
      monitor_(options_.replication, options_.seed),
      rng_(options_.seed + 1) {
  int64_t chunks = 0;
  const int64_t now = options_.clock_ms();
  state_->ns().ForEachFile([&](const FileInfo& file, const std::vector<ChunkInfo>& list) {
    if (file.under_construction) {  // A fresh lease, held by the file's owner.
      Lease& lease = leases_[file.lease_holder];
      lease.renewed_ms = now;
      lease.user = file.permission.owner;
    }
    for (const ChunkInfo& c : list) {
      chunk_map_.AddChunk(c.chunk_id, c.generation, file.replication);
      if (!file.under_construction) chunk_map_.CompleteChunk(c.chunk_id, c.length);
      ++chunks;
    }
  });
  LOG(INFO) << "master service: " << chunks << " chunks known; waiting for chunk reports; "
            << leases_.size() << " writers hold leases";
}

MasterService::~MasterService() = default;

void MasterService::Run(const char* method, const std::function<Status()>& fn) {
  RunImpl(method, /*mutation=*/false, fn);
}

void MasterService::RunMutation(const char* method, const std::function<Status()>& fn) {
  RunImpl(method, /*mutation=*/true, fn);
}

void MasterService::RunImpl(const char* method, bool mutation,
                            const std::function<Status()>& fn) {
  Status s;
  int64_t logged = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = fn();
    if (mutation) logged = state_->last_sequence();
  }
  if (mutation) {
    // Outside mu_ (state_ itself is never replaced; SyncTo is thread-safe).
    // Synced even if fn failed: its answer may rest on others' unsynced ops.
    Status synced = state_->SyncTo(logged);
    LOG_IF(FATAL, !synced.ok())
        << "master service: " << method << ": op log sync through op " << logged
        << " failed: " << synced.ToString() << ". The namespace in memory is ahead of "
        << "the durable log, so the master cannot continue; restart it to recover "
        << "from the log.";
  }
  if (s.ok()) return;
  if (s.IsPermissionDenied()) {
    permission_denials_.fetch_add(1);
    LOG_EVERY_T(WARNING, 1) << "master service: " << method << " refused ("
                            << permission_denials_.load() << " refusals so far): "
                            << s.ToString();
  } else {
    VLOG(1) << "master service: " << method << " failed: " << s.ToString();
  }
  throw rpc::ToWireError<wire::DfsError>(s);
}

Caller MasterService::CurrentCaller() const {
  const security::Identity& identity = security::CurrentIdentity();
  Caller caller;
  caller.user = identity.user;
  caller.groups = options_.groups_of(identity.user);
  caller.superuser = identity.superuser || caller.InGroup(SuperuserGroup());
  return caller;
}

Status MasterService::RequireSuperuser(const Caller& caller, const char* method) {
  if (caller.superuser) return Status::OK();
  return Status::PermissionDenied("user=" + caller.user + " may not call " + method +
                                  ": only the cluster's daemons may");
}

Status MasterService::CheckWriter(const Caller& caller, const std::string& path) const {
  AccessCheck check;
  check.owner = true;
  return state_->ns().CheckAccess(caller, path, check);
}

Status MasterService::CheckSetOwner(const Caller& caller, const std::string& path,
                                    const std::string& owner, const std::string& group) const {
  if (caller.superuser) return Status::OK();
  AccessCheck check;
  check.owner = true;
  RETURN_NOT_OK(state_->ns().CheckAccess(caller, path, check));
  if (!owner.empty() && owner != caller.user) {
    return Status::PermissionDenied("user=" + caller.user +
                                    " is not a superuser: only a superuser changes an owner");
  }
  if (!group.empty() && !caller.InGroup(group)) {
    return Status::PermissionDenied("user=" + caller.user + " does not belong to group " + group);
  }
  return Status::OK();
}

Result<NewInodeAttributes> MasterService::NewAttributes(const Caller& caller, int32_t umask,
                                                        int32_t mode, bool is_dir) {
  if (umask < -1 || umask > 0777) {
    return Status::InvalidArgument("umask " + std::to_string(umask) + " is outside [0, 0777]");
  }
  if (mode < -1 || mode > kMaxMode) {
    return Status::InvalidArgument("mode " + std::to_string(mode) + " is outside [0, 01777]");
  }
  const int32_t mask = umask >= 0 ? umask : kDefaultUmask;
  NewInodeAttributes a;
  a.owner = caller.user;
  a.mode = (mode >= 0 ? mode : (is_dir ? kDirModeBeforeUmask : kFileModeBeforeUmask)) & ~mask;
  // Missing parents: the directory default less the umask, and the owner
  // may always go on creating below them (HDFS's implicit u+wx).
  a.parent_mode = (kDirModeBeforeUmask & ~mask) | 0300;
  return a;
}

void MasterService::RunWaiting(const char* method, bool mutation,
                               const std::function<Status(bool*)>& fn) {
  while (true) {
    bool wait = false;
    RunImpl(method, mutation, [&] {
      Status s = fn(&wait);
      return wait ? Status::OK() : s;
    });
    if (!wait) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

bool MasterService::InStartupGrace(int64_t now_ms) const {
  return restarted_ && now_ms - start_ms_ < options_.startup_grace_ms;
}

void MasterService::ExpireDeadNodes(int64_t now_ms) {
  std::vector<std::string> dead = chunk_map_.ExpireDeadNodes(now_ms);
  for (const std::string& id : dead) monitor_.ForgetNode(id);
  if (!dead.empty()) monitor_.RequestRound();
}

void MasterService::ExpireLeases(int64_t now_ms) {
  // Not while datanodes are still reporting after a restart: recovery keeps
  // the chunks that have replicas, and reports are what says which do.
  if (InStartupGrace(now_ms)) return;
  std::set<std::string> expired;
  for (auto it = leases_.begin(); it != leases_.end();) {
    if (now_ms - it->second.renewed_ms <= options_.lease_timeout_ms) {
      ++it;
      continue;
    }
    expired.insert(it->first);
    it = leases_.erase(it);
  }
  if (expired.empty()) return;
  std::vector<std::pair<std::string, std::string>> files;  // Path, holder.
  state_->ns().ForEachFile([&](const FileInfo& file, const std::vector<ChunkInfo>&) {
    if (file.under_construction && expired.contains(file.lease_holder)) {
      files.emplace_back(file.path, file.lease_holder);
    }
  });
  for (const auto& [path, holder] : files) {
    Status s = RecoverFileLocked(path, holder);
    if (s.ok()) continue;
    // The op log failed: keep the lease expired, so the next check retries.
    LOG(WARNING) << "master service: lease recovery of " << path << " (holder " << holder
                 << ") failed, will retry: " << s.ToString();
    Lease& lease = leases_[holder];
    lease.renewed_ms = now_ms - options_.lease_timeout_ms - 1;
    Result<FileInfo> file = state_->ns().Stat(path);
    if (lease.user.empty() && file.ok()) lease.user = file->permission.owner;
  }
}

Status MasterService::RecoverFileLocked(const std::string& path, const std::string& holder) {
  ASSIGN_OR_RETURN(FileInfo file, StatFile(state_->ns(), path));
  ASSIGN_OR_RETURN(std::vector<ChunkInfo> chunks, state_->ns().GetChunks(path));
  // The longest prefix of chunks that are stored: a full replica of every
  // chunk but the file's last; for the last, the length most replicas
  // report (ties: the longest).
  size_t kept = 0;
  int64_t last_length = 0;
  for (; kept < chunks.size(); ++kept) {
    std::map<int64_t, int> votes;  // Length -> replicas reporting it.
    for (const auto& [node, length] : chunk_map_.ReplicaLengths(chunks[kept].chunk_id)) {
      if (length >= 0 && length <= file.chunk_size) ++votes[length];
    }
    if (kept + 1 < chunks.size()) {
      if (!votes.contains(file.chunk_size)) break;
      last_length = file.chunk_size;
      continue;
    }
    int best = 0;
    for (const auto& [length, count] : votes) {  // Ascending: ties go to the longest.
      if (count >= best) {
        best = count;
        last_length = length;
      }
    }
    if (best == 0) break;
  }
  if (kept == 0) {
    LOG(WARNING) << "master service: lease of " << holder << " on " << path
                 << " expired; removing the file: "
                 << (chunks.empty() ? "it has no chunk" : "its first chunk has no replica");
    return DeleteLocked(path, /*recursive=*/false);
  }
  std::vector<int64_t> dropped;
  RETURN_NOT_OK(state_->RecoverLease(path, holder, static_cast<int64_t>(kept), last_length,
                                     &dropped));
  for (size_t i = 0; i < kept; ++i) {
    chunk_map_.CompleteChunk(chunks[i].chunk_id, i + 1 == kept ? last_length : file.chunk_size);
  }
  ForgetChunks(dropped);
  monitor_.RequestRound();
  const int64_t recovered = static_cast<int64_t>(kept - 1) * file.chunk_size + last_length;
  LOG(WARNING) << "master service: lease of " << holder << " on " << path
               << " expired; closed it as incomplete with " << recovered << " bytes in " << kept
               << " of its " << chunks.size() << " chunks";
  return Status::OK();
}

void MasterService::ForgetChunks(const std::vector<int64_t>& chunk_ids) {
  for (int64_t chunk_id : chunk_ids) {
    int64_t generation = chunk_map_.Generation(chunk_id).value_or(0);
    for (const std::string& node : chunk_map_.RemoveChunk(chunk_id)) {
      monitor_.QueueDelete(node, chunk_id, generation);
    }
  }
}

std::vector<wire::DatanodeInfo> MasterService::Describe(
    const std::vector<std::string>& ids) const {
  std::vector<wire::DatanodeInfo> out;
  for (const std::string& id : ids) {
    const DatanodeDescriptor* d = chunk_map_.FindDatanode(id);
    if (d == nullptr) continue;
    wire::DatanodeInfo info;
    info.id = d->id;
    info.host = d->host;
    info.data_port = d->data_port;
    info.rack = d->rack;
    out.push_back(std::move(info));
  }
  return out;
}

// ---- Clients ----------------------------------------------------------------

void MasterService::Stat(wire::FileStatus& out, const std::string& path) {
  const Caller caller = CurrentCaller();
  Run("Stat", [&] {
    RETURN_NOT_OK(state_->ns().CheckAccess(caller, path, {}));
    ASSIGN_OR_RETURN(FileInfo info, state_->ns().Stat(path));
    out = ToWire(info);
    return Status::OK();
  });
}

void MasterService::List(std::vector<wire::FileStatus>& out, const std::string& path) {
  const Caller caller = CurrentCaller();
  Run("List", [&] {
    // A directory's entries need READ_EXECUTE on it; a file lists itself.
    Result<FileInfo> info = state_->ns().Stat(path);
    bool dir = info.ok() && info->is_dir;
    RETURN_NOT_OK(state_->ns().CheckAccess(caller, path,
                                           Needs(dir ? Access::kReadExecute : Access::kNone)));
    ASSIGN_OR_RETURN(std::vector<FileInfo> entries, state_->ns().List(path));
    out.clear();
    for (const FileInfo& e : entries) out.push_back(ToWire(e));
    return Status::OK();
  });
}

void MasterService::Mkdirs(const std::string& path, int32_t umask, int32_t mode) {
  const Caller caller = CurrentCaller();
  RunMutation("Mkdirs", [&] {
    ASSIGN_OR_RETURN(NewInodeAttributes attributes,
                     NewAttributes(caller, umask, mode, /*is_dir=*/true));
    // An existing directory only needs the walk to it (mkdir -p).
    Result<FileInfo> existing = state_->ns().Stat(path);
    AccessCheck check;
    if (!existing.ok() || !existing->is_dir) check.ancestor = Access::kWrite;
    RETURN_NOT_OK(state_->ns().CheckAccess(caller, path, check));
    return state_->Mkdirs(path, attributes);
  });
}

void MasterService::SetPermission(const std::string& path, int32_t mode) {
  const Caller caller = CurrentCaller();
  RunMutation("SetPermission", [&] {
    AccessCheck check;
    check.owner = true;
    RETURN_NOT_OK(state_->ns().CheckAccess(caller, path, check));
    return state_->SetPermission(path, mode);
  });
}

void MasterService::SetOwner(const std::string& path, const std::string& owner,
                             const std::string& group) {
  const Caller caller = CurrentCaller();
  RunMutation("SetOwner", [&] {
    if (owner.empty() && group.empty()) {
      return Status::InvalidArgument("SetOwner of " + path + " names neither owner nor group");
    }
    RETURN_NOT_OK(CheckSetOwner(caller, path, owner, group));
    return state_->SetOwner(path, owner, group);
  });
}

void MasterService::WhoAmI(wire::CallerInfo& out) {
  const Caller caller = CurrentCaller();
  out.user = caller.user;
  out.groups = caller.groups;
  out.superuser = caller.superuser;
}

void MasterService::Delete(const std::string& path, bool recursive) {
  const Caller caller = CurrentCaller();
  RunMutation("Delete", [&] {
    AccessCheck check;
    check.parent = Access::kWrite;
    check.sticky = true;
    check.sub = Access::kAll;
    RETURN_NOT_OK(state_->ns().CheckAccess(caller, path, check));
    return DeleteLocked(path, recursive);
  });
}

void MasterService::Rename(const std::string& src, const std::string& dst, bool overwrite) {
  const Caller caller = CurrentCaller();
  RunMutation("Rename", [&] {
    AccessCheck from;
    from.parent = Access::kWrite;
    from.sticky = true;
    RETURN_NOT_OK(state_->ns().CheckAccess(caller, src, from));
    AccessCheck to;
    to.ancestor = Access::kWrite;
    to.sticky = true;  // A replaced destination.
    RETURN_NOT_OK(state_->ns().CheckAccess(caller, dst, to));
    return RenameLocked(src, dst, overwrite);
  });
}

void MasterService::Create(wire::FileStatus& out, const std::string& path,
                           int32_t replication, int64_t chunk_size,
                           const std::string& client_name, const std::string& client_host,
                           int32_t umask, int32_t mode) {
  const Caller caller = CurrentCaller();
  RunMutation("Create", [&] {
    ASSIGN_OR_RETURN(NewInodeAttributes attributes,
                     NewAttributes(caller, umask, mode, /*is_dir=*/false));
    AccessCheck check;
    check.ancestor = Access::kWrite;
    RETURN_NOT_OK(state_->ns().CheckAccess(caller, path, check));
    return CreateLocked(&out, caller, path, replication, chunk_size, client_name, client_host,
                        attributes);
  });
}

void MasterService::AddChunk(wire::LocatedChunk& out, const std::string& path,
                             const std::string& client_name,
                             const std::vector<std::string>& excluded_datanodes,
                             int64_t previous_chunk_id) {
  const Caller caller = CurrentCaller();
  RunWaiting("AddChunk", /*mutation=*/true, [&](bool* wait) {
    RETURN_NOT_OK(CheckWriter(caller, path));
    return AddChunkLocked(&out, path, client_name, excluded_datanodes, previous_chunk_id, wait);
  });
}

void MasterService::AbandonChunk(const std::string& path, const std::string& client_name,
                                 int64_t chunk_id) {
  const Caller caller = CurrentCaller();
  RunMutation("AbandonChunk", [&] {
    RETURN_NOT_OK(CheckWriter(caller, path));
    return AbandonChunkLocked(path, client_name, chunk_id);
  });
}

int64_t MasterService::BumpChunkGeneration(const std::string& path,
                                           const std::string& client_name, int64_t chunk_id) {
  int64_t generation = 0;
  const Caller caller = CurrentCaller();
  RunMutation("BumpChunkGeneration", [&] {
    RETURN_NOT_OK(CheckWriter(caller, path));
    ASSIGN_OR_RETURN(generation, state_->BumpGeneration(path, client_name, chunk_id));
    chunk_map_.SetGeneration(chunk_id, generation);
    LOG(INFO) << "master service: chunk " << chunk_id << " of " << path << " is now generation "
              << generation << " (pipeline recovery by " << client_name << ")";
    return Status::OK();
  });
  return generation;
}

void MasterService::BumpChunkGenerationWithToken(wire::LocatedChunk& out, const std::string& path,
                                                 const std::string& client_name,
                                                 int64_t chunk_id) {
  out = wire::LocatedChunk();
  out.chunk_id = chunk_id;
  out.generation = BumpChunkGeneration(path, client_name, chunk_id);
  AttachChunkToken(&out, chunk_id, out.generation, wire::ChunkAccess::WRITE);
}

bool MasterService::Complete(const std::string& path, const std::string& client_name,
                             int64_t last_chunk_length) {
  bool done = false;
  const Caller caller = CurrentCaller();
  RunMutation("Complete", [&] {
    RETURN_NOT_OK(CheckWriter(caller, path));
    return CompleteLocked(&done, path, client_name, last_chunk_length);
  });
  return done;
}

void MasterService::GetChunkLocations(std::vector<wire::LocatedChunk>& out,
                                      const std::string& path, int64_t offset, int64_t length,
                                      bool include_incomplete) {
  const Caller caller = CurrentCaller();
  RunWaiting("GetChunkLocations", /*mutation=*/false, [&](bool* wait) {
    RETURN_NOT_OK(state_->ns().CheckAccess(caller, path, Needs(Access::kRead)));
    return GetChunkLocationsLocked(&out, path, offset, length, include_incomplete, wait);
  });
}

void MasterService::RenewLease(const std::string& client_name) {
  const Caller caller = CurrentCaller();
  Run("RenewLease", [&] {
    if (client_name.empty() || client_name.size() > kMaxClientNameBytes) {
      return Status::InvalidArgument("client name empty or longer than " +
                                     std::to_string(kMaxClientNameBytes) + " bytes");
    }
    auto it = leases_.find(client_name);
    if (it == leases_.end()) {
      // No file open: nothing to keep alive. (Renewing it would let anyone
      // fill the lease table with names.)
      return Status::OK();
    }
    if (!caller.superuser && it->second.user != caller.user) {
      return Status::PermissionDenied("user=" + caller.user + " may not renew the lease of " +
                                      client_name + ", held by " + it->second.user);
    }
    it->second.renewed_ms = options_.clock_ms();
    return Status::OK();
  });
}

void MasterService::ReportBadReplica(int64_t chunk_id, const std::string& datanode_id) {
  Run("ReportBadReplica", [&] { return ReportBadReplicaLocked(chunk_id, datanode_id); });
}

void MasterService::ListDatanodes(std::vector<wire::DatanodeStatus>& out) {
  Run("ListDatanodes", [&] {
    int64_t now = options_.clock_ms();
    ExpireDeadNodes(now);
    out.clear();
    chunk_map_.ForEachDatanode([&](const DatanodeDescriptor& d, bool alive, int64_t replicas) {
      wire::DatanodeStatus& s = out.emplace_back();
      s.info.id = d.id;
      s.info.host = d.host;
      s.info.data_port = d.data_port;
      s.info.rack = d.rack;
      s.alive = alive;
      s.last_heartbeat_age_ms = std::max<int64_t>(0, now - d.last_heartbeat_ms);
      s.capacity_bytes = d.capacity_bytes;
      s.used_bytes = d.used_bytes;
      s.active_transfers = d.active_transfers;
      s.replica_count = replicas;
      s.heartbeated = d.heartbeated;
      if (!alive) s.__set_dead_reason(d.dead_reason);
    });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.info.id < b.info.id;
    });
    return Status::OK();
  });
}

void MasterService::ListMembers(std::vector<wire::MemberStatus>& out) {
  std::function<std::vector<wire::MemberStatus>()> source;
  {
    std::lock_guard<std::mutex> lock(mu_);
    source = members_source_;
  }
  out = source ? source() : std::vector<wire::MemberStatus>();
}

void MasterService::SetMembersSource(std::function<std::vector<wire::MemberStatus>()> source) {
  std::lock_guard<std::mutex> lock(mu_);
  members_source_ = std::move(source);
}

void MasterService::DatanodeFailed(const std::string& id, const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!chunk_map_.DeclareDead(id, why)) return;
  monitor_.ForgetNode(id);
  monitor_.RequestRound();
}

Status MasterService::CreateLocked(wire::FileStatus* out, const Caller& caller,
                                   const std::string& path, int32_t replication,
                                   int64_t chunk_size, const std::string& client,
                                   const std::string& client_host,
                                   const NewInodeAttributes& attributes) {
  if (replication < 1 || replication > kMaxReplication) {
    return Status::InvalidArgument("replication " + std::to_string(replication) +
                                   " is outside [1, 16]");
  }
  if (chunk_size < kChunkSizeUnit || chunk_size > kMaxChunkSize ||
      chunk_size % kChunkSizeUnit != 0) {
    return Status::InvalidArgument("chunk size " + std::to_string(chunk_size) +
                                   " is not a multiple of 64 KiB in [64 KiB, 1 GiB]");
  }
  if (client.empty()) return Status::InvalidArgument("empty client name");
  auto held = leases_.find(client);
  if (held != leases_.end() && held->second.user != caller.user && !caller.superuser) {
    return Status::PermissionDenied("user=" + caller.user + " may not write as client " + client +
                                    ", whose lease " + held->second.user + " holds");
  }
  Result<FileInfo> existing = state_->ns().Stat(path);
  Result<std::vector<ChunkInfo>> existing_chunks = state_->ns().GetChunks(path);
  if (existing.ok() && !existing->is_dir && existing->under_construction &&
      existing->lease_holder == client && existing->replication == replication &&
      existing->chunk_size == chunk_size && existing_chunks.ok() && existing_chunks->empty()) {
    // This client's own Create, retried after its reply was lost (the
    // client never creates a path it is writing): the same answer again.
    LOG(INFO) << "master service: Create of " << path << " retried by " << client;
  } else {
    RETURN_NOT_OK(state_->Create(path, replication, chunk_size, client, attributes));
  }
  Lease& lease = leases_[client];
  lease.client_host = client_host;
  if (lease.user.empty() || !caller.superuser) lease.user = caller.user;
  lease.renewed_ms = options_.clock_ms();
  ASSIGN_OR_RETURN(FileInfo info, state_->ns().Stat(path));
  *out = ToWire(info);
  return Status::OK();
}

Status MasterService::AddChunkLocked(wire::LocatedChunk* out, const std::string& path,
                                     const std::string& client,
                                     const std::vector<std::string>& excluded,
                                     int64_t previous_chunk_id, bool* wait) {
  const int64_t now = options_.clock_ms();
  ExpireDeadNodes(now);
  ASSIGN_OR_RETURN(FileInfo file, StatFile(state_->ns(), path));
  if (!file.under_construction || file.lease_holder != client) {
    return Status::Aborted(path + " is not open for writing by '" + client + "'");
  }
  ASSIGN_OR_RETURN(std::vector<ChunkInfo> before, state_->ns().GetChunks(path));
  // A retry whose first reply was lost finds the chunk it allocated last.
  bool again = false;
  if (previous_chunk_id >= 0) {
    const int64_t last = before.empty() ? 0 : before.back().chunk_id;
    const int64_t second_last = before.size() < 2 ? 0 : before[before.size() - 2].chunk_id;
    if (!before.empty() && second_last == previous_chunk_id) {
      again = true;
    } else if (last != previous_chunk_id) {
      return Status::Aborted("AddChunk of " + path + " after chunk " +
                             std::to_string(previous_chunk_id) + ", but its last chunk is " +
                             std::to_string(last));
    }
  }
  PlacementRequest request;
  auto lease = leases_.find(client);
  if (lease != leases_.end()) request.writer_host = lease->second.client_host;
  request.replicas_wanted = file.replication;
  request.min_free_bytes = file.chunk_size + options_.datanode_reserved_bytes;
  request.excluded.insert(excluded.begin(), excluded.end());
  std::vector<DatanodeLoad> live = chunk_map_.LiveNodes();
  PlacementResult placed = ChooseTargets(live, request, &rng_);
  if (placed.targets.empty() && !request.excluded.empty()) {
    LOG(WARNING) << "master service: no datanode for a chunk of " << path << " outside the "
                 << request.excluded.size() << " excluded by " << client << "; using them";
    request.excluded.clear();
    placed = ChooseTargets(live, request, &rng_);
  }
  if (static_cast<int32_t>(placed.targets.size()) <
          std::min(options_.min_replicas, file.replication) &&
      InStartupGrace(now)) {
    *wait = true;  // Datanodes are still coming back after the restart.
    return Status::OK();
  }
  if (placed.targets.empty()) {
    return Status::Unavailable("no live datanode with " +
                               std::to_string(request.min_free_bytes) +
                               " bytes free for a chunk of " + path);
  }
  if (placed.degraded) {
    LOG(WARNING) << "master service: degraded placement for " << path << ": "
                 << placed.targets.size() << " of " << file.replication << " replicas";
  }
  ChunkInfo chunk;
  if (again) {
    chunk = before.back();
    before.pop_back();
    LOG(INFO) << "master service: AddChunk of " << path << " retried by " << client
              << ": chunk " << chunk.chunk_id << " again";
  } else {
    ASSIGN_OR_RETURN(chunk, state_->AddChunk(path, client));
    chunk_map_.AddChunk(chunk.chunk_id, chunk.generation, file.replication);
  }
  out->chunk_id = chunk.chunk_id;
  out->generation = chunk.generation;
  out->offset_in_file = static_cast<int64_t>(before.size()) * file.chunk_size;
  out->length = 0;
  out->replicas = Describe(placed.targets);
  AttachChunkToken(out, chunk.chunk_id, chunk.generation, wire::ChunkAccess::WRITE);
  return Status::OK();
}

Status MasterService::CompleteLocked(bool* done, const std::string& path,
                                     const std::string& client, int64_t last_chunk_length) {
  ExpireDeadNodes(options_.clock_ms());
  ASSIGN_OR_RETURN(FileInfo file, StatFile(state_->ns(), path));
  if (file.incomplete) {
    return Status::Aborted(path + " was closed as incomplete by lease recovery (the lease of '" +
                           client + "' expired)");
  }
  if (!file.under_construction) {
    // Closed already: a retry whose first reply was lost — unless lease
    // recovery closed it with another length than this writer had.
    ASSIGN_OR_RETURN(std::vector<ChunkInfo> chunks, state_->ns().GetChunks(path));
    int64_t closed_length = chunks.empty() ? 0 : chunks.back().length;
    if (closed_length != last_chunk_length) {
      return Status::Aborted(path + " was closed with a last chunk of " +
                             std::to_string(closed_length) + " bytes, not " +
                             std::to_string(last_chunk_length) + " (lease expired?)");
    }
    *done = true;
    return Status::OK();
  }
  if (file.lease_holder != client) {
    return Status::Aborted(path + " is leased to '" + file.lease_holder + "', not '" + client +
                           "'");
  }
  ASSIGN_OR_RETURN(std::vector<ChunkInfo> chunks, state_->ns().GetChunks(path));
  if (last_chunk_length < 0 || last_chunk_length > (chunks.empty() ? 0 : file.chunk_size)) {
    return Status::InvalidArgument("bad last chunk length " + std::to_string(last_chunk_length) +
                                   " for " + path);
  }
  size_t needed = std::min(options_.min_replicas, file.replication);
  for (size_t i = 0; i < chunks.size(); ++i) {
    int64_t expected = i + 1 == chunks.size() ? last_chunk_length : file.chunk_size;
    size_t have = chunk_map_.Replicas(chunks[i].chunk_id, expected).size();
    if (have < needed) {
      VLOG(1) << "master service: Complete " << path << ": chunk " << chunks[i].chunk_id
              << " has " << have << " of " << needed << " replicas; not yet";
      *done = false;
      return Status::OK();
    }
  }
  RETURN_NOT_OK(state_->Complete(path, client, last_chunk_length));
  for (size_t i = 0; i < chunks.size(); ++i) {
    int64_t length = i + 1 == chunks.size() ? last_chunk_length : file.chunk_size;
    chunk_map_.CompleteChunk(chunks[i].chunk_id, length);
  }
  *done = true;
  return Status::OK();
}

Status MasterService::AbandonChunkLocked(const std::string& path, const std::string& client,
                                         int64_t chunk_id) {
  ASSIGN_OR_RETURN(FileInfo file, StatFile(state_->ns(), path));
  if (!file.under_construction || file.lease_holder != client) {
    return Status::Aborted(path + " is not open for writing by '" + client + "'");
  }
  ASSIGN_OR_RETURN(std::vector<ChunkInfo> chunks, state_->ns().GetChunks(path));
  if (std::none_of(chunks.begin(), chunks.end(),
                   [&](const ChunkInfo& c) { return c.chunk_id == chunk_id; })) {
    return Status::OK();  // Abandoned already: a retry.
  }
  RETURN_NOT_OK(state_->AbandonChunk(path, client, chunk_id));
  int64_t generation = chunk_map_.Generation(chunk_id).value_or(0);
  for (const std::string& node : chunk_map_.RemoveChunk(chunk_id)) {
    monitor_.QueueDelete(node, chunk_id, generation);
  }
  LOG(WARNING) << "master service: " << client << " abandoned chunk " << chunk_id << " of " << path;
  return Status::OK();
}

Status MasterService::GetChunkLocationsLocked(std::vector<wire::LocatedChunk>* out,
                                              const std::string& path, int64_t offset,
                                              int64_t length, bool include_incomplete,
                                              bool* wait) {
  if (offset < 0 || length < 0) return Status::InvalidArgument("negative offset or length");
  ExpireDeadNodes(options_.clock_ms());
  ASSIGN_OR_RETURN(FileInfo file, StatFile(state_->ns(), path));
  if (file.under_construction) return Status::Unavailable(path + " is being written");
  if (file.incomplete && !include_incomplete) {
    return Status::Corruption(path + " is incomplete: its writer never closed it, and lease "
                              "recovery kept " + std::to_string(file.length) + " bytes");
  }
  ASSIGN_OR_RETURN(std::vector<ChunkInfo> chunks, state_->ns().GetChunks(path));
  int64_t end = length > std::numeric_limits<int64_t>::max() - offset
                    ? std::numeric_limits<int64_t>::max()
                    : offset + length;
  out->clear();
  int64_t chunk_offset = 0;
  for (const ChunkInfo& c : chunks) {
    int64_t chunk_end = chunk_offset + c.length;
    if (chunk_end > offset && chunk_offset < end) {
      wire::LocatedChunk located;
      located.chunk_id = c.chunk_id;
      located.generation = c.generation;
      located.offset_in_file = chunk_offset;
      located.length = c.length;
      located.replicas = Describe(chunk_map_.Replicas(c.chunk_id, c.length));
      located.__set_corrupt_replicas(chunk_map_.CorruptReplicas(c.chunk_id));
      AttachChunkToken(&located, c.chunk_id, c.generation, wire::ChunkAccess::READ);
      if (located.replicas.empty() && InStartupGrace(options_.clock_ms())) {
        *wait = true;  // Its datanodes have not reported since the restart yet.
        return Status::OK();
      }
      out->push_back(std::move(located));
    }
    chunk_offset = chunk_end;
  }
  return Status::OK();
}

Status MasterService::DeleteLocked(const std::string& path, bool recursive) {
  std::vector<int64_t> removed;
  RETURN_NOT_OK(state_->Delete(path, recursive, &removed));
  ForgetChunks(removed);
  return Status::OK();
}

Status MasterService::RenameLocked(const std::string& src, const std::string& dst,
                                   bool overwrite) {
  std::vector<int64_t> replaced;
  RETURN_NOT_OK(state_->Rename(src, dst, overwrite, &replaced));
  ForgetChunks(replaced);
  return Status::OK();
}

Status MasterService::ReportBadReplicaLocked(int64_t chunk_id, const std::string& datanode_id) {
  std::optional<int64_t> generation = chunk_map_.Generation(chunk_id);
  if (!generation) return Status::NotFound("chunk " + std::to_string(chunk_id));
  std::vector<std::string> holders = chunk_map_.Replicas(chunk_id);
  if (std::find(holders.begin(), holders.end(), datanode_id) == holders.end()) {
    return Status::OK();  // Already dropped.
  }
  chunk_map_.MarkCorrupt(chunk_id, datanode_id);
  if (holders.size() == 1) {
    LOG(WARNING) << "master service: replica of chunk " << chunk_id << " on " << datanode_id
                 << " reported bad, but it is the last one: kept";
    return Status::OK();
  }
  LOG(WARNING) << "master service: replica of chunk " << chunk_id << " on " << datanode_id
               << " reported bad: deleting it and re-replicating";
  (void)chunk_map_.RemoveReplica(datanode_id, chunk_id);
  monitor_.QueueDelete(datanode_id, chunk_id, *generation);
  monitor_.RequestRound();
  return Status::OK();
}

// ---- Datanodes --------------------------------------------------------------

void MasterService::RegisterDatanode(const wire::DatanodeInfo& info) {
  const Caller caller = CurrentCaller();
  Run("RegisterDatanode", [&] {
    RETURN_NOT_OK(RequireSuperuser(caller, "RegisterDatanode"));
    constexpr size_t kMaxName = 255;
    if (info.id.empty() || info.host.empty() || info.rack.empty() || info.data_port <= 0 ||
        info.data_port > 65535 || info.id.size() > kMaxName || info.host.size() > kMaxName ||
        info.rack.size() > kMaxName) {
      return Status::InvalidArgument("datanode registration needs an id, a host and a rack "
                                     "of 1 to 255 bytes and a port in [1, 65535]");
    }
    DatanodeDescriptor d;
    d.id = info.id;
    d.host = info.host;
    d.data_port = info.data_port;
    d.rack = info.rack;
    chunk_map_.RegisterDatanode(d, options_.clock_ms());
    return Status::OK();
  });
}

void MasterService::Heartbeat(std::vector<wire::DatanodeCommand>& out,
                              const std::string& datanode_id, int64_t capacity_bytes,
                              int64_t used_bytes, int32_t active_transfers,
                              const std::vector<wire::ChunkReplicaInfo>& lost_replicas) {
  const Caller caller = CurrentCaller();
  RunMutation("Heartbeat", [&] {
    RETURN_NOT_OK(RequireSuperuser(caller, "Heartbeat"));
    return HeartbeatLocked(&out, datanode_id, capacity_bytes, used_bytes, active_transfers,
                           lost_replicas);
  });
}

void MasterService::ChunkReport(const std::string& datanode_id,
                                const std::vector<wire::ChunkReplicaInfo>& chunks) {
  const Caller caller = CurrentCaller();
  Run("ChunkReport", [&] {
    RETURN_NOT_OK(RequireSuperuser(caller, "ChunkReport"));
    return ChunkReportLocked(datanode_id, chunks);
  });
}

void MasterService::ChunkReceived(const std::string& datanode_id,
                                  const wire::ChunkReplicaInfo& chunk) {
  const Caller caller = CurrentCaller();
  Run("ChunkReceived", [&] {
    RETURN_NOT_OK(RequireSuperuser(caller, "ChunkReceived"));
    return ChunkReceivedLocked(datanode_id, chunk);
  });
}

Status MasterService::HeartbeatLocked(std::vector<wire::DatanodeCommand>* out,
                                      const std::string& id, int64_t capacity_bytes,
                                      int64_t used_bytes, int32_t active_transfers,
                                      const std::vector<wire::ChunkReplicaInfo>& lost_replicas) {
  int64_t now = options_.clock_ms();
  ExpireDeadNodes(now);
  RETURN_NOT_OK(chunk_map_.Heartbeat(id, capacity_bytes, used_bytes, active_transfers, now));
  ForgetLostReplicas(id, lost_replicas);
  ExpireLeases(now);
  monitor_.MaybePlan(&chunk_map_, now);
  out->clear();
  for (const ReplicationCommand& c : monitor_.TakeCommands(id)) {
    wire::DatanodeCommand command;
    command.chunk_id = c.chunk_id;
    command.generation = c.generation;
    if (c.kind == ReplicationCommand::Kind::kDelete) {
      command.kind = wire::DatanodeCommandKind::DELETE;
    } else {
      command.kind = wire::DatanodeCommandKind::REPLICATE;
      command.targets = Describe(c.target_ids);
      if (command.targets.size() != c.target_ids.size()) continue;  // A target died; replanned.
      AttachChunkToken(&command, c.chunk_id, c.generation, wire::ChunkAccess::REPLICATE);
    }
    out->push_back(std::move(command));
  }
  return Status::OK();
}

void MasterService::ForgetLostReplicas(const std::string& id,
                                       const std::vector<wire::ChunkReplicaInfo>& lost) {
  for (const wire::ChunkReplicaInfo& r : lost) {
    // Only the generation the map counts: an older copy is not the replica.
    if (chunk_map_.Generation(r.chunk_id) != r.generation) continue;
    if (!chunk_map_.RemoveReplica(id, r.chunk_id)) continue;
    LOG(WARNING) << "master service: " << id << " lost its replica of chunk " << r.chunk_id
                 << " (missing or cut short on its disk); " << chunk_map_.Replicas(r.chunk_id).size()
                 << " left, re-replicating";
    monitor_.RequestRound();
  }
}

Status MasterService::ChunkReportLocked(const std::string& id,
                                        const std::vector<wire::ChunkReplicaInfo>& chunks) {
  ExpireDeadNodes(options_.clock_ms());
  if (chunk_map_.FindDatanode(id) == nullptr) {
    return Status::NotFound("datanode " + id + " is not registered");
  }
  std::vector<ReplicaReport> report;
  report.reserve(chunks.size());
  for (const wire::ChunkReplicaInfo& c : chunks) {
    report.push_back({c.chunk_id, c.generation, c.length});
  }
  std::vector<ReplicaReport> rejected = chunk_map_.ApplyChunkReport(id, report);
  for (const ReplicaReport& r : rejected) monitor_.QueueDelete(id, r.chunk_id, r.generation);
  std::set<int64_t> rejected_ids;
  for (const ReplicaReport& r : rejected) rejected_ids.insert(r.chunk_id);
  for (const ReplicaReport& r : report) {
    if (!rejected_ids.contains(r.chunk_id)) monitor_.OnReplicaAdded(r.chunk_id, id);
  }
  LOG(INFO) << "master service: chunk report from " << id << ": " << report.size()
            << " replicas, " << rejected.size() << " unknown or stale (to delete)";
  return Status::OK();
}

Status MasterService::ChunkReceivedLocked(const std::string& id,
                                          const wire::ChunkReplicaInfo& chunk) {
  ExpireDeadNodes(options_.clock_ms());
  if (chunk_map_.FindDatanode(id) == nullptr) {
    return Status::NotFound("datanode " + id + " is not registered");
  }
  ReplicaReport replica{chunk.chunk_id, chunk.generation, chunk.length};
  if (chunk_map_.AddReplica(id, replica)) {
    monitor_.OnReplicaAdded(chunk.chunk_id, id);
    return Status::OK();
  }
  LOG(INFO) << "master service: " << id << " received chunk " << chunk.chunk_id << " gen "
            << chunk.generation << " length " << chunk.length
            << ", unknown or stale: deleting it";
  monitor_.QueueDelete(id, chunk.chunk_id, chunk.generation);
  return Status::OK();
}

}  // namespace mr::dfs
