#include "scheduler/resourcemanager/cluster_state.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include <glog/logging.h>

#include "scheduler/resourcemanager/resources.h"

namespace mr::sched {

namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string Padded(int64_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%0*lld", width, static_cast<long long>(n));
  return buf;
}

wire::ContainerStatus CompletedStatus(const std::string& container_id, const std::string& app_id,
                                      int exit_code, const std::string& diagnostics) {
  wire::ContainerStatus status;
  status.container_id = container_id;
  status.app_id = app_id;
  status.state = wire::ContainerState::COMPLETE;
  status.exit_code = exit_code;
  status.diagnostics = diagnostics;
  return status;
}

// A container reported by an NM without its grant (an older NM): accounted
// as a typical task container.
constexpr int32_t kFallbackVcores = 1;
constexpr int64_t kFallbackMemoryMb = 1024;

// A takeover skips this many container numbers per application, so that new
// ids never repeat ones the previous RM granted after its last checkpoint.
constexpr int kContainerNumberGap = 10000;

// The number in "<app_id>_cNNNNNN", or 0.
int ContainerNumber(const std::string& container_id) {
  size_t at = container_id.rfind("_c");
  if (at == std::string::npos) return 0;
  try {
    return std::stoi(container_id.substr(at + 2));
  } catch (const std::exception&) {
    return 0;
  }
}

std::string AppOfContainer(const std::string& container_id) {
  size_t at = container_id.rfind("_c");
  return at == std::string::npos ? "" : container_id.substr(0, at);
}

}  // namespace

wire::Resource ClusterState::Node::Free() const { return Minus(info.capability, used); }

wire::Resource ClusterState::Node::TaskRoom() const { return Minus(info.capability, am_used); }

bool ClusterState::App::Finished() const {
  auto s = report.state;
  return s == wire::AppState::SUCCEEDED || s == wire::AppState::FAILED ||
         s == wire::AppState::KILLED;
}

bool ClusterState::App::WantsAm() const {
  return !Finished() && !has_am && (needs_am || report.state == wire::AppState::SUBMITTED);
}

ClusterState::ClusterState(Options options) : options_(std::move(options)) {
  if (options_.queues.empty()) options_.queues.push_back({"default", 1});
}

// ---- Node Managers ---------------------------------------------------------

Status ClusterState::RegisterNode(const wire::NodeInfo& info, int64_t now_ms,
                                  const std::vector<std::string>& local_app_ids) {
  if (info.id.empty()) return Status::InvalidArgument("node id is empty");
  if (!IsValidCapability(info.capability)) {
    return Status::InvalidArgument("node " + info.id + ": capability must be positive, got " +
                                   ToString(info.capability));
  }
  auto it = nodes_.find(info.id);
  if (it != nodes_.end()) {
    // A restarted NM: whatever ran there is gone.
    std::vector<std::string> lost;
    for (const auto& [id, c] : containers_) {
      if (c.node_id == info.id) lost.push_back(id);
    }
    for (const std::string& id : lost) {
      ContainerDone(id, CompletedStatus(id, containers_[id].app_id, -1,
                                        "node " + info.id + " restarted"),
                    now_ms);
    }
    LOG(INFO) << "rm: node " << info.id << " registered again";
  } else {
    LOG(INFO) << "rm: node " << info.id << " registered (" << info.host << ":" << info.rpc_port
              << ", rack " << info.rack << ", " << ToString(info.capability) << ")";
  }
  Node& node = nodes_[info.id];
  node = Node();
  node.info = info;
  node.used = MakeResource(0, 0);
  node.am_used = MakeResource(0, 0);
  node.last_heartbeat_ms = now_ms;
  // A restarted NM keeps the local data of the applications it ran: the
  // finished ones go (their logs aggregated first).
  for (const std::string& app_id : local_app_ids) {
    const App* app = FindApp(app_id);
    if (app == nullptr || app->Finished()) node.cleanup_apps.push_back(app_id);
  }
  return Status::OK();
}

