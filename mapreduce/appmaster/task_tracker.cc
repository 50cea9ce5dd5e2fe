#include "mapreduce/appmaster/task_tracker.h"

#include <algorithm>

#include "counters.h"

namespace mr::am {

namespace {
int Slot(TaskKind kind) { return kind == TaskKind::kMap ? 0 : 1; }
}  // namespace

TaskTracker::TaskTracker(std::vector<MapPlacement> maps, int num_reducers, TrackerOptions options)
    : options_(std::move(options)) {
  for (size_t i = 0; i < maps.size(); ++i) {
    Task task;
    task.kind = TaskKind::kMap;
    task.index = static_cast<int>(i);
    task.placement = std::move(maps[i]);
    maps_.push_back(std::move(task));
  }
  for (int r = 0; r < num_reducers; ++r) {
    Task task;
    task.kind = TaskKind::kReduce;
    task.index = r;
    reduces_.push_back(std::move(task));
  }
  for (Task& task : maps_) Request(task);
  RequestReducesOnce();  // An empty input has no maps to wait for.
}

void TaskTracker::Request(Task& task) {
  sched::wire::ContainerRequest ask;
  ask.request_id = next_request_id_++;
  bool is_map = task.kind == TaskKind::kMap;
  ask.resource = is_map ? options_.map_resource : options_.reduce_resource;
  ask.priority = is_map ? kMapPriority : kReducePriority;
  // Away from the nodes where this task failed, unless that would be all.
  bool exclude = cluster_nodes_ == 0 || static_cast<int>(task.failed_nodes.size()) < cluster_nodes_;
  if (exclude) ask.excluded_nodes.assign(task.failed_nodes.begin(), task.failed_nodes.end());
  for (const std::string& node : task.placement.nodes) {
    if (!exclude || task.failed_nodes.count(node) == 0) ask.nodes.push_back(node);
  }
  ask.racks = task.placement.racks;
  ask.locality_delay_ms = ask.nodes.empty() && ask.racks.empty() ? 0 : options_.locality_delay_ms;
  task.request_id = ask.request_id;
  requests_[ask.request_id] = {task.kind, task.index};
  asks_.push_back(std::move(ask));
}

void TaskTracker::RequestReducesOnce() {
  if (reduces_requested_ || !maps_done()) return;
  reduces_requested_ = true;
  for (Task& task : reduces_) {
    bool running = !task.attempts.empty() && task.attempts.back().state == "RUNNING";
    if (task.succeeded_attempt < 0 && task.request_id == 0 && !running) Request(task);
  }
}

std::vector<sched::wire::ContainerRequest> TaskTracker::TakeAsks() {
  std::vector<sched::wire::ContainerRequest> out;
  out.swap(asks_);
  return out;
}

std::optional<Launch> TaskTracker::OnAllocated(const sched::wire::Container& container) {
  auto it = requests_.find(container.request_id);
  if (it == requests_.end() || failed()) return std::nullopt;
  auto [kind, index] = it->second;
  requests_.erase(it);
  Task& task = TaskOf(kind, index);
  task.request_id = 0;
  int number = static_cast<int>(task.attempts.size());
  Attempt attempt;
  attempt.id = AttemptId(kind, index, number);
  attempt.container = container;
  attempt.state = "RUNNING";
  task.attempts.push_back(attempt);
  by_container_[container.container_id] = {kind, index, number};
  MarkChanged({kind, index, number});
  ++launched_[Slot(kind)];
  if (kind == TaskKind::kMap) {
    int locality = static_cast<int>(container.locality);
    if (locality >= 0 && locality < 3) ++locality_[locality];
  }
  return Launch{kind, index, number, attempt.id, container};
}

Completion TaskTracker::OnCompleted(const std::string& container_id, bool succeeded,
                                    const std::string& diagnostics) {
  auto it = by_container_.find(container_id);
  if (it == by_container_.end()) return Completion::kIgnored;
  AttemptRef ref = it->second;
  Task& task = TaskOf(ref.kind, ref.index);
  Attempt& attempt = task.attempts[ref.attempt];
  if (attempt.state != "RUNNING") return Completion::kIgnored;
  MarkChanged(ref);
  if (succeeded) {
    attempt.state = "SUCCEEDED";
    if (task.succeeded_attempt < 0) {
      task.succeeded_attempt = ref.attempt;
      ++(ref.kind == TaskKind::kMap ? maps_succeeded_ : reduces_succeeded_);
      RequestReducesOnce();
    }
    return Completion::kSucceeded;
  }
  attempt.state = "FAILED";
  attempt.diagnostics = diagnostics;
  ++failed_[Slot(ref.kind)];
  ++task.failures;
  task.failed_nodes.insert(attempt.container.node.id);
  if (failed()) return Completion::kIgnored;  // The job already failed.
  if (task.failures >= options_.max_attempts) {
    task.failed = true;
    failure_ = "task " + TaskName(ref.kind, ref.index) + " failed " +
               std::to_string(task.failures) + " times; last: " +
               (diagnostics.empty() ? "(no diagnostics)" : diagnostics);
    return Completion::kJobFailed;
  }
  Request(task);
  return Completion::kRetrying;
}

void TaskTracker::KillRunning(const std::string& why) {
  for (auto& [container_id, ref] : by_container_) {
    Attempt& attempt = TaskOf(ref.kind, ref.index).attempts[ref.attempt];
    if (attempt.state != "RUNNING") continue;
    attempt.state = "KILLED";
    attempt.diagnostics = why;
    ++killed_[Slot(ref.kind)];
    MarkChanged(ref);
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
    Attempt& winner = task.attempts[task.succeeded_attempt];
    if (winner.container.node.id != node_id) continue;
    winner.state = "KILLED";
    winner.diagnostics = "map output lost with node " + node_id;
    ++killed_[Slot(task.kind)];
    MarkChanged({task.kind, task.index, task.succeeded_attempt});
    task.succeeded_attempt = -1;
    --maps_succeeded_;
    task.failed_nodes.insert(node_id);
    Request(task);
    outputs_lost = true;
  }
  if (!outputs_lost) return to_stop;
  // The barrier closes again: reduces that have not succeeded restart once
  // every map output exists again.
  reduces_requested_ = false;
  for (Task& task : reduces_) {
    if (task.request_id != 0) {
      requests_.erase(task.request_id);
      cancels_.push_back(task.request_id);
      asks_.erase(std::remove_if(asks_.begin(), asks_.end(),
                                 [&](const auto& ask) { return ask.request_id == task.request_id; }),
                  asks_.end());
      task.request_id = 0;
    }
    for (size_t a = 0; a < task.attempts.size(); ++a) {
      Attempt& attempt = task.attempts[a];
      if (attempt.state != "RUNNING") continue;
      attempt.state = "KILLED";
      attempt.diagnostics = "map outputs lost with node " + node_id;
      ++killed_[Slot(task.kind)];
      MarkChanged({task.kind, task.index, static_cast<int>(a)});
      to_stop.push_back({attempt.id, attempt.state, attempt.container});
    }
  }
  return to_stop;
}

std::vector<int64_t> TaskTracker::TakeCancels() {
  std::vector<int64_t> out;
  out.swap(cancels_);
  return out;
}

std::vector<AttemptInfo> TaskTracker::Running() const {
  std::vector<AttemptInfo> out;
  for (const auto& [container_id, ref] : by_container_) {
    const Attempt& attempt = TaskOf(ref.kind, ref.index).attempts[ref.attempt];
    if (attempt.state == "RUNNING") out.push_back({attempt.id, attempt.state, attempt.container});
  }
  return out;
}

std::vector<AttemptInfo> TaskTracker::Attempts() const {
  std::vector<AttemptInfo> out;
  for (const std::vector<Task>* tasks : {&maps_, &reduces_}) {
    for (const Task& task : *tasks) {
      for (const Attempt& a : task.attempts) out.push_back({a.id, a.state, a.container});
    }
  }
  return out;
}

double TaskTracker::map_progress() const {
  return maps_.empty() ? 1.0 : static_cast<double>(maps_succeeded_) / maps_.size();
}

double TaskTracker::reduce_progress() const {
  return reduces_.empty() ? 1.0 : static_cast<double>(reduces_succeeded_) / reduces_.size();
}

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
}

}  // namespace mr::am
