#include "dfs/client/dfs_client.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "cluster/cluster_config.h"
#include "common/text.h"
#include "dfs/dataplane/client.h"
#include "dfs/client/dfs_path_limits.h"
#include "dfs/client/short_circuit.h"
#include "dfs/master/master_client.h"
#include "dfs/master/permission.h"

DEFINE_int32(dfs_client_complete_timeout_ms, 60000,
             "How long a DFS writer's Close retries Complete (with backoff) while the master "
             "waits for enough replicas of the file's chunks; then the write fails.");
DEFINE_int32(dfs_client_lease_renew_interval_ms, 10000,
             "How often a DFS client renews its writer lease while it has files open.");
DEFINE_int32(dfs_client_read_piece_bytes, 1 << 20,
             "Bytes a DFS reader asks a datanode for in one request (and buffers).");
DEFINE_int32(dfs_client_master_retry_ms, 15000,
             "How long a DFS client retries a master call that fails in transport (the master "
             "is down or restarting: connection refused or lost), with backoff, before it "
             "gives up; 0 = no retry.");
DEFINE_int32(dfs_client_chunk_allocation_attempts, 3,
             "How many chunks a DFS writer asks for, in turn, when every datanode of a new "
             "chunk's pipeline refuses it (each refused chunk is abandoned on the master and "
             "its datanodes excluded); then the write fails.");
DEFINE_bool(dfs_client_stream_reads, true,
            "A DFS reader reading sequentially streams the rest of a chunk over one "
            "connection, packet by packet, instead of one request per piece.");
DEFINE_string(dfs_umask, "022",
              "Octal bits a DFS client takes away from the mode of every file and directory it "
              "creates (files 0666, directories 0777 before it), as HDFS's "
              "fs.permissions.umask-mode.");
DEFINE_validator(dfs_umask, [](const char*, const std::string& value) {
  mr::Result<uint16_t> mask = mr::dfs::ParseOctalMode(value);
  return mask.ok() && *mask <= 0777;
});
DEFINE_bool(dfs_client_short_circuit_reads, true,
            "A DFS reader whose chosen replica is on its own host (the client host) reads "
            "the replica's files directly and verifies their checksums itself, instead of "
            "through the datanode's data plane (falling back to it on any error).");

namespace mr::dfs {

namespace {

using Clock = std::chrono::steady_clock;

DfsFileStatus FromWire(const wire::FileStatus& s) {
  DfsFileStatus out;
  out.path = s.path;
  out.is_dir = s.is_dir;
  out.length = s.length;
  out.replication = s.replication;
  out.chunk_size = s.chunk_size;
  out.modification_time_ms = s.modification_time_ms;
  out.under_construction = s.under_construction;
  out.incomplete = s.__isset.incomplete && s.incomplete;
  out.owner = s.owner;
  out.group = s.group;
  out.mode = s.__isset.mode ? static_cast<uint16_t>(s.mode & mr::dfs::kMaxMode) : 0;
  return out;
}

DfsChunk FromWire(const wire::LocatedChunk& c) {
  DfsChunk out;
  out.chunk_id = c.chunk_id;
  out.generation = c.generation;
  out.offset = c.offset_in_file;
  out.length = c.length;
  if (c.__isset.corrupt_replicas) out.corrupt_replicas = c.corrupt_replicas;
  if (c.__isset.access_token) out.access_token = c.access_token;
  for (const wire::DatanodeInfo& d : c.replicas) {
    out.replicas.push_back(DfsReplica{d.id, d.host, d.data_port, d.rack});
  }
  return out;
}

// The pace of retries of a master that cannot be reached: 50 ms doubling to
// 1 s between attempts, for at most --dfs_client_master_retry_ms in all.
class MasterRetry {
 public:
  MasterRetry()
      : start_(Clock::now()),
        deadline_(start_ + std::chrono::milliseconds(std::max(0, FLAGS_dfs_client_master_retry_ms))) {}
  // Whether another attempt fits before the deadline.
  bool TimeLeft() const { return Clock::now() + backoff_ <= deadline_; }
  // Sleeps until the next attempt.
  void Sleep() {
    std::this_thread::sleep_for(backoff_);
    backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(1000));
  }
  int64_t elapsed_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
  }

 private:
  const Clock::time_point start_;
  const Clock::time_point deadline_;
  std::chrono::milliseconds backoff_{50};
};

const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

std::string RandomSuffix() {
  std::random_device rd;
  char suffix[17];
  std::snprintf(suffix, sizeof(suffix), "%08x%08x", rd(), rd());
  return suffix;
}

std::string MakeClientName(const std::string& host) {
  return "dfsclient-" + host + "-" + std::to_string(::getpid()) + "-" + RandomSuffix();
}