Result<wire::NodeHeartbeatResponse> ClusterState::NodeHeartbeat(
    const std::string& node_id, const std::vector<wire::ContainerStatus>& statuses,
    int64_t now_ms) {
  auto it = nodes_.find(node_id);
  if (it == nodes_.end() || !it->second.alive) {
    // Unknown (the RM restarted) or declared lost: it must register afresh.
    wire::NodeHeartbeatResponse response;
    response.reregister = true;
    return response;
  }
  Node& node = it->second;
  node.last_heartbeat_ms = now_ms;
  ++node.heartbeats;
  wire::NodeHeartbeatResponse response;
  std::set<std::string> listed;
  for (const wire::ContainerStatus& status : statuses) {
    listed.insert(status.container_id);
    auto c = containers_.find(status.container_id);
    if (c == containers_.end()) {
      // Running but unknown here: adopted if this RM took over from one
      // that granted it, else (its app ended) stopped.
      if (status.state == wire::ContainerState::RUNNING && !Adopt(node, status)) {
        response.stop_container_ids.push_back(status.container_id);
      }
      continue;
    }
    if (status.state == wire::ContainerState::COMPLETE) {
      ContainerDone(status.container_id, status, now_ms);
    }
  }
  // A container ordered to stop with an earlier answer that this heartbeat
  // does not list has no process left (the NM never started it, or
  // reported it complete before): its room is free.
  std::vector<std::string> gone;
  for (const auto& [id, c] : containers_) {
    if (c.node_id == node_id && c.stopping && c.stop_sent_at >= 0 &&
        c.stop_sent_at < node.heartbeats && listed.count(id) == 0) {
      gone.push_back(id);
    }
  }
  for (const std::string& id : gone) {
    ContainerDone(id, CompletedStatus(id, containers_[id].app_id, -1, "stopped"), now_ms);
  }
  auto send = [&](std::vector<std::string>* ids, std::vector<std::string>* out) {
    for (std::string& id : *ids) {
      auto c = containers_.find(id);
      if (c != containers_.end()) c->second.stop_sent_at = node.heartbeats;
      out->push_back(std::move(id));
    }
    ids->clear();
  };
  send(&node.stop_containers, &response.stop_container_ids);
  send(&node.preempt_containers, &response.preempt_container_ids);
  response.cleanup_app_ids = std::move(node.cleanup_apps);
  node.cleanup_apps.clear();
  return response;
}

void ClusterState::ExpireNodes(int64_t now_ms) {
  for (auto& [id, node] : nodes_) {
    if (!node.alive || now_ms - node.last_heartbeat_ms < options_.node_expiry_ms) continue;
    LoseNode(node, "no heartbeat for " + std::to_string(now_ms - node.last_heartbeat_ms) + " ms",
             now_ms);
  }
}

bool ClusterState::DeclareNodeLost(const std::string& node_id, const std::string& why,
                                   int64_t now_ms) {
  auto it = nodes_.find(node_id);
  if (it == nodes_.end() || !it->second.alive) return false;
  LoseNode(it->second, why, now_ms);
  return true;
}

void ClusterState::LoseNode(Node& node, const std::string& why, int64_t now_ms) {
  const std::string& id = node.info.id;
  LOG(WARNING) << "rm: node " << id << " lost (" << why << ")";
  node.alive = false;
  for (auto& [app_id, app] : apps_) {
    if (!app.Finished() && !Contains(app.lost_nodes, id)) app.lost_nodes.push_back(id);
  }
  std::vector<std::string> lost;
  for (const auto& [cid, c] : containers_) {
    if (c.node_id == id) lost.push_back(cid);
  }
  for (const std::string& cid : lost) {
    ContainerDone(cid, CompletedStatus(cid, containers_[cid].app_id, -1, "node " + id + " lost"),
                  now_ms);
  }
}

std::vector<wire::NodeReport> ClusterState::ListNodes(int64_t now_ms) const {
  std::vector<wire::NodeReport> out;
  for (const auto& [id, node] : nodes_) {
    wire::NodeReport report;
    report.info = node.info;
    report.alive = node.alive;
    report.used = node.used;
    report.last_heartbeat_age_ms = now_ms - node.last_heartbeat_ms;
    for (const auto& [cid, c] : containers_) report.running_containers += c.node_id == id;
    out.push_back(std::move(report));
  }
  return out;
}

wire::Resource ClusterState::LargestNode() const {
  wire::Resource largest = MakeResource(0, 0);
  for (const auto& [id, node] : nodes_) {
    if (!node.alive) continue;
    largest.vcores = std::max(largest.vcores, node.info.capability.vcores);
    largest.memory_mb = std::max(largest.memory_mb, node.info.capability.memory_mb);
  }
  return largest;
}

