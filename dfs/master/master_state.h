// MasterState: the namespace made durable. Each mutation is built as an
// OpLogRecord, checked against the namespace (MutationMode::kCheck), written
// to the op log (not yet fsynced) and then applied; a failed op changes
// nothing. A mutation is durable once SyncTo(its sequence) returns — e.g.
// SyncTo(last_sequence()) after it — and callers must not acknowledge it
// before (group commit, op_log.h: many mutations share one fsync). Until
// then it is visible to later calls but could be lost in a crash. Open
// recovers the state from the newest checkpoint plus the log (op_log.h),
// through the same apply code (op_apply.h). Also owns the chunk id counter
// (never reused).
//
// Format: Open on a directory with no checkpoint and no op (a new master,
// as HDFS's namenode -format) creates Options::initial_directories, owned
// by the superuser, and writes them as checkpoint 0: every later start loads
// them from there (a log from before permissions, with records but no
// checkpoint, gets none).
//
// Thread-safety: every method but SyncTo and log_sync_count must be
// serialized by the caller (the master service holds its mutex around
// them). SyncTo may be called without that lock, concurrently with them,
// and should be: the fsync then runs while other mutations proceed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "dfs/master/namespace.h"
#include "dfs/master/op_log.h"

namespace mr::dfs {

namespace wire {
class OpLogRecord;
}

class MasterState {
 public:
  struct Options {
    std::string dir;  // The op log and checkpoint directory.
    // Write a checkpoint after this many logged ops; 0 = only on Checkpoint().
    int64_t checkpoint_every_ops = 10000;
    // Op log files are preallocated with zeros in steps of this many bytes
    // (OpLog::Open); 0 = plain appends.
    int64_t log_preallocate_bytes = OpLog::kDefaultPreallocateBytes;
    // Milliseconds since the epoch for mtimes; the wall clock if unset.
    std::function<int64_t()> clock_ms;
    // What a new namespace holds besides "/" (the superuser's, 0755): a
    // world-writable /tmp with the sticky bit, /user for home directories,
    // and MapReduce's staging root (scheduler/client/staging.h), where each
    // submitter makes its job's own directory.
    struct InitialDirectory {
      std::string path;
      uint16_t mode;
    };
    std::vector<InitialDirectory> initial_directories = {
        {"/tmp", 01777}, {"/user", 0755}, {"/.staging", 01777}};
  };

  static Result<std::unique_ptr<MasterState>> Open(Options options);

  // Recovery mode (dfs_master --recover; OpLog::Salvage): rebuilds the
  // longest consistent prefix of the history in options.dir and installs it
  // as a checkpoint, moving the old files aside. Its chunk id counter skips
  // kSalvageChunkIdGap ids past any seen, dropped ops included, so that no
  // new chunk takes the id of a replica a dropped op left on a datanode.
  // Returns what was kept and dropped, one line each, for the operator.
  static Result<std::vector<std::string>> Recover(Options options);
  static constexpr int64_t kSalvageChunkIdGap = 1 << 20;

  // New inodes get `attributes` (Namespace::Mkdirs, Create); the group is
  // their parent's.
  Status Mkdirs(const std::string& path, const NewInodeAttributes& attributes = {});
  Status Create(const std::string& path, int32_t replication, int64_t chunk_size,
                const std::string& client, const NewInodeAttributes& attributes = {});
  // chmod; chown/chgrp (an empty owner or group is left as it is).
  Status SetPermission(const std::string& path, int32_t mode);
  Status SetOwner(const std::string& path, const std::string& owner, const std::string& group);
  // Allocates a new chunk id (generation 1) and appends it to the file.
  Result<ChunkInfo> AddChunk(const std::string& path, const std::string& client);
  // Removes `chunk_id`, the last chunk of `path` (Namespace::AbandonChunk).
  Status AbandonChunk(const std::string& path, const std::string& client, int64_t chunk_id);
  // Gives `chunk_id`, the last chunk of `path`, its generation + 1 and
  // returns it (Namespace::SetChunkGeneration).
  Result<int64_t> BumpGeneration(const std::string& path, const std::string& client,
                                 int64_t chunk_id);
  Status Complete(const std::string& path, const std::string& client, int64_t last_chunk_length);
  // Lease recovery of `client`'s file: closed as incomplete with its first
  // `chunks_kept` chunks (Namespace::RecoverLease).
  Status RecoverLease(const std::string& path, const std::string& client, int64_t chunks_kept,
                      int64_t last_chunk_length, std::vector<int64_t>* removed_chunks);
  // These append the ids of the chunks they remove to *removed_chunks if
  // given.
  Status Delete(const std::string& path, bool recursive,
                std::vector<int64_t>* removed_chunks = nullptr);
  Status Rename(const std::string& src, const std::string& dst, bool overwrite = false,
                std::vector<int64_t>* removed_chunks = nullptr);

  // Writes a checkpoint of the current namespace and starts a new log
  // (syncing the log first).
  Status Checkpoint();

  // Returns once ops 1..sequence are durable (OpLog::SyncTo). An error is
  // sticky: applied ops may then be lost, so the caller cannot go on.
  Status SyncTo(int64_t sequence) { return log_->SyncTo(sequence); }
  // Log fsyncs made by SyncTo so far.
  int64_t log_sync_count() const { return log_->sync_count(); }

  const Namespace& ns() const { return ns_; }
  int64_t next_chunk_id() const { return next_chunk_id_; }
  int64_t last_sequence() const { return log_->last_sequence(); }

 private:
  explicit MasterState(Options options) : options_(std::move(options)) {}
  // Fills in sequence and time, then check, log (no sync), apply; maybe
  // checkpoints. Returns the sequence to pass to SyncTo.
  Result<int64_t> Commit(wire::OpLogRecord* record,
                         std::vector<int64_t>* removed_chunks = nullptr);
  Status Replay(const wire::OpLogRecord& record);
  Status LoadCheckpoint(const wire::NamespaceImage& image);
  // See "Format" above.
  Status Format();

  const Options options_;
  Namespace ns_;
  std::unique_ptr<OpLog> log_;
  int64_t next_chunk_id_ = 1;
  // Whether the checkpoint loaded was a real one (not the empty op 0 of a
  // directory without any).
  bool loaded_checkpoint_ = false;
};

}  // namespace mr::dfs