// A hidden name beside `target` for the new file of an overwrite:
// "<dir>/.<name>.put-<16 hex>", the name cut short (between UTF-8
// characters, so that the path stays valid) to keep the component and the
// path within the limits.
Result<std::string> OverwriteTempPath(const std::string& target) {
  const size_t slash = target.rfind('/');
  const std::string dir = target.substr(0, slash);  // "" for a file in /.
  const std::string name = target.substr(slash + 1);
  const std::string suffix = ".put-" + RandomSuffix();
  const size_t room = std::min(kMaxDfsComponentBytes, kMaxDfsPathBytes - dir.size() - 1);
  if (room < 1 + suffix.size()) {
    return Status::InvalidArgument("no room beside " + ShortPath(target) +
                                   " for the temporary file of an overwrite");
  }
  std::string temp =
      dir + "/." + std::string(Utf8Prefix(name, room - 1 - suffix.size())) + suffix;
  RETURN_NOT_OK(ValidatePath(temp));
  return temp;
}

Result<int64_t> ParseSetting(const cluster::ClusterConfig& config, const std::string& name) {
  auto it = config.settings.find(name);
  if (it == config.settings.end()) return Status::NotFound("setting " + name);
  int64_t value = 0;
  const std::string& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    return Status::InvalidArgument("bad setting " + name + " '" + text + "'");
  }
  return value;
}

}  // namespace

// ---- DfsClient ---------------------------------------------------------------

Result<std::unique_ptr<DfsClient>> DfsClient::Connect(Options options) {
  if (options.master_host.empty() || options.master_port <= 0 || options.master_port > 65535) {
    return Status::InvalidArgument("dfs client: needs a master host and a port in [1, 65535]");
  }
  if (options.default_replication < 1 || options.default_chunk_size <= 0) {
    return Status::InvalidArgument("dfs client: bad default replication or chunk size");
  }
  if (options.client_name.empty()) options.client_name = MakeClientName(options.client_host);
  // A master being restarted is waited for, as by every call (CallMaster):
  // a task or a tool started during the restart rides through it.
  MasterRetry retry;
  for (int attempt = 0;; ++attempt) {
    Result<std::unique_ptr<MasterClient>> master =
        MasterClient::Connect(options.master_host, options.master_port);
    if (master.ok()) {
      LOG_IF(WARNING, attempt > 0) << options.client_name << ": connected to the master after "
                                   << retry.elapsed_ms() << " ms";
      return std::unique_ptr<DfsClient>(new DfsClient(std::move(options), std::move(*master)));
    }
    if (!master.status().IsUnavailable() || !retry.TimeLeft()) return master.status();
    LOG_IF(WARNING, attempt == 0) << options.client_name << ": " << master.status().ToString()
                                  << "; retrying for up to " << FLAGS_dfs_client_master_retry_ms
                                  << " ms";
    retry.Sleep();
  }
}

Result<DfsClient::Options> DfsClient::OptionsForCluster(const cluster::ClusterConfig& config,
                                                        Options base) {
  const cluster::NodeConfig* master = config.Master();
  if (master == nullptr) return Status::InvalidArgument("no master node");
  base.master_host = master->host;
  base.master_port = master->port;
  Result<int64_t> chunk_size = ParseSetting(config, "chunk_size");
  if (chunk_size.ok()) {
    base.default_chunk_size = *chunk_size;
  } else if (!chunk_size.status().IsNotFound()) {
    return chunk_size.status();
  }
  Result<int64_t> replication = ParseSetting(config, "replication");
  if (replication.ok()) {
    base.default_replication = static_cast<int32_t>(*replication);
  } else if (!replication.status().IsNotFound()) {
    return replication.status();
  }
  if (base.client_rack.empty()) {
    std::set<std::string> racks;
    for (const cluster::NodeConfig& node : config.nodes) {
      if (node.role == cluster::Role::kDatanode && node.host == base.client_host) {
        racks.insert(node.rack);
      }
    }
    if (racks.size() == 1) base.client_rack = *racks.begin();
  }
  return base;
}

Result<std::unique_ptr<DfsClient>> DfsClient::ConnectToCluster(const std::string& cluster_dir,
                                                               Options base) {
  Result<cluster::ClusterConfig> config = cluster::LoadConfig(cluster_dir);
  if (!config.ok()) return config.status();
  Result<Options> options = OptionsForCluster(*config, std::move(base));
  if (!options.ok()) return options.status().Prepend(cluster::ConfigPath(cluster_dir));
  return Connect(std::move(options).value());
}

DfsClient::DfsClient(Options options, std::unique_ptr<MasterClient> master)
    : options_(std::move(options)), master_(std::move(master)), rng_(std::random_device()()) {}

DfsClient::~DfsClient() {
  {
    std::lock_guard<std::mutex> lock(lease_mu_);
    stopping_ = true;
  }
  lease_cv_.notify_all();
  if (lease_thread_.joinable()) lease_thread_.join();
}

