#include "scheduler/resourcemanager/rm_service.h"

#include <chrono>

#include <glog/logging.h>

#include "common/clock.h"
#include "NodeManagerService.h"
#include "rpc/status_codes.h"
#include "rpc/thrift_client.h"

namespace mr::sched {

namespace {

// Throws the service error for a failed Status (Thrift sends it back).
void ThrowIfError(const Status& s) {
  if (!s.ok()) throw rpc::ToWireError<wire::SchedulerError>(s);
}

template <typename T>
T ValueOrThrow(Result<T> result) {
  ThrowIfError(result.status());
  return std::move(result).value();
}

using NmClient = rpc::ThriftClient<wire::NodeManagerServiceClient, wire::SchedulerError>;

Status StartAmContainer(const ClusterState::AmLaunch& launch, int timeout_ms) {
  rpc::ClientOptions options;
  options.connect_timeout_ms = timeout_ms;
  options.rpc_timeout_ms = timeout_ms;
  ASSIGN_OR_RETURN(auto nm, NmClient::Connect("node manager " + launch.node.id, launch.node.host,
                                              launch.node.rpc_port, options));
  return nm->Call("StartContainer", [&](auto& stub) { stub.StartContainer(launch.context); });
}

}  // namespace

RmService::RmService(Options options)
    : options_(options), state_(options.state), active_(!options.standby) {
  if (options_.store != nullptr) writer_ = std::make_unique<CheckpointWriter>(options_.store);
  launcher_ = std::thread([this] { LauncherLoop(); });
  ticker_ = std::thread([this] { TickerLoop(); });
}

RmService::~RmService() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  launcher_.join();
  ticker_.join();
  writer_.reset();  // Saves the last checkpoint offered.
}

void RmService::ScheduleAndLaunch(int64_t now_ms) {
  state_.Schedule(now_ms);
  MaybeCheckpoint();
  std::vector<ClusterState::AmLaunch> launches = state_.TakeAmLaunches();
  if (launches.empty()) return;
  for (auto& launch : launches) launches_.push_back(std::move(launch));
  wake_.notify_all();
}

void RmService::MaybeCheckpoint() {
  if (writer_ == nullptr || !active_) return;
  int64_t now = WallClockMs();
  bool apps_changed = state_.version() != offered_version_;
  bool reports_due = state_.reports_version() != offered_reports_version_ &&
                     now - last_offer_ms_ >= options_.checkpoint_reports_ms;
  if (!apps_changed && !reports_due && !writer_->NeedsRetry()) return;
  wire::RmCheckpoint checkpoint = state_.Checkpoint();
  checkpoint.written_ms = now;
  if (!writer_->Offer(std::move(checkpoint))) return;
  offered_version_ = state_.version();
  offered_reports_version_ = state_.reports_version();
  last_offer_ms_ = now;
}

void RmService::ThrowIfStandby() const {
  if (!active_) ThrowIfError(Status::Unavailable("standby"));
}

Status RmService::Activate() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (active_) return Status::OK();
  int64_t now = WallClockMs();
  if (options_.store != nullptr) {
    Result<wire::RmCheckpoint> checkpoint = options_.store->Load();
    if (checkpoint.ok()) {
      RETURN_NOT_OK(state_.Restore(*checkpoint, now));
      LOG(WARNING) << "rm: loaded the checkpoint of " << options_.store->Describe() << " ("
                   << checkpoint->apps.size() << " applications, written "
                   << now - checkpoint->written_ms << " ms ago)";
    } else if (!checkpoint.status().IsNotFound()) {
      return checkpoint.status();
    }
  }
  active_ = true;
  offered_version_ = state_.version();  // What it loaded is saved already.
  LOG(WARNING) << "rm: active";
  return Status::OK();
}

bool RmService::active() {
  std::lock_guard<std::mutex> lock(mutex_);
  return active_;
}

