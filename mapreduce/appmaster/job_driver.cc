#include "mapreduce/appmaster/job_driver.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include <glog/logging.h>

#include "common/clock.h"
#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "dfs/client/whole_file.h"
#include "mapreduce/appmaster/dfs_input.h"
#include "mapreduce/appmaster/range_sampler.h"
#include "output_format.h"
#include "scheduler/auth/sched_auth.h"
#include "scheduler/client/staging.h"
#include "security/process_security.h"
#include "task_spec_io.h"

namespace mr::am {

namespace {

using sched::wire::AppState;

// The combined split target when none is given: the largest chunk size of
// the input (a task then reads about what one chunk-sized split would).
int64_t DefaultMaxSplitBytes(const std::vector<InputFile>& files) {
  int64_t bytes = 0;
  for (const InputFile& file : files) bytes = std::max(bytes, file.chunk_size);
  return bytes > 0 ? bytes : int64_t{64} << 20;
}

// ContainerStatus.exit_code of a container whose process never ran (its NM
// could not localize or launch it) or whose node was lost.
constexpr int kNeverStarted = -1;

// Why a completed container did not succeed, for the attempt's diagnostics.
std::string FailureText(const sched::wire::ContainerStatus& status) {
  if (!status.diagnostics.empty()) return status.diagnostics;
  return "exit code " + std::to_string(status.exit_code);
}

// The files staged with the job (--files), by name; none if it has none.
Result<std::map<std::string, std::string>> ReadJobFiles(dfs::DfsClient* dfs,
                                                        const std::string& dir) {
  std::map<std::string, std::string> files;
  Result<std::vector<dfs::DfsFileStatus>> listing = dfs->List(dir);
  if (!listing.ok() && listing.status().IsNotFound()) return files;
  RETURN_NOT_OK_PREPEND(listing.status(), "listing the job's files");
  for (const dfs::DfsFileStatus& file : *listing) {
    if (file.is_dir) continue;
    ASSIGN_OR_RETURN(files[BaseName(file.path)], dfs::ReadWholeFile(dfs, file.path));
  }
  return files;
}

}  // namespace

JobDriver::JobDriver(const Job& job, AmConfig config, DriverOptions options,
                     sched::wire::RegisterResponse registration, ResourceManagerLink* rm,
                     NodeManagers* nms, dfs::DfsClient* dfs, const std::atomic<bool>* terminate)
    : job_(job),
      config_(std::move(config)),
      options_(std::move(options)),
      rm_(rm),
      nms_(nms),
      dfs_(dfs),
      terminate_(terminate),
      registration_(std::move(registration)),
      am_attempt_(std::max(1, registration_.am_attempt)),
      recovery_(dfs, config_.app_id) {}

JobDriver::~JobDriver() = default;

Status JobDriver::Run() {
  start_ms_ = SteadyClockMs();
  committer_ = std::make_unique<OutputCommitter>(dfs_, config_.output, config_.app_id);
  Outcome outcome{AppState::FAILED, ""};
  // An earlier attempt of this AM finished the job, all but telling the RM.
  bool committed = am_attempt_ > 1 && CommittedByThisApplication();
  Status prepared = committed ? Status::OK() : Prepare();
  if (committed) {
    LOG(WARNING) << config_.app_id << ": the output was committed by an earlier AM attempt";
    outcome = {AppState::SUCCEEDED, ""};
  } else if (!prepared.ok()) {
    outcome.diagnostics = prepared.ToString();
  } else {
    outcome = Loop();
    // Only the application's current AM may commit: make sure the RM has
    // not replaced this attempt (its node declared lost while it ran on).
    if (outcome.state == AppState::SUCCEEDED) outcome = ConfirmCurrentAttempt();
    if (outcome.state == AppState::SUCCEEDED) outcome = Commit();
  }
  if (superseded_) {
    // The new attempt owns the job now: its containers, its temporary
    // output and its staging directory are not this AM's to touch.
    LOG(WARNING) << config_.app_id << ": this AM attempt was replaced; leaving the job to the new one";
    return Status::Aborted("the application master attempt was replaced");
  }
  if (outcome.state != AppState::SUCCEEDED) {
    StopRunning(outcome.state == AppState::KILLED ? "killed" : "job failed");
    // The temporary directory is this application's own (its name holds
    // the app id); an existing output is never touched.
    Status removed = committer_->Abort();
    if (!removed.ok()) LOG(WARNING) << config_.app_id << ": " << removed.ToString();
  }
  // One last heartbeat with the final attempt states and releases (the
  // NMs aggregate the logs once the RM tells them the job is over).
  if (tracker_ != nullptr) (void)Heartbeat();
  Status staged = dfs_->Delete(sched::StagingDir(config_.app_id), /*recursive=*/true);
  if (!staged.ok() && !staged.IsNotFound()) {
    LOG(WARNING) << config_.app_id << ": could not delete the staging directory: "
                 << staged.ToString();
  }
  LOG(INFO) << config_.app_id << ": finishing " << sched::wire::to_string(outcome.state)
            << (outcome.diagnostics.empty() ? "" : ": " + outcome.diagnostics);
  std::string counters = CountersJson();
  if (committed) {
    Result<std::string> kept =
        dfs::ReadWholeFile(dfs_, JoinPath(config_.output, kCountersFileName));
    if (kept.ok()) counters = *std::move(kept);
  }
  return rm_->Finish(config_.app_id, config_.container_id, outcome.state, outcome.diagnostics,
                     counters);
}

bool JobDriver::CommittedByThisApplication() {
  Result<std::string> success = dfs::ReadWholeFile(dfs_, JoinPath(config_.output, kSuccessFileName));
  return success.ok() && OutputCommitter::CommittedBy(*success) == config_.app_id;
}

JobDriver::Outcome JobDriver::ConfirmCurrentAttempt() {
  int64_t deadline = SteadyClockMs() + options_.rm_unreachable_ms;
  while (true) {
    Status s = Heartbeat();
    if (s.ok()) return {AppState::SUCCEEDED, ""};
    if (superseded_ || SteadyClockMs() > deadline) {
      return {AppState::FAILED, "could not confirm with the resource manager before committing: " +
                                    s.ToString()};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.heartbeat_ms));
  }
}