template <typename Fn>
auto DfsClient::CallMaster(const char* method, Fn&& fn) {
  MasterRetry retry;
  std::unique_lock<std::mutex> lock(mu_);
  for (int attempt = 0;; ++attempt) {
    auto result = fn(*master_, attempt > 0);
    const Status& s = StatusOf(result);
    const bool transport = !s.ok() && master_->last_call_failed_in_transport();
    if (!transport || !retry.TimeLeft()) {
      if (attempt > 0) {
        LOG(WARNING) << options_.client_name << ": master " << method
                     << (transport ? ": gave up after " : ": answered again after ")
                     << retry.elapsed_ms() << " ms and " << attempt << " retries";
      }
      return result;
    }
    LOG_IF(WARNING, attempt == 0) << options_.client_name << ": master " << method << ": "
                                  << s.ToString() << "; retrying for up to "
                                  << FLAGS_dfs_client_master_retry_ms << " ms";
    lock.unlock();
    retry.Sleep();
    lock.lock();
  }
}

Result<std::unique_ptr<DfsFileWriter>> DfsClient::Create(const std::string& path,
                                                         const CreateOptions& options) {
  RETURN_NOT_OK(ValidateDfsPath(path));
  int32_t replication = options.replication > 0 ? options.replication
                                                : options_.default_replication;
  int64_t chunk_size = options.chunk_size > 0 ? options.chunk_size : options_.default_chunk_size;
  std::string written = path;
  if (options.overwrite) {
    // The old file stays until the new one is closed (Close renames).
    Result<DfsFileStatus> existing = Stat(path);
    if (existing.ok() && existing->is_dir) return Status::AlreadyExists(path + " is a directory");
    if (!existing.ok() && !existing.status().IsNotFound()) return existing.status();
    ASSIGN_OR_RETURN(written, OverwriteTempPath(path));
  }
  // Before the master sees the Create: from here on, a Create of `written`
  // by this client name is a retry of this one (see MasterService).
  RETURN_NOT_OK(WriterOpened(written));
  Result<wire::FileStatus> created =
      CallMaster("Create", [&](MasterClient& master, bool /*retry*/) {
        return master.Create(written, replication, chunk_size, options_.client_name,
                             options_.client_host, umask(), options.mode);
      });
  if (!created.ok()) {
    WriterClosed(written);
    return created.status();
  }
  return std::unique_ptr<DfsFileWriter>(
      new DfsFileWriter(this, written, path, created->chunk_size));
}

Result<std::unique_ptr<DfsFileReader>> DfsClient::Open(const std::string& path) {
  // One RPC: the master answers NotFound, InvalidArgument for a directory
  // and Unavailable for a file being written.
  ASSIGN_OR_RETURN(std::vector<DfsChunk> chunks, GetChunkLocations(path));
  int64_t length = 0;
  for (const DfsChunk& c : chunks) {
    if (c.offset != length || c.length < 0) {
      return Status::Internal(path + ": chunk list has a gap or overlap at offset " +
                              std::to_string(length));
    }
    length += c.length;
  }
  return std::unique_ptr<DfsFileReader>(
      new DfsFileReader(this, path, length, std::move(chunks)));
}

Result<DfsFileStatus> DfsClient::Stat(const std::string& path) {
  RETURN_NOT_OK(ValidateDfsPath(path));
  ASSIGN_OR_RETURN(wire::FileStatus status,
                   CallMaster("Stat", [&](MasterClient& m, bool) { return m.Stat(path); }));
  return FromWire(status);
}

Result<std::vector<DfsFileStatus>> DfsClient::List(const std::string& path) {
  RETURN_NOT_OK(ValidateDfsPath(path));
  ASSIGN_OR_RETURN(std::vector<wire::FileStatus> entries,
                   CallMaster("List", [&](MasterClient& m, bool) { return m.List(path); }));
  std::vector<DfsFileStatus> out;
  out.reserve(entries.size());
  for (const wire::FileStatus& e : entries) out.push_back(FromWire(e));
  std::sort(out.begin(), out.end(),
            [](const DfsFileStatus& a, const DfsFileStatus& b) { return a.path < b.path; });
  return out;
}

int32_t DfsClient::umask() const {
  if (options_.umask >= 0) return options_.umask;
  Result<uint16_t> mask = ParseOctalMode(FLAGS_dfs_umask);  // Checked by its validator.
  return mask.ok() ? *mask : kDefaultUmask;
}

Status DfsClient::Mkdirs(const std::string& path, int32_t mode) {
  RETURN_NOT_OK(ValidateDfsPath(path));
  return CallMaster("Mkdirs", [&](MasterClient& m, bool) { return m.Mkdirs(path, umask(), mode); });
}

Status DfsClient::SetPermission(const std::string& path, int32_t mode) {
  RETURN_NOT_OK(ValidateDfsPath(path));
  return CallMaster("SetPermission",
                    [&](MasterClient& m, bool) { return m.SetPermission(path, mode); });
}

Status DfsClient::SetOwner(const std::string& path, const std::string& owner,
                           const std::string& group) {
  RETURN_NOT_OK(ValidateDfsPath(path));
  return CallMaster("SetOwner",
                    [&](MasterClient& m, bool) { return m.SetOwner(path, owner, group); });
}

Result<DfsCaller> DfsClient::WhoAmI() {
  ASSIGN_OR_RETURN(wire::CallerInfo info,
                   CallMaster("WhoAmI", [&](MasterClient& m, bool) { return m.WhoAmI(); }));
  return DfsCaller{info.user, info.groups, info.superuser};
}

