// The master's durable op log and checkpoints (docs/DFS.md, "Master state and
// durability"). Files in the log directory, all made of framed records
// (record_framing.h) holding thrift-compact structs from dfs.thrift:
//
//   checkpoint.<seq>   one NamespaceImage that includes ops 1..seq. Written to
//                      checkpoint.<seq>.tmp, fsynced, renamed, dir fsynced.
//   oplog.<first>      OpLogRecords with sequence first, first+1, ... A
//                      record is durable once SyncTo(its sequence) returns.
//
// (<seq> and <first> are zero-padded to 20 digits.) After a checkpoint a new
// empty log starts, and files older than the checkpoint before it are
// removed: the previous checkpoint and every log since it stay, so that a
// damaged newest checkpoint can be rebuilt from the older one (HDFS keeps
// two images likewise). Recovery loads the newest checkpoint and replays
// the records after it. A torn or corrupt record at the end of the newest
// log (a crash mid-append) ends the replay: it and everything after it are
// truncated away, with a warning. Damage anywhere else is Corruption naming
// the file, the offset, the op and the reason, and the master does not
// start: a bad checkpoint, a bad record in an older log, a sequence gap, a
// record that cannot be applied, or a damaged record in the newest log that
// intact records follow (not what a crash leaves: acknowledged ops may come
// after it).
//
// Recovery mode (dfs_master --recover; HDFS's NameNode -recover): Salvage
// rebuilds the longest consistent prefix of the history, and
// InstallSalvagedImage makes it the directory's only history, moving every
// old file aside into _salvaged-<time>/.
//
// Preallocation (as Kudu's and RocksDB's WALs): a new log file is first
// filled with `preallocate_bytes` of zeros and fdatasynced, and grown by as
// much again, with zeros, whenever a record would not fit. Records overwrite
// the zeros, so the fdatasync that makes them durable writes data blocks
// only: the file's size and block map do not change (an appended file's
// fdatasync must also write its inode: three device writes instead of two
// here, bench/RESULTS.md). Not fallocate: ext4 converts an unwritten
// extent, a metadata write, the first time each block is written. The
// records end at the first zero header (record_framing.h); the zeros after
// it are a clean end. Recovery truncates the newest log to its last valid
// record (padding, or bytes of unacknowledged records a crash left beyond a
// hole, go too), as that file is an older log once Open starts the next.
//
// Every Open starts a fresh log file, so appends never go to a file that was
// cut short, nor over bytes a crash left behind.
//
// OpLog knows records, not the namespace: replay hands records to a callback.
//
// Group commit (HDFS's logEdit/logSync): AppendNoSync writes a record to the
// file (one pwrite(2), no fsync) and SyncTo makes it durable. Concurrent
// SyncTo callers share fdatasyncs: one of them syncs everything written so
// far, the others wait for it, so N appends cost far fewer than N syncs.
//
// Thread-safety: AppendNoSync and WriteCheckpoint must be serialized by the
// owner (the sequence of the next record depends on the last one). SyncTo
// and the accessors may be called from any thread at any time, concurrently
// with those. Locks: write_mu_ guards the file and the append state,
// sync_mu_ the sync state; they are never held together, and the fdatasync
// runs under neither, so appends go on while a sync is in flight. Whoever
// holds the sync token (a flag under sync_mu_: one syncer, or a checkpoint)
// is the only one to fdatasync or replace the file descriptor.
#pragma once

#include <cstdint>
#include <functional>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/file.h"
#include "common/status.h"

namespace mr::dfs {

namespace wire {
class NamespaceImage;
class OpLogRecord;
}  // namespace wire

class OpLog {
 public:
  using LoadCheckpointFn = std::function<Status(const wire::NamespaceImage&)>;
  using ReplayFn = std::function<Status(const wire::OpLogRecord&)>;

  // What Salvage kept and dropped.
  struct SalvageReport {
    int64_t checkpoint_sequence = 0;  // The checkpoint it started from (0: none).
    int64_t last_sequence = 0;        // The last op kept.
    std::vector<std::string> notes;   // Checkpoints skipped, torn tails dropped.
    std::string stop_reason;          // Why the replay stopped early; empty: it did not.
    int64_t dropped_ops = 0;          // Readable records from the stop on...
    int64_t dropped_last_sequence = 0;  // ...the last of them.
    uint64_t dropped_bytes = 0;       // Damaged bytes from the stop on (not zero padding).
    // The highest chunk id counter any readable record or checkpoint carried,
    // dropped ones included: chunks they allocated may be on datanodes.
    int64_t max_next_chunk_id = 0;
  };

  static constexpr int64_t kDefaultPreallocateBytes = 1 << 20;

