// RmService: the ResourceManagerService handler. It serializes every call on
// one mutex around ClusterState, and starts the AM containers ClusterState
// decides on from a launcher thread, outside the lock (a StartContainer RPC
// to an NM must not stall heartbeats). A ticker thread expires silent nodes
// and schedules what waits, and expires silent AMs.
//
// Active or standby: a standby answers every call with Unavailable
// ("standby"), which clients take as "try the next RM", until Activate()
// (RmFailover decides when) loads the latest checkpoint. An active service
// with a store checkpoints ClusterState (from a CheckpointWriter thread)
// whenever an application-level change moved its version, and task reports
// at most every checkpoint_reports_ms; SubmitApplication returns only once
// its application is saved (or checkpoint_wait_ms passed).
//
// Thread-safety: the Thrift server calls it from many threads; all state is
// behind mutex_.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ResourceManagerService.h"
#include "scheduler/resourcemanager/checkpoint_writer.h"
#include "scheduler/resourcemanager/cluster_state.h"
#include "scheduler/resourcemanager/state_store.h"

namespace mr::sched {

class RmService : public wire::ResourceManagerServiceIf {
 public:
  struct Options {
    ClusterState::Options state;
    int64_t tick_ms = 100;  // Node expiry and scheduling of waiting work.
    int am_launch_timeout_ms = 10000;
    // Checkpoints go here; null: none (a restarted RM forgets everything).
    std::shared_ptr<RmStateStore> store;
    bool standby = false;  // Start as a standby: Unavailable until Activate().
    // Task attempt reports and progress alone are checkpointed at most this
    // often (application-level changes at once).
    int checkpoint_reports_ms = 1000;
    int checkpoint_wait_ms = 5000;
  };

  explicit RmService(Options options);
  ~RmService() override;  // Stops the threads.

  void NewApplication(std::string& _return) override;
  void SubmitApplication(const wire::ApplicationSubmission& submission) override;
  void GetApplication(wire::ApplicationReport& _return, const std::string& app_id,
                      bool brief) override;
  void ListApplications(std::vector<wire::ApplicationReport>& _return) override;
  void KillApplication(const std::string& app_id) override;
  void ListNodes(std::vector<wire::NodeReport>& _return) override;
  void RegisterNode(const wire::NodeInfo& node,
                    const std::vector<std::string>& local_app_ids) override;
  void NodeHeartbeat(wire::NodeHeartbeatResponse& _return, const std::string& node_id,
                     const std::vector<wire::ContainerStatus>& containers) override;
  void RegisterApplicationMaster(wire::RegisterResponse& _return, const std::string& app_id,
                                 const std::string& am_container_id,
                                 const std::string& app_token) override;
  void Allocate(wire::AllocateResponse& _return, const wire::AllocateRequest& request) override;
  void FinishApplication(const std::string& app_id, wire::AppState::type state,
                         const std::string& diagnostics, const std::string& counters_json,
                         const std::string& am_container_id,
                         const std::string& app_token) override;

  // Not an RPC: the membership layer found Node Manager `node_id` failed.
  void NodeFailed(const std::string& node_id, const std::string& why);

  // A standby becomes active: it loads the store's checkpoint (none yet is
  // fine) into its empty state. OK if already active; an error (a damaged
  // checkpoint) leaves it standby.
  Status Activate();
  bool active();

 private:
  // Grants what it can and hands new AM containers to the launcher thread,
  // then checkpoints if needed. Requires mutex_.
  void ScheduleAndLaunch(int64_t now_ms);
  // Offers the state to the writer if an application-level change happened
  // since the last offer, or reports changed and checkpoint_reports_ms
  // passed, or the last save failed. Requires mutex_.
  void MaybeCheckpoint();
  // Throws Unavailable on a standby. Requires mutex_.
  void ThrowIfStandby() const;
  // Security on: a refusal unless `token` is an application token of
  // `app_id` for *am_container_id (set to the token's if empty).
  static Status CheckAppToken(const std::string& call, const std::string& app_id,
                              const std::string& token, std::string* am_container_id);
  void LauncherLoop();
  void TickerLoop();

  const Options options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  ClusterState state_;                          // Guarded by mutex_.
  std::deque<ClusterState::AmLaunch> launches_;  // Guarded by mutex_.
  // Security on: ids NewApplication issued and who to, until submitted
  // (the oldest forgotten past kMaxIssuedIds). Guarded by mutex_.
  std::map<std::string, std::string> issued_;
  std::deque<std::string> issued_order_;
  bool stopping_ = false;                        // Guarded by mutex_.
  bool active_;                                  // Guarded by mutex_.
  int64_t offered_version_ = -1;                 // Guarded by mutex_.
  int64_t offered_reports_version_ = 0;          // Guarded by mutex_.
  int64_t last_offer_ms_ = 0;                    // Guarded by mutex_.
  std::unique_ptr<CheckpointWriter> writer_;     // Null without a store.
  std::thread launcher_;
  std::thread ticker_;
};

}  // namespace mr::sched
