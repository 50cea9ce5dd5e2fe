// The DFS client library (docs/DFS.md): the one API through which the engine,
// the scheduler and mrdfs use the distributed file system.
//
//   ASSIGN_OR_RETURN(auto dfs, DfsClient::ConnectToCluster(cluster_dir));
//   ASSIGN_OR_RETURN(auto out, dfs->Create("/jobs/1/part-0", {}));
//   RETURN_NOT_OK(out->Write(bytes));
//   RETURN_NOT_OK(out->Close());           // The file is visible from here on.
//   ASSIGN_OR_RETURN(auto in, dfs->Open("/jobs/1/part-0"));
//   RETURN_NOT_OK(in->Read(1 << 20, &buffer));
//
// Guarantees:
// - A file becomes visible to readers when Close() returns OK: every chunk
//   then has the master's minimum of acknowledged replicas. A write that
//   fails (or a writer destroyed before Close) deletes the file it created,
//   so a failed write leaves no file behind. If the writer's process dies
//   (or cannot reach the master to delete it), the master's lease recovery
//   closes the file as incomplete or removes it (docs/DFS.md, "Leases"):
//   it never looks complete, and Open refuses it.
// - Create with overwrite writes a hidden temporary file beside the target
//   and renames it over the old file only once it is closed, so a failed
//   overwrite leaves the old file as it was.
// - Reads go to the nearest replica (replica_order.h), verify checksums on
//   the datanode, and fail over to the next replica on any error; a replica
//   whose checksum fails is reported to the master. A replica on the
//   client's own host is read straight from its files, its checksums
//   verified by the client (short_circuit.h, --dfs_client_short_circuit_reads),
//   with the same failover and reports.
// - Permissions are the master's to check (docs/DFS.md, "Permissions"): a
//   call the caller may not make is PermissionDenied. New files and
//   directories get the mode asked for (default 0666 and 0777) less the
//   client's umask (Options::umask, default --dfs_umask, 022).
// - Paths are absolute and normalized (dfs_path.h), at most 4096 bytes with
//   components of at most 255 (dfs_path_limits.h); anything else is
//   InvalidArgument before any RPC.
// - Writers hold the master's lease for their files; a background thread
//   renews it every --dfs_client_lease_renew_interval_ms while any writer of
//   this client is open.
// - A master restart does not fail calls: a master call that fails in
//   transport (connection refused or lost, no reply) is retried with backoff
//   on a reopened connection for up to --dfs_client_master_retry_ms. Calls
//   that are not idempotent by nature are made safe to repeat (docs/DFS.md,
//   "Master restarts"): Create and AddChunk are recognized by the master as
//   retries; Delete answering NotFound, or Rename finding src gone and dst
//   there, on a retry means the first attempt did it. Connect waits for an
//   unreachable master the same way, so that a task or tool started during
//   a master restart rides through it too.
//
// Thread-safety: a DfsClient may be used by several threads; its calls to
// the master are serialized by one mutex (for parallel metadata throughput,
// use one DfsClient per thread). A DfsFileWriter or DfsFileReader belongs to
// one thread at a time, and must not outlive the DfsClient that made it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"
#include "dfs/client/dfs_client_types.h"
#include "dfs/client/replica_order.h"

namespace mr::cluster {
struct ClusterConfig;
}

namespace mr::dfs {

class MasterClient;
class ChunkReader;
namespace dataplane {
class ChunkReadStream;
}
class DfsFileWriter;
class DfsFileReader;

class DfsClient {
 public:
  struct Options {
    std::string master_host;
    int master_port = 0;
    // Where this client runs: the master places the first replica of a
    // chunk there if it is a datanode, and reads prefer replicas there.
    std::string client_host = "127.0.0.1";
    // The client's rack if known (empty: taken from a replica on client_host).
    std::string client_rack;
    // The datanode beside the client, if any (a task on a cluster node):
    // reads prefer its replicas over others on the same host.
    std::string client_datanode_id;
    int32_t default_replication = 3;
    int64_t default_chunk_size = int64_t{64} << 20;
    // Lease holder name; empty: a unique one is made up.
    std::string client_name;
    // Bits taken away from the mode of every file and directory this client
    // creates (HDFS's fs.permissions.umask-mode); -1: --dfs_umask.
    int32_t umask = -1;
  };

