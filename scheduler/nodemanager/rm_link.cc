#include "scheduler/nodemanager/rm_link.h"

#include <algorithm>

#include <glog/logging.h>

#include "scheduler/client/rm_client.h"

namespace mr::sched::nm {

namespace {
constexpr int kMinBackoffMs = 50;
constexpr int kMaxBackoffMs = 2000;
}  // namespace

// The RMs' client, made on first use. RmClient reopens connections itself.
class RmLink::Client {
 public:
  explicit Client(const Options& options) : options_(options) {}

  Result<RmClient*> Get() {
    if (!client_) {
      RmClient::Options o;
      o.rpc.rpc_timeout_ms = options_.rpc_timeout_ms;
      o.rpc.connect_timeout_ms = std::min(options_.rpc_timeout_ms, 2000);
      o.failover_wait_ms = 0;  // One round per call: the link's loop retries.
      std::string addresses = options_.rm_addresses;
      if (addresses.empty()) addresses = options_.rm_host + ":" + std::to_string(options_.rm_port);
      ASSIGN_OR_RETURN(client_, RmClient::Create(addresses, o));
    }
    return client_.get();
  }

 private:
  const Options& options_;
  std::unique_ptr<RmClient> client_;
};

RmLink::RmLink(Options options, ContainerManager* containers)
    : options_(std::move(options)),
      containers_(containers),
      client_(std::make_unique<Client>(options_)) {}

RmLink::~RmLink() { Stop(); }

void RmLink::Start() { thread_ = std::thread([this] { Loop(); }); }

void RmLink::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RmLink::Sleep(int ms) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_ || woken_; });
  woken_ = false;
  return !stopping_;
}

void RmLink::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void RmLink::Loop() {
  int backoff_ms = kMinBackoffMs;
  bool registered = false;
  while (true) {
    if (!registered) {
      Status s = Register();
      if (!s.ok()) {
        LOG_EVERY_N(WARNING, 20) << "node " << options_.node.id
                                 << ": cannot register with the resource manager: "
                                 << s.ToString();
        if (!Sleep(backoff_ms)) return;
        backoff_ms = std::min(backoff_ms * 2, kMaxBackoffMs);
        continue;
      }
      registered = true;
      backoff_ms = kMinBackoffMs;
    }
    if (!Sleep(options_.heartbeat_ms)) return;
    bool reregister = false;
    Status s = Heartbeat(&reregister);
    if (!s.ok()) {
      LOG_EVERY_N(WARNING, 20) << "node " << options_.node.id
                               << ": heartbeat failed: " << s.ToString();
    } else if (reregister) {
      LOG(WARNING) << "node " << options_.node.id << ": the resource manager asks to re-register";
      registered = false;
    }
  }
}

Status RmLink::Register() {
  ASSIGN_OR_RETURN(RmClient * rm, client_->Get());
  // The applications this node has data of: the RM says which are over.
  std::vector<std::string> local_apps = containers_->LocalAppIds();
  RETURN_NOT_OK(rm->Call("RegisterNode",
                         [&](auto& stub) { stub.RegisterNode(options_.node, local_apps); }));
  ++registrations_;
  LOG(INFO) << "node " << options_.node.id << ": registered with the resource manager at "
            << rm->where();
  return Status::OK();
}

Status RmLink::Heartbeat(bool* reregister) {
  std::vector<wire::ContainerStatus> statuses = containers_->HeartbeatStatuses();
  // The RM needs outcomes, not results (up to 1 MiB each, which many at
  // once would push toward the frame limit): AMs read results from the NM.
  for (wire::ContainerStatus& status : statuses) status.result.clear();
  ASSIGN_OR_RETURN(RmClient * rm, client_->Get());
  wire::NodeHeartbeatResponse response;
  RETURN_NOT_OK(rm->Call("NodeHeartbeat", [&](auto& stub) {
    stub.NodeHeartbeat(response, options_.node.id, statuses);
  }));
  ++heartbeats_;
  std::vector<std::string> reported;
  for (const auto& status : statuses) {
    if (status.state == wire::ContainerState::COMPLETE) reported.push_back(status.container_id);
  }
  containers_->MarkReported(reported);
  for (const std::string& id : response.stop_container_ids) {
    containers_->Stop(id, "stopped by the resource manager");
  }
  for (const std::string& id : response.preempt_container_ids) {
    containers_->Stop(id, "preempted by the resource manager", /*preempted=*/true);
  }
  for (const std::string& app_id : response.cleanup_app_ids) {
    if (options_.cleanup_app) {
      options_.cleanup_app(app_id);
    } else {
      containers_->StopApp(app_id);
      containers_->ForgetApp(app_id);
    }
  }
  *reregister = response.reregister;
  return Status::OK();
}

}  // namespace mr::sched::nm
