// RunApplicationMaster: reads its configuration, registers with the RM,
// connects to the DFS and hands the job to the JobDriver.
#include "mapreduce/appmaster/app_master.h"

#include <algorithm>
#include <atomic>
#include <csignal>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "dfs/client/dfs_client.h"
#include "dfs_io.h"
#include "job_flags.h"
#include "mapreduce/appmaster/am_config.h"
#include "mapreduce/appmaster/job_driver.h"
#include "mapreduce/appmaster/node_managers.h"

DEFINE_int32(am_heartbeat_ms, 100,
             "Application Master: interval of its Allocate heartbeats to the resource manager "
             "(it also calls at once when it has new requests).");
DEFINE_int32(am_poll_ms, 25,
             "Application Master: interval at which it polls node managers for the status of "
             "its running containers.");
DEFINE_int32(am_max_task_attempts, 4,
             "Application Master: attempts of one task before the job fails.");
// Long enough for a node's own map queue to reach it on a small cluster
// (every task slot frees about once per map time): on replication-1 input
// of 51 chunks on a 2x2 cluster, 200 ms left 2-8 of 51 maps off-rack, 1 s
// none or one, at the same job time (docs/SCHEDULER.md, "Scheduling").
DEFINE_int32(am_locality_delay_ms, 1000,
             "Application Master: delay scheduling: how long a free node may stay turned down "
             "by this job for lack of a map whose data it holds before the job takes it for a "
             "map whose data is in its rack (and twice that before it takes it for any map).");
DEFINE_int32(am_map_memory_mb, 0,
             "Application Master: memory of a map container (0: --sort_buffer_mb + 512).");
DEFINE_int32(am_reduce_memory_mb, 0,
             "Application Master: memory of a reduce container (0: --sort_buffer_mb + 512).");
DEFINE_int32(am_task_vcores, 1, "Application Master: cores of each task container.");
DEFINE_int32(am_rpc_timeout_ms, 30000,
             "Application Master: timeout of each call to the resource manager or a node "
             "manager.");
DEFINE_int32(am_node_check_ms, 1000,
             "Application Master: how often it asks the resource manager for lost nodes, whose "
             "map outputs it then regenerates.");
DEFINE_int32(am_rm_unreachable_ms, 30000,
             "Application Master: the job fails when the resource manager has not answered "
             "for this long.");
DEFINE_bool(am_combine_splits, true,
            "Application Master: combine small splits (files smaller than a chunk) into "
            "fewer map tasks of up to --am_max_split_mb, grouped by the nodes and racks "
            "holding their replicas, as Hadoop's CombineFileInputFormat does.");
DEFINE_int32(am_max_split_mb, 0,
             "Application Master: the most input of a combined map task (0: the input's DFS "
             "chunk size); a chunk larger than this is still one task.");

DEFINE_bool(am_speculation, true,
            "Application Master: launch a backup attempt, on another node, for a task far "
            "slower than its peers (LATE-style); the first attempt to finish wins.");
DEFINE_int32(am_speculation_interval_ms, 500,
             "Application Master: how often it looks for stragglers and for attempts past "
             "--am_task_timeout_ms.");
DEFINE_int32(am_speculation_min_runtime_ms, 1000,
             "Application Master: an attempt younger than this never gets a backup.");
DEFINE_double(am_speculation_slow_fraction, 0.5,
              "Application Master: a task is a straggler when its progress rate is below this "
              "fraction of the median rate of its peers.");
DEFINE_double(am_speculation_cap_fraction, 0.1,
              "Application Master: backups at once, as a fraction of the job's tasks (at "
              "least 1).");
DEFINE_int32(am_task_timeout_ms, 60000,
             "Application Master: an attempt whose progress has not moved for this long is "
             "killed and counted as failed (0: never).");
DEFINE_int32(am_max_attempts_per_task_total, 10,
             "Application Master: attempts of one task in any state (failed, killed, "
             "preempted, refused by a node, speculative) after which the job fails.");
DEFINE_int32(am_node_backoff_ms, 500,
             "Application Master: a node that refused or could not launch a container is "
             "avoided this long, doubling with each refusal (up to 30 s), and until the "
             "resource manager has heard from it since.");
DEFINE_int32(am_unschedulable_timeout_ms, 60000,
             "Application Master: the job fails when some of its requests have fit no live "
             "node (even ignoring the nodes it avoids) for this long.");
DEFINE_int32(am_max_failures_per_node, 3,
             "Application Master: failed attempts of the job on one node after which the job "
             "stops using that node (0: never).");