  // Connects to the master; Unavailable if it cannot be reached within
  // --dfs_client_master_retry_ms (retried with backoff meanwhile).
  static Result<std::unique_ptr<DfsClient>> Connect(Options options);
  // Reads <cluster_dir>/cluster.conf: the master's address, the cluster's
  // chunk_size (and replication, if set), and the client's rack if
  // `client_host` is the host of datanodes of a single rack. `base` supplies
  // the other options.
  static Result<std::unique_ptr<DfsClient>> ConnectToCluster(const std::string& cluster_dir,
                                                             Options base);
  static Result<std::unique_ptr<DfsClient>> ConnectToCluster(const std::string& cluster_dir) {
    return ConnectToCluster(cluster_dir, Options());
  }
  // The options ConnectToCluster uses, from a parsed cluster.conf.
  static Result<Options> OptionsForCluster(const cluster::ClusterConfig& config, Options base);
  ~DfsClient();
  DfsClient(const DfsClient&) = delete;
  DfsClient& operator=(const DfsClient&) = delete;

  struct CreateOptions {
    int32_t replication = 0;  // 0: Options::default_replication.
    int64_t chunk_size = 0;   // 0: Options::default_chunk_size.
    // Replace an existing file (`put -f`): the new one is written to a
    // hidden temporary name in the same directory (".<name>.put-<random>")
    // and renamed over the old file by Close, in one master op. A directory
    // is never replaced.
    bool overwrite = false;
    // The file's mode before the umask; -1: 0666.
    int32_t mode = -1;
  };
  // Creates `path` (and missing parents) for writing. AlreadyExists if it
  // exists and !overwrite.
  Result<std::unique_ptr<DfsFileWriter>> Create(const std::string& path,
                                                const CreateOptions& options);
  // Opens a closed file for reading. NotFound if missing; InvalidArgument
  // for a directory; Unavailable while a writer holds it; Corruption for an
  // incomplete file (DfsFileStatus::incomplete).
  Result<std::unique_ptr<DfsFileReader>> Open(const std::string& path);

  Result<DfsFileStatus> Stat(const std::string& path);
  // The entries of a directory (a file lists as itself), sorted by path.
  Result<std::vector<DfsFileStatus>> List(const std::string& path);
  // mkdir -p; the directory gets `mode` (-1: 0777) less the umask, missing
  // parents 0777 less the umask (plus u+wx).
  Status Mkdirs(const std::string& path, int32_t mode = -1);
  // chmod (mode in [0, 01777]): the owner or a superuser.
  Status SetPermission(const std::string& path, int32_t mode);
  // chown/chgrp: an empty owner or group is left as it is. Changing the
  // owner takes a superuser; the owner may pick one of its own groups.
  Status SetOwner(const std::string& path, const std::string& owner, const std::string& group);
  // Who the master takes this client for.
  Result<DfsCaller> WhoAmI();
  Status Delete(const std::string& path, bool recursive);
  Status Rename(const std::string& src, const std::string& dst);
  // The chunks of a closed file that overlap [offset, offset + length), with
  // their live replicas, nearest first. An incomplete file is Corruption
  // unless `include_incomplete` (fsck and stat look at its chunks).
  Result<std::vector<DfsChunk>> GetChunkLocations(const std::string& path, int64_t offset = 0,
                                                  int64_t length = INT64_MAX,
                                                  bool include_incomplete = false);

  const Options& options() const { return options_; }
  // The umask this client applies (Options::umask, or --dfs_umask).
  int32_t umask() const;

 private:
  friend class DfsFileWriter;
  friend class DfsFileReader;

  explicit DfsClient(Options options, std::unique_ptr<MasterClient> master);

  // Lease renewal runs on a background thread (with its own master
  // connection) while any writer is open. `path` is the writer's file:
  // WriterOpened is AlreadyExists if a writer of this client has it open,
  // so that a Create the master sees twice from this client is a retry.
  Status WriterOpened(const std::string& path);
  void WriterClosed(const std::string& path);
  void RenewLeases();

