// ClusterState: everything the Resource Manager knows and decides, as a
// plain state machine with no I/O and no clock of its own (callers pass
// `now_ms`, Unix milliseconds, which also stamp the reports), so that tests
// drive it step by step.
//
// It holds the Node Managers (resources, liveness), the applications
// (queue, state, progress, attempts, counters), every granted container, and
// the pending container requests, and it schedules (docs/SCHEDULER.md,
// "Scheduling"), in the manner of YARN's Fair Scheduler:
//  - Queues with weights (Options::queues). An application waits ACCEPTED
//    until its AM fits: at most max_running_apps have an AM, and AM
//    containers together hold at most max_am_share of the cluster (one AM
//    may always run). Waiting AMs go in queue-fair order, then FIFO.
//  - Task containers by dominant resource fairness: each grant goes to the
//    queue with the least dominant share per unit of weight, and within it
//    to the application with the least dominant share (then the one served
//    least lately, then the one whose last grant is oldest, then the oldest
//    application).
//    Fair shares (fair_share.h) are computed by water-filling over the
//    queues' and then the applications' demands.
//  - Within an application: lowest priority value first, then oldest
//    request; for a free node the request with the best locality on it.
//  - Delay scheduling (Zaharia et al.): an application that declines a free
//    node because none of its requests prefers it keeps declining it for
//    the request's locality_delay_ms, then may take it for a request
//    preferring its rack, and after twice that for any request. The clock
//    runs only while the node stays free and declined, so a busy cluster
//    never relaxes locality by waiting.
//  - Excluded nodes never make a request unplaceable: when no live node
//    outside a request's exclusions could ever hold it (its capability less
//    the AM containers on it), the exclusions are ignored. A request no live
//    node could ever hold is reported (AllocateResponse.unschedulable).
//  - Preemption: an application below its fair share, with requests that no
//    node has room for, for preemption_timeout_ms, gets the youngest task
//    containers of applications over their fair share preempted (never
//    below their own fair share, never AMs), until it would reach its share.
// Honest accounting: a container's resources are free only once its Node
// Manager reports that its processes are gone (a COMPLETE status, or its
// absence from a heartbeat sent after the stop order), never on a release
// or a stop order alone; a lost node frees its containers at once.
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
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "rm_state_types.h"
#include "scheduler/resourcemanager/queues.h"
#include "scheduler_types.h"

namespace mr::sched {

class ClusterState {
 public:
  struct Options {
    int64_t node_expiry_ms = 3000;  // A node silent this long is lost.
    int max_running_apps = 16;      // Apps with an AM at once; the rest wait.
    int64_t start_time_ms = 0;      // Unix ms; names applications.
    int am_max_attempts = 2;        // AM attempts per application.
    int64_t am_expiry_ms = 10000;   // An AM silent this long has failed.
    std::vector<QueueConfig> queues = {{"default", 1}};
    // The most of the cluster (each resource) AM containers may hold.
    double max_am_share = 0.5;
    // How long an application stays below its fair share, its requests
    // finding no room, before containers are preempted for it (0: never).
    int64_t preemption_timeout_ms = 10000;
  };

  // An AM container the RM must start on its node (outside any lock).
  struct AmLaunch {
    wire::NodeInfo node;
    wire::LaunchContext context;
    std::string user;  // The application's.
  };

  explicit ClusterState(Options options);

  // ---- Node Managers.
  // Registers (or re-registers, dropping what the RM thought ran there).
  // The finished (or unknown) applications among `local_app_ids` go back
  // in the node's next heartbeat to be cleaned up.
  Status RegisterNode(const wire::NodeInfo& node, int64_t now_ms,
                      const std::vector<std::string>& local_app_ids = {});
  // The response says reregister for an unknown or lost node.
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
  // InvalidArgument for an unknown queue, a bad id or an AM no node can hold.
  Status Submit(const wire::ApplicationSubmission& submission, int64_t now_ms);
  // brief: without the attempts.
  Result<wire::ApplicationReport> GetApplication(const std::string& app_id,
                                                 bool brief = false) const;
  std::vector<wire::ApplicationReport> ListApplications() const;
  // The user an application belongs to (NotFound if unknown).
  Result<std::string> OwnerOf(const std::string& app_id) const;
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

