// The AM's bookkeeping of every task and attempt, and its policies: one
// container request per attempt; a failed attempt is retried, away from the
// nodes where this task already failed (while other nodes remain), until
// --am_max_task_attempts; reduces are requested only once every map has
// succeeded (the barrier); progress is the fraction of tasks done.
//
// No I/O: the driver (job_driver.h) feeds it grants and completions and
// carries out what it returns, so every rule is unit tested without
// processes. Request ids, attempt numbers and attempt ids are its own.
//
// Thread-safety: none; the driver's one thread owns it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mapreduce/appmaster/task_names.h"
#include "scheduler_types.h"
#include "task_spec_types.h"

namespace mr {
class Counters;
}

namespace mr::am {

// Names of the job counters, in the group Hadoop reports them in.
namespace job_counter {
inline constexpr std::string_view kGroup = "Job Counters";
inline constexpr std::string_view kLaunchedMaps = "Launched map tasks";
inline constexpr std::string_view kLaunchedReduces = "Launched reduce tasks";
inline constexpr std::string_view kFailedMaps = "Failed map tasks";
inline constexpr std::string_view kFailedReduces = "Failed reduce tasks";
inline constexpr std::string_view kKilledMaps = "Killed map tasks";
inline constexpr std::string_view kKilledReduces = "Killed reduce tasks";
// Hadoop's DATA_LOCAL_MAPS, RACK_LOCAL_MAPS and OTHER_LOCAL_MAPS, by the
// names it prints them under (Container.locality of each launched map).
inline constexpr std::string_view kDataLocalMaps = "Data-local map tasks";
inline constexpr std::string_view kRackLocalMaps = "Rack-local map tasks";
inline constexpr std::string_view kOtherLocalMaps = "Other local map tasks";
}  // namespace job_counter

struct TrackerOptions {
  int max_attempts = 4;
  int locality_delay_ms = 200;
  sched::wire::Resource map_resource;
  sched::wire::Resource reduce_resource;
};

inline constexpr int kMapPriority = 10;
inline constexpr int kReducePriority = 20;

// Where a map would rather run: NM ids and racks.
struct MapPlacement {
  std::vector<std::string> nodes;
  std::vector<std::string> racks;
};

// A grant the driver should start an attempt in.
struct Launch {
  TaskKind kind;
  int index = 0;
  int attempt = 0;
  std::string attempt_id;
  sched::wire::Container container;
};

// An attempt and the container it ran in.
struct AttemptInfo {
  std::string attempt_id;
  std::string state;  // RUNNING, SUCCEEDED, FAILED, KILLED.
  sched::wire::Container container;
};

enum class Completion {
  kIgnored,    // Not a running attempt of ours (a repeat, or unknown).
  kSucceeded,  // The task is done.
  kRetrying,   // The attempt failed; a new request for the task is queued.
  kJobFailed,  // The attempt failed and was the task's last: see failure().
};

class TaskTracker {
 public:
  TaskTracker(std::vector<MapPlacement> maps, int num_reducers, TrackerOptions options);

  // Live NMs in the cluster: a retry excludes the nodes where its task
  // failed only while fewer than this many have (0: unknown, always exclude).
  void set_cluster_nodes(int n) { cluster_nodes_ = n; }

  // Requests made since the last call, to send with the next Allocate.
  std::vector<sched::wire::ContainerRequest> TakeAsks();
  bool has_asks() const { return !asks_.empty(); }

