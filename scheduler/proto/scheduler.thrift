// Control plane of the scheduler (docs/SCHEDULER.md): the Resource Manager's
// service (called by clients, Node Managers and Application Masters) and the
// Node Manager's service (called by the RM to launch AMs and by AMs to launch
// tasks, and by clients for logs).
//
// Versioning: fields are only ever added, with new ids, as optional or with a
// default; ids are never reused.
namespace cpp mr.sched.wire

// Every failure a service reports. Codes number as mr::Status::Code does
// (rpc/status_codes.h converts).
exception SchedulerError {
  1: i32 code,
  2: string message,
}

// ---- Shared values -------------------------------------------------------

// Vcores may be 0 (an application master, by default, asks for memory
// only: it is a control loop, not a worker); memory must be positive.
struct Resource {
  1: i32 vcores,
  2: i64 memory_mb,
}

// A Node Manager as it registers.
struct NodeInfo {
  1: string id,             // The NM's own id (cluster.conf), e.g. "nm-0-1".
  2: string host,
  3: i32 rpc_port,          // NodeManagerService.
  4: i32 shuffle_port,      // The shuffle service (Boost.Asio, mapreduce/shuffle).
  5: string rack,           // Same label as the datanode's, e.g. "/r1".
  6: Resource capability,   // What containers on it may use in all.
  // The datanode on the same server, if any: the AM maps a chunk's replicas
  // to NMs through it (ListNodes) for locality.
  7: string datanode_id,
}

struct NodeReport {
  1: NodeInfo info,
  2: bool alive,             // False: no heartbeat within the RM's expiry.
  3: Resource used,          // By the containers the RM has granted on it.
  4: i32 running_containers,
  5: i64 last_heartbeat_age_ms,
}

enum ContainerState {
  RUNNING = 1,    // Launched (or being localized and launched).
  COMPLETE = 2,   // Exited, was killed, or never started.
}

struct ContainerStatus {
  1: string container_id,
  2: ContainerState state,
  // COMPLETE only: the process's exit code, or 128 + signal number if a signal
  // ended it, or -1 if it never started (localization or exec failed).
  3: i32 exit_code,
  // COMPLETE only, empty on a clean exit 0: why it ended ("exit code 3",
  // "killed by signal 11", "killed: memory limit 512 MB exceeded (RSS 530 MB)",
  // "stopped", "localization failed: ...") then the last lines of its stderr.
  4: string diagnostics,
  // COMPLETE only: the bytes the process left in the file "result" of its
  // working directory (at most 1 MiB), e.g. a task's counters, or a reduce's
  // fetch failures when it exits non-zero.
  5: binary result,
  6: string app_id,
  // RUNNING only: the task's own report of its progress, read from the file
  // "progress" of its working directory (docs/SCHEDULER.md): the fraction
  // done, 0..1 (-1: nothing reported yet), and a counter the task advances
  // whenever it makes progress (so a stalled or stopped task shows an
  // unchanging counter even while its fraction is legitimately flat).
  7: double progress = -1,
  8: i64 progress_ticks,
  // The container's grant, so an RM that restarted (or took over) can
  // account for containers it did not grant itself.
  9: Resource resource,
  // COMPLETE only: the RM preempted it (NodeHeartbeatResponse.
  // preempt_container_ids) to give its room to an application below its
  // fair share. Its attempt is KILLED, never a failure.
  10: bool preempted,
}

// How to run a container's process.
struct LaunchContext {
  1: string app_id,
  2: string container_id,
  // The executable: a DFS path, localized by the NM once per application per
  // node (downloaded, made executable, shared by its containers).
  3: string binary_dfs_path,
  4: list<string> arguments,       // argv[1..]; argv[0] is the localized binary.
  5: map<string, string> env,      // Added to the NM's own MR_* variables.
  // Written into the container's working directory before exec, e.g. a task
  // spec. Names are plain file names ([A-Za-z0-9._-], not starting with '.').
  6: map<string, binary> files,
  7: Resource resource,            // The grant; memory is enforced by the NM.
  // The RM's grant of this container: a security::TokenSigner token of kind
  // "container" whose identifier is a ContainerTokenId. An NM with security
  // launches only with a valid one, as the token's user.
  8: binary container_token,
}

// The identifier of a container token (docs/SECURITY.md).
struct ContainerTokenId {
  1: string container_id,
  2: string app_id,
  3: string user,
  4: string node_id,
  5: Resource resource,
  // The token's expiry, as signed: an NM remembers a started container id
  // at least this long (a token starts one container once).
  6: i64 expires_ms,
}

// The identifier of an application token ("app"): what the RM gives an
// application's AM (the file MR_APP_TOKEN_FILE names, never its tasks) and
// checks on every AM-only call (RegisterApplicationMaster, Allocate,
// FinishApplication), so no one else can act as the application's AM.
struct AppTokenId {
  1: string app_id,
  2: string user,
  3: string am_container_id,   // The attempt it was made for.
}

