#include "dfs/master/op_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iterator>
#include <map>
#include <optional>

#include <glog/logging.h>

#include "common/coding.h"
#include "common/hash.h"
#include "dfs_types.h"
#include "dfs/master/op_apply.h"
#include "dfs/master/record_framing.h"
#include "rpc/thrift_codec.h"

namespace mr::dfs {

namespace {

constexpr int32_t kImageVersion = 3;        // 3: permissions; 2: InodeRecord.incomplete.
constexpr int32_t kOldestImageVersion = 1;  // Still read.
constexpr char kCheckpointPrefix[] = "checkpoint.";
constexpr char kLogPrefix[] = "oplog.";
constexpr char kTempSuffix[] = ".tmp";
constexpr char kSalvagedPrefix[] = "_salvaged-";
// Op-log records are small (two paths of at most 4 KiB and a client name):
// a length beyond this is not a record when looking past a damaged one.
constexpr uint32_t kMaxPlausibleOpBytes = 1 << 20;
// Bytes hashed at most while looking for intact records past a damaged one.
constexpr uint64_t kMaxResyncHashBytes = uint64_t{256} << 20;

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

// The files of a log directory by sequence (its own entries only: the
// directory also holds the port file, salvaged files, ...).
struct DirContents {
  std::map<int64_t, std::string> checkpoints;
  std::map<int64_t, std::string> logs;
};

Result<DirContents> ScanDir(const std::string& dir) {
  DirContents contents;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    std::string path = JoinPath(dir, name);
    if (name.ends_with(kTempSuffix)) {
      RETURN_NOT_OK(RemoveAll(path));  // An unfinished checkpoint.
    } else if (int64_t seq = ParseFileName(name, kCheckpointPrefix); seq >= 0) {
      contents.checkpoints[seq] = path;
    } else if (int64_t first = ParseFileName(name, kLogPrefix); first >= 0) {
      contents.logs[first] = path;
    }
  }
  if (ec) return Status::FromErrno(ec.value(), "list " + dir);
  return contents;
}

Status LoadCheckpoint(const std::string& path, wire::NamespaceImage* image) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path));
  ParsedRecords parsed = ParseFramedRecords(bytes);
  if (parsed.payloads.size() != 1 || !parsed.tail_problem.empty() ||
      parsed.valid_bytes != bytes.size()) {
    return Status::Corruption(path + ": not one intact record (" +
                              (parsed.tail_problem.empty() ? std::to_string(bytes.size()) +
                                                                 " bytes"
                                                           : parsed.tail_problem) +
                              ")");
  }
  RETURN_NOT_OK(DecodeThrift(parsed.payloads[0], path, image));
  if (image->version < kOldestImageVersion || image->version > kImageVersion) {
    return Status::Corruption(path + ": unknown image version " + std::to_string(image->version));
  }
  return Status::OK();
}

size_t OffsetOf(std::string_view payload, const std::string& bytes) {
  return static_cast<size_t>(payload.data() - bytes.data()) - kRecordHeaderBytes;
}

// Where the next intact op-log record is, at or after `from`: one whose
// checksum holds and whose payload decodes. kNone: nothing but damage and
// zeros follow. Zero runs are skipped at once; after hashing
// kMaxResyncHashBytes it gives up (kGaveUp), so that a huge damaged file
// cannot stall recovery.
struct Resync {
  enum { kFound, kNone, kGaveUp } result = kNone;
  size_t offset = 0;
};

Resync FindIntactRecord(std::string_view bytes, size_t from) {
  uint64_t hashed = 0;
  for (size_t at = from; at + kRecordHeaderBytes <= bytes.size(); ++at) {
    if (bytes[at] == 0 && bytes[at + 1] == 0 && bytes[at + 2] == 0 && bytes[at + 3] == 0) {
      size_t nonzero = bytes.find_first_not_of('\0', at);
      if (nonzero == std::string_view::npos) break;
      at = std::max(at, nonzero >= 4 ? nonzero - 4 : 0);  // The length's high bytes may be 0.
      continue;
    }
    uint32_t length = DecodeFixed32(bytes.data() + at);
    if (length > kMaxPlausibleOpBytes || bytes.size() - at - kRecordHeaderBytes < length) continue;
    hashed += length;
    if (hashed > kMaxResyncHashBytes) return {Resync::kGaveUp, at};
    std::string_view payload = bytes.substr(at + kRecordHeaderBytes, length);
    if (Hash64(payload) != DecodeFixed64(bytes.data() + at + 4)) continue;
    wire::OpLogRecord record;
    if (DecodeThrift(payload, "op-log record", &record).ok()) return {Resync::kFound, at};
  }
  return {};
}