Status JobDriver::Prepare() {
  bool restarted = am_attempt_ > 1;
  RETURN_NOT_OK(committer_->Setup(/*keep_earlier_attempts=*/restarted));
  ASSIGN_OR_RETURN(job_files_, ReadJobFiles(dfs_, sched::StagedFilesDir(config_.app_id)));
  // Which NM sits beside which datanode, for locality.
  ASSIGN_OR_RETURN(std::vector<sched::wire::NodeReport> nodes, rm_->ListNodes());
  DatanodeToNodeManager beside;
  int live = 0;
  for (const sched::wire::NodeReport& node : nodes) {
    if (!node.alive) continue;
    ++live;
    if (!node.info.datanode_id.empty()) beside[node.info.datanode_id] = node.info.id;
  }
  std::optional<RecoveredPlan> plan;
  if (restarted) {
    ASSIGN_OR_RETURN(plan, recovery_.ReadPlan());
  }
  if (plan.has_value()) {
    maps_ = std::move(plan->maps);
    split_points_ = std::move(plan->split_points);
  } else {
    RETURN_NOT_OK(Plan());
  }
  std::vector<MapPlacement> placements;
  for (const MapTaskInput& map : maps_) {
    placements.push_back({PreferredNodeManagers(map, beside), map.racks});
  }
  LOG(INFO) << config_.app_id << ": AM attempt " << am_attempt_ << ", " << maps_.size()
            << " map tasks, " << config_.reducers << " reduce tasks, " << live
            << " live node managers";
  TrackerOptions tracker_options = options_.tracker;
  tracker_options.first_attempt_number = (am_attempt_ - 1) * 1000;
  tracker_ = std::make_unique<TaskTracker>(std::move(placements), config_.reducers,
                                           tracker_options);
  tracker_->set_cluster_nodes(live);
  if (plan.has_value()) Recover(nodes);
  return Status::OK();
}