  // Runs fn(*master_, retry) under mu_ and returns what it returns (a Status
  // or a Result). While that fails in transport, and for at most
  // --dfs_client_master_retry_ms in all, sleeps (mu_ released, backoff from
  // 50 ms to 1 s) and runs it again with retry = true: the master may or may
  // not have executed the earlier attempt, which fn must allow for.
  template <typename Fn>
  auto CallMaster(const char* method, Fn&& fn);

  // Master calls used by writers and readers.
  Status ReportBadReplica(int64_t chunk_id, const std::string& node_id);
  // Rename, or with `overwrite` a closed file replacing a closed file.
  Status RenameImpl(const std::string& src, const std::string& dst, bool overwrite);
  void OrderReplicas(std::vector<DfsReplica>* replicas);

  const Options options_;
  std::mutex mu_;
  std::unique_ptr<MasterClient> master_;  // Guarded by mu_.
  std::mt19937_64 rng_;                   // Guarded by mu_.

  std::mutex lease_mu_;
  std::condition_variable lease_cv_;
  std::set<std::string> open_writers_;  // Their paths. Guarded by lease_mu_.
  bool stopping_ = false;  // Guarded by lease_mu_.
  std::thread lease_thread_;  // Started with the first writer; joined by ~DfsClient.
};

// Writes one new file, chunk by chunk: each chunk is allocated by the master
// (AddChunk) and streamed through the datanode pipeline it names; a new
// chunk starts when the current one holds chunk_size bytes. If a datanode
// of the pipeline refuses it (down, full) or fails during the chunk, the
// chunk is rewritten to the remaining datanodes under a new generation from
// the master (its bytes so far are kept in memory for that: one chunk per
// open writer) and the master re-replicates it later; Close then waits
// until the master counts its minimum of replicas. A new chunk that every
// datanode of its pipeline refuses is abandoned on the master and another
// one asked for (--dfs_client_chunk_allocation_attempts). Datanodes dropped so are excluded from the pipelines
// of this writer's later chunks (AddChunk's excluded list; the master uses
// them anyway if no other datanode is left). Anything else fails the write
// and deletes the file.
// Thread-safety: one thread at a time.
class DfsFileWriter {
 public:
  ~DfsFileWriter();  // Without a successful Close(): aborts (deletes the file).
  DfsFileWriter(const DfsFileWriter&) = delete;
  DfsFileWriter& operator=(const DfsFileWriter&) = delete;

  Status Write(std::string_view data);
  // Finishes the last chunk and closes the file on the master, retrying with
  // backoff (bounded by --dfs_client_complete_timeout_ms) until every chunk
  // has enough replicas. After an error the file is gone.
  Status Close();
  // Gives up: the file is deleted (with overwrite: the temporary file; the
  // old file stays). Idempotent.
  void Abort();

  // The file asked for (with overwrite, the temporary file is written).
  const std::string& path() const { return target_; }
  int64_t bytes_written() const { return bytes_written_; }

 private:
  friend class DfsClient;
  // Writes `path`; Close renames it over `target` if they differ.
  DfsFileWriter(DfsClient* client, std::string path, std::string target, int64_t chunk_size);

  // Close's last step with overwrite: the temporary file replaces target_.
  Status ReplaceTarget();
  // Allocates the next chunk and opens its pipeline. A chunk whose every
  // datanode refuses is abandoned on the master, its datanodes excluded,
  // and another one asked for (a few times).
  Status StartChunk();
  // AddChunk: the next chunk and its pipeline (not yet open) in pipeline_.
  Status AllocateChunk();
  Status FinishChunk();
  // Opens pipeline_->writer to its targets, leaving out datanodes that
  // refuse (while at least one remains).
  Status OpenPipeline();
  // After `cause` broke the pipeline: drops the datanode at fault, gets a
  // new generation for the chunk from the master (so that the dropped
  // node's copy, if it ever reports one, is stale), reopens to the rest and
  // resends the chunk's bytes so far under that generation.
  Status RecoverPipeline(Status cause);
  Status DropFailedDatanode(const Status& cause);
  std::string ChunkName() const;
  Status Fail(Status status);