Status DfsClient::Delete(const std::string& path, bool recursive) {
  RETURN_NOT_OK(ValidateDfsPath(path));
  return CallMaster("Delete", [&](MasterClient& m, bool retry) {
    Status s = m.Delete(path, recursive);
    // Gone on a retry: the attempt whose reply was lost deleted it.
    return retry && s.IsNotFound() ? Status::OK() : s;
  });
}

Status DfsClient::Rename(const std::string& src, const std::string& dst) {
  return RenameImpl(src, dst, /*overwrite=*/false);
}

Status DfsClient::RenameImpl(const std::string& src, const std::string& dst, bool overwrite) {
  RETURN_NOT_OK(ValidateDfsPath(src));
  RETURN_NOT_OK(ValidateDfsPath(dst));
  return CallMaster("Rename", [&](MasterClient& m, bool retry) {
    Status s = m.Rename(src, dst, overwrite);
    if (s.ok() || !retry || m.last_call_failed_in_transport()) return s;
    // src gone and dst there on a retry: the attempt whose reply was lost
    // renamed it.
    Result<wire::FileStatus> src_status = m.Stat(src);
    if (!src_status.ok() && src_status.status().IsNotFound() && m.Stat(dst).ok()) {
      return Status::OK();
    }
    return s;
  });
}

Result<std::vector<DfsChunk>> DfsClient::GetChunkLocations(const std::string& path,
                                                           int64_t offset, int64_t length,
                                                           bool include_incomplete) {
  RETURN_NOT_OK(ValidateDfsPath(path));
  ASSIGN_OR_RETURN(std::vector<wire::LocatedChunk> located,
                   CallMaster("GetChunkLocations", [&](MasterClient& m, bool) {
                     return m.GetChunkLocations(path, offset, length, include_incomplete);
                   }));
  std::vector<DfsChunk> chunks;
  chunks.reserve(located.size());
  for (const wire::LocatedChunk& c : located) {
    chunks.push_back(FromWire(c));
    OrderReplicas(&chunks.back().replicas);
  }
  return chunks;
}

Status DfsClient::ReportBadReplica(int64_t chunk_id, const std::string& node_id) {
  return CallMaster("ReportBadReplica",
                    [&](MasterClient& m, bool) { return m.ReportBadReplica(chunk_id, node_id); });
}

void DfsClient::OrderReplicas(std::vector<DfsReplica>* replicas) {
  std::lock_guard<std::mutex> lock(mu_);
  OrderReplicasByDistance({options_.client_host, options_.client_rack, options_.client_datanode_id},
                          replicas, &rng_);
}

Status DfsClient::WriterOpened(const std::string& path) {
  std::lock_guard<std::mutex> lock(lease_mu_);
  if (!open_writers_.insert(path).second) {
    return Status::AlreadyExists(path + " is being written by this client");
  }
  if (!lease_thread_.joinable()) lease_thread_ = std::thread([this] { RenewLeases(); });
  return Status::OK();
}

void DfsClient::WriterClosed(const std::string& path) {
  std::lock_guard<std::mutex> lock(lease_mu_);
  open_writers_.erase(path);
}

void DfsClient::RenewLeases() {
  // Its own connection, so that renewals never wait behind a slow call.
  std::unique_ptr<MasterClient> master;
  std::unique_lock<std::mutex> lock(lease_mu_);
  while (!stopping_) {
    lease_cv_.wait_for(lock,
                       std::chrono::milliseconds(FLAGS_dfs_client_lease_renew_interval_ms));
    if (stopping_ || open_writers_.empty()) continue;
    lock.unlock();
    Status s;
    if (master == nullptr) {
      Result<std::unique_ptr<MasterClient>> connected =
          MasterClient::Connect(options_.master_host, options_.master_port);
      if (connected.ok()) {
        master = std::move(connected).value();
      } else {
        s = connected.status();
      }
    }
    if (master != nullptr) s = master->RenewLease(options_.client_name);
    if (!s.ok()) LOG(WARNING) << options_.client_name << ": lease renewal: " << s.ToString();
    lock.lock();
  }
}

// ---- DfsFileWriter -----------------------------------------------------------

// The current chunk's pipeline. PipelineWriter is not reusable, so a
// recovered pipeline gets a new one.
struct DfsFileWriter::Pipeline {
  int64_t chunk_id = 0;
  int64_t generation = 0;
  std::string access_token;  // The master's WRITE token for (chunk_id, generation).
  std::vector<dataplane::Target> targets;  // The datanodes still in the pipeline.
  std::unique_ptr<dataplane::PipelineWriter> writer;
};

DfsFileWriter::DfsFileWriter(DfsClient* client, std::string path, std::string target,
                             int64_t chunk_size)
    : client_(client), path_(std::move(path)), target_(std::move(target)),
      chunk_size_(chunk_size) {}

DfsFileWriter::~DfsFileWriter() {
  if (!closed_ && !aborted_) {
    LOG(WARNING) << "dfs writer of " << path_ << " destroyed without Close: deleting the file";
    Abort();
  }
}

