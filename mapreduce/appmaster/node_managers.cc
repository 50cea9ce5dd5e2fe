#include "mapreduce/appmaster/node_managers.h"

#include "NodeManagerService.h"
#include "ResourceManagerService.h"
#include "rpc/thrift_client.h"
#include "scheduler/client/rm_client.h"

namespace mr::am {

namespace {

using NmClient = rpc::ThriftClient<sched::wire::NodeManagerServiceClient, sched::wire::SchedulerError>;
using sched::RmClient;

class ThriftNodeManagers final : public NodeManagers {
 public:
  explicit ThriftNodeManagers(int rpc_timeout_ms) { options_.rpc_timeout_ms = rpc_timeout_ms; }

  Status StartContainer(const sched::wire::NodeInfo& node,
                        const sched::wire::LaunchContext& context) override {
    ASSIGN_OR_RETURN(NmClient * nm, ClientFor(node));
    return nm->Call("StartContainer", [&](auto& stub) { stub.StartContainer(context); });
  }

  Status StopContainer(const sched::wire::NodeInfo& node,
                       const std::string& container_id) override {
    ASSIGN_OR_RETURN(NmClient * nm, ClientFor(node));
    return nm->Call("StopContainer", [&](auto& stub) { stub.StopContainer(container_id); });
  }

  Result<std::vector<sched::wire::ContainerStatus>> GetContainerStatuses(
      const sched::wire::NodeInfo& node, const std::vector<std::string>& ids) override {
    ASSIGN_OR_RETURN(NmClient * nm, ClientFor(node));
    return nm->CallFor<std::vector<sched::wire::ContainerStatus>>(
        "GetContainerStatuses", [&](auto& stub, auto& out) { stub.GetContainerStatuses(out, ids); });
  }

  Result<std::string> GetContainerLog(const sched::wire::NodeInfo& node,
                                      const std::string& container_id, const std::string& stream,
                                      int64_t max_bytes) override {
    ASSIGN_OR_RETURN(NmClient * nm, ClientFor(node));
    return nm->CallFor<std::string>("GetContainerLog", [&](auto& stub, auto& out) {
      stub.GetContainerLog(out, container_id, stream, max_bytes);
    });
  }

 private:
  Result<NmClient*> ClientFor(const sched::wire::NodeInfo& node) {
    auto it = clients_.find(node.id);
    if (it != clients_.end()) return it->second.get();
    ASSIGN_OR_RETURN(std::unique_ptr<NmClient> client,
                     NmClient::Connect("node manager " + node.id, node.host, node.rpc_port, options_));
    NmClient* raw = client.get();
    clients_[node.id] = std::move(client);
    return raw;
  }

  rpc::ClientOptions options_;
  std::map<std::string, std::unique_ptr<NmClient>> clients_;  // By NM id.
};

class ThriftResourceManagerLink final : public ResourceManagerLink {
 public:
  ThriftResourceManagerLink(std::unique_ptr<RmClient> rm, std::string app_token)
      : rm_(std::move(rm)), app_token_(std::move(app_token)) {}

  Result<sched::wire::RegisterResponse> Register(const std::string& app_id,
                                                 const std::string& am_container_id) override {
    return rm_->CallFor<sched::wire::RegisterResponse>(
        "RegisterApplicationMaster", [&](auto& stub, auto& out) {
          stub.RegisterApplicationMaster(out, app_id, am_container_id, app_token_);
        });
  }
  Result<sched::wire::AllocateResponse> Allocate(
      const sched::wire::AllocateRequest& request) override {
    sched::wire::AllocateRequest signed_request = request;
    signed_request.app_token = app_token_;
    return rm_->CallFor<sched::wire::AllocateResponse>(
        "Allocate", [&](auto& stub, auto& out) { stub.Allocate(out, signed_request); });
  }
  Result<std::vector<sched::wire::NodeReport>> ListNodes() override {
    return rm_->CallFor<std::vector<sched::wire::NodeReport>>(
        "ListNodes", [&](auto& stub, auto& out) { stub.ListNodes(out); });
  }
  Status Finish(const std::string& app_id, const std::string& am_container_id,
                sched::wire::AppState::type state, const std::string& diagnostics,
                const std::string& counters_json) override {
    return rm_->Call("FinishApplication", [&](auto& stub) {
      stub.FinishApplication(app_id, state, diagnostics, counters_json, am_container_id,
                             app_token_);
    });
  }

 private:
  std::unique_ptr<RmClient> rm_;
  const std::string app_token_;
};

}  // namespace

std::unique_ptr<NodeManagers> NewThriftNodeManagers(int rpc_timeout_ms) {
  return std::make_unique<ThriftNodeManagers>(rpc_timeout_ms);
}

Result<std::unique_ptr<ResourceManagerLink>> ConnectResourceManagers(const std::string& addresses,
                                                                     int rpc_timeout_ms,
                                                                     std::string app_token,
                                                                     int failover_wait_ms) {
  RmClient::Options options;
  options.rpc.rpc_timeout_ms = rpc_timeout_ms;
  options.failover_wait_ms = failover_wait_ms;
  ASSIGN_OR_RETURN(std::unique_ptr<RmClient> rm, RmClient::Create(addresses, options));
  return std::unique_ptr<ResourceManagerLink>(
      new ThriftResourceManagerLink(std::move(rm), std::move(app_token)));
}

Result<std::unique_ptr<ResourceManagerLink>> ConnectResourceManager(const std::string& host,
                                                                    int port, int rpc_timeout_ms) {
  return ConnectResourceManagers(host + ":" + std::to_string(port), rpc_timeout_ms,
                                 /*app_token=*/"", /*failover_wait_ms=*/0);
}

}  // namespace mr::am