  DfsClient* const client_;
  const std::string path_;    // The file written.
  const std::string target_;  // The file asked for.
  const int64_t chunk_size_;
  struct Pipeline;
  std::unique_ptr<Pipeline> pipeline_;  // The current chunk's, if any.
  std::vector<std::string> excluded_;   // Datanodes that failed this writer.
  int64_t last_chunk_id_ = 0;           // The file's last chunk as AddChunk gave it (0: none).
  int64_t previous_chunk_id_ = 0;       // The one before it.
  int64_t chunk_bytes_ = 0;             // Bytes in the current chunk.
  std::string replay_;                  // Those bytes, to resend after a failure.
  int64_t bytes_written_ = 0;
  bool closed_ = false;
  bool aborted_ = false;
  Status error_;
};

// Reads one closed file. The chunk list is fetched at Open; bytes come from
// datanodes in pieces of at most --dfs_client_read_piece_bytes, kept in a
// buffer so that small sequential reads cost no extra round trips. When the
// chosen replica of a chunk is on the client's host (Options::client_host)
// and --dfs_client_short_circuit_reads is on, the pieces are read from the
// replica's files instead (short_circuit.h); any failure there falls back to
// the data plane for that chunk, and a checksum mismatch is reported and the
// replica avoided as on the remote path.
// Thread-safety: one thread at a time.
class DfsFileReader {
 public:
  ~DfsFileReader();
  DfsFileReader(const DfsFileReader&) = delete;
  DfsFileReader& operator=(const DfsFileReader&) = delete;

  // Replaces *out with up to n bytes from the current position and advances
  // it; *out is shorter than n only at the end of the file (empty there).
  Status Read(size_t n, std::string* out);
  // Same at `offset`, without moving the position.
  Status ReadAt(int64_t offset, size_t n, std::string* out);
  // InvalidArgument if offset is outside [0, length].
  Status Seek(int64_t offset);

  int64_t length() const { return length_; }
  int64_t position() const { return position_; }
  const std::string& path() const { return path_; }
  const std::vector<DfsChunk>& chunks() const { return chunks_; }
  // Bytes this reader got by short-circuit reads (the rest came over the
  // data plane), as HDFS's ReadStatistics.
  int64_t short_circuit_bytes() const { return short_circuit_bytes_; }

 private:
  friend class DfsClient;
  DfsFileReader(DfsClient* client, std::string path, int64_t length,
                std::vector<DfsChunk> chunks);

  // Fills buffer_ with bytes from `offset` to at most the end of its chunk.
  Status FillBuffer(int64_t offset);
  // Reads [offset, offset + n) of chunk `index` from its replicas in order.
  Status ReadFromReplicas(size_t index, int64_t offset, int64_t n, std::string* out);
  // A short-circuit read of [offset, offset + n) of chunk `index` into *out,
  // if its chosen replica is local and that works; false: read it remotely.
  bool ReadLocally(size_t index, int64_t offset, int64_t n, std::string* out);
  // Opens local_ on chunk `index`'s chosen replica if it is on this host.
  bool OpenLocal(size_t index);
  // A replica of chunk `index` failed its checksums: tell the master, and
  // try that datanode last from now on.
  void ReportCorrupt(size_t index, const std::string& node_id);

  DfsClient* const client_;
  const std::string path_;
  const int64_t length_;
  std::vector<DfsChunk> chunks_;  // Sorted by offset, replicas nearest first.
  std::set<std::string> failed_nodes_;  // Datanodes a read from failed; tried last.
  int64_t position_ = 0;
  int64_t buffer_offset_ = 0;     // File offset of buffer_[0].
  std::string buffer_;
  int64_t filled_end_ = -1;       // File offset after the last FillBuffer's bytes (-1: failed).
  // Sequential reads stream the rest of a chunk from the replica that served
  // the previous piece (FillBuffer); null when none is open.
  std::unique_ptr<dataplane::ChunkReadStream> stream_;
  size_t stream_chunk_ = 0;       // Index in chunks_ of stream_'s chunk.
  // The open local replica of chunk local_chunk_ (short-circuit reads).
  std::unique_ptr<ChunkReader> local_;
  size_t local_chunk_ = 0;
  std::string local_node_;        // Its datanode.
  std::set<size_t> remote_chunks_;  // Chunks whose short-circuit read failed.
  std::set<std::string> refusing_nodes_;  // Datanodes that refused one.
  int64_t short_circuit_bytes_ = 0;
};

}  // namespace mr::dfs