Status JobDriver::Plan() {
  ASSIGN_OR_RETURN(std::vector<InputFile> files, ListDfsInput(dfs_, config_.input));
  int64_t record_bytes =
      job_.input_format() == InputFormat::kFixedRecords ? job_.record_bytes() : 1;
  ASSIGN_OR_RETURN(splits_, PlanSplits(files, record_bytes));
  if (config_.range_partitioning && config_.reducers > 1) {
    ASSIGN_OR_RETURN(split_points_,
                     SampleSplitPointsFromDfs(dfs_, job_, splits_, config_.reducers));
  }
  int64_t max_split_bytes = 0;  // One task per split.
  if (options_.combine_splits) {
    max_split_bytes = options_.max_split_bytes > 0 ? options_.max_split_bytes
                                                   : DefaultMaxSplitBytes(files);
  }
  maps_ = CombineSplits(splits_, max_split_bytes);
  // Fixed for the application's life: a restarted AM must give map i the
  // same input (and range partitions the same split points).
  RecoveredPlan plan{maps_, split_points_, static_cast<int>(splits_.size())};
  Status written = recovery_.WritePlan(plan);
  if (written.IsAlreadyExists()) {
    // An earlier AM planned but died before its plan could be read back
    // (or wrote it just now): the one on disk is the plan.
    ASSIGN_OR_RETURN(std::optional<RecoveredPlan> existing, recovery_.ReadPlan());
    if (existing.has_value()) {
      maps_ = std::move(existing->maps);
      split_points_ = std::move(existing->split_points);
      return Status::OK();
    }
  }
  return written.Prepend("writing the recovery log");
}

void JobDriver::Recover(const std::vector<sched::wire::NodeReport>& nodes) {
  std::map<std::string, bool> alive;
  for (const sched::wire::NodeReport& node : nodes) alive[node.info.id] = node.alive;
  Result<std::vector<RecoveredTask>> records = recovery_.ReadSucceeded();
  if (!records.ok()) {
    LOG(WARNING) << config_.app_id << ": recovery log unreadable, redoing every task: "
                 << records.status().ToString();
  }
  int recovered = 0;
  for (const RecoveredTask& task : records.ok() ? *records : std::vector<RecoveredTask>()) {
    std::optional<ParsedAttemptId> parsed = ParseAttemptId(task.attempt_id);
    if (!parsed.has_value()) continue;
    // A map's output lives on its node; a reduce's in the DFS.
    if (parsed->kind == TaskKind::kMap && !alive[task.container.node.id]) continue;
    if (parsed->kind == TaskKind::kReduce) {
      std::string part = JoinPath(committer_->AttemptDir(task.attempt_id),
                                  PartFileName(parsed->index));
      if (!dfs_->Stat(part).ok()) continue;
    }
    Counters task_counters;
    if (!DecodeTaskResult(task.task_result, &task_counters).ok()) continue;
    if (!tracker_->RecoverSucceeded(task.attempt_id, task.container)) continue;
    task_counters_[TaskName(parsed->kind, parsed->index)] = std::move(task_counters);
    ++recovered;
  }
  // The attempts earlier AMs left running: adopted if the tracker still
  // wants them, else stopped.
  std::map<std::string, std::string> attempt_of;  // Container id -> attempt id.
  for (const sched::wire::TaskAttemptReport& report : registration_.attempts) {
    if (report.state == "RUNNING") {
      attempt_of[report.container_id] = report.attempt_id;
    } else {
      attempt_of.erase(report.container_id);
    }
  }
  int adopted = 0;
  for (const sched::wire::Container& container : registration_.live_containers) {
    auto it = attempt_of.find(container.container_id);
    if (it != attempt_of.end() && tracker_->AdoptRunning(it->second, container)) {
      ++adopted;
      continue;
    }
    Status s = nms_->StopContainer(container.node, container.container_id);
    if (!s.ok()) LOG(WARNING) << config_.app_id << ": " << s.ToString();
    releases_.push_back(container.container_id);
  }
  LOG(INFO) << config_.app_id << ": AM attempt " << am_attempt_ << " recovered " << recovered
            << " finished tasks and adopted " << adopted << " running attempts";
}