Status DfsFileWriter::ReplaceTarget() {
  if (path_ == target_) return Status::OK();
  Status s = client_->RenameImpl(path_, target_, /*overwrite=*/true);
  return s.ok() ? s : s.Prepend("replace " + target_);
}

Status DfsFileWriter::Fail(Status status) {
  error_ = status;
  Abort();
  return status;
}

void DfsFileWriter::Abort() {
  if (closed_ || aborted_) return;
  aborted_ = true;
  pipeline_.reset();  // Closes the stream; the datanodes drop their temp replicas.
  if (error_.ok()) error_ = Status::Aborted("write of " + path_ + " aborted");
  Status s = client_->Delete(path_, /*recursive=*/false);
  if (!s.ok() && !s.IsNotFound()) {
    LOG(WARNING) << "dfs writer: could not delete " << path_ << " after a failed write: "
                 << s.ToString();
  }
  client_->WriterClosed(path_);
}

Status DfsFileWriter::StartChunk() {
  const int attempts = std::max(1, FLAGS_dfs_client_chunk_allocation_attempts);
  for (int attempt = 1;; ++attempt) {
    RETURN_NOT_OK(AllocateChunk());
    Status s = OpenPipeline();
    if (s.ok() || s.IsPermissionDenied()) return s;  // Another chunk would be refused too.
    // Every datanode refused: no byte of the chunk is stored anywhere. Give
    // it back, so that the file does not list a chunk with no replica, and
    // try other datanodes.
    for (const dataplane::Target& t : pipeline_->targets) {
      if (std::find(excluded_.begin(), excluded_.end(), t.datanode_id) == excluded_.end()) {
        excluded_.push_back(t.datanode_id);
      }
    }
    const int64_t chunk_id = pipeline_->chunk_id;
    pipeline_.reset();
    Status abandoned = client_->CallMaster("AbandonChunk", [&](MasterClient& m, bool) {
      return m.AbandonChunk(path_, client_->options_.client_name, chunk_id);
    });
    if (!abandoned.ok()) return abandoned.Prepend("abandon chunk " + std::to_string(chunk_id));
    last_chunk_id_ = previous_chunk_id_;
    if (attempt >= attempts) return s;
    LOG(WARNING) << "dfs writer: " << path_ << ": every datanode refused chunk " << chunk_id
                 << " (" << s.ToString() << "); abandoned it, asking for another";
  }
}

Status DfsFileWriter::AllocateChunk() {
  previous_chunk_id_ = last_chunk_id_;
  ASSIGN_OR_RETURN(wire::LocatedChunk located,
                   client_->CallMaster("AddChunk", [&](MasterClient& m, bool) {
                     // A retry names the same previous chunk, so the master
                     // hands out the chunk a lost reply carried.
                     return m.AddChunk(path_, client_->options_.client_name, excluded_,
                                       last_chunk_id_);
                   }));
  last_chunk_id_ = located.chunk_id;
  auto pipeline = std::make_unique<Pipeline>();
  pipeline->chunk_id = located.chunk_id;
  pipeline->generation = located.generation;
  pipeline->access_token = located.access_token;
  for (const wire::DatanodeInfo& d : located.replicas) {
    dataplane::Target t;
    t.datanode_id = d.id;
    t.host = d.host;
    t.port = d.data_port;
    pipeline->targets.push_back(std::move(t));
  }
  pipeline_ = std::move(pipeline);
  chunk_bytes_ = 0;
  replay_.clear();
  return Status::OK();
}

std::string DfsFileWriter::ChunkName() const {
  return "chunk " + std::to_string(pipeline_->chunk_id) + " of " + path_;
}

Status DfsFileWriter::DropFailedDatanode(const Status& cause) {
  std::vector<dataplane::Target>& targets = pipeline_->targets;
  const std::string failed =
      pipeline_->writer == nullptr ? "" : pipeline_->writer->failed_datanode_id();
  auto it = std::find_if(targets.begin(), targets.end(),
                         [&](const dataplane::Target& t) { return t.datanode_id == failed; });
  if (it == targets.end() || targets.size() == 1) {
    // A datanode's own refusal names it already ("datanode X is full: ...").
    bool named = failed.empty() || cause.message().find("datanode " + failed) != std::string::npos;
    return cause.Prepend(ChunkName() + (named ? "" : " (datanode " + failed + ")"));
  }
  LOG(WARNING) << "dfs writer: " << ChunkName() << ": datanode " << failed << " failed ("
               << cause.ToString() << "); going on without it";
  targets.erase(it);
  if (std::find(excluded_.begin(), excluded_.end(), failed) == excluded_.end()) {
    excluded_.push_back(failed);
  }
  return Status::OK();
}

