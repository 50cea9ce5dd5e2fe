// FakeRm: a ResourceManagerService on a real ThriftServer that records what
// Node Managers tell it (RegisterNode, NodeHeartbeat) and answers heartbeats
// with what a test queues (stops, cleanups, re-register). Everything else is
// the generated no-op.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ResourceManagerService.h"
#include "rpc/thrift_server.h"

namespace mr::sched::testing {

class FakeRmHandler : public wire::ResourceManagerServiceNull {
 public:
  void RegisterNode(const wire::NodeInfo& node,
                    const std::vector<std::string>& local_app_ids) override {
    std::lock_guard lock(mu_);
    registrations_.push_back(node);
    local_app_ids_ = local_app_ids;
  }

  void NodeHeartbeat(wire::NodeHeartbeatResponse& out, const std::string& node_id,
                     const std::vector<wire::ContainerStatus>& containers) override {
    std::lock_guard lock(mu_);
    ++heartbeats_;
    last_heartbeat_ = containers;
    for (const auto& c : containers) {
      if (c.state == wire::ContainerState::COMPLETE) {
        completed_[c.container_id] = c;
        ++completed_reports_[c.container_id];
      }
    }
    out = next_;
    next_ = wire::NodeHeartbeatResponse();
  }

  // The next heartbeat's answer.
  void StopOnNextHeartbeat(const std::string& container_id) {
    std::lock_guard lock(mu_);
    next_.stop_container_ids.push_back(container_id);
  }
  void CleanupOnNextHeartbeat(const std::string& app_id) {
    std::lock_guard lock(mu_);
    next_.cleanup_app_ids.push_back(app_id);
  }
  void PreemptOnNextHeartbeat(const std::string& container_id) {
    std::lock_guard lock(mu_);
    next_.preempt_container_ids.push_back(container_id);
  }
  void ReregisterOnNextHeartbeat() {
    std::lock_guard lock(mu_);
    next_.reregister = true;
  }

  std::vector<wire::NodeInfo> registrations() const {
    std::lock_guard lock(mu_);
    return registrations_;
  }
  int heartbeats() const {
    std::lock_guard lock(mu_);
    return heartbeats_;
  }
  // The applications the node said it has local data of, at its last
  // registration.
  std::vector<std::string> local_app_ids() const {
    std::lock_guard lock(mu_);
    return local_app_ids_;
  }
  // COMPLETE statuses heard of, by container id, and how often each came.
  std::map<std::string, wire::ContainerStatus> completed() const {
    std::lock_guard lock(mu_);
    return completed_;
  }
  int completed_reports(const std::string& id) const {
    std::lock_guard lock(mu_);
    auto it = completed_reports_.find(id);
    return it == completed_reports_.end() ? 0 : it->second;
  }
  std::vector<wire::ContainerStatus> last_heartbeat() const {
    std::lock_guard lock(mu_);
    return last_heartbeat_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<wire::NodeInfo> registrations_;
  std::vector<std::string> local_app_ids_;
  int heartbeats_ = 0;
  std::vector<wire::ContainerStatus> last_heartbeat_;
  std::map<std::string, wire::ContainerStatus> completed_;
  std::map<std::string, int> completed_reports_;
  wire::NodeHeartbeatResponse next_;
};

// The handler served on 127.0.0.1 (port 0 = ephemeral).
struct FakeRm {
  std::shared_ptr<FakeRmHandler> handler = std::make_shared<FakeRmHandler>();
  std::unique_ptr<rpc::ThriftServer> server;

  Status Start(int port = 0) {
    rpc::ThriftServer::Options options;
    options.name = "fake resource manager";
    options.port = port;
    auto started = rpc::ThriftServer::Start(
        std::make_shared<wire::ResourceManagerServiceProcessor>(handler), options);
    if (!started.ok()) return started.status();
    server = std::move(started).value();
    return Status::OK();
  }
  int port() const { return server->port(); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port()); }
};

}  // namespace mr::sched::testing