Status ClusterState::CheckFitsSomeNode(const wire::Resource& resource,
                                       const std::string& what) const {
  if (!IsValidGrant(resource)) {
    return Status::InvalidArgument(what + " must ask for at least 0 vcores and 1 MB, got " +
                                   ToString(resource));
  }
  for (const auto& [id, node] : nodes_) {
    if (node.alive && Fits(resource, node.info.capability)) return Status::OK();
  }
  if (nodes_.empty()) return Status::OK();  // Nodes may still be registering.
  return Status::InvalidArgument(what + " asks for " + ToString(resource) +
                                 ", more than any node has (largest: " +
                                 ToString(LargestNode()) + ")");
}

// ---- Applications ----------------------------------------------------------

ClusterState::App* ClusterState::FindApp(const std::string& app_id) {
  auto it = apps_.find(app_id);
  return it == apps_.end() ? nullptr : &it->second;
}

const ClusterState::App* ClusterState::FindApp(const std::string& app_id) const {
  auto it = apps_.find(app_id);
  return it == apps_.end() ? nullptr : &it->second;
}

const QueueConfig* ClusterState::FindQueue(const std::string& name) const {
  for (const QueueConfig& queue : options_.queues) {
    if (queue.name == name) return &queue;
  }
  return nullptr;
}

std::string ClusterState::NewApplicationId() {
  return "app_" + std::to_string(options_.start_time_ms) + "_" + Padded(next_app_++, 4);
}

Status ClusterState::Submit(const wire::ApplicationSubmission& submission, int64_t now_ms) {
  const std::string& id = submission.app_id;
  if (id.empty() || id.rfind("app_", 0) != 0) {
    return Status::InvalidArgument("bad application id '" + id + "' (use NewApplication)");
  }
  if (apps_.count(id)) return Status::AlreadyExists("application " + id + " was submitted before");
  if (submission.binary_dfs_path.empty()) {
    return Status::InvalidArgument("application " + id + " has no binary");
  }
  std::string queue = submission.queue.empty() ? options_.queues.front().name : submission.queue;
  if (FindQueue(queue) == nullptr) {
    std::string names;
    for (const QueueConfig& q : options_.queues) names += (names.empty() ? "" : ", ") + q.name;
    return Status::InvalidArgument("no queue '" + queue.substr(0, 64) + "' (queues: " + names +
                                   ")");
  }
  RETURN_NOT_OK(CheckFitsSomeNode(submission.am_resource, "the application master"));
  App& app = apps_[id];
  app.submission = submission;
  app.submission.queue = queue;
  app.queue = queue;
  app.submit_order = next_submit_order_++;
  app.needs_am = true;
  app.report.app_id = id;
  app.report.name = submission.name;
  app.report.user = submission.user;
  app.report.queue = queue;
  // Accepted into its queue; it waits there until its AM fits.
  app.report.state = wire::AppState::ACCEPTED;
  app.report.submit_time_ms = now_ms;
  app.report.used = MakeResource(0, 0);
  ++version_;
  LOG(INFO) << "rm: application " << id << " (" << submission.name << ") submitted to queue "
            << queue;
  return Status::OK();
}

namespace {

// Its attempts by state.
void CountAttempts(wire::ApplicationReport* report) {
  report->attempt_counts.clear();
  for (const wire::TaskAttemptReport& a : report->attempts) ++report->attempt_counts[a.state];
}

// An application's report without its attempts, which grow with the job.
wire::ApplicationReport BriefReport(const wire::ApplicationReport& full) {
  wire::ApplicationReport brief = full;
  brief.attempts.clear();
  return brief;
}

}  // namespace

Result<wire::ApplicationReport> ClusterState::GetApplication(const std::string& app_id,
                                                             bool brief) const {
  const App* app = FindApp(app_id);
  if (app == nullptr) return Status::NotFound("no application " + app_id);
  wire::ApplicationReport report = brief ? BriefReport(app->report) : app->report;
  report.__isset.attempt_counts = true;
  return report;
}

std::vector<wire::ApplicationReport> ClusterState::ListApplications() const {
  std::vector<wire::ApplicationReport> out;
  for (const auto& [id, app] : apps_) {
    out.push_back(BriefReport(app.report));
    out.back().__isset.attempt_counts = true;
  }
  return out;
}

