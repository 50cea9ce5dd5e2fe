#include "scheduler/resourcemanager/rm_service.h"

#include <chrono>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/clock.h"
#include "NodeManagerService.h"
#include "rpc/status_codes.h"
#include "rpc/thrift_client.h"
#include "scheduler/auth/sched_auth.h"
#include "security/process_security.h"

DEFINE_int64(rm_container_token_ms, 10 * 60 * 1000,
             "Resource manager with security: how long the container token of a granted "
             "container stays valid for starting it (as YARN's container allocation expiry).");
DEFINE_int64(rm_app_token_ms, 7 * 24 * 3600 * 1000LL,
             "Resource manager with security: how long an AM's application token and its job's "
             "credential stay valid (the longest a job may run).");

namespace mr::sched {

namespace {

// Ids NewApplication handed out and not yet submitted, remembered at most.
constexpr size_t kMaxIssuedIds = 100000;

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

// What an application's AM needs to act for its job (security on): the
// container token of its container, the job's credential (it hands the same
// to its tasks), its application token and the job's shuffle secret, as
// files of its container with variables naming them.
void AddAmSecrets(const security::ServerSecurity& security, ClusterState::AmLaunch* launch,
                  int64_t now_ms) {
  wire::LaunchContext& context = launch->context;
  wire::ContainerTokenId container;
  container.container_id = context.container_id;
  container.app_id = context.app_id;
  container.user = launch->user;
  container.node_id = launch->node.id;
  container.resource = context.resource;
  container.expires_ms = now_ms + FLAGS_rm_container_token_ms;
  context.container_token =
      auth::SignContainerToken(security.signer(), container, container.expires_ms);
  int64_t expires_ms = now_ms + FLAGS_rm_app_token_ms;
  context.files[auth::kJobCredentialFile] = security::FormatCredential(
      security::JobCredential(security.signer(), context.app_id, launch->user, expires_ms));
  context.env[security::kCredentialEnv] = auth::kJobCredentialFile;
  wire::AppTokenId app;
  app.app_id = context.app_id;
  app.user = launch->user;
  app.am_container_id = context.container_id;
  context.files[auth::kAppTokenFile] = auth::SignAppToken(security.signer(), app, expires_ms);
  context.env[auth::kAppTokenEnv] = auth::kAppTokenFile;
  context.files[auth::kShuffleSecretFile] =
      auth::ShuffleSecret(security.keyring().primary(), context.app_id);
  context.env[auth::kShuffleSecretEnv] = auth::kShuffleSecretFile;
}

// Signs a container token into each grant of `app_id` (security on).
void SignGrants(const security::ServerSecurity& security, const std::string& app_id,
                const std::string& user, std::vector<wire::Container>* grants, int64_t now_ms) {
  for (wire::Container& grant : *grants) {
    wire::ContainerTokenId id;
    id.container_id = grant.container_id;
    id.app_id = app_id;
    id.user = user;
    id.node_id = grant.node.id;
    id.resource = grant.resource;
    id.expires_ms = now_ms + FLAGS_rm_container_token_ms;
    grant.container_token = auth::SignContainerToken(security.signer(), id, id.expires_ms);
  }
}

// Not the owner's, its AM's or the admin's to see: what the job's tasks
// wrote to stderr (diagnostics) stays with them.
void Redact(wire::ApplicationReport* report) {
  if (!report->diagnostics.empty()) report->diagnostics = "(shown to its owner only)";
  for (wire::TaskAttemptReport& attempt : report->attempts) attempt.diagnostics.clear();
}

}  // namespace

Status RmService::CheckAppToken(const std::string& call, const std::string& app_id,
                                const std::string& token, std::string* am_container_id) {
  auto security = security::ProcessServerSecurity();
  if (security == nullptr) return Status::OK();
  Result<wire::AppTokenId> id = auth::VerifyAppToken(security->signer(), token, app_id,
                                                     WallClockMs());
  if (!id.ok()) return auth::Refuse(call + ": " + id.status().message());
  if (!am_container_id->empty() && *am_container_id != id->am_container_id) {
    return auth::Refuse(call + ": the application token of " + app_id + " is for container " +
                        id->am_container_id + ", not " + *am_container_id);
  }
  *am_container_id = id->am_container_id;
  return Status::OK();
}

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
    if (auto security = security::ProcessServerSecurity()) {
      AddAmSecrets(*security, &launch, WallClockMs());
    }
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
  if (!auth::SecurityOn()) return;
  // SubmitApplication takes only an id its caller got here.
  issued_[_return] = security::CurrentIdentity().user;
  issued_order_.push_back(_return);
  while (issued_order_.size() > kMaxIssuedIds) {
    issued_.erase(issued_order_.front());
    issued_order_.pop_front();
  }
}