// The bytes of [begin, end) up to its last non-zero one (padding is not
// damage).
uint64_t DamagedBytes(std::string_view bytes, size_t begin, size_t end) {
  size_t last = bytes.substr(0, end).find_last_not_of('\0');
  return last == std::string_view::npos || last < begin ? 0 : last + 1 - begin;
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

// ---- Replay -----------------------------------------------------------------

// Replays log files in order; in salvage mode, the first problem ends the
// replay and is recorded instead of failing, and what follows is counted.
class OpLog::Replayer {
 public:
  Replayer(int64_t last_sequence, const ReplayFn& replay, SalvageReport* salvage)
      : last_sequence_(last_sequence), replay_(replay), salvage_(salvage) {}

  // One log file. A damaged tail of the newest log is a crash mid-append:
  // truncated away with a warning (in salvage mode too) — unless intact
  // records follow the damage, which a crash does not leave.
  Status ReplayFile(const std::string& path, bool is_newest) {
    ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path));
    ParsedRecords parsed = ParseFramedRecords(bytes);
    for (std::string_view payload : parsed.payloads) {
      if (stopped()) {
        CountDropped(payload);
        continue;
      }
      std::string at = path + " at offset " + std::to_string(OffsetOf(payload, bytes));
      wire::OpLogRecord record;
      Status decoded = DecodeThrift(payload, path, &record);
      if (!decoded.ok()) {
        RETURN_NOT_OK(Stop(Status::Corruption(at + ": record does not decode: " +
                                              decoded.message())));
        salvage_->dropped_bytes += payload.size() + kRecordHeaderBytes;
        continue;
      }
      NoteChunkIds(record);
      if (record.sequence <= last_sequence_) continue;  // In the checkpoint.
      if (record.sequence != last_sequence_ + 1) {
        RETURN_NOT_OK(Stop(Status::Corruption(at + ": op " + std::to_string(record.sequence) +
                                              " follows op " + std::to_string(last_sequence_))));
        CountDropped(record);
        continue;
      }
      Status applied = replay_(record);
      if (!applied.ok()) {
        RETURN_NOT_OK(Stop(Status::Corruption(at + ": " + DescribeOpLogRecord(record) +
                                              " cannot be applied: " + applied.ToString())));
        CountDropped(record);
        continue;
      }
      last_sequence_ = record.sequence;
    }
    if (parsed.tail_problem.empty()) {
      if (is_newest && parsed.valid_bytes != bytes.size() && salvage_ == nullptr) {
        return TruncateAndSync(path, parsed.valid_bytes);  // Padding; see op_log.h.
      }
      return Status::OK();
    }
    const std::string damage = path + ": " + parsed.tail_problem;
    if (stopped()) {
      CountPastDamage(bytes, parsed.valid_bytes);
      return Status::OK();
    }
    Resync intact = FindIntactRecord(bytes, parsed.valid_bytes + 1);
    if (!is_newest || intact.result != Resync::kNone) {
      std::string why = !is_newest ? damage + " in a log that is not the newest"
                                   : damage + ", yet an intact record follows at offset " +
                                         std::to_string(intact.offset) +
                                         " (damage, not an interrupted append)";
      RETURN_NOT_OK(Stop(Status::Corruption(why)));
      CountPastDamage(bytes, parsed.valid_bytes);
      return Status::OK();
    }
    LOG(WARNING) << damage << "; dropping the last " << bytes.size() - parsed.valid_bytes
                 << " bytes (an interrupted append)";
    if (salvage_ != nullptr) {  // Moved aside whole by InstallSalvagedImage.
      salvage_->notes.push_back(damage + ": an interrupted append; dropped its " +
                                std::to_string(bytes.size() - parsed.valid_bytes) + " bytes");
      return Status::OK();
    }
    return TruncateAndSync(path, parsed.valid_bytes);
  }

  // A file that is not there: a gap in the history.
  Status Missing(const std::string& what) { return Stop(Status::Corruption(what)); }

  int64_t last_sequence() const { return last_sequence_; }
  bool stopped() const { return salvage_ != nullptr && !salvage_->stop_reason.empty(); }

 private:
  // Strict mode: the error. Salvage mode: records it and goes on counting.
  Status Stop(const Status& problem) {
    if (salvage_ == nullptr) return problem;
    salvage_->stop_reason = problem.ToString();
    return Status::OK();
  }
  void NoteChunkIds(const wire::OpLogRecord& record) {
    if (salvage_ == nullptr) return;
    salvage_->max_next_chunk_id = std::max(salvage_->max_next_chunk_id, record.next_chunk_id);
  }
  void CountDropped(const wire::OpLogRecord& record) {
    NoteChunkIds(record);
    if (record.sequence <= last_sequence_) return;
    ++salvage_->dropped_ops;
    salvage_->dropped_last_sequence = std::max(salvage_->dropped_last_sequence, record.sequence);
  }
  // Salvage mode: the intact records after damage at `from` (resynchronized
  // past each damaged stretch) and the damaged bytes.
  void CountPastDamage(std::string_view bytes, size_t from) {
    size_t pos = from;
    while (pos < bytes.size()) {
      Resync next = FindIntactRecord(bytes, pos + 1);
      if (next.result != Resync::kFound) {
        salvage_->dropped_bytes += DamagedBytes(bytes, pos, bytes.size());
        return;
      }
      salvage_->dropped_bytes += DamagedBytes(bytes, pos, next.offset);
      ParsedRecords more = ParseFramedRecords(bytes.substr(next.offset));
      for (std::string_view payload : more.payloads) CountDropped(payload);
      pos = next.offset + more.valid_bytes;
      if (more.tail_problem.empty()) return;  // The end, or zero padding.
    }
  }
  void CountDropped(std::string_view payload) {
    wire::OpLogRecord record;
    if (DecodeThrift(payload, "op-log record", &record).ok()) {
      CountDropped(record);
    } else {
      salvage_->dropped_bytes += payload.size() + kRecordHeaderBytes;
    }
  }

  int64_t last_sequence_;
  const ReplayFn& replay_;
  SalvageReport* const salvage_;
};


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

