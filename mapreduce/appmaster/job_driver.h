// The Application Master's main loop (docs/SCHEDULER.md, "Protocol of a
// job", steps 3-7): plans the splits, heartbeats the RM with Allocate (every
// heartbeat_ms, and at once when there is something new to ask), starts each
// granted container's attempt on its NM, polls the NMs for completions
// (every poll_ms; the RM's `completed` list counts too), keeps the barrier,
// commits, and finishes the application with the job's counters. A kill
// request, SIGTERM or a failure stops the running containers and removes the
// temporary output.
//
// Fault tolerance (docs/SCHEDULER.md, "Fault tolerance"): it feeds the
// tracker the attempts' progress reports, runs its timeouts and speculation
// every speculation_interval_ms and stops the attempts it gives up on;
// lost nodes (from Allocate, and ListNodes as a fallback) and reduces'
// fetch failures make maps run again; every succeeded task is written to the
// recovery log before it counts, and a restarted AM (am_attempt > 1)
// recovers from it and adopts the attempts still running, or, if an
// earlier attempt committed the output already, reports the job
// SUCCEEDED. An RM that no longer knows this AM (it failed over) is
// registered with again and sent every outstanding request. Requests the
// RM says no live node can hold fail the job after unschedulable_timeout_ms.
//
// The RM, the NMs and the DFS come in as interfaces owned by the caller;
// the task bookkeeping is the TaskTracker's, the commit the
// OutputCommitter's. Thread-safety: one thread runs it; `terminate` may be
// set from a signal handler.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "counters.h"
#include "mapreduce/appmaster/am_config.h"
#include "mapreduce/appmaster/node_managers.h"
#include "mapreduce/appmaster/output_committer.h"
#include "mapreduce/appmaster/recovery_log.h"
#include "mapreduce/appmaster/split_planner.h"
#include "mapreduce/appmaster/task_tracker.h"
#include "mapreduce/mapreduce.h"

namespace mr::dfs {
class DfsClient;
}

namespace mr::am {

struct DriverOptions {
  int heartbeat_ms = 100;
  int poll_ms = 25;
  // Consecutive failed Allocate calls for this long fail the job.
  int rm_unreachable_ms = 30000;
  // Requests that fit no live node for this long fail the job.
  int unschedulable_timeout_ms = 60000;
  // How often to ask the RM which nodes are lost (their map outputs with them).
  int node_check_ms = 1000;
  // Combine small splits into map tasks of up to max_split_bytes (0: the
  // input's chunk size), grouped by locality (split_planner.h).
  bool combine_splits = true;
  int64_t max_split_bytes = 0;
  // How often task timeouts and stragglers are checked.
  int speculation_interval_ms = 500;
  TrackerOptions tracker;
};

class JobDriver {
 public:
  // `registration`: the RM's answer to this AM's RegisterApplicationMaster.
  JobDriver(const Job& job, AmConfig config, DriverOptions options,
            sched::wire::RegisterResponse registration, ResourceManagerLink* rm,
            NodeManagers* nms, dfs::DfsClient* dfs, const std::atomic<bool>* terminate);
  ~JobDriver();

  // Runs the job to its end and reports it with FinishApplication. An error
  // means the RM could not be told (the AM then exits 1).
  Status Run();

 private:
  struct Outcome {
    sched::wire::AppState::type state;
    std::string diagnostics;
  };

  Status Prepare();
  // Plans the map tasks (and range split points) and writes the plan to the
  // recovery log.
  Status Plan();
  // A restarted AM: takes over what earlier attempts of it finished or left
  // running.
  void Recover(const std::vector<sched::wire::NodeReport>& nodes);
  Outcome Loop();
  Status Heartbeat();
  void PollNodeManagers();
  void CheckLostNodes();
  void Launch(const sched::wire::Container& container);
  void HandleStatus(const sched::wire::ContainerStatus& status, bool from_rm);
  void NodeLost(const std::string& node_id);
  // Stops the attempts the tracker gave up on (TakeToStop).
  void StopAbandoned();
  void Stop(const AttemptInfo& attempt);
  void StopRunning(const std::string& why);
  // Heartbeats until the RM confirms this is still the application's AM
  // (SUCCEEDED) or says it is not, or stays unreachable (FAILED).
  Outcome ConfirmCurrentAttempt();
  Outcome Commit();
  // Whether an earlier AM attempt of this application committed the output
  // already (its _SUCCESS names this application).
  bool CommittedByThisApplication();
  std::string CountersJson();

  const Job& job_;
  const AmConfig config_;
  const DriverOptions options_;
  ResourceManagerLink* const rm_;
  NodeManagers* const nms_;
  dfs::DfsClient* const dfs_;
  const std::atomic<bool>* const terminate_;
  const sched::wire::RegisterResponse registration_;
  const int am_attempt_;  // 1 for the application's first AM.
  RecoveryLog recovery_;

  std::vector<MapSplit> splits_;     // One per chunk; the range sample reads them.
  std::vector<MapTaskInput> maps_;  // By map index.
  std::vector<std::string> split_points_;
  // The job's --files (StagedFilesDir), by name, written into every task
  // container's working directory.
  std::map<std::string, std::string> job_files_;
  std::unique_ptr<TaskTracker> tracker_;
  std::unique_ptr<OutputCommitter> committer_;
  // Of each task's latest succeeded attempt, by task name.
  std::map<std::string, Counters> task_counters_;

  // What the next Allocate carries; kept until a call succeeds.
  std::vector<sched::wire::ContainerRequest> asks_;
  std::vector<std::string> releases_;
  std::vector<int64_t> cancels_;
  std::vector<sched::wire::TaskAttemptReport> reports_;
  bool kill_requested_ = false;
  // The RM replaced this AM attempt (Aborted): stop without touching the job.
  bool superseded_ = false;
  Status rm_error_;  // A refusal (e.g. a request larger than any node): fails the job.
  int64_t rm_failing_since_ms_ = 0;  // 0 while Allocate works.
  // Since when the RM has said some request fits no live node (0: it has
  // not), and why.
  int64_t unschedulable_since_ms_ = 0;
  std::string unschedulable_;
  int64_t start_ms_ = 0;
  int64_t maps_done_ms_ = 0;
};

}  // namespace mr::am