Result<std::string> ClusterState::OwnerOf(const std::string& app_id) const {
  const App* app = FindApp(app_id);
  if (app == nullptr) return Status::NotFound("no application " + app_id);
  return app->report.user;
}

Status ClusterState::Kill(const std::string& app_id, int64_t now_ms) {
  App* app = FindApp(app_id);
  if (app == nullptr) return Status::NotFound("no application " + app_id);
  if (app->Finished()) return Status::OK();
  app->kill_requested = true;
  ++version_;
  // Not running yet (or its AM has not registered): nobody to ask, end it here.
  if (app->report.state != wire::AppState::RUNNING) EndApp(*app, wire::AppState::KILLED, "killed by the user", now_ms);
  return Status::OK();
}

Result<wire::RegisterResponse> ClusterState::RegisterApplicationMaster(
    const std::string& app_id, const std::string& container_id, int64_t now_ms) {
  ASSIGN_OR_RETURN(App * app, UnfinishedApp(app_id));
  RETURN_NOT_OK(CheckCurrentAm(*app, container_id));
  if (app->needs_am) {
    return Status::Aborted("AM attempt " + std::to_string(app->am_attempts) + " of " + app_id +
                           " has failed");
  }
  if (app->report.state != wire::AppState::RUNNING) {
    app->report.state = wire::AppState::RUNNING;
    ++version_;
    LOG(INFO) << "rm: application " << app_id << " running (AM attempt " << app->am_attempts
              << ")";
  } else if (!app->am_registered) {
    LOG(INFO) << "rm: the AM of " << app_id << " registered again (attempt "
              << app->am_attempts << ")";
  }
  app->am_registered = true;
  app->last_am_contact_ms = now_ms;
  wire::RegisterResponse response;
  response.am_attempt = app->am_attempts;
  for (const auto& [id, c] : containers_) {
    if (c.app_id == app_id && !c.is_am) response.live_containers.push_back(c.grant);
  }
  response.attempts = app->report.attempts;
  return response;
}

Result<wire::AllocateResponse> ClusterState::Allocate(const wire::AllocateRequest& request,
                                                      int64_t now_ms) {
  ASSIGN_OR_RETURN(App * app, UnfinishedApp(request.app_id));
  if (!request.am_container_id.empty()) RETURN_NOT_OK(CheckCurrentAm(*app, request.am_container_id));
  if (!app->am_registered) {
    return Status::NotFound("the application master of " + request.app_id +
                            " is not registered with this resource manager");
  }
  app->last_am_contact_ms = now_ms;
  for (const wire::ContainerRequest& ask : request.asks) {
    RETURN_NOT_OK(CheckFitsSomeNode(ask.resource, "container request " +
                                                      std::to_string(ask.request_id)));
  }
  for (const wire::ContainerRequest& ask : request.asks) {
    app->pending[ask.request_id] = Request{ask, now_ms};
  }
  for (int64_t id : request.cancel_request_ids) app->pending.erase(id);
  for (const std::string& id : request.release_container_ids) {
    auto c = containers_.find(id);
    if (c == containers_.end() || c->second.app_id != request.app_id || c->second.is_am) continue;
    // It may still run: its NM stops it, and its room is free once the NM
    // says its processes are gone.
    StopContainer(id, /*tell_app=*/false);
  }
  if (app->report.map_progress != request.map_progress ||
      app->report.reduce_progress != request.reduce_progress || !request.attempts.empty()) {
    ++reports_version_;
  }
  app->report.map_progress = request.map_progress;
  app->report.reduce_progress = request.reduce_progress;
  for (const wire::TaskAttemptReport& attempt : request.attempts) {
    auto& attempts = app->report.attempts;
    auto it = std::find_if(attempts.begin(), attempts.end(), [&](const auto& a) {
      return a.attempt_id == attempt.attempt_id;
    });
    if (it == attempts.end()) {
      attempts.push_back(attempt);
    } else {
      *it = attempt;
    }
  }
  if (!request.attempts.empty()) CountAttempts(&app->report);
  Schedule(now_ms);
  wire::AllocateResponse response;
  response.allocated = std::move(app->granted);
  app->granted.clear();
  response.completed = std::move(app->completed);
  app->completed.clear();
  response.kill_requested = app->kill_requested;
  response.cluster_capability = LargestNode();
  response.lost_node_ids = std::move(app->lost_nodes);
  app->lost_nodes.clear();
  response.unschedulable = app->unschedulable;
  return response;
}