  // A grant: the attempt to start in it, or nullopt if no request wants it
  // (the driver releases it).
  std::optional<Launch> OnAllocated(const sched::wire::Container& container);
  // An attempt's container completed: exit 0 (succeeded) or not.
  Completion OnCompleted(const std::string& container_id, bool succeeded,
                         const std::string& diagnostics);
  // Marks every running attempt KILLED (the job is being killed or failed).
  void KillRunning(const std::string& why);
  // The NM `node_id` is gone, and with it the map outputs it served. Unless
  // the job is done, each map that succeeded there runs again (elsewhere),
  // and the reduces that have not succeeded wait for the barrier again:
  // their running attempts are marked KILLED and returned for the driver to
  // stop, their outstanding requests cancelled (TakeCancels). Idempotent
  // per node.
  std::vector<AttemptInfo> OnNodeLost(const std::string& node_id);
  // Requests withdrawn since the last call (AllocateRequest.cancel_request_ids).
  std::vector<int64_t> TakeCancels();

  // Attempts whose container has not completed.
  std::vector<AttemptInfo> Running() const;
  // Every attempt so far, in task order.
  std::vector<AttemptInfo> Attempts() const;
  bool maps_done() const { return maps_succeeded_ == static_cast<int>(maps_.size()); }
  bool done() const {
    return maps_done() && reduces_succeeded_ == static_cast<int>(reduces_.size());
  }
  bool failed() const { return !failure_.empty(); }
  // "task m_000003 failed 4 times; last: <diagnostics>".
  const std::string& failure() const { return failure_; }
  double map_progress() const;
  double reduce_progress() const;

  // Attempts started or changed since the last call.
  std::vector<sched::wire::TaskAttemptReport> TakeAttemptReports();
  // Every map's successful attempt, by map index (valid once maps_done()).
  std::vector<wire::MapOutputLocation> MapOutputs() const;
  // The attempt id that succeeded for a task ("" if none yet).
  std::string SucceededAttempt(TaskKind kind, int index) const;
  // Launched, failed and killed attempts, and map locality.
  void AddJobCounters(Counters* counters) const;

  int num_maps() const { return static_cast<int>(maps_.size()); }
  int num_reducers() const { return static_cast<int>(reduces_.size()); }

 private:
  struct Attempt {
    std::string id;
    sched::wire::Container container;
    std::string state;  // RUNNING, SUCCEEDED, FAILED, KILLED (TaskAttemptReport.state).
    std::string diagnostics;
  };
  struct Task {
    TaskKind kind;
    int index = 0;
    MapPlacement placement;
    int64_t request_id = 0;  // The outstanding request, 0 if none.
    std::vector<Attempt> attempts;
    std::set<std::string> failed_nodes;
    int failures = 0;  // Attempts that failed (a lost output is not one).
    int succeeded_attempt = -1;
    bool failed = false;
  };
  struct AttemptRef {
    TaskKind kind;
    int index;
    int attempt;
  };

  Task& TaskOf(TaskKind kind, int index) {
    return kind == TaskKind::kMap ? maps_[index] : reduces_[index];
  }
  const Task& TaskOf(TaskKind kind, int index) const {
    return kind == TaskKind::kMap ? maps_[index] : reduces_[index];
  }
  void Request(Task& task);
  void RequestReducesOnce();
  void MarkChanged(const AttemptRef& ref) { changed_.push_back(ref); }

  const TrackerOptions options_;
  std::vector<Task> maps_;
  std::vector<Task> reduces_;
  int cluster_nodes_ = 0;
  int64_t next_request_id_ = 1;
  bool reduces_requested_ = false;
  std::map<int64_t, std::pair<TaskKind, int>> requests_;  // Outstanding, by request id.
  std::map<std::string, AttemptRef> by_container_;
  std::vector<sched::wire::ContainerRequest> asks_;
  std::vector<AttemptRef> changed_;
  std::vector<int64_t> cancels_;
  std::set<std::string> lost_nodes_;
  int maps_succeeded_ = 0;
  int reduces_succeeded_ = 0;
  std::string failure_;
  // Job counters.
  int launched_[2] = {0, 0};  // By TaskKind.
  int failed_[2] = {0, 0};
  int killed_[2] = {0, 0};
  int locality_[3] = {0, 0, 0};  // By sched::wire::Locality.
};

}  // namespace mr::am
