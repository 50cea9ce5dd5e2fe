#include "dfs/master/op_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>

#include <glog/logging.h>

#include "dfs_types.h"
#include "dfs/master/record_framing.h"
#include "rpc/thrift_codec.h"

namespace mr::dfs {

namespace {

constexpr int32_t kImageVersion = 1;
constexpr char kCheckpointPrefix[] = "checkpoint.";
constexpr char kLogPrefix[] = "oplog.";
constexpr char kTempSuffix[] = ".tmp";

std::string FileName(const char* prefix, int64_t sequence) {
  char digits[32];
  std::snprintf(digits, sizeof(digits), "%020lld", static_cast<long long>(sequence));
  return std::string(prefix) + digits;
}

// The sequence in "<prefix><digits>", or -1 if `name` is not of that form.
int64_t ParseFileName(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) != prefix) return -1;
  std::string_view digits = name.substr(prefix.size());
  int64_t value = -1;
  auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (err != std::errc() || end != digits.data() + digits.size() || value < 0) return -1;
  return value;
}

Status TruncateAndSync(const std::string& path, uint64_t size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  int rc = ::ftruncate(fd, static_cast<off_t>(size));
  if (rc == 0) rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Status::OK() : Status::FromErrno(err, "truncate " + path);
}

// The files of a log directory by sequence.
struct DirContents {
  std::map<int64_t, std::string> checkpoints;
  std::map<int64_t, std::string> logs;
};

Result<DirContents> ScanDir(const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> paths, ListInputFiles(dir));
  DirContents contents;
  for (const std::string& path : paths) {
    std::string name = BaseName(path);
    if (name.ends_with(kTempSuffix)) {
      RETURN_NOT_OK(RemoveAll(path));  // An unfinished checkpoint.
    } else if (int64_t seq = ParseFileName(name, kCheckpointPrefix); seq >= 0) {
      contents.checkpoints[seq] = path;
    } else if (int64_t first = ParseFileName(name, kLogPrefix); first >= 0) {
      contents.logs[first] = path;
    }
  }
  return contents;
}

Status LoadCheckpoint(const std::string& path, wire::NamespaceImage* image) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path));
  ParsedRecords parsed = ParseFramedRecords(bytes);
  if (parsed.payloads.size() != 1 || !parsed.tail_problem.empty() ||
      parsed.valid_bytes != bytes.size()) {
    return Status::Corruption(path + ": not one intact record " + parsed.tail_problem);
  }
  RETURN_NOT_OK(DecodeThrift(parsed.payloads[0], path, image));
  if (image->version != kImageVersion) {
    return Status::Corruption(path + ": unknown image version " + std::to_string(image->version));
  }
  return Status::OK();
}

// Replays the records of one log file after *last_sequence. A bad tail is
// truncated away if `is_newest`, else it is Corruption. The newest log also
// loses its zero padding: it becomes an older log once Open starts the next
// one, and no later append must ever land after stale bytes.
Status ReplayLogFile(const std::string& path, bool is_newest, int64_t* last_sequence,
                     const OpLog::ReplayFn& replay) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path));
  ParsedRecords parsed = ParseFramedRecords(bytes);
  for (std::string_view payload : parsed.payloads) {
    wire::OpLogRecord record;
    RETURN_NOT_OK(DecodeThrift(payload, path, &record));
    if (record.sequence <= *last_sequence) continue;  // In the checkpoint.
    if (record.sequence != *last_sequence + 1) {
      return Status::Corruption(path + ": op " + std::to_string(record.sequence) +
                                " follows op " + std::to_string(*last_sequence));
    }
    RETURN_NOT_OK_PREPEND(replay(record), path + ": replaying op " + std::to_string(record.sequence));
    *last_sequence = record.sequence;
  }
  if (!parsed.tail_problem.empty()) {
    if (!is_newest) return Status::Corruption(path + ": " + parsed.tail_problem);
    LOG(WARNING) << path << ": " << parsed.tail_problem << "; dropping the last "
                 << bytes.size() - parsed.valid_bytes << " bytes (an interrupted append)";
  } else if (!is_newest || parsed.valid_bytes == bytes.size()) {
    return Status::OK();
  }
  return TruncateAndSync(path, parsed.valid_bytes);
}

Status WriteAllAt(int fd, std::string_view data, int64_t offset, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "write " + what);
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
  return Status::OK();
}

}  // namespace

OpLog::OpLog(std::string dir, int64_t last_sequence, int64_t preallocate_bytes)
    : dir_(std::move(dir)),
      preallocate_bytes_(preallocate_bytes),
      last_sequence_(last_sequence),
      synced_sequence_(last_sequence) {}

OpLog::~OpLog() {
  if (fd_ < 0) return;
  Status s = SyncTo(last_sequence());  // Owners sync before replying; this is a safety net.
  if (!s.ok()) LOG(WARNING) << "syncing op log at close: " << s.ToString();
  if (::close(fd_) != 0) LOG(WARNING) << "closing op log: " << std::strerror(errno);
}