Result<ClusterState::App*> ClusterState::UnfinishedApp(const std::string& app_id) {
  App* app = FindApp(app_id);
  if (app == nullptr) return Status::NotFound("no application " + app_id);
  if (app->Finished()) return Status::Aborted("application " + app_id + " has ended");
  return app;
}

Status ClusterState::CheckCurrentAm(const App& app, const std::string& container_id) const {
  if (app.report.am_container_id == container_id) return Status::OK();
  return Status::Aborted("container " + container_id + " is not the current AM of " +
                         app.report.app_id + " (" + app.report.am_container_id +
                         " is): its attempt was replaced");
}

Status ClusterState::Finish(const std::string& app_id, wire::AppState::type state,
                            const std::string& diagnostics, const std::string& counters_json,
                            int64_t now_ms, const std::string& am_container_id) {
  App* app = FindApp(app_id);
  if (app == nullptr) return Status::NotFound("no application " + app_id);
  if (!am_container_id.empty()) RETURN_NOT_OK(CheckCurrentAm(*app, am_container_id));
  if (state != wire::AppState::SUCCEEDED && state != wire::AppState::FAILED &&
      state != wire::AppState::KILLED) {
    return Status::InvalidArgument("an application can only finish SUCCEEDED, FAILED or KILLED");
  }
  if (app->Finished()) return Status::OK();
  app->report.counters_json = counters_json;
  if (state == wire::AppState::SUCCEEDED) {
    app->report.map_progress = 1;
    app->report.reduce_progress = 1;
  }
  EndApp(*app, state, diagnostics, now_ms);
  return Status::OK();
}

void ClusterState::AmLaunchFailed(const std::string& app_id, const std::string& why,
                                  int64_t now_ms) {
  App* app = FindApp(app_id);
  if (app == nullptr || app->Finished()) return;
  std::string diagnostics = "the application master could not start: " + why;
  auto am = containers_.find(app->report.am_container_id);
  // Its NM may have started it after all (the call timed out): stop it.
  if (am != containers_.end() && am->second.is_am) StopContainer(am->first, /*tell_app=*/false);
  AmFailed(*app, diagnostics, now_ms);
}

void ClusterState::EndApp(App& app, wire::AppState::type state, const std::string& diagnostics,
                          int64_t now_ms) {
  app.report.state = state;
  app.report.diagnostics = diagnostics;
  app.report.finish_time_ms = now_ms;
  app.pending.clear();
  app.granted.clear();
  app.has_am = false;
  app.needs_am = false;
  app.am_registered = false;
  app.lost_nodes.clear();
  app.declined_since_ms.clear();
  app.unschedulable.clear();
  app.am_wait.clear();
  app.report.wait_reason.clear();
  app.report.fair_share = 0;
  ++version_;
  std::vector<std::string> remaining;
  for (const auto& [id, c] : containers_) {
    if (c.app_id == app.report.app_id) remaining.push_back(id);
  }
  // Stopped (the AM's too: it may still be exiting); their room stays
  // used until their NMs report them gone.
  for (const std::string& id : remaining) StopContainer(id, /*tell_app=*/false);
  app.completed.clear();
  for (auto& [id, node] : nodes_) node.cleanup_apps.push_back(app.report.app_id);
  LOG(INFO) << "rm: application " << app.report.app_id << " "
            << wire::to_string(state) << (diagnostics.empty() ? "" : ": " + diagnostics);
}

void ClusterState::AmFailed(App& app, const std::string& why, int64_t now_ms) {
  app.has_am = false;
  app.am_registered = false;
  const std::string& id = app.report.app_id;
  if (app.am_attempts >= options_.am_max_attempts) {
    EndApp(app, wire::AppState::FAILED,
           "AM attempt " + std::to_string(app.am_attempts) + " of " +
               std::to_string(options_.am_max_attempts) + " failed: " + why,
           now_ms);
    return;
  }
  LOG(WARNING) << "rm: " << id << ": AM attempt " << app.am_attempts << " failed (" << why
               << "); starting attempt " << app.am_attempts + 1;
  // The dead attempt's requests die with it; its task containers live on
  // and go to the next attempt in RegisterResponse.live_containers, granted
  // but not handed out ones included. Completions not handed out are
  // dropped: a container missing from live_containers has ended.
  app.pending.clear();
  app.granted.clear();
  app.completed.clear();
  app.needs_am = true;
  app.report.state = wire::AppState::ACCEPTED;
  app.report.diagnostics = "AM attempt " + std::to_string(app.am_attempts) + " failed: " + why;
  ++version_;
}