void RmService::LauncherLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !launches_.empty(); });
    if (stopping_) return;
    ClusterState::AmLaunch launch = std::move(launches_.front());
    launches_.pop_front();
    lock.unlock();
    LOG(INFO) << "rm: starting the AM of " << launch.context.app_id << " in "
              << launch.context.container_id << " on " << launch.node.id;
    Status s = StartAmContainer(launch, options_.am_launch_timeout_ms);
    lock.lock();
    if (!s.ok()) {
      LOG(WARNING) << "rm: " << launch.context.app_id << ": " << s.ToString();
      state_.AmLaunchFailed(launch.context.app_id, s.ToString(), WallClockMs());
    }
  }
}

void RmService::TickerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(options_.tick_ms));
    if (stopping_) return;
    if (!active_) continue;
    int64_t now = WallClockMs();
    state_.ExpireNodes(now);
    state_.ExpireAms(now);
    ScheduleAndLaunch(now);
  }
}

void RmService::NewApplication(std::string& _return) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  _return = state_.NewApplicationId();
}

void RmService::SubmitApplication(const wire::ApplicationSubmission& submission) {
  int64_t version;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ThrowIfStandby();
    int64_t now = WallClockMs();
    ThrowIfError(state_.Submit(submission, now));
    ScheduleAndLaunch(now);
    version = state_.version();
  }
  // Acknowledged once a takeover would know it (the RM serves meanwhile).
  if (writer_ != nullptr &&
      !writer_->WaitDurable(version, options_.checkpoint_wait_ms)) {
    LOG(WARNING) << "rm: " << submission.app_id << " is not in a checkpoint yet";
  }
}

void RmService::GetApplication(wire::ApplicationReport& _return, const std::string& app_id,
                               bool brief) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  _return = ValueOrThrow(state_.GetApplication(app_id, brief));
}

void RmService::ListApplications(std::vector<wire::ApplicationReport>& _return) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  _return = state_.ListApplications();
}

void RmService::KillApplication(const std::string& app_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  int64_t now = WallClockMs();
  ThrowIfError(state_.Kill(app_id, now));
  ScheduleAndLaunch(now);
}

void RmService::ListNodes(std::vector<wire::NodeReport>& _return) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  _return = state_.ListNodes(WallClockMs());
}

void RmService::RegisterNode(const wire::NodeInfo& node,
                             const std::vector<std::string>& local_app_ids) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  int64_t now = WallClockMs();
  ThrowIfError(state_.RegisterNode(node, now, local_app_ids));
  ScheduleAndLaunch(now);
}

void RmService::NodeHeartbeat(wire::NodeHeartbeatResponse& _return, const std::string& node_id,
                              const std::vector<wire::ContainerStatus>& containers) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  int64_t now = WallClockMs();
  _return = ValueOrThrow(state_.NodeHeartbeat(node_id, containers, now));
  ScheduleAndLaunch(now);
}

void RmService::RegisterApplicationMaster(wire::RegisterResponse& _return,
                                          const std::string& app_id,
                                          const std::string& am_container_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  _return = ValueOrThrow(state_.RegisterApplicationMaster(app_id, am_container_id, WallClockMs()));
  MaybeCheckpoint();
}

void RmService::Allocate(wire::AllocateResponse& _return, const wire::AllocateRequest& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  int64_t now = WallClockMs();
  _return = ValueOrThrow(state_.Allocate(request, now));
  ScheduleAndLaunch(now);
}

void RmService::FinishApplication(const std::string& app_id, wire::AppState::type state,
                                  const std::string& diagnostics,
                                  const std::string& counters_json,
                                  const std::string& am_container_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  int64_t now = WallClockMs();
  ThrowIfError(state_.Finish(app_id, state, diagnostics, counters_json, now, am_container_id));
  ScheduleAndLaunch(now);
}

void RmService::NodeFailed(const std::string& node_id, const std::string& why) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!active_) return;
  int64_t now = WallClockMs();
  if (state_.DeclareNodeLost(node_id, why, now)) ScheduleAndLaunch(now);
}

}  // namespace mr::sched
