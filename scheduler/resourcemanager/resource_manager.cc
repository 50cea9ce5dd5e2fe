#include "scheduler/resourcemanager/resource_manager.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/clock.h"
#include "common/host_port.h"

#include "scheduler/resourcemanager/dfs_state_store.h"
#include "scheduler/resourcemanager/log_retention.h"
#include "scheduler/resourcemanager/queues.h"
#include "scheduler/resourcemanager/state_store.h"

DEFINE_int64(rm_node_expiry_ms, 3000,
             "A Node Manager silent for this long is lost: its containers end (exit -1).");
DEFINE_int32(rm_max_running_apps, 16,
             "Applications with an AM at once; later submissions wait in FIFO order.");
DEFINE_int64(rm_tick_ms, 100, "How often the RM expires silent nodes and schedules waiting work.");
DEFINE_int32(rm_max_frame_bytes, 16 << 20,
             "Largest ResourceManagerService request frame; a larger one closes the connection.");
DEFINE_int32(rm_am_max_attempts, 2,
             "AM attempts per application (YARN's am.max-attempts): an AM that exits before "
             "its application finished, is lost with its node, or stops heartbeating is "
             "restarted until this many have failed; then the application fails.");
// Generous: an AM does not heartbeat while it plans the job (listing the
// input, sampling split points), which takes seconds on large inputs; a dead
// AM's container exit or its node's loss is noticed at once anyway. Hadoop
// waits 10 minutes.
DEFINE_int64(rm_am_expiry_ms, 60000,
             "An AM that has not called Allocate (or registered, once launched) for this long "
             "has failed: its container is stopped and a new attempt starts.");
DEFINE_string(rm_state_dfs_path, "",
              "DFS file of the RM's checkpoint (e.g. /.rm/state, through --rm_dfs_master), "
              "written on every application-level change and loaded when an RM starts active "
              "or takes over. Wins over --rm_state_dir.");
DEFINE_string(rm_dfs_master, "", "HOST:PORT of the DFS master, for --rm_state_dfs_path.");
DEFINE_string(rm_state_dir, "",
              "Local directory of the RM's checkpoint (<dir>/rm_state), as --rm_state_dfs_path "
              "but for RMs that share a filesystem. Empty (and no --rm_state_dfs_path): no "
              "checkpoints; a restarted RM forgets every application.");
DEFINE_bool(rm_standby, false,
            "Start as a standby: answer every call with Unavailable, probe --rm_peers, and "
            "take over from the checkpoint once none has answered for --rm_failover_ms.");
DEFINE_string(rm_peers, "",
              "HOST:PORT,... of the other resource managers (the active one, for a standby). "
              "An RM started active with peers stays standby if one of them is active.");
DEFINE_int32(rm_failover_ms, 2000,
             "A standby takes over once no peer has answered its probes for this long.");
DEFINE_int32(rm_standby_probe_ms, 200, "How often a standby probes its peers.");
DEFINE_string(rm_queues, mr::sched::kDefaultQueues,
              "The scheduler's queues and their weights, e.g. prod:3,dev:1 (a name alone: "
              "weight 1). Applications without --queue go to the first. Resources go to the "
              "queues in proportion to their weights (fair shares, preemption).");
DEFINE_double(rm_max_am_share, 0.5,
              "The most of the cluster's vcores and memory that application masters may hold "
              "together; an application waits ACCEPTED until its AM fits (one AM may always "
              "run). 1 turns the limit off.");
DEFINE_int64(rm_preemption_timeout_ms, 10000,
             "An application below its fair share whose requests find no room for this long "
             "gets the youngest task containers of applications over their fair share "
             "preempted (their attempts are KILLED, not failed). 0: never preempt.");
DEFINE_int64(rm_log_retention_ms, 7LL * 24 * 3600 * 1000,
             "Aggregated container logs (/.logs/<app> in the DFS) are deleted this long after "
             "they were written. Negative: kept for ever.");
DEFINE_int64(rm_log_retention_check_ms, 3600 * 1000,
             "How often the active RM looks for aggregated logs past --rm_log_retention_ms.");