Status DfsFileWriter::OpenPipeline() {
  int busy_retries = 0;
  while (true) {
    pipeline_->writer =
        std::make_unique<dataplane::PipelineWriter>(dataplane::PipelineWriter::Options());
    // Every datanode checks it has room for a whole chunk before it joins.
    Status s = pipeline_->writer->Open(pipeline_->chunk_id, pipeline_->generation,
                                       pipeline_->targets, static_cast<uint64_t>(chunk_size_),
                                       pipeline_->access_token);
    if (s.ok()) return Status::OK();
    // A refused token is no datanode's fault: dropping nodes would not help.
    if (s.IsPermissionDenied()) return s.Prepend(ChunkName());
    // After a failure, a datanode may still be tearing down the broken
    // stream of this chunk ("already being written"): give it a moment.
    if (s.IsAlreadyExists() && ++busy_retries <= 20) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    RETURN_NOT_OK(DropFailedDatanode(s));
  }
}

Status DfsFileWriter::RecoverPipeline(Status cause) {
  while (true) {
    RETURN_NOT_OK(DropFailedDatanode(cause));
    // The dropped node may hold a copy (partial, or even finalized); under a
    // new generation the master rejects it when the node reports it.
    Result<wire::LocatedChunk> bumped =
        client_->CallMaster("BumpChunkGeneration", [&](MasterClient& m, bool) {
          return m.BumpChunkGenerationWithToken(path_, client_->options_.client_name,
                                                pipeline_->chunk_id);
        });
    if (!bumped.ok()) return bumped.status().Prepend("recover " + ChunkName());
    LOG(INFO) << "dfs writer: " << ChunkName() << ": pipeline recovered as generation "
              << bumped->generation;
    pipeline_->generation = bumped->generation;
    pipeline_->access_token = bumped->access_token;
    RETURN_NOT_OK(OpenPipeline());
    cause = pipeline_->writer->Write(replay_);
    if (cause.ok()) return Status::OK();
  }
}

Status DfsFileWriter::FinishChunk() {
  Status s = pipeline_->writer->Close();
  while (!s.ok()) {
    s = RecoverPipeline(s);
    if (!s.ok()) break;
    s = pipeline_->writer->Close();
  }
  pipeline_.reset();
  replay_.clear();
  return s;
}

Status DfsFileWriter::Write(std::string_view data) {
  RETURN_NOT_OK(error_);
  if (closed_) return Status::Aborted(path_ + " is closed");
  while (!data.empty()) {
    if (pipeline_ != nullptr && chunk_bytes_ == chunk_size_) {
      Status s = FinishChunk();
      if (!s.ok()) return Fail(s);
    }
    if (pipeline_ == nullptr) {
      Status s = StartChunk();
      if (!s.ok()) return Fail(s);
    }
    size_t take = std::min<size_t>(chunk_size_ - chunk_bytes_, data.size());
    replay_.append(data.substr(0, take));
    Status s = pipeline_->writer->Write(data.substr(0, take));
    if (!s.ok()) s = RecoverPipeline(s);
    if (!s.ok()) return Fail(s);
    chunk_bytes_ += static_cast<int64_t>(take);
    bytes_written_ += static_cast<int64_t>(take);
    data.remove_prefix(take);
  }
  return Status::OK();
}

Status DfsFileWriter::Close() {
  if (closed_) return Status::OK();
  RETURN_NOT_OK(error_);
  // Chunks are started only for data, so only an empty file has none.
  int64_t last_chunk_length = bytes_written_ == 0 ? 0 : chunk_bytes_;
  if (pipeline_ != nullptr) {
    Status s = FinishChunk();
    if (!s.ok()) return Fail(s);
  }
  const Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(FLAGS_dfs_client_complete_timeout_ms);
  std::chrono::milliseconds backoff(10);
  Status last = Status::OK();
  while (true) {
    Result<bool> done = client_->CallMaster("Complete", [&](MasterClient& m, bool) {
      return m.Complete(path_, client_->options_.client_name, last_chunk_length);
    });
    if (done.ok() && *done) break;
    // Complete is idempotent, so a lost connection is retried too.
    if (!done.ok() && done.status().code() != Status::Code::kUnavailable) {
      return Fail(done.status().Prepend("close " + path_));
    }
    last = done.ok() ? Status::Unavailable("chunks not yet replicated enough") : done.status();
    if (Clock::now() + backoff > deadline) {
      return Fail(last.Prepend("close " + path_ + ": gave up after " +
                               std::to_string(FLAGS_dfs_client_complete_timeout_ms) + " ms"));
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(500));
  }
  // The lease ends with Complete; a failed replace deletes the closed
  // temporary file and keeps the old one.
  client_->WriterClosed(path_);
  Status replaced = ReplaceTarget();
  if (!replaced.ok()) {
    Status s = client_->Delete(path_, /*recursive=*/false);
    LOG_IF(WARNING, !s.ok() && !s.IsNotFound())
        << "dfs writer: could not delete " << path_ << ": " << s.ToString();
    error_ = replaced;
    aborted_ = true;
    return replaced;
  }
  closed_ = true;
  return Status::OK();
}

// ---- DfsFileReader -----------------------------------------------------------

DfsFileReader::DfsFileReader(DfsClient* client, std::string path, int64_t length,
                             std::vector<DfsChunk> chunks)
    : client_(client), path_(std::move(path)), length_(length), chunks_(std::move(chunks)) {}

DfsFileReader::~DfsFileReader() = default;