namespace {

// The logs to replay after a checkpoint at op `after`: the one that holds op
// after + 1 and every later one. end() if no log does.
std::map<int64_t, std::string>::const_iterator FirstLogAfter(
    const std::map<int64_t, std::string>& logs, int64_t after) {
  auto it = logs.upper_bound(after + 1);
  if (it == logs.begin()) return logs.end();
  return std::prev(it);
}

}  // namespace

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
  Replayer replayer(checkpoint.last_sequence, replay, /*salvage=*/nullptr);
  auto first_needed = FirstLogAfter(contents.logs, checkpoint.last_sequence);
  if (first_needed == contents.logs.end() && !contents.logs.empty()) {
    return Status::Corruption(dir + ": no log holds op " +
                              std::to_string(checkpoint.last_sequence + 1));
  }
  for (auto it = first_needed; it != contents.logs.end(); ++it) {
    RETURN_NOT_OK(replayer.ReplayFile(it->second, std::next(it) == contents.logs.end()));
  }
  std::unique_ptr<OpLog> log(new OpLog(dir, replayer.last_sequence(), preallocate_bytes));
  {
    std::lock_guard<std::mutex> lock(log->write_mu_);
    RETURN_NOT_OK(log->StartLogFile());
  }
  LOG(INFO) << dir << ": recovered through op " << replayer.last_sequence()
            << " (checkpoint at op " << checkpoint.last_sequence << ")";
  return log;
}