Result<std::unique_ptr<OpLog>> OpLog::Open(const std::string& dir,
                                           const LoadCheckpointFn& load_checkpoint,
                                           const ReplayFn& replay, int64_t preallocate_bytes) {
  if (preallocate_bytes < 0) return Status::InvalidArgument("op log: negative preallocation");
  RETURN_NOT_OK(CreateDirs(dir));
  ASSIGN_OR_RETURN(DirContents contents, ScanDir(dir));
  wire::NamespaceImage checkpoint;
  checkpoint.version = kImageVersion;
  if (!contents.checkpoints.empty()) {
    RETURN_NOT_OK(LoadCheckpoint(contents.checkpoints.rbegin()->second, &checkpoint));
  }
  RETURN_NOT_OK_PREPEND(load_checkpoint(checkpoint), "loading checkpoint");
  int64_t last_sequence = checkpoint.last_sequence;
  // Logs that start after the checkpoint, plus the one it ends in.
  auto first_needed = contents.logs.upper_bound(last_sequence + 1);
  if (first_needed != contents.logs.begin()) --first_needed;
  if (first_needed != contents.logs.end() && first_needed->first > last_sequence + 1) {
    return Status::Corruption(dir + ": no log holds op " + std::to_string(last_sequence + 1));
  }
  for (auto it = first_needed; it != contents.logs.end(); ++it) {
    bool is_newest = std::next(it) == contents.logs.end();
    RETURN_NOT_OK(ReplayLogFile(it->second, is_newest, &last_sequence, replay));
  }
  std::unique_ptr<OpLog> log(new OpLog(dir, last_sequence, preallocate_bytes));
  {
    std::lock_guard<std::mutex> lock(log->write_mu_);
    RETURN_NOT_OK(log->StartLogFile());
  }
  LOG(INFO) << dir << ": recovered through op " << last_sequence << " (checkpoint at op "
            << checkpoint.last_sequence << ")";
  return log;
}

Status OpLog::StartLogFile() {
  int64_t first = last_sequence_ + 1;
  std::string path = JoinPath(dir_, FileName(kLogPrefix, first));
  // A log named for the next op holds no intact record (recovery replayed
  // and truncated it), so it is safe to replace.
  if (PathExists(path)) RETURN_NOT_OK(RemoveAll(path));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "create " + path);
  fd_ = fd;
  log_first_sequence_ = first;
  write_offset_ = 0;
  allocated_end_ = 0;
  if (preallocate_bytes_ > 0) {
    // Synced now, so that the first records' fdatasyncs find the size and
    // the blocks already on disk.
    RETURN_NOT_OK(Preallocate(preallocate_bytes_));
    if (::fdatasync(fd_) != 0) return Status::FromErrno(errno, "fdatasync " + path);
  }
  return SyncDir(dir_);
}

Status OpLog::Preallocate(int64_t end) {
  static const std::string kZeros(64 << 10, '\0');
  int64_t target = allocated_end_;
  while (target < end) target += preallocate_bytes_;
  std::string what = "op log " + std::to_string(log_first_sequence_) + " preallocation";
  for (int64_t at = allocated_end_; at < target;) {
    int64_t n = std::min<int64_t>(target - at, static_cast<int64_t>(kZeros.size()));
    RETURN_NOT_OK(WriteAllAt(fd_, std::string_view(kZeros).substr(0, n), at, what));
    at += n;
  }
  allocated_end_ = target;
  return Status::OK();
}

int64_t OpLog::last_sequence() const {
  std::lock_guard<std::mutex> lock(write_mu_);
  return last_sequence_;
}

int64_t OpLog::records_since_checkpoint() const {
  std::lock_guard<std::mutex> lock(write_mu_);
  return records_since_checkpoint_;
}

int64_t OpLog::synced_sequence() const {
  std::lock_guard<std::mutex> lock(sync_mu_);
  return synced_sequence_;
}

int64_t OpLog::sync_count() const {
  std::lock_guard<std::mutex> lock(sync_mu_);
  return sync_count_;
}

Status OpLog::AppendNoSync(const wire::OpLogRecord& record) {
  std::string frame;
  AppendFramedRecord(&frame, EncodeThrift(record));
  std::lock_guard<std::mutex> lock(write_mu_);
  RETURN_NOT_OK(failed_);
  if (record.sequence != last_sequence_ + 1) {
    return Status::Internal("op log append of op " + std::to_string(record.sequence) +
                            " after op " + std::to_string(last_sequence_));
  }
  int64_t end = write_offset_ + static_cast<int64_t>(frame.size());
  // Zeros first, as they may overlap the record's tail. They are not
  // synced here: the next fdatasync carries them with the record (one
  // slower sync per preallocate_bytes_ of log, not a stall of appends).
  Status s = preallocate_bytes_ > 0 && end > allocated_end_ ? Preallocate(end) : Status::OK();
  // Unbuffered: once pwrite(2) returns, a concurrent syncer's fdatasync
  // covers the record, and there is no user-space buffer to race on.
  if (s.ok()) s = WriteAllAt(fd_, frame, write_offset_, "op log " + std::to_string(log_first_sequence_));
  if (!s.ok()) {
    failed_ = s.Prepend("op log failed earlier");
    return s;
  }
  write_offset_ = end;
  last_sequence_ = record.sequence;
  ++records_since_checkpoint_;
  return Status::OK();
}

