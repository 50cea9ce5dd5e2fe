// RmService: the ResourceManagerService handler. It serializes every call on
// one mutex around ClusterState, and starts the AM containers ClusterState
// decides on from a launcher thread, outside the lock (a StartContainer RPC
// to an NM must not stall heartbeats). A ticker thread expires silent nodes
// and schedules what waits.
//
// Thread-safety: the Thrift server calls it from many threads; all state is
// behind mutex_.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ResourceManagerService.h"
#include "scheduler/resourcemanager/cluster_state.h"

namespace mr::sched {

class RmService : public wire::ResourceManagerServiceIf {
 public:
  struct Options {
    ClusterState::Options state;
    int64_t tick_ms = 100;  // Node expiry and scheduling of waiting work.
    int am_launch_timeout_ms = 10000;
  };

  explicit RmService(Options options);
  ~RmService() override;  // Stops the threads.

  void NewApplication(std::string& _return) override;
  void SubmitApplication(const wire::ApplicationSubmission& submission) override;
  void GetApplication(wire::ApplicationReport& _return, const std::string& app_id) override;
  void ListApplications(std::vector<wire::ApplicationReport>& _return) override;
  void KillApplication(const std::string& app_id) override;
  void ListNodes(std::vector<wire::NodeReport>& _return) override;
  void RegisterNode(const wire::NodeInfo& node) override;
  void NodeHeartbeat(wire::NodeHeartbeatResponse& _return, const std::string& node_id,
                     const std::vector<wire::ContainerStatus>& containers) override;
  void RegisterApplicationMaster(wire::RegisterResponse& _return, const std::string& app_id,
                                 const std::string& am_container_id) override;
  void Allocate(wire::AllocateResponse& _return, const wire::AllocateRequest& request) override;
  void FinishApplication(const std::string& app_id, wire::AppState::type state,
                         const std::string& diagnostics, const std::string& counters_json) override;

  // Not an RPC: the membership layer found Node Manager `node_id` failed.
  void NodeFailed(const std::string& node_id, const std::string& why);

 private:
  // Grants what it can and hands new AM containers to the launcher thread.
  // Requires mutex_.
  void ScheduleAndLaunch(int64_t now_ms);
  void LauncherLoop();
  void TickerLoop();

  const Options options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  ClusterState state_;                          // Guarded by mutex_.
  std::deque<ClusterState::AmLaunch> launches_;  // Guarded by mutex_.
  bool stopping_ = false;                        // Guarded by mutex_.
  std::thread launcher_;
  std::thread ticker_;
};

// Unix time in milliseconds.
int64_t NowMs();

}  // namespace mr::sched