  // Admits AMs, grants task containers, preempts, and updates every
  // application's shares and wait reason. AM containers granted are queued
  // for TakeAmLaunches.
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
    wire::Resource used;     // By its containers, until their processes are gone.
    wire::Resource am_used;  // The part of `used` that AM containers hold.
    int64_t last_heartbeat_ms = 0;
    int64_t heartbeats = 0;  // Heartbeats so far (stop orders go out with one).
    bool alive = true;
    std::vector<std::string> stop_containers;     // Sent with the next heartbeat.
    std::vector<std::string> preempt_containers;  // Likewise.
    std::vector<std::string> cleanup_apps;
    wire::Resource Free() const;
    // What tasks could ever have here: the capability less the AMs'.
    wire::Resource TaskRoom() const;
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
    int64_t granted_ms = 0;
    // Released, preempted, or its application or AM attempt ended: it must
    // stop, and its resources stay used until its NM says it has.
    bool stopping = false;
    bool preempted = false;
    bool tell_app = true;  // Its completion goes to the app (not if it released it).
    // Node::heartbeats when its stop order went out (-1: not yet).
    int64_t stop_sent_at = -1;
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
    bool needs_am = false;         // Waiting for the next attempt's container (or the first).
    bool am_registered = false;    // The current attempt registered with this RM.
    std::vector<std::string> am_container_ids;  // Of every attempt, in order.
    int64_t last_am_contact_ms = 0;  // Grant, register or Allocate.
    std::vector<std::string> lost_nodes;  // Since the previous Allocate.
    // ---- Scheduling, recomputed by Schedule().
    std::string queue;
    double fair_share = 0;
    // How much more than its fair share it got lately: its dominant share
    // less its fair share, integrated over time (share x ms), halving every
    // kServiceHalfLifeMs, as of service_at_ms. Among applications with
    // equal shares, the one served least lately goes first: a freed slot is
    // not always won back by the oldest, an application whose tasks are long
    // does not get as many of them as one whose tasks are short, so their
    // shares over time stay even too; and what it held while it was alone
    // (its fair share then) is not held against it.
    double service = 0;
    int64_t service_at_ms = 0;
    int64_t last_grant_ms = 0;  // Then the one whose last grant is oldest.
    int64_t starved_since_ms = 0;  // Below its fair share with no room; 0: not.
    // Free nodes it declined for locality, and since when (delay scheduling).
    std::map<std::string, int64_t> declined_since_ms;
    std::string unschedulable;  // Why a request of it fits no live node.
    std::string am_wait;        // Why its AM waits.
    bool Finished() const;
    // Waiting for an AM container (its first or a retry).
    bool WantsAm() const;
  };
  // A grant Schedule() could make: a request of an app on a node.
  struct Placement {
    Request* request = nullptr;
    Node* node = nullptr;
    int level = 3;  // 0 node-local, 1 rack-local, 2 off-rack (wire::Locality).
  };

  void LoseNode(Node& node, const std::string& why, int64_t now_ms);
  // The current AM attempt failed: a new attempt, or the app fails.
  void AmFailed(App& app, const std::string& why, int64_t now_ms);
  // A running container this RM did not grant (it took over): accounted to
  // its application, or false if it belongs to none still running.
  bool Adopt(Node& node, const wire::ContainerStatus& status);
  wire::Container Grant(App& app, Node& node, const wire::Resource& resource, bool is_am,
                        int64_t now_ms);
  // Orders the container stopped (with the node's next heartbeat) and keeps
  // its resources until the NM reports it gone. `tell_app`: its completion
  // goes to its app's AM.
  void StopContainer(const std::string& container_id, bool tell_app);
  // A container ended (its NM reported it, or its node was lost): frees its
  // resources and tells its app. Unknown or already ended ones are ignored.
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
  const QueueConfig* FindQueue(const std::string& name) const;

  // ---- Scheduling (cluster_scheduling.cc).
  // The live nodes' capabilities summed.
  wire::Resource LiveCapacity() const;
  // Brings an application's (every application's) service over its fair
  // share up to now; called before its usage changes.
  void AccrueService(App& app, int64_t now_ms);
  void AccrueService(int64_t now_ms);
  void AdmitAms(int64_t now_ms, const wire::Resource& total);
  void ComputeFairShares(const wire::Resource& total);
  void GrantTasks(int64_t now_ms, const wire::Resource& total);
  void Preempt(int64_t now_ms, const wire::Resource& total);
  void UpdateWaitReasons(int64_t now_ms);
  // The best grant for `app` now, if any; updates its delay-scheduling clocks
  // and its unschedulable note.
  std::optional<Placement> PlaceFor(App& app, int64_t now_ms);
  // The nodes `request` must avoid: its excluded nodes, unless every live
  // node that could ever hold it is among them (then none). Sets
  // *unschedulable when no live node could ever hold it.
  std::set<std::string> EffectiveExclusions(const wire::ContainerRequest& request,
                                            bool* unschedulable) const;
  // The candidates for the next task grant, neediest first.
  std::vector<App*> AppsInFairOrder();
  // Dominant share per weight of the queue's usage.
  double QueueKey(const std::string& queue, const wire::Resource& total) const;

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