void RmService::SubmitApplication(const wire::ApplicationSubmission& submission) {
  int64_t version;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ThrowIfStandby();
    int64_t now = WallClockMs();
    wire::ApplicationSubmission accepted = submission;
    if (auth::SecurityOn()) {
      // The job is its authenticated caller's, whatever name it claims.
      const security::Identity& who = security::CurrentIdentity();
      auto issued = issued_.find(submission.app_id);
      if (issued == issued_.end() || issued->second != who.user) {
        ThrowIfError(auth::Refuse("SubmitApplication: " + submission.app_id.substr(0, 64) +
                                  " was not issued to user " + who.user +
                                  " by NewApplication"));
      }
      accepted.user = who.user;
    }
    ThrowIfError(state_.Submit(accepted, now));
    issued_.erase(submission.app_id);
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
  if (auth::SecurityOn() &&
      !auth::MayActFor(security::CurrentIdentity(), _return.user, _return.app_id)) {
    Redact(&_return);
  }
}

void RmService::ListApplications(std::vector<wire::ApplicationReport>& _return) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  _return = state_.ListApplications();
  if (!auth::SecurityOn()) return;
  for (wire::ApplicationReport& report : _return) {
    if (!auth::MayActFor(security::CurrentIdentity(), report.user, report.app_id)) {
      Redact(&report);
    }
  }
}

void RmService::KillApplication(const std::string& app_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  std::string owner = ValueOrThrow(state_.OwnerOf(app_id));
  ThrowIfError(auth::CheckMayActFor("KillApplication", owner, app_id));
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
  ThrowIfError(auth::CheckDaemon("RegisterNode"));
  int64_t now = WallClockMs();
  ThrowIfError(state_.RegisterNode(node, now, local_app_ids));
  ScheduleAndLaunch(now);
}

void RmService::NodeHeartbeat(wire::NodeHeartbeatResponse& _return, const std::string& node_id,
                              const std::vector<wire::ContainerStatus>& containers) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  ThrowIfError(auth::CheckDaemon("NodeHeartbeat"));
  int64_t now = WallClockMs();
  _return = ValueOrThrow(state_.NodeHeartbeat(node_id, containers, now));
  ScheduleAndLaunch(now);
}

void RmService::RegisterApplicationMaster(wire::RegisterResponse& _return,
                                          const std::string& app_id,
                                          const std::string& am_container_id,
                                          const std::string& app_token) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  std::string attempt = am_container_id;
  ThrowIfError(CheckAppToken("RegisterApplicationMaster", app_id, app_token, &attempt));
  int64_t now = WallClockMs();
  _return = ValueOrThrow(state_.RegisterApplicationMaster(app_id, attempt, now));
  if (auto security = security::ProcessServerSecurity()) {
    SignGrants(*security, app_id, ValueOrThrow(state_.OwnerOf(app_id)), &_return.live_containers,
               now);
  }
  MaybeCheckpoint();
}

void RmService::Allocate(wire::AllocateResponse& _return, const wire::AllocateRequest& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  wire::AllocateRequest checked = request;
  ThrowIfError(CheckAppToken("Allocate", request.app_id, request.app_token,
                             &checked.am_container_id));
  int64_t now = WallClockMs();
  _return = ValueOrThrow(state_.Allocate(checked, now));
  if (auto security = security::ProcessServerSecurity()) {
    SignGrants(*security, request.app_id, ValueOrThrow(state_.OwnerOf(request.app_id)),
               &_return.allocated, now);
  }
  ScheduleAndLaunch(now);
}

void RmService::FinishApplication(const std::string& app_id, wire::AppState::type state,
                                  const std::string& diagnostics,
                                  const std::string& counters_json,
                                  const std::string& am_container_id,
                                  const std::string& app_token) {
  std::lock_guard<std::mutex> lock(mutex_);
  ThrowIfStandby();
  std::string attempt = am_container_id;
  ThrowIfError(CheckAppToken("FinishApplication", app_id, app_token, &attempt));
  int64_t now = WallClockMs();
  ThrowIfError(state_.Finish(app_id, state, diagnostics, counters_json, now, attempt));
  ScheduleAndLaunch(now);
}

void RmService::NodeFailed(const std::string& node_id, const std::string& why) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!active_) return;
  int64_t now = WallClockMs();
  if (state_.DeclareNodeLost(node_id, why, now)) ScheduleAndLaunch(now);
}

}  // namespace mr::sched