// ---- Node Manager --------------------------------------------------------

service NodeManagerService {
  // Localizes and launches asynchronously: returns once accepted; progress
  // and the outcome show in GetContainerStatuses. AlreadyExists for a
  // container id it has seen.
  void StartContainer(1: LaunchContext context) throws (1: SchedulerError error),
  // SIGTERM to the container's process group, SIGKILL after a grace period.
  // Stopping a finished or unknown container is not an error.
  void StopContainer(1: string container_id) throws (1: SchedulerError error),
  // Unknown ids are left out of the answer.
  list<ContainerStatus> GetContainerStatuses(1: list<string> container_ids)
      throws (1: SchedulerError error),
  // The last `max_bytes` of a container's "stdout" or "stderr" (its logs stay
  // after it ends, until the application is cleaned up).
  string GetContainerLog(1: string container_id, 2: string stream, 3: i64 max_bytes)
      throws (1: SchedulerError error),
}

// ---- Resource Manager ----------------------------------------------------

enum AppState {
  SUBMITTED = 1,   // Not yet accepted (transient).
  ACCEPTED = 2,    // Accepted into its queue: waiting for its AM to fit
                   // (ApplicationReport.wait_reason says why), or its AM
                   // container granted and launching.
  RUNNING = 3,     // AM registered.
  SUCCEEDED = 4,
  FAILED = 5,
  KILLED = 6,
}

struct ApplicationSubmission {
  1: string app_id,                // From NewApplication.
  2: string name,
  3: string user,
  4: string binary_dfs_path,       // The job binary, already in the DFS.
  5: list<string> am_args,         // The AM is the job binary started with these.
  6: Resource am_resource,
  7: map<string, string> am_env,
  // The scheduler queue (docs/SCHEDULER.md, "Queues and fair shares");
  // empty: the RM's first queue. InvalidArgument for an unknown one.
  8: string queue,
}

// One task attempt, as the AM reports it (for status and `mrjob logs`).
struct TaskAttemptReport {
  1: string attempt_id,            // e.g. "m_000003_1", "r_000000_0".
  2: string container_id,
  3: string node_id,
  4: string state,                 // "RUNNING", "SUCCEEDED", "FAILED", "KILLED".
  5: string diagnostics,
  6: i64 start_time_ms,            // Wall clock (ms since the epoch) at launch.
  7: i64 finish_time_ms,           // Wall clock when it ended; 0 while it runs.
}

struct ApplicationReport {
  1: string app_id,
  2: string name,
  3: string user,
  4: AppState state,
  5: double map_progress,          // 0..1, from the AM's heartbeats.
  6: double reduce_progress,
  7: string diagnostics,           // Why it failed or was killed.
  8: string counters_json,         // Final counters (set by the AM when it finishes).
  9: i64 submit_time_ms,           // Unix epoch milliseconds.
  10: i64 finish_time_ms,          // 0 while running.
  11: string am_container_id,
  12: string am_node_id,
  13: list<TaskAttemptReport> attempts,  // Not in ListApplications or a brief GetApplication.
  14: Resource used,               // Resources of its containers (until their processes are gone).
  15: string queue,
  // Its dominant share of the cluster (DRF: the larger of its vcores' and
  // its memory's fraction of the live nodes'), and the fair share the RM
  // computes for it now (0 when it has no AM or nothing to run).
  16: double share,
  17: double fair_share,
  // Why it waits, when it does: for room for its AM, for containers (at its
  // fair share, the cluster full, locality), or that some request cannot be
  // met by any live node. Empty when nothing waits.
  18: string wait_reason,
  // Its task attempts by state ("RUNNING", "SUCCEEDED", "FAILED", "KILLED"),
  // also in brief reports and lists.
  19: map<string, i32> attempt_counts,
}

// A request for one container. The RM grants on a preferred node at once if
// it can; on a node in a preferred rack once the request is locality_delay_ms
// old; anywhere once it is 2 x locality_delay_ms old (delay scheduling). With
// no preferences, anywhere at once.
struct ContainerRequest {
  1: i64 request_id,               // Unique within the application.
  2: Resource resource,
  3: list<string> nodes,           // NM ids.
  4: list<string> racks,
  5: i32 locality_delay_ms,
  6: i32 priority,                 // Lower is served first within the app (maps 10, reduces 20).
  7: list<string> excluded_nodes,  // Never on these (e.g. where an attempt of this task failed).
}

enum Locality {
  NODE_LOCAL = 0,
  RACK_LOCAL = 1,
  OFF_RACK = 2,
}

struct Container {
  1: string container_id,          // "<app_id>_c<NNNNNN>".
  2: NodeInfo node,
  3: Resource resource,
  4: i64 request_id,               // The request it answers.
  5: Locality locality,            // Relative to the request's preferences.
  // The RM's container token (LaunchContext.container_token) for it; empty
  // on an RM without security.
  6: binary container_token,
}

