// The master's durable op log and checkpoints (docs/DFS.md, "Master state and
// durability"). Files in the log directory, all made of framed records
// (record_framing.h) holding thrift-compact structs from dfs.thrift:
//
//   checkpoint.<seq>   one NamespaceImage that includes ops 1..seq. Written to
//                      checkpoint.<seq>.tmp, fsynced, renamed, dir fsynced.
//   oplog.<first>      OpLogRecords with sequence first, first+1, ... Each
//                      Append is fsynced before it returns.
//
// (<seq> and <first> are zero-padded to 20 digits.) After a checkpoint a new
// empty log starts and older files are removed. Recovery loads the newest
// checkpoint and replays the records after it. A torn or corrupt record at
// the end of the newest log (a crash mid-append) ends the replay: it and
// everything after it are truncated away, with a warning. Damage anywhere
// else (a bad checkpoint, a bad record in an older log, a sequence gap) is
// Corruption and the master does not start.
//
// Every Open starts a fresh log file, so appends never go to a file that was
// cut short.
//
// OpLog knows records, not the namespace: replay hands records to a callback.
// Thread-safety: none; the owner serializes calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

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

  // Opens (creating if needed) the log in `dir`: calls load_checkpoint once
  // with the newest checkpoint (an empty image at op 0 if there is none),
  // then replay for each later record in order. An error from either aborts
  // Open.
  static Result<std::unique_ptr<OpLog>> Open(const std::string& dir,
                                             const LoadCheckpointFn& load_checkpoint,
                                             const ReplayFn& replay);
  ~OpLog();
  OpLog(const OpLog&) = delete;
  OpLog& operator=(const OpLog&) = delete;

  // Durably appends `record`, whose sequence must be last_sequence() + 1.
  // After a write or sync error the log refuses every later Append (the file
  // may hold a partial record; reopening recovers).
  Status Append(const wire::OpLogRecord& record);

  // Durably writes `image` (the namespace as of last_sequence(); this sets
  // its version and last_sequence), then starts a new log and removes the
  // files the image makes obsolete.
  Status WriteCheckpoint(wire::NamespaceImage* image);

  int64_t last_sequence() const { return last_sequence_; }
  // Records appended since the last checkpoint (or since Open).
  int64_t records_since_checkpoint() const { return records_since_checkpoint_; }

 private:
  OpLog(std::string dir, int64_t last_sequence);
  // Starts oplog.<last_sequence_ + 1> for appends.
  Status StartLogFile();
  Status RemoveObsoleteFiles(int64_t checkpoint_sequence);

  const std::string dir_;
  int64_t last_sequence_;
  int64_t records_since_checkpoint_ = 0;
  std::unique_ptr<WritableFile> log_;
  int64_t log_first_sequence_ = 0;
  Status failed_;
};

}  // namespace mr::dfs
