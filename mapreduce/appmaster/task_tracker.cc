#include "mapreduce/appmaster/task_tracker.h"

#include <algorithm>
#include <chrono>

#include "common/clock.h"
#include "counters.h"

namespace mr::am {

namespace {

int Slot(TaskKind kind) { return kind == TaskKind::kMap ? 0 : 1; }

constexpr char kRunning[] = "RUNNING";
constexpr char kSucceeded[] = "SUCCEEDED";
constexpr char kFailed[] = "FAILED";
constexpr char kKilled[] = "KILLED";

}  // namespace

TaskTracker::TaskTracker(std::vector<MapPlacement> maps, int num_reducers, TrackerOptions options)
    : options_(std::move(options)) {
  for (size_t i = 0; i < maps.size(); ++i) {
    Task task;
    task.kind = TaskKind::kMap;
    task.index = static_cast<int>(i);
    task.placement = std::move(maps[i]);
    task.next_number = options_.first_attempt_number;
    maps_.push_back(std::move(task));
  }
  for (int r = 0; r < num_reducers; ++r) {
    Task task;
    task.kind = TaskKind::kReduce;
    task.index = r;
    task.next_number = options_.first_attempt_number;
    reduces_.push_back(std::move(task));
  }
  for (Task& task : maps_) Request(task);
  RequestReducesOnce();  // An empty input has no maps to wait for.
}

int64_t TaskTracker::Now() const {
  return options_.clock ? options_.clock() : SteadyClockMs();
}

void TaskTracker::MarkEnded(Attempt& attempt) const {
  attempt.end_ms = Now();
  attempt.finish_time_ms = WallClockMs();
}

int TaskTracker::RunningAttempts(const Task& task) const {
  return static_cast<int>(std::count_if(task.attempts.begin(), task.attempts.end(),
                                        [](const Attempt& a) { return a.state == kRunning; }));
}

bool TaskTracker::Avoided(const std::string& node_id) const {
  bool all = cluster_nodes_ > 0 && static_cast<int>(blacklisted_.size()) >= cluster_nodes_;
  return (!all && blacklisted_.count(node_id) > 0) || BackedOff(node_id);
}

bool TaskTracker::BackedOff(const std::string& node_id) const {
  auto it = troubled_.find(node_id);
  if (it == troubled_.end()) return false;
  return Now() < it->second.avoid_until_ms || !it->second.confirmed_alive;
}

void TaskTracker::NoteLaunchTrouble(const std::string& node_id) {
  NodeTrouble& trouble = troubled_[node_id];
  ++trouble.refusals;
  int64_t backoff = options_.node_backoff_ms;
  for (int i = 1; i < trouble.refusals && backoff < options_.node_backoff_max_ms; ++i) backoff *= 2;
  trouble.avoid_until_ms = Now() + std::min(backoff, options_.node_backoff_max_ms);
  trouble.refused_wall_ms = WallClockMs();
  trouble.confirmed_alive = false;
}

void TaskTracker::OnNodeReport(const std::string& node_id, bool alive,
                               int64_t last_heartbeat_wall_ms) {
  auto it = troubled_.find(node_id);
  if (it == troubled_.end() || !alive) return;
  if (last_heartbeat_wall_ms > it->second.refused_wall_ms) it->second.confirmed_alive = true;
}

void TaskTracker::FailTask(Task& task, const std::string& why) {
  task.failed = true;
  if (failure_.empty()) failure_ = "task " + TaskName(task.kind, task.index) + " " + why;
}

bool TaskTracker::Request(Task& task, bool backup) {
  int total = static_cast<int>(task.attempts.size());
  if (total >= options_.max_attempts_total) {
    if (backup || failed()) return false;
    std::map<std::string, int> by_state;
    for (const Attempt& a : task.attempts) ++by_state[a.state];
    std::string counts;
    for (const auto& [state, n] : by_state) {
      counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + state;
    }
    const std::string& last = task.attempts.back().diagnostics;
    FailTask(task, "had " + std::to_string(total) +
                       " attempts, the most one task may have "
                       "(--am_max_attempts_per_task_total): " + counts +
                       "; last: " + (last.empty() ? "(no diagnostics)" : last));
    return false;
  }
  sched::wire::ContainerRequest ask;
  bool is_map = task.kind == TaskKind::kMap;
  ask.resource = is_map ? options_.map_resource : options_.reduce_resource;
  ask.priority = is_map ? kMapPriority : kReducePriority;
  // Away from the nodes where this task failed, the nodes the job avoids
  // and the nodes backed off after refusals, unless that would be all of
  // them (and the RM ignores exclusions that leave it nowhere to go).
  std::set<std::string> avoid = task.failed_nodes;
  avoid.insert(blacklisted_.begin(), blacklisted_.end());
  for (const auto& [node_id, trouble] : troubled_) {
    if (BackedOff(node_id)) avoid.insert(node_id);
  }
  if (cluster_nodes_ > 0 && static_cast<int>(avoid.size()) >= cluster_nodes_) avoid.clear();
  if (backup) {
    for (const Attempt& a : task.attempts) {
      if (a.state == kRunning) avoid.insert(a.container.node.id);
    }
    if (cluster_nodes_ > 0 && static_cast<int>(avoid.size()) >= cluster_nodes_) return false;
  }
  ask.excluded_nodes.assign(avoid.begin(), avoid.end());
  for (const std::string& node : task.placement.nodes) {
    if (avoid.count(node) == 0) ask.nodes.push_back(node);
  }
  ask.racks = task.placement.racks;
  ask.locality_delay_ms = ask.nodes.empty() && ask.racks.empty() ? 0 : options_.locality_delay_ms;
  ask.request_id = next_request_id_++;
  task.request_id = ask.request_id;
  requests_[ask.request_id] = {task.kind, task.index, ask};
  asks_.push_back(std::move(ask));
  return true;
}

void TaskTracker::Withdraw(Task& task) {
  if (task.request_id == 0) return;
  int64_t id = task.request_id;
  task.request_id = 0;
  requests_.erase(id);
  auto queued = std::find_if(asks_.begin(), asks_.end(),
                             [id](const auto& ask) { return ask.request_id == id; });
  if (queued != asks_.end()) {
    asks_.erase(queued);  // Never sent: nothing to cancel.
  } else {
    cancels_.push_back(id);
  }
}

void TaskTracker::RequestReducesOnce() {
  if (reduces_requested_ || !maps_done()) return;
  reduces_requested_ = true;
  for (Task& task : reduces_) {
    if (task.succeeded_attempt < 0 && task.request_id == 0 && RunningAttempts(task) == 0) {
      Request(task);
    }
  }
}

std::vector<sched::wire::ContainerRequest> TaskTracker::TakeAsks() {
  std::vector<sched::wire::ContainerRequest> out;
  out.swap(asks_);
  return out;
}

std::vector<sched::wire::ContainerRequest> TaskTracker::OutstandingAsks() const {
  std::vector<sched::wire::ContainerRequest> out;
  for (const auto& [id, pending] : requests_) out.push_back(pending.ask);
  return out;
}

TaskTracker::Attempt& TaskTracker::AddAttempt(Task& task, int number,
                                              const sched::wire::Container& container,
                                              const std::string& state) {
  Attempt attempt;
  attempt.id = AttemptId(task.kind, task.index, number);
  attempt.container = container;
  attempt.state = state;
  attempt.start_ms = Now();
  attempt.start_time_ms = WallClockMs();
  attempt.progress_ms = attempt.start_ms;
  if (task.kind == TaskKind::kReduce) {
    for (const wire::MapOutputLocation& output : MapOutputs()) {
      attempt.map_outputs.push_back(output.output_name);
    }
  }
  task.next_number = std::max(task.next_number, number + 1);
  int position = static_cast<int>(task.attempts.size());
  task.attempts.push_back(std::move(attempt));
  by_container_[container.container_id] = {task.kind, task.index, position};
  MarkChanged({task.kind, task.index, position});
  return task.attempts.back();
}

std::optional<Launch> TaskTracker::OnAllocated(const sched::wire::Container& container) {
  auto it = requests_.find(container.request_id);
  if (it == requests_.end() || failed()) return std::nullopt;
  TaskKind kind = it->second.kind;
  Task& task = TaskOf(kind, it->second.index);
  requests_.erase(it);
  task.request_id = 0;
  if (task.succeeded_attempt >= 0) return std::nullopt;  // A backup's grant, too late.
  if (Avoided(container.node.id)) {
    // Asked for before the job gave up on that node: ask again, away from it.
    Request(task, /*backup=*/RunningAttempts(task) > 0);
    return std::nullopt;
  }
  bool backup = RunningAttempts(task) > 0;
  int number = task.next_number;
  const Attempt& attempt = AddAttempt(task, number, container, kRunning);
  ++launched_[Slot(kind)];
  if (backup) ++speculative_[Slot(kind)];
  if (kind == TaskKind::kMap) {
    int locality = static_cast<int>(container.locality);
    if (locality >= 0 && locality < 3) ++locality_[locality];
  }
  return Launch{kind, task.index, number, attempt.id, container};
}

void TaskTracker::Kill(const AttemptRef& ref, const std::string& why, bool stop) {
  Attempt& attempt = TaskOf(ref.kind, ref.index).attempts[ref.attempt];
  attempt.state = kKilled;
  attempt.diagnostics = why;
  MarkEnded(attempt);
  ++killed_[Slot(ref.kind)];
  MarkChanged(ref);
  if (stop) to_stop_.push_back({attempt.id, attempt.state, attempt.container, why});
}

Completion TaskTracker::OnCompleted(const std::string& container_id, bool succeeded,
                                    const std::string& diagnostics) {
  std::optional<AttemptRef> running = RunningRef(container_id);
  if (!running) return Completion::kIgnored;
  const AttemptRef ref = *running;
  Task& task = TaskOf(ref.kind, ref.index);
  Attempt& attempt = task.attempts[ref.attempt];
  if (!succeeded) return FailAttempt(ref, diagnostics);
  MarkChanged(ref);
  attempt.state = kSucceeded;
  MarkEnded(attempt);
  if (task.succeeded_attempt < 0) {
    task.succeeded_attempt = ref.attempt;
    ++(ref.kind == TaskKind::kMap ? maps_succeeded_ : reduces_succeeded_);
    // The race is over: the other attempts lose, and a backup still
    // waiting for a container is not wanted any more.
    Withdraw(task);
    for (size_t a = 0; a < task.attempts.size(); ++a) {
      if (task.attempts[a].state != kRunning) continue;
      Kill({ref.kind, ref.index, static_cast<int>(a)}, attempt.id + " finished first",
           /*stop=*/true);
    }
    RequestReducesOnce();
  }
  return Completion::kSucceeded;
}

Completion TaskTracker::FailAttempt(const AttemptRef& ref, const std::string& diagnostics) {
  Task& task = TaskOf(ref.kind, ref.index);
  Attempt& attempt = task.attempts[ref.attempt];
  MarkChanged(ref);
  attempt.state = kFailed;
  attempt.diagnostics = diagnostics;
  MarkEnded(attempt);
  ++failed_[Slot(ref.kind)];
  ++task.failures;
  const std::string& node = attempt.container.node.id;
  task.failed_nodes.insert(node);
  if (options_.max_failures_per_node > 0 &&
      ++node_failures_[node] >= options_.max_failures_per_node) {
    blacklisted_.insert(node);
  }
  if (failed()) return Completion::kIgnored;  // The job already failed.
  if (task.failures >= options_.max_attempts) {
    FailTask(task, "failed " + std::to_string(task.failures) + " times; last: " +
                       (diagnostics.empty() ? "(no diagnostics)" : diagnostics));
    return Completion::kJobFailed;
  }
  RequestIfIdle(task);
  return failed() ? Completion::kJobFailed : Completion::kRetrying;
}

void TaskTracker::RequestIfIdle(Task& task) {
  // A sibling still running (or asked for) carries the task on; a reduce
  // waits while the barrier is closed (RequestReducesOnce asks for it).
  bool barrier_closed = task.kind == TaskKind::kReduce && !reduces_requested_;
  if (task.succeeded_attempt < 0 && RunningAttempts(task) == 0 && task.request_id == 0 &&
      !barrier_closed) {
    Request(task);
  }
}

Completion TaskTracker::OnLaunchRefused(const std::string& container_id,
                                        const std::string& diagnostics) {
  std::optional<AttemptRef> ref = RunningRef(container_id);
  if (!ref) return Completion::kIgnored;
  Task& task = TaskOf(ref->kind, ref->index);
  NoteLaunchTrouble(task.attempts[ref->attempt].container.node.id);
  Kill(*ref, diagnostics, /*stop=*/false);
  if (done() || failed()) return Completion::kIgnored;
  RequestIfIdle(task);
  return failed() ? Completion::kJobFailed : Completion::kRetrying;
}

Completion TaskTracker::OnPreempted(const std::string& container_id,
                                    const std::string& diagnostics) {
  std::optional<AttemptRef> ref = RunningRef(container_id);
  if (!ref) return Completion::kIgnored;
  Task& task = TaskOf(ref->kind, ref->index);
  Kill(*ref, diagnostics.empty() ? "preempted" : diagnostics, /*stop=*/false);
  if (done() || failed()) return Completion::kIgnored;
  RequestIfIdle(task);
  return failed() ? Completion::kJobFailed : Completion::kRetrying;
}

void TaskTracker::LoseMapOutput(Task& map, const std::string& why, const std::string& bad_node) {
  Attempt& winner = map.attempts[map.succeeded_attempt];
  winner.state = kKilled;
  winner.diagnostics = why;
  ++killed_[Slot(map.kind)];
  MarkChanged({map.kind, map.index, map.succeeded_attempt});
  map.succeeded_attempt = -1;
  --maps_succeeded_;
  if (!bad_node.empty()) map.failed_nodes.insert(bad_node);
  Request(map);
  reduces_requested_ = false;  // The barrier closes until it runs again.
}

Completion TaskTracker::OnFetchFailure(const std::string& container_id,
                                       const std::vector<int>& map_indexes,
                                       const std::string& diagnostics) {
  std::optional<AttemptRef> running = RunningRef(container_id);
  if (!running || running->kind != TaskKind::kReduce) return Completion::kIgnored;
  const AttemptRef ref = *running;
  Task& reduce = TaskOf(ref.kind, ref.index);
  Attempt& attempt = reduce.attempts[ref.attempt];
  Kill(ref, diagnostics, /*stop=*/false);
  if (done() || failed()) return Completion::kIgnored;
  for (int m : map_indexes) {
    if (m < 0 || m >= num_maps()) continue;
    Task& map = maps_[m];
    if (map.succeeded_attempt < 0) continue;  // Already running again.
    const Attempt& output = map.attempts[map.succeeded_attempt];
    bool given = std::count(attempt.map_outputs.begin(), attempt.map_outputs.end(),
                            MapOutputName(output.id)) > 0;
    if (!given) continue;  // The reduce had an older output; this one is new.
    LoseMapOutput(map, "its output could not be fetched by " + attempt.id,
                  output.container.node.id);
  }
  RequestIfIdle(reduce);
  return Completion::kRetrying;
}

void TaskTracker::OnProgress(const std::string& container_id, double progress, int64_t ticks) {
  std::optional<AttemptRef> ref = RunningRef(container_id);
  if (!ref) return;
  Attempt& attempt = TaskOf(ref->kind, ref->index).attempts[ref->attempt];
  if (progress != attempt.progress || ticks != attempt.ticks) {
    attempt.progress = progress;
    attempt.ticks = ticks;
    attempt.progress_ms = Now();
  }
}

void TaskTracker::CheckTimeouts() {
  if (options_.task_timeout_ms <= 0 || failed()) return;
  int64_t now = Now();
  for (const auto& [container_id, ref] : by_container_) {
    Attempt& attempt = TaskOf(ref.kind, ref.index).attempts[ref.attempt];
    if (attempt.state != kRunning || now - attempt.progress_ms < options_.task_timeout_ms) {
      continue;
    }
    std::string why = "no progress for " + std::to_string(now - attempt.progress_ms) +
                      " ms (timeout " + std::to_string(options_.task_timeout_ms) + " ms)";
    to_stop_.push_back({attempt.id, kFailed, attempt.container, why});
    FailAttempt(ref, why);
    if (failed()) return;
  }
}

void TaskTracker::Speculate() {
  if (!options_.speculation.enabled || failed() || done()) return;
  int tasks = num_maps() + num_reducers();
  int cap = std::max(1, static_cast<int>(options_.speculation.cap_fraction * tasks));
  int backups = 0;
  for (const std::vector<Task>* kind : {&maps_, &reduces_}) {
    for (const Task& task : *kind) {
      int active = RunningAttempts(task) + (task.request_id != 0 ? 1 : 0);
      if (task.succeeded_attempt < 0 && active > 1) ++backups;
    }
  }
  if (backups >= cap) return;
  SpeculateKind(TaskKind::kMap);
  if (reduces_requested_) SpeculateKind(TaskKind::kReduce);
}

void TaskTracker::SpeculateKind(TaskKind kind) {
  std::vector<Task>& tasks = kind == TaskKind::kMap ? maps_ : reduces_;
  int64_t now = Now();
  std::vector<RunningTaskEstimate> running;
  std::vector<int64_t> finished_ms;
  for (const Task& task : tasks) {
    if (task.succeeded_attempt >= 0) {
      const Attempt& winner = task.attempts[task.succeeded_attempt];
      if (winner.end_ms > 0) finished_ms.push_back(winner.end_ms - winner.start_ms);
      continue;
    }
    if (task.request_id != 0 || RunningAttempts(task) != 1) continue;
    for (const Attempt& a : task.attempts) {
      if (a.state == kRunning) running.push_back({task.index, a.progress, now - a.start_ms});
    }
  }
  std::optional<int> chosen = PickSpeculativeTask(running, finished_ms, options_.speculation);
  if (chosen.has_value()) Request(tasks[*chosen], /*backup=*/true);
}

std::vector<AttemptInfo> TaskTracker::TakeToStop() {
  std::vector<AttemptInfo> out;
  out.swap(to_stop_);
  return out;
}

void TaskTracker::KillRunning(const std::string& why) {
  for (auto& [container_id, ref] : by_container_) {
    if (TaskOf(ref.kind, ref.index).attempts[ref.attempt].state == kRunning) {
      Kill(ref, why, /*stop=*/false);
    }
  }
  // Nothing more will be launched.
  requests_.clear();
  asks_.clear();
}

std::vector<AttemptInfo> TaskTracker::OnNodeLost(const std::string& node_id) {
  std::vector<AttemptInfo> to_stop;
  if (!lost_nodes_.insert(node_id).second || done() || failed()) return to_stop;
  bool outputs_lost = false;
  for (Task& task : maps_) {
    if (task.succeeded_attempt < 0) continue;
    if (task.attempts[task.succeeded_attempt].container.node.id != node_id) continue;
    LoseMapOutput(task, "map output lost with node " + node_id, node_id);
    outputs_lost = true;
  }
  if (!outputs_lost) return to_stop;
  // Reduces that have not succeeded restart once every map output exists
  // again: their map output lists are stale.
  for (Task& task : reduces_) {
    Withdraw(task);
    for (size_t a = 0; a < task.attempts.size(); ++a) {
      Attempt& attempt = task.attempts[a];
      if (attempt.state != kRunning) continue;
      Kill({task.kind, task.index, static_cast<int>(a)}, "map outputs lost with node " + node_id,
           /*stop=*/false);
      to_stop.push_back({attempt.id, attempt.state, attempt.container, attempt.diagnostics});
    }
  }
  return to_stop;
}

std::vector<int64_t> TaskTracker::TakeCancels() {
  std::vector<int64_t> out;
  out.swap(cancels_);
  return out;
}

TaskTracker::Task* TaskTracker::TaskOfAttempt(const std::string& attempt_id, int* number) {
  std::optional<ParsedAttemptId> parsed = ParseAttemptId(attempt_id);
  if (!parsed.has_value()) return nullptr;
  int tasks = parsed->kind == TaskKind::kMap ? num_maps() : num_reducers();
  if (parsed->index >= tasks) return nullptr;
  *number = parsed->attempt;
  return &TaskOf(parsed->kind, parsed->index);
}

bool TaskTracker::RecoverSucceeded(const std::string& attempt_id,
                                   const sched::wire::Container& container) {
  int number = 0;
  Task* found = TaskOfAttempt(attempt_id, &number);
  if (found == nullptr || found->succeeded_attempt >= 0) return false;
  Task& task = *found;
  Withdraw(task);
  AddAttempt(task, number, container, kSucceeded);
  task.succeeded_attempt = static_cast<int>(task.attempts.size()) - 1;
  ++(task.kind == TaskKind::kMap ? maps_succeeded_ : reduces_succeeded_);
  RequestReducesOnce();
  return true;
}

bool TaskTracker::AdoptRunning(const std::string& attempt_id,
                               const sched::wire::Container& container) {
  int number = 0;
  Task* found = TaskOfAttempt(attempt_id, &number);
  if (found == nullptr || found->succeeded_attempt >= 0 || RunningAttempts(*found) > 0) {
    return false;
  }
  Task& task = *found;
  // A reduce started before the barrier fell again would hold stale
  // outputs; one adopted before the maps are done is not expected.
  if (task.kind == TaskKind::kReduce && !maps_done()) return false;
  Withdraw(task);
  AddAttempt(task, number, container, kRunning);
  return true;
}

std::vector<AttemptInfo> TaskTracker::Running() const {
  std::vector<AttemptInfo> out;
  for (const auto& [container_id, ref] : by_container_) {
    const Attempt& attempt = TaskOf(ref.kind, ref.index).attempts[ref.attempt];
    if (attempt.state == kRunning) {
      out.push_back({attempt.id, attempt.state, attempt.container, attempt.diagnostics});
    }
  }
  return out;
}

std::optional<TaskTracker::AttemptRef> TaskTracker::RunningRef(
    const std::string& container_id) const {
  auto it = by_container_.find(container_id);
  if (it == by_container_.end()) return std::nullopt;
  const AttemptRef& ref = it->second;
  if (TaskOf(ref.kind, ref.index).attempts[ref.attempt].state != kRunning) return std::nullopt;
  return ref;
}

std::optional<AttemptInfo> TaskTracker::RunningAttempt(const std::string& container_id) const {
  std::optional<AttemptRef> ref = RunningRef(container_id);
  if (!ref) return std::nullopt;
  const Attempt& a = TaskOf(ref->kind, ref->index).attempts[ref->attempt];
  return AttemptInfo{a.id, a.state, a.container, a.diagnostics};
}

std::vector<AttemptInfo> TaskTracker::Attempts() const {
  std::vector<AttemptInfo> out;
  for (const std::vector<Task>* tasks : {&maps_, &reduces_}) {
    for (const Task& task : *tasks) {
      for (const Attempt& a : task.attempts) {
        out.push_back({a.id, a.state, a.container, a.diagnostics});
      }
    }
  }
  return out;
}

namespace {

// A task's share of its phase's progress: 1 once it succeeded, else its
// furthest running attempt's own report.
template <typename TaskT>
double PhaseProgress(const std::vector<TaskT>& tasks) {
  if (tasks.empty()) return 1.0;
  double sum = 0;
  for (const TaskT& task : tasks) {
    if (task.succeeded_attempt >= 0) {
      sum += 1;
      continue;
    }
    double best = 0;
    for (const auto& a : task.attempts) {
      if (a.state == kRunning) best = std::max(best, std::clamp(a.progress, 0.0, 1.0));
    }
    sum += best;
  }
  return sum / tasks.size();
}

}  // namespace

double TaskTracker::map_progress() const { return PhaseProgress(maps_); }

double TaskTracker::reduce_progress() const { return PhaseProgress(reduces_); }

std::vector<sched::wire::TaskAttemptReport> TaskTracker::TakeAttemptReports() {
  std::vector<sched::wire::TaskAttemptReport> out;
  std::set<std::string> seen;
  for (const AttemptRef& ref : changed_) {
    const Attempt& attempt = TaskOf(ref.kind, ref.index).attempts[ref.attempt];
    if (!seen.insert(attempt.id).second) continue;
    sched::wire::TaskAttemptReport report;
    report.attempt_id = attempt.id;
    report.container_id = attempt.container.container_id;
    report.node_id = attempt.container.node.id;
    report.state = attempt.state;
    report.diagnostics = attempt.diagnostics;
    report.start_time_ms = attempt.start_time_ms;
    report.finish_time_ms = attempt.finish_time_ms;
    out.push_back(std::move(report));
  }
  changed_.clear();
  return out;
}

std::vector<wire::MapOutputLocation> TaskTracker::MapOutputs() const {
  std::vector<wire::MapOutputLocation> out;
  for (const Task& task : maps_) {
    if (task.succeeded_attempt < 0) continue;
    const Attempt& attempt = task.attempts[task.succeeded_attempt];
    wire::MapOutputLocation location;
    location.map_index = task.index;
    location.host = attempt.container.node.host;
    location.shuffle_port = attempt.container.node.shuffle_port;
    location.output_name = MapOutputName(attempt.id);
    out.push_back(std::move(location));
  }
  return out;
}

std::string TaskTracker::SucceededAttempt(TaskKind kind, int index) const {
  const Task& task = TaskOf(kind, index);
  return task.succeeded_attempt < 0 ? "" : task.attempts[task.succeeded_attempt].id;
}

void TaskTracker::AddJobCounters(Counters* counters) const {
  using namespace job_counter;
  counters->Add(kGroup, kLaunchedMaps, launched_[0]);
  counters->Add(kGroup, kLaunchedReduces, launched_[1]);
  counters->Add(kGroup, kFailedMaps, failed_[0]);
  counters->Add(kGroup, kFailedReduces, failed_[1]);
  counters->Add(kGroup, kKilledMaps, killed_[0]);
  counters->Add(kGroup, kKilledReduces, killed_[1]);
  counters->Add(kGroup, kDataLocalMaps, locality_[sched::wire::Locality::NODE_LOCAL]);
  counters->Add(kGroup, kRackLocalMaps, locality_[sched::wire::Locality::RACK_LOCAL]);
  counters->Add(kGroup, kOtherLocalMaps, locality_[sched::wire::Locality::OFF_RACK]);
  counters->Add(kGroup, kSpeculativeMaps, speculative_[0]);
  counters->Add(kGroup, kSpeculativeReduces, speculative_[1]);
}

}  // namespace mr::am