namespace mr {

namespace {

std::atomic<bool> terminated{false};

void OnTerminate(int) { terminated = true; }

am::DriverOptions DriverOptionsFromFlags() {
  am::DriverOptions options;
  options.heartbeat_ms = std::max(1, FLAGS_am_heartbeat_ms);
  options.poll_ms = std::max(1, FLAGS_am_poll_ms);
  options.rm_unreachable_ms = std::max(1, FLAGS_am_rm_unreachable_ms);
  options.unschedulable_timeout_ms = std::max(0, FLAGS_am_unschedulable_timeout_ms);
  options.node_check_ms = std::max(1, FLAGS_am_node_check_ms);
  options.combine_splits = FLAGS_am_combine_splits;
  options.max_split_bytes = int64_t{std::max(0, FLAGS_am_max_split_mb)} << 20;
  options.speculation_interval_ms = std::max(1, FLAGS_am_speculation_interval_ms);
  options.tracker.max_attempts = std::max(1, FLAGS_am_max_task_attempts);
  options.tracker.max_attempts_total =
      std::max(options.tracker.max_attempts, FLAGS_am_max_attempts_per_task_total);
  options.tracker.node_backoff_ms = std::max(1, FLAGS_am_node_backoff_ms);
  options.tracker.max_failures_per_node = std::max(0, FLAGS_am_max_failures_per_node);
  options.tracker.task_timeout_ms = std::max(0, FLAGS_am_task_timeout_ms);
  options.tracker.speculation.enabled = FLAGS_am_speculation;
  options.tracker.speculation.min_runtime_ms = std::max(0, FLAGS_am_speculation_min_runtime_ms);
  options.tracker.speculation.slow_rate_fraction = FLAGS_am_speculation_slow_fraction;
  options.tracker.speculation.cap_fraction = FLAGS_am_speculation_cap_fraction;
  options.tracker.locality_delay_ms = std::max(0, FLAGS_am_locality_delay_ms);
  int64_t default_mb = int64_t{FLAGS_sort_buffer_mb} + 512;
  options.tracker.map_resource.vcores = std::max(1, FLAGS_am_task_vcores);
  options.tracker.map_resource.memory_mb =
      FLAGS_am_map_memory_mb > 0 ? FLAGS_am_map_memory_mb : default_mb;
  options.tracker.reduce_resource.vcores = std::max(1, FLAGS_am_task_vcores);
  options.tracker.reduce_resource.memory_mb =
      FLAGS_am_reduce_memory_mb > 0 ? FLAGS_am_reduce_memory_mb : default_mb;
  return options;
}

}  // namespace

int RunApplicationMaster(const Job& job) {
  // The AM's stderr is its log (aggregated into the DFS when the job ends):
  // what it decides is worth keeping, unless --minloglevel says otherwise.
  bool given = false;
  for (const std::string& arg : gflags::GetArgvs()) {
    given = given || arg.find("-minloglevel") != std::string::npos;
  }
  if (!given) FLAGS_minloglevel = google::GLOG_INFO;
  Result<am::AmConfig> config = am::LoadAmConfig(job);
  if (!config.ok()) {
    LOG(ERROR) << "application master: " << config.status().ToString();
    return 1;
  }
  const std::string& app_id = config->app_id;
  auto rm = am::ConnectResourceManagers(config->rm_addresses, FLAGS_am_rpc_timeout_ms,
                                       config->app_token);
  if (!rm.ok()) {
    LOG(ERROR) << app_id << ": " << rm.status().ToString();
    return 1;
  }
  Result<sched::wire::RegisterResponse> registered = (*rm)->Register(app_id, config->container_id);
  if (!registered.ok()) {
    LOG(ERROR) << app_id << ": registering with the resource manager: "
               << registered.status().ToString();
    return 1;
  }
  LOG(INFO) << app_id << ": registered; input " << config->input << ", output "
            << config->output;
  Result<std::unique_ptr<dfs::DfsClient>> dfs = ConnectDfsFromEnv();
  if (!dfs.ok()) {
    std::string why = "cannot reach the DFS: " + dfs.status().ToString();
    LOG(ERROR) << app_id << ": " << why;
    Status finished = (*rm)->Finish(app_id, config->container_id, sched::wire::AppState::FAILED, why, "");
    return finished.ok() ? 0 : 1;
  }
  std::signal(SIGTERM, OnTerminate);
  std::signal(SIGINT, OnTerminate);
  std::unique_ptr<am::NodeManagers> nms = am::NewThriftNodeManagers(FLAGS_am_rpc_timeout_ms);
  am::JobDriver driver(job, *std::move(config), DriverOptionsFromFlags(), *std::move(registered),
                       rm->get(), nms.get(), dfs->get(), &terminated);
  Status s = driver.Run();
  if (!s.ok()) {
    LOG(ERROR) << app_id << ": could not finish the application: " << s.ToString();
    return 1;
  }
  return 0;
}

}  // namespace mr
