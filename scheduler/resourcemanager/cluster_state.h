// ClusterState: everything the Resource Manager knows and decides, as a
// plain state machine with no I/O and no clock of its own (callers pass
// `now_ms`, Unix milliseconds, which also stamp the reports), so that tests
// drive it step by step.
//
// It holds the Node Managers (resources, liveness), the applications
// (queue, state, progress, attempts, counters), every granted container, and
// the pending container requests, and it grants containers:
//  - Applications wait in FIFO order for their AM container; at most
//    max_running_apps have one at a time.
//  - Between applications, fair share: each grant goes to the application
//    with the least memory in use (then the oldest).
//  - Within an application: lowest priority value first, then oldest request.
//  - Locality, delay scheduling per request: a preferred node at once, a
//    node in a preferred rack once the request is locality_delay_ms old,
//    any node once it is twice that old. Among equal choices the node with
//    the most free memory wins, which spreads load.
// Grants and completed containers queue per application and are handed out
// by its next Allocate. Freed resources are granted by the next Schedule(),
// which the RM runs after every call and on a timer.
//
// Thread-safety: none; the RM service serializes calls with one mutex.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "scheduler_types.h"

namespace mr::sched {

class ClusterState {
 public:
  struct Options {
    int64_t node_expiry_ms = 3000;  // A node silent this long is lost.
    int max_running_apps = 16;      // Apps with an AM at once; the rest queue.
    int64_t start_time_ms = 0;      // Unix ms; names applications.
  };

  // An AM container the RM must start on its node (outside any lock).
  struct AmLaunch {
    wire::NodeInfo node;
    wire::LaunchContext context;
  };

  explicit ClusterState(Options options);

  // ---- Node Managers.
  // Registers (or re-registers, dropping what the RM thought ran there).
  Status RegisterNode(const wire::NodeInfo& node, int64_t now_ms);
  // NotFound for an unknown node (the response then says reregister).
  Result<wire::NodeHeartbeatResponse> NodeHeartbeat(const std::string& node_id,
                                                    const std::vector<wire::ContainerStatus>& statuses,
                                                    int64_t now_ms);
  // Marks nodes silent for node_expiry_ms as lost; their containers complete
  // with exit code -1.
  void ExpireNodes(int64_t now_ms);
  // The membership layer found the node failed: lost now, as if expired.
  // False if it is unknown or already lost.
  bool DeclareNodeLost(const std::string& node_id, const std::string& why, int64_t now_ms);
  std::vector<wire::NodeReport> ListNodes(int64_t now_ms) const;

  // ---- Clients.
  std::string NewApplicationId();
  Status Submit(const wire::ApplicationSubmission& submission, int64_t now_ms);
  Result<wire::ApplicationReport> GetApplication(const std::string& app_id) const;
  std::vector<wire::ApplicationReport> ListApplications() const;
  Status Kill(const std::string& app_id, int64_t now_ms);

  // ---- Application Masters.
  Result<wire::RegisterResponse> RegisterApplicationMaster(const std::string& app_id,
                                                           const std::string& container_id);
  Result<wire::AllocateResponse> Allocate(const wire::AllocateRequest& request, int64_t now_ms);
  Status Finish(const std::string& app_id, wire::AppState::type state,
                const std::string& diagnostics, const std::string& counters_json,
                int64_t now_ms);

  // Grants what it can. AM containers granted are queued for TakeAmLaunches.
  void Schedule(int64_t now_ms);
  // The AM containers granted since the last call, for the caller to start.
  std::vector<AmLaunch> TakeAmLaunches();
  // An AM container could not be started: the application fails.
  void AmLaunchFailed(const std::string& app_id, const std::string& why, int64_t now_ms);

  // The largest capability of any live node.
  wire::Resource LargestNode() const;

 private:
  struct Node {
    wire::NodeInfo info;
    wire::Resource used;
    int64_t last_heartbeat_ms = 0;
    bool alive = true;
    std::vector<std::string> stop_containers;  // Sent with the next heartbeat.
    std::vector<std::string> cleanup_apps;
    wire::Resource Free() const;
  };
  struct Request {
    wire::ContainerRequest request;
    int64_t created_ms = 0;
  };
  struct Container {
    std::string app_id;
    std::string node_id;
    wire::Resource resource;
    bool is_am = false;
  };
  struct App {
    wire::ApplicationReport report;
    wire::ApplicationSubmission submission;
    int64_t submit_order = 0;
    std::map<int64_t, Request> pending;  // By request id.
    std::vector<wire::Container> granted;          // Not yet handed out.
    std::vector<wire::ContainerStatus> completed;  // Not yet handed out.
    bool kill_requested = false;
    bool has_am = false;  // An AM container is granted (running apps).
    bool Finished() const;
  };

  void LoseNode(Node& node, const std::string& why, int64_t now_ms);
  std::optional<wire::Container> TryGrant(App& app, Request& request, int64_t now_ms);
  wire::Container Grant(App& app, Node& node, const wire::Resource& resource, bool is_am);
  // A container ended (reported, released or lost): frees its resources and
  // tells its app. Unknown or already ended containers are ignored.
  void ContainerDone(const std::string& container_id, const wire::ContainerStatus& status,
                     int64_t now_ms);
  void EndApp(App& app, wire::AppState::type state, const std::string& diagnostics,
              int64_t now_ms);
  Status CheckFitsSomeNode(const wire::Resource& resource, const std::string& what) const;
  App* FindApp(const std::string& app_id);
  const App* FindApp(const std::string& app_id) const;

  Options options_;
  int64_t next_app_ = 1;
  int64_t next_submit_order_ = 0;
  std::map<std::string, Node> nodes_;
  std::map<std::string, App> apps_;
  std::map<std::string, Container> containers_;  // Granted and not ended.
  std::map<std::string, int> container_counters_;  // Per app: last container number.
  std::vector<AmLaunch> am_launches_;  // Granted, not yet taken.
};

}  // namespace mr::sched
