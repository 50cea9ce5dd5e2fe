// The AM's recovery log (docs/SCHEDULER.md, "Fault tolerance"): files in the
// application's staging directory in the DFS,
//   /.staging/<app_id>/recovery/plan        the job plan (JobPlan)
//   /.staging/<app_id>/recovery/<task>      one per task that succeeded (TaskRecord)
// written by every AM attempt and read by the next one. A task's record is
// written before the task counts as done, so a new AM never misses work an
// earlier one relied on; a record is a whole DFS file, visible only once
// closed, so a torn write is simply absent. The staging directory goes away
// with the application.
//
// Thread-safety: none; the driver's thread owns it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "mapreduce/appmaster/split_planner.h"
#include "scheduler_types.h"

namespace mr::dfs {
class DfsClient;
}

namespace mr::am {

struct RecoveredPlan {
  std::vector<MapTaskInput> maps;
  std::vector<std::string> split_points;
  int num_splits = 0;
};

struct RecoveredTask {
  std::string attempt_id;
  sched::wire::Container container;
  std::string task_result;  // As the task wrote it (TaskResult).
};

class RecoveryLog {
 public:
  RecoveryLog(dfs::DfsClient* dfs, const std::string& app_id);

  // Writes the plan, once per application (AlreadyExists if there is one).
  Status WritePlan(const RecoveredPlan& plan);
  // nullopt if no AM wrote one (the first AM died before planning).
  Result<std::optional<RecoveredPlan>> ReadPlan();
  Status RecordSucceeded(const std::string& attempt_id, const sched::wire::Container& container,
                         const std::string& task_result);
  // Every task record; unreadable ones are skipped with a warning (the task
  // then simply runs again).
  Result<std::vector<RecoveredTask>> ReadSucceeded();

 private:
  dfs::DfsClient* const dfs_;
  const std::string dir_;
};

}  // namespace mr::am