void DfsFileReader::ReportCorrupt(size_t index, const std::string& node_id) {
  failed_nodes_.insert(node_id);
  Status reported = client_->ReportBadReplica(chunks_[index].chunk_id, node_id);
  if (!reported.ok()) LOG(WARNING) << "dfs reader: reporting bad replica: " << reported.ToString();
}

bool DfsFileReader::OpenLocal(size_t index) {
  if (local_ != nullptr && local_chunk_ == index) return true;
  local_.reset();
  if (!FLAGS_dfs_client_short_circuit_reads || remote_chunks_.count(index) != 0) return false;
  // The replica a remote read would choose: the nearest that has not failed.
  const DfsChunk& chunk = chunks_[index];
  auto usable = [&](const DfsReplica& r) { return failed_nodes_.count(r.node_id) == 0; };
  auto chosen = std::find_if(chunk.replicas.begin(), chunk.replicas.end(), usable);
  if (chosen == chunk.replicas.end() || chosen->host != client_->options().client_host ||
      refusing_nodes_.count(chosen->node_id) != 0) {
    return false;
  }
  Result<std::unique_ptr<ChunkReader>> opened = OpenLocalReplica(*chosen, chunk);
  if (!opened.ok()) {
    const Status& s = opened.status();
    if (s.IsCorruption()) {
      // The files disagree on the length: as a mismatch found by reading.
      ReportCorrupt(index, chosen->node_id);
    } else if (s.IsAborted()) {
      refusing_nodes_.insert(chosen->node_id);  // Turned off there.
    }
    remote_chunks_.insert(index);
    // A datanode that refuses was told to: not worth a warning per chunk.
    LOG_IF(WARNING, !s.IsAborted())
        << "dfs reader: " << path_ << " chunk " << chunk.chunk_id << ": no short-circuit read on "
        << chosen->node_id << " (" << s.ToString() << "); reading over the data plane";
    return false;
  }
  local_ = std::move(*opened);
  local_chunk_ = index;
  local_node_ = chosen->node_id;
  return true;
}

bool DfsFileReader::ReadLocally(size_t index, int64_t offset, int64_t n, std::string* out) {
  if (!OpenLocal(index)) return false;
  Status s = local_->Read(static_cast<uint64_t>(offset), static_cast<uint64_t>(n), out);
  if (s.ok()) {
    short_circuit_bytes_ += n;
    return true;
  }
  const int64_t chunk_id = chunks_[index].chunk_id;
  if (s.IsCorruption()) {
    // As the remote path: reported, and its datanode tried last from now on.
    ReportCorrupt(index, local_node_);
  }
  LOG(WARNING) << "dfs reader: " << path_ << " chunk " << chunk_id << ": short-circuit read on "
               << local_node_ << " failed: " << s.ToString() << "; reading over the data plane";
  remote_chunks_.insert(index);
  local_.reset();
  return false;
}

Status DfsFileReader::Seek(int64_t offset) {
  if (offset < 0 || offset > length_) {
    return Status::InvalidArgument("seek to " + std::to_string(offset) + " outside " + path_ +
                                   " (length " + std::to_string(length_) + ")");
  }
  position_ = offset;
  return Status::OK();
}

Status DfsFileReader::Read(size_t n, std::string* out) {
  // *out's old bytes are kept until this call produces some: they may be
  // swapped into buffer_ as storage for the next packet (see below).
  bool replaced = false;
  while ((!replaced || out->size() < n) && n > 0 && position_ < length_) {
    int64_t buffer_end = buffer_offset_ + static_cast<int64_t>(buffer_.size());
    if (position_ < buffer_offset_ || position_ >= buffer_end) {
      Status s = FillBuffer(position_);
      if (!s.ok()) {
        out->clear();
        return s;
      }
      buffer_end = buffer_offset_ + static_cast<int64_t>(buffer_.size());
    }
    size_t take = std::min<size_t>(n - (replaced ? out->size() : 0), buffer_end - position_);
    if (!replaced && position_ == buffer_offset_ && take == buffer_.size()) {
      // The whole buffer is wanted: hand it over instead of copying it. The
      // next packet is received into *out's old storage, whose size is kept
      // so that it is not zero-filled first; no offset maps into it.
      out->swap(buffer_);
      buffer_offset_ = -static_cast<int64_t>(buffer_.size()) - 1;
    } else {
      if (!replaced) out->clear();
      out->append(buffer_, position_ - buffer_offset_, take);
    }
    replaced = true;
    position_ += static_cast<int64_t>(take);
  }
  if (!replaced) out->clear();
  return Status::OK();
}

Status DfsFileReader::ReadAt(int64_t offset, size_t n, std::string* out) {
  if (offset < 0) return Status::InvalidArgument("negative offset in " + path_);
  int64_t saved = position_;
  position_ = std::min(offset, length_);
  Status s = Read(n, out);
  position_ = saved;
  return s;
}