void ClusterState::ExpireAms(int64_t now_ms) {
  for (auto& [id, app] : apps_) {
    bool has_attempt = app.report.state == wire::AppState::ACCEPTED ||
                       app.report.state == wire::AppState::RUNNING;
    if (app.Finished() || app.needs_am || !has_attempt) continue;
    int64_t silent_ms = now_ms - app.last_am_contact_ms;
    if (silent_ms < options_.am_expiry_ms) continue;
    std::string why = "no heartbeat from the application master for " +
                      std::to_string(silent_ms) + " ms";
    auto am = containers_.find(app.report.am_container_id);
    // It may be stuck rather than dead: its NM stops it.
    if (am != containers_.end() && am->second.is_am) StopContainer(am->first, /*tell_app=*/false);
    if (app.kill_requested) {
      EndApp(app, wire::AppState::KILLED, why, now_ms);
    } else {
      AmFailed(app, why, now_ms);
    }
  }
}

bool ClusterState::Adopt(Node& node, const wire::ContainerStatus& status) {
  const std::string& id = status.container_id;
  std::string app_id = status.app_id.empty() ? AppOfContainer(id) : status.app_id;
  App* app = FindApp(app_id);
  if (app == nullptr || (app->report.state != wire::AppState::ACCEPTED &&
                         app->report.state != wire::AppState::RUNNING)) {
    return false;
  }
  bool is_am = id == app->report.am_container_id;
  // An AM of an attempt that failed stays dead.
  if ((is_am && app->needs_am) || (!is_am && Contains(app->am_container_ids, id))) return false;
  if (is_am && app->has_am) return false;  // The AM is known elsewhere already.
  wire::Resource resource = status.resource;
  if (!IsValidGrant(resource)) {
    resource = is_am ? app->submission.am_resource
                     : MakeResource(kFallbackVcores, kFallbackMemoryMb);
  }
  wire::Container grant;
  grant.container_id = id;
  grant.node = node.info;
  grant.resource = resource;
  grant.request_id = -1;  // Unknown: granted by an earlier RM.
  grant.locality = wire::Locality::OFF_RACK;
  AddTo(&node.used, resource);
  if (is_am) AddTo(&node.am_used, resource);
  AddTo(&app->report.used, resource);
  Container& c = containers_[id];
  c = Container();
  c.app_id = app_id;
  c.node_id = node.info.id;
  c.resource = resource;
  c.is_am = is_am;
  c.grant = grant;
  int& counter = container_counters_[app_id];
  counter = std::max(counter, ContainerNumber(id));
  if (is_am) {
    app->has_am = true;
    app->report.am_node_id = node.info.id;
  }
  LOG(INFO) << "rm: adopted " << (is_am ? "AM container " : "container ") << id << " on "
            << node.info.id << " (" << ToString(resource) << ")";
  return true;
}

// ---- Recovery --------------------------------------------------------------

wire::RmCheckpoint ClusterState::Checkpoint() const {
  wire::RmCheckpoint checkpoint;
  checkpoint.next_app = next_app_;
  checkpoint.next_submit_order = next_submit_order_;
  checkpoint.version = version_;
  for (const auto& [id, app] : apps_) {
    wire::AppRecord record;
    record.submission = app.submission;
    record.report = app.report;
    record.am_attempts = app.am_attempts;
    record.submit_order = app.submit_order;
    auto counter = container_counters_.find(id);
    record.last_container = counter == container_counters_.end() ? 0 : counter->second;
    record.kill_requested = app.kill_requested;
    record.am_container_ids = app.am_container_ids;
    record.needs_am = app.needs_am;
    checkpoint.apps.push_back(std::move(record));
  }
  return checkpoint;
}