void OpLog::AcquireSyncToken() {
  std::unique_lock<std::mutex> lock(sync_mu_);
  sync_cv_.wait(lock, [this] { return !sync_token_held_; });
  sync_token_held_ = true;
}

void OpLog::ReleaseSyncToken(const Status& status, int64_t synced) {
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    sync_token_held_ = false;
    if (status.ok()) {
      synced_sequence_ = std::max(synced_sequence_, synced);
    } else if (sync_error_.ok()) {
      sync_error_ = status;
    }
  }
  sync_cv_.notify_all();
}

Result<int64_t> OpLog::SyncHoldingToken() {
  int fd;
  int64_t through;
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    fd = fd_;
    through = last_sequence_;
  }
  // Outside write_mu_: appends continue meanwhile. fd stays open, since
  // only a token holder closes it.
  if (::fdatasync(fd) != 0) {
    Status s = Status::FromErrno(errno, "fdatasync op log");
    std::lock_guard<std::mutex> lock(write_mu_);
    if (failed_.ok()) failed_ = s.Prepend("op log failed earlier");
    return s;
  }
  std::lock_guard<std::mutex> lock(sync_mu_);
  ++sync_count_;
  return through;
}

Status OpLog::SyncTo(int64_t sequence) {
  {
    std::unique_lock<std::mutex> lock(sync_mu_);
    while (true) {
      if (!sync_error_.ok()) return sync_error_;
      if (synced_sequence_ >= sequence) return Status::OK();
      if (!sync_token_held_) break;
      sync_cv_.wait(lock);
    }
    sync_token_held_ = true;  // This thread is the syncer.
  }
  Result<int64_t> synced = SyncHoldingToken();
  ReleaseSyncToken(synced.status(), synced.ok() ? *synced : 0);
  RETURN_NOT_OK(synced.status());
  // Records through `sequence` were written before this call, so the sync
  // covered them.
  CHECK_GE(*synced, sequence) << "SyncTo past the last appended op";
  return Status::OK();
}

Status OpLog::WriteCheckpoint(wire::NamespaceImage* image) {
  // With the token no one else syncs, so fd_ may be replaced. The caller
  // serializes appends, so last_sequence_ stays put meanwhile.
  AcquireSyncToken();
  Status error;
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    error = sync_error_;
  }
  if (!error.ok()) {
    ReleaseSyncToken(error, 0);
    return error;
  }
  // Sync the log first: the checkpoint would make its records durable too,
  // but if writing it fails the log must still be complete.
  Result<int64_t> synced = SyncHoldingToken();
  if (!synced.ok()) {
    ReleaseSyncToken(synced.status(), 0);
    return synced.status();
  }
  Status s = WriteCheckpointHoldingToken(image);
  ReleaseSyncToken(Status::OK(), *synced);
  return s;
}

Status OpLog::WriteCheckpointHoldingToken(wire::NamespaceImage* image) {
  std::lock_guard<std::mutex> lock(write_mu_);
  RETURN_NOT_OK(failed_);
  image->version = kImageVersion;
  image->last_sequence = last_sequence_;
  std::string path = JoinPath(dir_, FileName(kCheckpointPrefix, last_sequence_));
  if (!PathExists(path)) {
    std::string bytes;
    AppendFramedRecord(&bytes, EncodeThrift(*image));
    std::string temp = path + kTempSuffix;
    RETURN_NOT_OK(WriteStringToFile(temp, bytes, /*sync=*/true));
    RETURN_NOT_OK(RenameNoReplace(temp, path));
    RETURN_NOT_OK(SyncDir(dir_));
  }
  if (log_first_sequence_ != last_sequence_ + 1) {
    // Every record is synced (WriteCheckpoint), so closing loses nothing.
    int rc = ::close(fd_);
    fd_ = -1;
    Status s = rc == 0 ? StartLogFile() : Status::FromErrno(errno, "close op log");
    if (!s.ok()) {
      failed_ = s.Prepend("op log failed earlier");
      return s;
    }
  }
  records_since_checkpoint_ = 0;
  return RemoveObsoleteFiles(last_sequence_);
}

Status OpLog::RemoveObsoleteFiles(int64_t checkpoint_sequence) {
  ASSIGN_OR_RETURN(DirContents contents, ScanDir(dir_));
  for (const auto& [seq, path] : contents.checkpoints) {
    if (seq < checkpoint_sequence) RETURN_NOT_OK(RemoveAll(path));
  }
  for (const auto& [first, path] : contents.logs) {
    if (first < log_first_sequence_) RETURN_NOT_OK(RemoveAll(path));
  }
  return SyncDir(dir_);
}

}  // namespace mr::dfs