Status DfsFileReader::FillBuffer(int64_t offset) {
  // The chunk holding `offset`: the last one starting at or before it.
  auto it = std::upper_bound(chunks_.begin(), chunks_.end(), offset,
                             [](int64_t o, const DfsChunk& c) { return o < c.offset; });
  if (it == chunks_.begin()) return Status::Internal("no chunk at offset in " + path_);
  size_t index = static_cast<size_t>(it - chunks_.begin()) - 1;
  const DfsChunk& chunk = chunks_[index];
  int64_t in_chunk = offset - chunk.offset;
  // A sequential reader takes the next packet of its open stream. On any
  // error the piece is read again below, with failover and bad-replica
  // reports; the stream is not reopened then.
  const bool sequential = offset == filled_end_;
  if (stream_ != nullptr && (stream_chunk_ != index || stream_->done() ||
                             stream_->position() != static_cast<uint64_t>(in_chunk))) {
    stream_.reset();  // Seeked away or finished.
  }
  buffer_offset_ = offset;
  filled_end_ = -1;
  int64_t piece = std::min<int64_t>(std::max(FLAGS_dfs_client_read_piece_bytes, 4096),
                                    chunk.length - in_chunk);
  if (ReadLocally(index, in_chunk, piece, &buffer_)) {
    stream_.reset();
    filled_end_ = offset + piece;
    return Status::OK();
  }
  if (stream_ != nullptr) {
    Status s = stream_->Next(&buffer_);
    if (s.ok() && !buffer_.empty()) {
      filled_end_ = offset + static_cast<int64_t>(buffer_.size());
      return Status::OK();
    }
    stream_.reset();
  }
  buffer_.clear();
  Status s = ReadFromReplicas(index, in_chunk, piece, &buffer_);
  if (!s.ok()) {
    buffer_.clear();
    return s;
  }
  filled_end_ = offset + piece;
  // The second sequential piece in a row: stream the rest of the chunk from
  // the replica that served it (ReadFromReplicas put it first).
  if (sequential && in_chunk + piece < chunk.length && FLAGS_dfs_client_stream_reads) {
    const DfsReplica& replica = chunks_[index].replicas.front();
    auto stream = std::make_unique<dataplane::ChunkReadStream>();
    if (stream->Open(replica.host, replica.port, chunk.chunk_id, chunk.generation,
                     in_chunk + piece, chunk.length - in_chunk - piece,
                     dataplane::DefaultIoTimeout(), chunk.access_token)
            .ok()) {
      stream_ = std::move(stream);
      stream_chunk_ = index;
    }
  }
  return Status::OK();
}

Status DfsFileReader::ReadFromReplicas(size_t index, int64_t offset, int64_t n,
                                       std::string* out) {
  std::string where = path_ + " chunk " + std::to_string(chunks_[index].chunk_id);
  Status last = Status::Unavailable(where + ": no live replica");
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<DfsReplica>& replicas = chunks_[index].replicas;
    // Datanodes that already failed this reader go last.
    std::stable_partition(replicas.begin(), replicas.end(), [&](const DfsReplica& r) {
      return failed_nodes_.count(r.node_id) == 0;
    });
    for (size_t r = 0; r < replicas.size(); ++r) {
      const DfsReplica& replica = replicas[r];
      Status s = dataplane::ReadChunkFrom(replica.host, replica.port, chunks_[index].chunk_id,
                                          chunks_[index].generation, offset, n, out, nullptr,
                                          dataplane::DefaultIoTimeout(),
                                          chunks_[index].access_token);
      if (s.ok() && static_cast<int64_t>(out->size()) == n) {
        // Keep reading from the replica that works.
        if (r > 0) std::rotate(replicas.begin(), replicas.begin() + r, replicas.begin() + r + 1);
        return Status::OK();
      }
      if (s.ok()) {
        s = Status::IOError("short read: " + std::to_string(out->size()) + " of " +
                            std::to_string(n) + " bytes");
      }
      last = s.Prepend(where + " from " + replica.node_id);
      if (s.IsPermissionDenied()) {
        // The token, not the replica: it expired (a long read), or the
        // chunk moved on. Fetch the location and a fresh token below.
        VLOG(1) << "dfs reader: " << where << ": token refused (" << s.ToString()
                << "); fetching the location again";
        break;
      }
      failed_nodes_.insert(replica.node_id);
      if (s.IsCorruption()) ReportCorrupt(index, replica.node_id);
      LOG(WARNING) << "dfs reader: " << where << " from " << replica.node_id << " ("
                   << replica.host << ":" << replica.port << "): " << s.ToString()
                   << (r + 1 < replicas.size() ? "; trying the next replica" : "");
    }
    if (attempt == 1) break;
    // Every replica failed, or the token was refused: the master may know
    // newer locations, and signs a new token.
    Result<std::vector<DfsChunk>> fresh =
        client_->GetChunkLocations(path_, chunks_[index].offset, 1);
    if (!fresh.ok() || fresh->empty() || (*fresh)[0].chunk_id != chunks_[index].chunk_id) break;
    chunks_[index].replicas = std::move((*fresh)[0].replicas);
    chunks_[index].access_token = std::move((*fresh)[0].access_token);
  }
  out->clear();
  return last;
}

}  // namespace mr::dfs