namespace mr::sched {

namespace {
// How long an RM starting active waits for a checkpoint it cannot read yet.
constexpr int64_t kCheckpointLoadWaitMs = 15000;
}  // namespace

Result<ResourceManager::Options> ResourceManager::Options::FromFlags() {
  Options options;
  Result<std::vector<QueueConfig>> queues = ParseQueues(FLAGS_rm_queues);
  RETURN_NOT_OK_PREPEND(queues.status(), "--rm_queues");
  options.service.state.queues = *std::move(queues);
  if (!(FLAGS_rm_max_am_share > 0 && FLAGS_rm_max_am_share <= 1)) {
    return Status::InvalidArgument("--rm_max_am_share must be in (0, 1]");
  }
  options.service.state.max_am_share = FLAGS_rm_max_am_share;
  options.service.state.preemption_timeout_ms = std::max<int64_t>(0, FLAGS_rm_preemption_timeout_ms);
  options.log_retention_ms = FLAGS_rm_log_retention_ms;
  options.log_retention_check_ms = FLAGS_rm_log_retention_check_ms;
  options.service.state.node_expiry_ms = FLAGS_rm_node_expiry_ms;
  options.service.state.max_running_apps = FLAGS_rm_max_running_apps;
  options.service.state.am_max_attempts = std::max(1, FLAGS_rm_am_max_attempts);
  options.service.state.am_expiry_ms = FLAGS_rm_am_expiry_ms;
  options.service.tick_ms = FLAGS_rm_tick_ms;
  options.state_dfs_path = FLAGS_rm_state_dfs_path;
  options.dfs_master = FLAGS_rm_dfs_master;
  options.state_dir = FLAGS_rm_state_dir;
  options.standby = FLAGS_rm_standby;
  options.failover.peers = SplitCommaList(FLAGS_rm_peers);
  options.failover.failover_ms = FLAGS_rm_failover_ms;
  options.failover.probe_ms = std::max(10, FLAGS_rm_standby_probe_ms);
  return options;
}

Result<std::unique_ptr<ResourceManager>> ResourceManager::Start(Options options) {
  if (options.service.state.start_time_ms == 0) options.service.state.start_time_ms = WallClockMs();
  if (options.standby && options.failover.peers.empty()) {
    return Status::InvalidArgument("a standby resource manager needs --rm_peers");
  }
  if (!options.state_dfs_path.empty()) {
    if (options.dfs_master.empty()) {
      return Status::InvalidArgument("--rm_state_dfs_path needs --rm_dfs_master");
    }
    options.service.store = NewDfsStateStore(options.dfs_master, options.state_dfs_path);
  } else if (!options.state_dir.empty()) {
    options.service.store = NewLocalStateStore(options.state_dir);
  }
  bool standby = options.standby;
  if (!standby && !options.failover.peers.empty() &&
      RmFailover::PeerIsActive(options.failover.peers,
                               std::min(options.failover.failover_ms, 1000))) {
    LOG(WARNING) << "rm: another resource manager is active: starting as a standby";
    standby = true;
  }
  options.service.standby = true;  // Activate() below loads the checkpoint.
  std::unique_ptr<ResourceManager> rm(new ResourceManager());
  rm->service_ = std::make_shared<RmService>(options.service);
  if (!standby) {
    // The DFS holding the checkpoint may be coming up too (a cluster
    // brought up again): an unreachable replica is waited for a while.
    int64_t deadline = SteadyClockMs() + kCheckpointLoadWaitMs;
    Status activated = rm->service_->Activate();
    while (activated.IsUnavailable() && SteadyClockMs() < deadline) {
      LOG_EVERY_N(WARNING, 10) << "rm: checkpoint not readable yet: " << activated.ToString();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      activated = rm->service_->Activate();
    }
    RETURN_NOT_OK_PREPEND(activated, "resource manager checkpoint");
  }
  rpc::ThriftServer::Options rpc_options;
  rpc_options.name = "resource manager";
  rpc_options.host = options.host;
  rpc_options.port = options.port;
  rpc_options.max_frame_bytes = FLAGS_rm_max_frame_bytes;
  ASSIGN_OR_RETURN(rm->server_,
                   rpc::ThriftServer::Start(
                       std::make_shared<wire::ResourceManagerServiceProcessor>(rm->service_),
                       rpc_options));
  if (standby) {
    LOG(WARNING) << "rm: standby, probing " << options.failover.peers.size() << " peer(s)";
    rm->failover_ = std::make_unique<RmFailover>(options.failover, rm->service_.get());
    rm->failover_->Start();
  }
  if (!options.dfs_master.empty() && options.log_retention_ms >= 0) {
    LogRetention::Options retention;
    retention.dfs_master = options.dfs_master;
    retention.retention_ms = options.log_retention_ms;
    retention.check_ms = options.log_retention_check_ms;
    RmService* service = rm->service_.get();
    retention.active = [service] { return service->active(); };
    rm->log_retention_ = std::make_unique<LogRetention>(retention);
    rm->log_retention_->Start();
  }
  return rm;
}

ResourceManager::~ResourceManager() { Stop(); }

void ResourceManager::Stop() {
  if (log_retention_) log_retention_->Stop();
  if (failover_) failover_->Stop();
  if (server_) server_->Stop();
}

}  // namespace mr::sched