  // Opens (creating if needed) the log in `dir`: calls load_checkpoint once
  // with the newest checkpoint (an empty image at op 0 if there is none),
  // then replay for each later record in order. An error from either aborts
  // Open. New log files are preallocated in steps of `preallocate_bytes` of
  // zeros; 0 = plain appends.
  static Result<std::unique_ptr<OpLog>> Open(const std::string& dir,
                                             const LoadCheckpointFn& load_checkpoint,
                                             const ReplayFn& replay,
                                             int64_t preallocate_bytes = kDefaultPreallocateBytes);
  // Recovery mode: loads the newest checkpoint that loads (older ones if it
  // does not, an empty image at op 0 if none does), then replays the records
  // after it up to the first one that is damaged, missing, out of sequence
  // or cannot be applied. Changes no file. load_checkpoint may be called
  // more than once, and must start from an empty state each time.
  static Result<SalvageReport> Salvage(const std::string& dir,
                                       const LoadCheckpointFn& load_checkpoint,
                                       const ReplayFn& replay);
  // Writes `image` (last_sequence and next_chunk_id set by the caller) as
  // the checkpoint of `dir`, after moving every checkpoint and log there
  // into a new <dir>/_salvaged-<UTC time>/, whose path it returns.
  static Result<std::string> InstallSalvagedImage(const std::string& dir,
                                                  wire::NamespaceImage* image);

  ~OpLog();
  OpLog(const OpLog&) = delete;
  OpLog& operator=(const OpLog&) = delete;

  // Writes `record`, whose sequence must be last_sequence() + 1, to the log
  // file (the kernel has it; it is not yet durable: see SyncTo) and makes it
  // last_sequence(). After a write or sync error the log refuses every later
  // append (the file may hold a partial record; reopening recovers).
  Status AppendNoSync(const wire::OpLogRecord& record);

  // Returns once every record through `sequence` (<= last_sequence() when
  // called) is durable. If none is syncing, the caller becomes the syncer:
  // it fdatasyncs everything written so far, for itself and the waiters.
  // A sync error is sticky: this call and every later one return it (what
  // the file holds is then unknown).
  Status SyncTo(int64_t sequence);

  // Syncs the log, then durably writes `image` (the namespace as of
  // last_sequence(); this sets its version and last_sequence), starts a new
  // log and removes the files the image makes obsolete. SyncTo callers wait
  // while it runs.
  Status WriteCheckpoint(wire::NamespaceImage* image);

  int64_t last_sequence() const;
  // Records appended since the last checkpoint (or since Open).
  int64_t records_since_checkpoint() const;
  // The highest sequence known durable.
  int64_t synced_sequence() const;
  // fdatasyncs of the log since Open, by SyncTo and checkpoints (for tests
  // and stats).
  int64_t sync_count() const;

 private:
  class Replayer;

  OpLog(std::string dir, int64_t last_sequence, int64_t preallocate_bytes);
  // Starts oplog.<last_sequence_ + 1> for appends, preallocated and synced;
  // call with write_mu_ held and no fd_ open.
  Status StartLogFile();
  // Writes zeros to fd_ from allocated_end_ up to at least `end`, in steps
  // of preallocate_bytes_ (not synced). Call with write_mu_ held.
  Status Preallocate(int64_t end);
  Status RemoveObsoleteFiles(int64_t checkpoint_sequence);
  // Waits until no thread holds the sync token, then takes it: the holder
  // alone may fdatasync or replace fd_. ReleaseSyncToken records the result.
  void AcquireSyncToken();
  void ReleaseSyncToken(const Status& status, int64_t synced);
  // fdatasyncs fd_ (writes are unbuffered: there is nothing to flush) and
  // returns the sequence now durable. Call holding the sync token.
  Result<int64_t> SyncHoldingToken();
  // WriteCheckpoint after the sync.
  Status WriteCheckpointHoldingToken(wire::NamespaceImage* image);

  const std::string dir_;
  const int64_t preallocate_bytes_;

  mutable std::mutex write_mu_;
  int fd_ = -1;                              // GUARDED_BY(write_mu_); replaced only with the sync token.
  int64_t log_first_sequence_ = 0;           // GUARDED_BY(write_mu_)
  int64_t write_offset_ = 0;                 // GUARDED_BY(write_mu_): end of the records in fd_.
  int64_t allocated_end_ = 0;                // GUARDED_BY(write_mu_): end of the zeros written.
  int64_t last_sequence_;                    // GUARDED_BY(write_mu_)
  int64_t records_since_checkpoint_ = 0;     // GUARDED_BY(write_mu_)
  Status failed_;                            // GUARDED_BY(write_mu_): refuses appends.

  mutable std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  bool sync_token_held_ = false;             // GUARDED_BY(sync_mu_)
  int64_t synced_sequence_;                  // GUARDED_BY(sync_mu_)
  int64_t sync_count_ = 0;                   // GUARDED_BY(sync_mu_)
  Status sync_error_;                        // GUARDED_BY(sync_mu_): sticky.
};

}  // namespace mr::dfs