struct AllocateRequest {
  1: string app_id,
  2: list<ContainerRequest> asks,      // New requests.
  3: list<i64> cancel_request_ids,     // Requests no longer wanted.
  4: list<string> release_container_ids,  // Granted containers done with (finished or unused).
  5: double map_progress,
  6: double reduce_progress,
  7: list<TaskAttemptReport> attempts,  // New or changed attempts since the last call.
  // The caller's own container. An AM whose attempt was replaced (its node
  // was declared lost while it kept running, or it stopped answering) gets
  // Aborted and must stop without touching the job: the new attempt owns
  // it. Empty: not checked.
  8: string am_container_id,
  // The AM's application token (AppTokenId); required on an RM with
  // security.
  9: binary app_token,
}

struct AllocateResponse {
  1: list<Container> allocated,
  // Containers of this app that the NMs reported complete (the RM frees
  // their resources then, whether or not the AM released them).
  2: list<ContainerStatus> completed,
  3: bool kill_requested,              // `mrjob kill`: stop the tasks and finish KILLED.
  4: Resource cluster_capability,      // Largest single node, for the AM's checks.
  // Node Managers lost since this application's previous Allocate (missed
  // heartbeats or the membership layer): their containers are in
  // `completed`, and the map outputs they served are gone.
  5: list<string> lost_node_ids,
  // Non-empty while some outstanding request cannot be met by any live
  // node, even ignoring its excluded nodes: why (the AM fails the job if it
  // stays so, --am_unschedulable_timeout_ms).
  6: string unschedulable,
}

// What a (re-)registering AM learns: which attempt of the application it
// is, and the work earlier attempts left running, to resync with.
struct RegisterResponse {
  1: i32 am_attempt,                     // 1 for the first AM of the application.
  // Containers granted to earlier AM attempts (not the AM containers) that
  // have not ended: the new AM adopts them or releases them.
  2: list<Container> live_containers,
  // Every task attempt as earlier AMs reported it (TaskAttemptReport).
  3: list<TaskAttemptReport> attempts,
}

struct NodeHeartbeatResponse {
  1: list<string> stop_container_ids,  // E.g. of a killed or finished application.
  // Finished applications: aggregate their containers' logs into the DFS,
  // then delete their local data.
  2: list<string> cleanup_app_ids,
  3: bool reregister,                  // The RM does not know this node (it restarted).
  // Stop these to give their room to an application below its fair share;
  // their statuses say `preempted`.
  4: list<string> preempt_container_ids,
}

service ResourceManagerService {
  // Clients.
  string NewApplication() throws (1: SchedulerError error),
  // InvalidArgument if am_resource fits no node (with the reason).
  void SubmitApplication(1: ApplicationSubmission submission) throws (1: SchedulerError error),
  // brief: without the attempts (what a client following a job polls for).
  ApplicationReport GetApplication(1: string app_id, 2: bool brief)
      throws (1: SchedulerError error),
  list<ApplicationReport> ListApplications() throws (1: SchedulerError error),
  void KillApplication(1: string app_id) throws (1: SchedulerError error),
  list<NodeReport> ListNodes() throws (1: SchedulerError error),

  // Node Managers. `local_app_ids`: the applications the node has local
  // data of (a restarted NM); the finished ones among them come back in a
  // heartbeat's cleanup_app_ids.
  void RegisterNode(1: NodeInfo node, 2: list<string> local_app_ids)
      throws (1: SchedulerError error),
  // `containers`: every container on the node that is running or completed
  // since the last heartbeat (so one it does not list after a stop order has
  // no process left). A container's resources are free for the RM only once
  // its NM reports it so.
  NodeHeartbeatResponse NodeHeartbeat(1: string node_id, 2: list<ContainerStatus> containers)
      throws (1: SchedulerError error),

  // Application Masters (the AM learns its app id from MR_APP_ID).
  // Registering again (after an RM failover) is allowed and returns the
  // same attempt number. Aborted for a container that is not the
  // application's current AM (an attempt that was replaced).
  // `app_token`: the AM's application token (AppTokenId), required (as
  // on Allocate and FinishApplication) on an RM with security.
  RegisterResponse RegisterApplicationMaster(1: string app_id, 2: string am_container_id,
                                             3: binary app_token)
      throws (1: SchedulerError error),
  // The AM's heartbeat. InvalidArgument for a request that fits no node.
  // NotFound when this RM does not know the AM (it restarted or took over
  // from a checkpoint): the AM registers again and resends every
  // outstanding request.
  AllocateResponse Allocate(1: AllocateRequest request) throws (1: SchedulerError error),
  // Ends the application (state SUCCEEDED, FAILED or KILLED).
  // Aborted if `am_container_id` (when set) is not the current AM's.
  void FinishApplication(1: string app_id, 2: AppState state, 3: string diagnostics,
                         4: string counters_json, 5: string am_container_id,
                         6: binary app_token)
      throws (1: SchedulerError error),
}