JobDriver::Outcome JobDriver::Loop() {
  int64_t next_heartbeat = 0;  // At once.
  int64_t next_poll = SteadyClockMs() + options_.poll_ms;
  int64_t next_node_check = SteadyClockMs() + options_.node_check_ms;
  int64_t next_speculation = SteadyClockMs() + options_.speculation_interval_ms;
  while (true) {
    if (terminate_ != nullptr && terminate_->load()) {
      return {AppState::KILLED, "the application master was terminated"};
    }
    int64_t now = SteadyClockMs();
    if (now >= next_poll) {
      PollNodeManagers();
      next_poll = now + options_.poll_ms;
    }
    if (now >= next_node_check) {
      CheckLostNodes();
      next_node_check = now + options_.node_check_ms;
    }
    if (now >= next_speculation) {
      tracker_->CheckTimeouts();
      tracker_->Speculate();
      next_speculation = now + options_.speculation_interval_ms;
    }
    StopAbandoned();
    // New asks, and released containers (their room can be granted again
    // at once), are worth a heartbeat now rather than at the next tick.
    if (now >= next_heartbeat || tracker_->has_asks() || !releases_.empty()) {
      Status s = Heartbeat();
      next_heartbeat = now + options_.heartbeat_ms;
      if (superseded_) return {AppState::FAILED, "replaced"};
      if (!rm_error_.ok()) return {AppState::FAILED, rm_error_.ToString()};
      if (!s.ok() && now - rm_failing_since_ms_ > options_.rm_unreachable_ms) {
        return {AppState::FAILED, "lost the resource manager: " + s.ToString()};
      }
    }
    if (kill_requested_) return {AppState::KILLED, "killed by request"};
    if (tracker_->failed()) return {AppState::FAILED, tracker_->failure()};
    if (unschedulable_since_ms_ > 0 &&
        SteadyClockMs() - unschedulable_since_ms_ > options_.unschedulable_timeout_ms) {
      return {AppState::FAILED, "the job's requests fit no live node for " +
                                    std::to_string(options_.unschedulable_timeout_ms) +
                                    " ms (--am_unschedulable_timeout_ms): " + unschedulable_};
    }
    if (maps_done_ms_ == 0 && tracker_->maps_done()) maps_done_ms_ = SteadyClockMs();
    if (tracker_->done()) return {AppState::SUCCEEDED, ""};
    int64_t wake = std::min(next_poll, next_heartbeat);
    if (tracker_->has_asks()) continue;
    int64_t wait = wake - SteadyClockMs();
    if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
}

Status JobDriver::Heartbeat() {
  for (auto& ask : tracker_->TakeAsks()) asks_.push_back(std::move(ask));
  for (auto& report : tracker_->TakeAttemptReports()) reports_.push_back(std::move(report));
  for (int64_t id : tracker_->TakeCancels()) cancels_.push_back(id);
  sched::wire::AllocateRequest request;
  request.app_id = config_.app_id;
  request.asks = asks_;
  request.cancel_request_ids = cancels_;
  request.release_container_ids = releases_;
  request.map_progress = tracker_->map_progress();
  request.reduce_progress = tracker_->reduce_progress();
  request.attempts = reports_;
  request.am_container_id = config_.container_id;
  Result<sched::wire::AllocateResponse> response = rm_->Allocate(request);
  if (response.status().IsNotFound()) {
    // The RM restarted or failed over and lost this AM: register again and
    // resend every request not yet granted (the new RM knows none of them).
    LOG(WARNING) << config_.app_id << ": the resource manager does not know this AM ("
                 << response.status().ToString() << "); registering again";
    Result<sched::wire::RegisterResponse> registered =
        rm_->Register(config_.app_id, config_.container_id);
    if (registered.status().IsAborted()) response = registered.status();
    if (registered.ok()) {
      asks_ = tracker_->OutstandingAsks();
      cancels_.clear();
      request.asks = asks_;
      request.cancel_request_ids.clear();
      response = rm_->Allocate(request);
    }
  }
  if (response.status().IsAborted()) superseded_ = true;
  if (!response.ok()) {
    if (response.status().code() == Status::Code::kInvalidArgument) {
      rm_error_ = response.status().Prepend("the resource manager refused the job's requests");
    } else if (rm_failing_since_ms_ == 0) {
      rm_failing_since_ms_ = SteadyClockMs();
    }
    LOG(WARNING) << config_.app_id << ": Allocate: " << response.status().ToString();
    return response.status();
  }
  rm_failing_since_ms_ = 0;
  asks_.clear();
  cancels_.clear();
  releases_.clear();
  reports_.clear();
  kill_requested_ = kill_requested_ || response->kill_requested;
  if (response->unschedulable.empty()) {
    unschedulable_since_ms_ = 0;
  } else {
    if (unschedulable_since_ms_ == 0) {
      unschedulable_since_ms_ = SteadyClockMs();
      LOG(WARNING) << config_.app_id << ": the resource manager says: " << response->unschedulable;
    }
    unschedulable_ = response->unschedulable;
  }
  for (const std::string& node_id : response->lost_node_ids) NodeLost(node_id);
  // Completions before grants, with the results of those the RM relays but
  // cannot decide (a container that ran: its NM holds the result) fetched
  // now: a grant here may be the room one of them left, and launching there
  // before knowing that its attempt failed would let a node that fails every
  // attempt take more than --am_max_failures_per_node.
  bool undecided = false;
  for (const sched::wire::ContainerStatus& status : response->completed) {
    HandleStatus(status, /*from_rm=*/true);
    undecided = undecided || tracker_->RunningAttempt(status.container_id).has_value();
  }
  if (undecided) PollNodeManagers();
  for (const sched::wire::Container& container : response->allocated) Launch(container);
  return Status::OK();
}

void JobDriver::Launch(const sched::wire::Container& container) {
  std::optional<am::Launch> launch = tracker_->OnAllocated(container);
  if (!launch.has_value() || kill_requested_) {
    releases_.push_back(container.container_id);
    return;
  }
  wire::TaskSpec spec;
  spec.app_id = config_.app_id;
  spec.is_map = launch->kind == TaskKind::kMap;
  spec.index = launch->index;
  spec.attempt = launch->attempt;
  spec.num_reducers = config_.reducers;
  if (spec.is_map) {
    const MapTaskInput& map = maps_[launch->index];
    if (map.pieces.size() == 1) {
      spec.input_path = map.pieces[0].path;
      spec.offset = map.pieces[0].offset;
      spec.length = map.pieces[0].length;
    } else {
      for (const MapTaskInput::Piece& p : map.pieces) {
        wire::InputPiece piece;
        piece.path = p.path;
        piece.offset = p.offset;
        piece.length = p.length;
        spec.pieces.push_back(std::move(piece));
      }
    }
    spec.output_name = MapOutputName(launch->attempt_id);
  } else {
    spec.map_outputs = tracker_->MapOutputs();
    spec.output_dir = committer_->AttemptDir(launch->attempt_id);
  }
  if (!spec.is_map) spec.shuffle_secret = config_.shuffle_secret;
  spec.split_points = split_points_;
  spec.sort_buffer_mb = config_.sort_buffer_mb;
  spec.merge_fan_in = config_.merge_fan_in;
  spec.map_side_aggregation = config_.map_side_aggregation;

  sched::wire::LaunchContext context;
  context.app_id = config_.app_id;
  context.container_id = container.container_id;
  context.binary_dfs_path = config_.binary_dfs_path;
  context.arguments = {"--mr_role=task", "--mr_task_spec=" + std::string(kTaskSpecFileName)};
  context.arguments.insert(context.arguments.end(), config_.job_args.begin(),
                           config_.job_args.end());
  context.files = job_files_;
  context.files[std::string(kTaskSpecFileName)] = EncodeTaskSpec(spec);
  context.resource = container.resource;
  context.container_token = container.container_token;
  if (!config_.job_credential.empty()) {
    // The tasks act as the job's user with the job's credential.
    context.files[sched::auth::kJobCredentialFile] = config_.job_credential;
    context.env[security::kCredentialEnv] = sched::auth::kJobCredentialFile;
  }
  LOG(INFO) << config_.app_id << ": starting " << launch->attempt_id << " in "
          << container.container_id << " on " << container.node.id;
  Status started = nms_->StartContainer(container.node, context);
  if (!started.ok()) {
    LOG(WARNING) << config_.app_id << ": " << launch->attempt_id << ": " << started.ToString();
    std::string why =
        "could not start the container on " + container.node.id + ": " + started.ToString();
    // Unavailable: the NM is unreachable or has no room yet, which says
    // nothing of the task (nor, for blacklisting, of the node).
    if (started.IsUnavailable()) {
      tracker_->OnLaunchRefused(container.container_id, why);
    } else {
      tracker_->OnCompleted(container.container_id, false, why);
    }
    releases_.push_back(container.container_id);
  }
}

void JobDriver::PollNodeManagers() {
  std::map<std::string, std::pair<sched::wire::NodeInfo, std::vector<std::string>>> by_node;
  for (const AttemptInfo& attempt : tracker_->Running()) {
    auto& entry = by_node[attempt.container.node.id];
    entry.first = attempt.container.node;
    entry.second.push_back(attempt.container.container_id);
  }
  for (const auto& [node_id, entry] : by_node) {
    Result<std::vector<sched::wire::ContainerStatus>> statuses =
        nms_->GetContainerStatuses(entry.first, entry.second);
    if (!statuses.ok()) {
      // The RM reports the containers of a lost node as completed.
      LOG_EVERY_N(WARNING, 40) << config_.app_id << ": polling " << node_id << ": "
                               << statuses.status().ToString();
      continue;
    }
    for (const sched::wire::ContainerStatus& status : *statuses) {
      if (status.state == sched::wire::ContainerState::RUNNING) {
        tracker_->OnProgress(status.container_id, status.progress, status.progress_ticks);
      }
      HandleStatus(status, /*from_rm=*/false);
    }
  }
}

void JobDriver::CheckLostNodes() {
  Result<std::vector<sched::wire::NodeReport>> nodes = rm_->ListNodes();
  if (!nodes.ok()) return;  // Allocate reports the RM's troubles.
  int64_t now = WallClockMs();
  for (const sched::wire::NodeReport& node : *nodes) {
    if (!node.alive) NodeLost(node.info.id);
    tracker_->OnNodeReport(node.info.id, node.alive, now - node.last_heartbeat_age_ms);
  }
}

void JobDriver::NodeLost(const std::string& node_id) {
  for (const AttemptInfo& attempt : tracker_->OnNodeLost(node_id)) {
    LOG(WARNING) << config_.app_id << ": node " << node_id << " lost; stopping "
                 << attempt.attempt_id << " to rerun the maps it lost";
    Stop(attempt);
  }
}

void JobDriver::Stop(const AttemptInfo& attempt) {
  Status s = nms_->StopContainer(attempt.container.node, attempt.container.container_id);
  if (!s.ok()) LOG(WARNING) << config_.app_id << ": stopping " << attempt.attempt_id << ": " << s.ToString();
  releases_.push_back(attempt.container.container_id);
}

void JobDriver::StopAbandoned() {
  for (const AttemptInfo& attempt : tracker_->TakeToStop()) {
    LOG(INFO) << config_.app_id << ": stopping " << attempt.attempt_id << ": "
              << attempt.diagnostics;
    Stop(attempt);
  }
}

void JobDriver::HandleStatus(const sched::wire::ContainerStatus& status, bool from_rm) {
  if (status.state != sched::wire::ContainerState::COMPLETE) return;
  bool succeeded = status.exit_code == 0;
  // The RM's copy lacks the result (a task's counters, a reduce's fetch
  // failures), and since NMs heartbeat at once on a completion it often
  // comes first: it decides only what the NM cannot say any more, a
  // container that never ran or was lost with its node (exit -1), or a
  // preemption. The NM's poll brings the rest, result included.
  if (from_rm && status.exit_code != kNeverStarted && !status.preempted) return;
  std::optional<AttemptInfo> attempt = tracker_->RunningAttempt(status.container_id);
  if (!attempt.has_value()) return;
  std::string diagnostics = succeeded ? "" : FailureText(status);
  if (!succeeded && (status.preempted || status.exit_code == kNeverStarted)) {
    // Not the task's doing: preempted for another application's fair
    // share, or never started (its NM could not launch it, or was lost).
    LOG(WARNING) << config_.app_id << ": " << attempt->attempt_id << " in "
                 << status.container_id << " killed: " << diagnostics;
    if (status.preempted) {
      tracker_->OnPreempted(status.container_id, diagnostics);
    } else {
      tracker_->OnLaunchRefused(status.container_id, diagnostics);
    }
    releases_.push_back(status.container_id);
    return;
  }
  Counters task_counters;
  std::vector<int32_t> fetch_failed_maps;
  if (succeeded || !status.result.empty()) {
    Status decoded = DecodeTaskResult(status.result, &task_counters, &fetch_failed_maps);
    if (!decoded.ok()) {
      succeeded = false;
      diagnostics = "bad task result: " + decoded.ToString();
    }
  }
  if (!succeeded && !fetch_failed_maps.empty()) {
    LOG(WARNING) << config_.app_id << ": container " << status.container_id
                 << " could not fetch map outputs: " << diagnostics;
    tracker_->OnFetchFailure(status.container_id,
                             std::vector<int>(fetch_failed_maps.begin(), fetch_failed_maps.end()),
                             "fetch failures: " + diagnostics);
    releases_.push_back(status.container_id);
    return;
  }
  if (succeeded) {
    // Recorded before it counts: a restarted AM must know of every task
    // whose output this one hands on. Without the record the task would
    // only run again after a restart, so a failure to write is not fatal.
    Status recorded = recovery_.RecordSucceeded(attempt->attempt_id, attempt->container,
                                                status.result);
    if (!recorded.ok()) {
      LOG(WARNING) << config_.app_id << ": recovery log: " << recorded.ToString();
    }
  }
  Completion completion = tracker_->OnCompleted(status.container_id, succeeded, diagnostics);
  if (completion == Completion::kIgnored) return;
  releases_.push_back(status.container_id);
  if (completion == Completion::kSucceeded) {
    // A map run again (its output was lost) replaces its earlier counters.
    std::optional<ParsedAttemptId> parsed = ParseAttemptId(attempt->attempt_id);
    task_counters_[TaskName(parsed->kind, parsed->index)] = std::move(task_counters);
  }
  if (!succeeded) {
    LOG(WARNING) << config_.app_id << ": container " << status.container_id
                 << " failed: " << diagnostics;
  }
}

void JobDriver::StopRunning(const std::string& why) {
  if (tracker_ == nullptr) return;
  for (const AttemptInfo& attempt : tracker_->Running()) Stop(attempt);
  tracker_->KillRunning(why);
}

JobDriver::Outcome JobDriver::Commit() {
  std::vector<std::string> winners;
  for (int p = 0; p < tracker_->num_reducers(); ++p) {
    winners.push_back(tracker_->SucceededAttempt(TaskKind::kReduce, p));
  }
  Status s = committer_->Commit(winners, CountersJson());
  // An AM attempt before this one (its node declared lost while it ran on)
  // may have committed it meanwhile: the job is done all the same.
  if (s.IsAlreadyExists() && CommittedByThisApplication()) return {AppState::SUCCEEDED, ""};
  if (!s.ok()) return {AppState::FAILED, "commit failed: " + s.ToString()};
  return {AppState::SUCCEEDED, ""};
}

std::string JobDriver::CountersJson() {
  Counters all;
  for (const auto& [task, counters] : task_counters_) all.MergeFrom(counters);
  if (tracker_ != nullptr) tracker_->AddJobCounters(&all);
  int64_t now = SteadyClockMs();
  if (maps_done_ms_ > 0) {
    all.Add(kTimeGroup, "Map", maps_done_ms_ - start_ms_);
    all.Add(kTimeGroup, "Reduce", now - maps_done_ms_);
  }
  all.Add(kTimeGroup, "Total", now - start_ms_);
  return all.ToJson();
}

}  // namespace mr::am