Result<OpLog::SalvageReport> OpLog::Salvage(const std::string& dir,
                                            const LoadCheckpointFn& load_checkpoint,
                                            const ReplayFn& replay) {
  ASSIGN_OR_RETURN(DirContents contents, ScanDir(dir));
  SalvageReport report;
  // The newest checkpoint that loads; older ones are kept with their logs
  // (op_log.h), so falling back loses nothing. No checkpoint: op 0.
  bool loaded = false;
  for (auto it = contents.checkpoints.rbegin(); it != contents.checkpoints.rend() && !loaded;
       ++it) {
    wire::NamespaceImage image;
    Status s = LoadCheckpoint(it->second, &image);
    if (s.ok()) s = load_checkpoint(image);
    if (s.ok()) {
      loaded = true;
      report.checkpoint_sequence = image.last_sequence;
      report.max_next_chunk_id = image.next_chunk_id;
    } else {
      report.notes.push_back("skipped " + it->second + ": " + s.ToString());
    }
  }
  if (!loaded) {
    wire::NamespaceImage empty;
    empty.version = kImageVersion;
    RETURN_NOT_OK(load_checkpoint(empty));
    if (!contents.checkpoints.empty()) report.notes.push_back("no checkpoint loads: from op 0");
  }
  Replayer replayer(report.checkpoint_sequence, replay, &report);
  auto first_needed = FirstLogAfter(contents.logs, report.checkpoint_sequence);
  if (first_needed == contents.logs.end() && !contents.logs.empty()) {
    RETURN_NOT_OK(replayer.Missing(dir + ": no log holds op " +
                                   std::to_string(report.checkpoint_sequence + 1)));
    first_needed = contents.logs.begin();  // Counted as dropped.
  }
  for (auto it = first_needed; it != contents.logs.end(); ++it) {
    RETURN_NOT_OK(replayer.ReplayFile(it->second, std::next(it) == contents.logs.end()));
  }
  report.last_sequence = replayer.last_sequence();
  return report;
}

Result<std::string> OpLog::InstallSalvagedImage(const std::string& dir,
                                                wire::NamespaceImage* image) {
  ASSIGN_OR_RETURN(DirContents contents, ScanDir(dir));
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
  const std::string aside = JoinPath(dir, std::string(kSalvagedPrefix) + stamp);
  RETURN_NOT_OK(CreateDirs(aside));
  for (const auto* files : {&contents.checkpoints, &contents.logs}) {
    for (const auto& [seq, path] : *files) {
      RETURN_NOT_OK(RenameNoReplace(path, JoinPath(aside, BaseName(path))));
    }
  }
  RETURN_NOT_OK(SyncDir(aside));
  image->version = kImageVersion;
  std::string bytes;
  AppendFramedRecord(&bytes, EncodeThrift(*image));
  const std::string path = JoinPath(dir, FileName(kCheckpointPrefix, image->last_sequence));
  RETURN_NOT_OK(WriteStringToFile(path + kTempSuffix, bytes, /*sync=*/true));
  RETURN_NOT_OK(RenameNoReplace(path + kTempSuffix, path));
  RETURN_NOT_OK(SyncDir(dir));
  return aside;
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
  // Kept: this checkpoint and the one before it (op 0 if none), with every
  // log from the one before on, so that a damaged checkpoint can be replaced
  // by the older one and the logs (dfs_master --recover) without loss.
  auto newer = contents.checkpoints.find(checkpoint_sequence);
  int64_t previous = newer == contents.checkpoints.begin() || newer == contents.checkpoints.end()
                         ? 0
                         : std::prev(newer)->first;
  for (const auto& [seq, path] : contents.checkpoints) {
    if (seq < previous) RETURN_NOT_OK(RemoveAll(path));
  }
  auto first_kept = FirstLogAfter(contents.logs, previous);
  for (auto it = contents.logs.begin(); it != first_kept && it != contents.logs.end(); ++it) {
    if (it->first < log_first_sequence_) RETURN_NOT_OK(RemoveAll(it->second));
  }
  return SyncDir(dir_);
}

}  // namespace mr::dfs
