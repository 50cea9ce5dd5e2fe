#include "mapreduce/appmaster/recovery_log.h"

#include <glog/logging.h>

#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "dfs/client/whole_file.h"
#include "mapreduce/appmaster/task_names.h"
#include "recovery_types.h"
#include "rpc/thrift_codec.h"
#include "scheduler/client/staging.h"

namespace mr::am {

namespace {
constexpr char kPlanName[] = "plan";
}  // namespace

RecoveryLog::RecoveryLog(dfs::DfsClient* dfs, const std::string& app_id)
    : dfs_(dfs), dir_(JoinPath(sched::StagingDir(app_id), "recovery")) {}

Status RecoveryLog::WritePlan(const RecoveredPlan& plan) {
  wire::JobPlan record;
  for (const MapTaskInput& map : plan.maps) {
    wire::PlannedMap planned;
    for (const MapTaskInput::Piece& p : map.pieces) {
      wire::PlannedPiece piece;
      piece.path = p.path;
      piece.offset = p.offset;
      piece.length = p.length;
      planned.pieces.push_back(std::move(piece));
    }
    planned.length = map.length;
    planned.datanode_ids = map.datanode_ids;
    planned.racks = map.racks;
    record.maps.push_back(std::move(planned));
  }
  record.split_points = plan.split_points;
  record.num_splits = plan.num_splits;
  return dfs::WriteWholeFile(dfs_, JoinPath(dir_, kPlanName), EncodeThrift(record));
}

Result<std::optional<RecoveredPlan>> RecoveryLog::ReadPlan() {
  std::string path = JoinPath(dir_, kPlanName);
  Result<std::string> bytes = dfs::ReadWholeFile(dfs_, path);
  if (bytes.status().IsNotFound()) return std::optional<RecoveredPlan>();
  RETURN_NOT_OK(bytes.status());
  wire::JobPlan record;
  RETURN_NOT_OK(DecodeThrift(*bytes, path, &record));
  RecoveredPlan plan;
  for (const wire::PlannedMap& planned : record.maps) {
    MapTaskInput map;
    for (const wire::PlannedPiece& p : planned.pieces) {
      map.pieces.push_back({p.path, p.offset, p.length});
    }
    map.length = planned.length;
    map.datanode_ids = planned.datanode_ids;
    map.racks = planned.racks;
    plan.maps.push_back(std::move(map));
  }
  plan.split_points.assign(record.split_points.begin(), record.split_points.end());
  plan.num_splits = record.num_splits;
  return std::optional<RecoveredPlan>(std::move(plan));
}

Status RecoveryLog::RecordSucceeded(const std::string& attempt_id,
                                    const sched::wire::Container& container,
                                    const std::string& task_result) {
  std::optional<ParsedAttemptId> parsed = ParseAttemptId(attempt_id);
  if (!parsed.has_value()) return Status::InvalidArgument("bad attempt id " + attempt_id);
  wire::TaskRecord record;
  record.attempt_id = attempt_id;
  record.container = EncodeThrift(container);
  record.task_result = task_result;
  std::string path = JoinPath(dir_, TaskName(parsed->kind, parsed->index));
  std::string bytes = EncodeThrift(record);
  Status written = dfs::WriteWholeFile(dfs_, path, bytes);
  if (!written.IsAlreadyExists()) return written;
  // A record left by an attempt that ran again (its output was lost, or an
  // earlier AM's) is replaced: the newest success is the one reduces were
  // given. Rare, so the common case costs no extra call to the master.
  Status removed = dfs_->Delete(path, /*recursive=*/false);
  if (!removed.ok() && !removed.IsNotFound()) return removed;
  return dfs::WriteWholeFile(dfs_, path, bytes);
}

Result<std::vector<RecoveredTask>> RecoveryLog::ReadSucceeded() {
  std::vector<RecoveredTask> tasks;
  Result<std::vector<dfs::DfsFileStatus>> entries = dfs_->List(dir_);
  if (entries.status().IsNotFound()) return tasks;
  RETURN_NOT_OK(entries.status());
  for (const dfs::DfsFileStatus& entry : *entries) {
    if (entry.is_dir || BaseName(entry.path) == kPlanName) continue;
    Result<std::string> bytes = dfs::ReadWholeFile(dfs_, entry.path);
    wire::TaskRecord record;
    RecoveredTask task;
    Status s = bytes.status();
    if (s.ok()) s = DecodeThrift(*bytes, entry.path, &record);
    if (s.ok()) s = DecodeThrift(record.container, entry.path, &task.container);
    if (!s.ok()) {
      LOG(WARNING) << "recovery log: skipping " << entry.path << ": " << s.ToString();
      continue;
    }
    task.attempt_id = record.attempt_id;
    task.task_result = std::move(record.task_result);
    tasks.push_back(std::move(task));
  }
  return tasks;
}

}  // namespace mr::am
