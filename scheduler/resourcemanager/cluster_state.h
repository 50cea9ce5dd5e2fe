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
// AM attempts (YARN's am.max-attempts): an AM container that ends before its
// application finished, or an AM silent for am_expiry_ms, starts a new AM
// attempt (a new AM container, state back to ACCEPTED) up to
// am_max_attempts; then the application fails. Task containers outlive
// their AM: the next attempt learns of them when it registers
// (work-preserving restart).
//
// Recovery (RM failover, docs/SCHEDULER.md): Checkpoint() is the durable
// part (applications, not nodes or containers); Restore() loads it into an
// empty state. Node Managers then re-register and report their running
// containers, which are adopted for the applications still running; AMs
// must register again before they may Allocate.
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
#include "rm_state_types.h"
#include "scheduler_types.h"

namespace mr::sched {

class ClusterState {
 public:
  struct Options {
    int64_t node_expiry_ms = 3000;  // A node silent this long is lost.
    int max_running_apps = 16;      // Apps with an AM at once; the rest queue.
    int64_t start_time_ms = 0;      // Unix ms; names applications.
    int am_max_attempts = 2;        // AM attempts per application.
    int64_t am_expiry_ms = 10000;   // An AM silent this long has failed.
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
  // AMs that have not called Allocate (or registered, once launched) for
  // am_expiry_ms have failed: their containers are stopped and a new
  // attempt starts (or the application fails).
  void ExpireAms(int64_t now_ms);

  // ---- Clients.
  std::string NewApplicationId();
  Status Submit(const wire::ApplicationSubmission& submission, int64_t now_ms);
  // brief: without the attempts.
  Result<wire::ApplicationReport> GetApplication(const std::string& app_id,
                                                 bool brief = false) const;
  std::vector<wire::ApplicationReport> ListApplications() const;
  Status Kill(const std::string& app_id, int64_t now_ms);

  // ---- Application Masters.
  // Also the re-registration of the same AM (after an RM failover): the
  // same attempt number. Aborted for an AM whose attempt has failed.
  Result<wire::RegisterResponse> RegisterApplicationMaster(const std::string& app_id,
                                                           const std::string& container_id,
                                                           int64_t now_ms);
  // NotFound when the application's current AM has not registered with
  // this RM (it took over): the AM registers again and resends its asks.
  Result<wire::AllocateResponse> Allocate(const wire::AllocateRequest& request, int64_t now_ms);
  // Aborted if `am_container_id` (when given) is not the current AM's.
  Status Finish(const std::string& app_id, wire::AppState::type state,
                const std::string& diagnostics, const std::string& counters_json,
                int64_t now_ms, const std::string& am_container_id = "");

  // Grants what it can. AM containers granted are queued for TakeAmLaunches.
  void Schedule(int64_t now_ms);
  // The AM containers granted since the last call, for the caller to start.
  std::vector<AmLaunch> TakeAmLaunches();
  // An AM container could not be started: a failed AM attempt.
  void AmLaunchFailed(const std::string& app_id, const std::string& why, int64_t now_ms);

  // The largest capability of any live node.
  wire::Resource LargestNode() const;

  // ---- Recovery.
  // The durable state. `version` counts application-level changes (submit,
  // state changes, AM attempts, finish): the RM checkpoints whenever it
  // moved, never per heartbeat.
  wire::RmCheckpoint Checkpoint() const;
  int64_t version() const { return version_; }
  // Counts changes of task attempt reports and progress (every Allocate
  // may bring some): worth a checkpoint now and then, not every time.
  int64_t reports_version() const { return reports_version_; }
  // Loads a checkpoint into a state that has no applications yet.
  // Applications that were ACCEPTED or RUNNING wait for their AM to
  // re-register (and its container to be reported by its NM); one that does
  // not within am_expiry_ms counts as a failed AM attempt.
  Status Restore(const wire::RmCheckpoint& checkpoint, int64_t now_ms);

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
    wire::Container grant;  // As handed to the AM (live_containers).
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
    // ---- AM attempts.
    int am_attempts = 0;           // AM containers granted so far.
    bool needs_am = false;         // Waiting for the next attempt's container.
    bool am_registered = false;    // The current attempt registered with this RM.
    std::vector<std::string> am_container_ids;  // Of every attempt, in order.
    int64_t last_am_contact_ms = 0;  // Grant, register or Allocate.
    std::vector<std::string> lost_nodes;  // Since the previous Allocate.
    bool Finished() const;
  };

  void LoseNode(Node& node, const std::string& why, int64_t now_ms);
  // The current AM attempt failed: a new attempt, or the app fails.
  void AmFailed(App& app, const std::string& why, int64_t now_ms);
  // A running container this RM did not grant (it took over): accounted to
  // its application, or false if it belongs to none still running.
  bool Adopt(Node& node, const wire::ContainerStatus& status);
  std::optional<wire::Container> TryGrant(App& app, Request& request, int64_t now_ms);
  wire::Container Grant(App& app, Node& node, const wire::Resource& resource, bool is_am);
  // A container ended (reported, released or lost): frees its resources and
  // tells its app. Unknown or already ended containers are ignored.
  void ContainerDone(const std::string& container_id, const wire::ContainerStatus& status,
                     int64_t now_ms);
  void EndApp(App& app, wire::AppState::type state, const std::string& diagnostics,
              int64_t now_ms);
  Status CheckFitsSomeNode(const wire::Resource& resource, const std::string& what) const;
  // Aborted unless `container_id` is the app's current AM container: an AM
  // whose attempt was replaced must not act for the application any more.
  Status CheckCurrentAm(const App& app, const std::string& container_id) const;
  // The app an AM acts for: NotFound if unknown, Aborted if it has ended.
  Result<App*> UnfinishedApp(const std::string& app_id);
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
  int64_t version_ = 0;  // Application-level changes so far.
  int64_t reports_version_ = 0;
};

}  // namespace mr::sched