Status ClusterState::Restore(const wire::RmCheckpoint& checkpoint, int64_t now_ms) {
  if (!apps_.empty()) return Status::Internal("restore into a state with applications");
  if (checkpoint.format != 1) {
    return Status::Corruption("unknown RM checkpoint format " + std::to_string(checkpoint.format));
  }
  next_app_ = std::max(next_app_, checkpoint.next_app);
  next_submit_order_ = std::max(next_submit_order_, checkpoint.next_submit_order);
  for (const wire::AppRecord& record : checkpoint.apps) {
    const std::string& id = record.report.app_id;
    App& app = apps_[id];
    app.submission = record.submission;
    app.report = record.report;
    app.report.used = MakeResource(0, 0);  // Adopted containers add up again.
    app.submit_order = record.submit_order;
    app.kill_requested = record.kill_requested;
    app.am_attempts = record.am_attempts;
    app.am_container_ids = record.am_container_ids;
    app.needs_am = record.needs_am;
    // A queue that is no longer configured: the first one.
    app.queue = FindQueue(record.submission.queue) != nullptr ? record.submission.queue
                                                              : options_.queues.front().name;
    app.report.queue = app.queue;
    CountAttempts(&app.report);
    // Its AM (if any) gets am_expiry_ms to register again.
    app.last_am_contact_ms = now_ms;
    container_counters_[id] =
        record.last_container + (app.Finished() ? 0 : kContainerNumberGap);
  }
  version_ = checkpoint.version;
  LOG(INFO) << "rm: restored " << checkpoint.apps.size() << " applications (checkpoint version "
            << checkpoint.version << ")";
  return Status::OK();
}

// ---- Containers ------------------------------------------------------------

void ClusterState::StopContainer(const std::string& container_id, bool tell_app) {
  auto it = containers_.find(container_id);
  if (it == containers_.end()) return;
  Container& c = it->second;
  if (!tell_app) c.tell_app = false;
  if (c.stopping) return;
  c.stopping = true;
  nodes_[c.node_id].stop_containers.push_back(container_id);
}

void ClusterState::ContainerDone(const std::string& container_id,
                                 const wire::ContainerStatus& reported, int64_t now_ms) {
  auto it = containers_.find(container_id);
  if (it == containers_.end()) return;
  Container c = it->second;
  containers_.erase(it);
  auto node = nodes_.find(c.node_id);
  if (node != nodes_.end()) {
    SubtractFrom(&node->second.used, c.resource);
    if (c.is_am) SubtractFrom(&node->second.am_used, c.resource);
  }
  App* app = FindApp(c.app_id);
  if (app == nullptr) return;
  AccrueService(*app, now_ms);
  SubtractFrom(&app->report.used, c.resource);
  if (app->Finished() || !c.tell_app) return;
  wire::ContainerStatus status = reported;
  if (c.preempted) status.preempted = true;
  if (c.is_am) {
    // Stopped on purpose (a failed or replaced attempt): handled already.
    if (c.stopping) return;
    app->has_am = false;
    // The AM ended without finishing its application.
    std::string why = "the application master's container " + container_id +
                      " ended (exit code " + std::to_string(status.exit_code) + ")";
    if (!status.diagnostics.empty()) why += ": " + status.diagnostics;
    if (app->kill_requested) {
      EndApp(*app, wire::AppState::KILLED, why, now_ms);
    } else {
      AmFailed(*app, why, now_ms);
    }
    return;
  }
  app->completed.push_back(std::move(status));
}

wire::Container ClusterState::Grant(App& app, Node& node, const wire::Resource& resource,
                                    bool is_am, int64_t now_ms) {
  int number = ++container_counters_[app.report.app_id];
  wire::Container container;
  container.container_id = app.report.app_id + "_c" + Padded(number, 6);
  container.node = node.info;
  container.resource = resource;
  AddTo(&node.used, resource);
  if (is_am) AddTo(&node.am_used, resource);
  AccrueService(app, now_ms);
  AddTo(&app.report.used, resource);
  Container& c = containers_[container.container_id];
  c.app_id = app.report.app_id;
  c.node_id = node.info.id;
  c.resource = resource;
  c.is_am = is_am;
  c.grant = container;
  c.granted_ms = now_ms;
  return container;
}

std::vector<ClusterState::AmLaunch> ClusterState::TakeAmLaunches() {
  std::vector<AmLaunch> out = std::move(am_launches_);
  am_launches_.clear();
  return out;
}

}  // namespace mr::sched
