// What the Application Master knows at start: its ids and its RM from the
// environment the NM gave its container (docs/SCHEDULER.md, "container
// environment"), the job's framework flags as JobMain parsed them, and the
// job's own flags to hand every task.
// Thread-safety: plain values and stateless functions.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "mapreduce/mapreduce.h"

namespace mr::am {

struct AmConfig {
  std::string app_id;        // MR_APP_ID.
  std::string container_id;  // MR_CONTAINER_ID.
  // MR_RM_ADDRESS: "host:port[,host:port...]", every RM, the active one
  // first (ConnectResourceManager fails over between them).
  std::string rm_addresses;
  std::string rm_host;       // The first of them.
  int rm_port = 0;
  int am_attempt = 1;        // MR_AM_ATTEMPT (1 if unset); RegisterResponse says it too.
  std::string input;         // DFS paths.
  std::string output;
  int reducers = 1;
  bool range_partitioning = false;
  int sort_buffer_mb = 64;
  int merge_fan_in = 64;
  bool map_side_aggregation = true;
  // The job binary in the DFS, as the client staged it; tasks run it too.
  std::string binary_dfs_path;
  // Every task's arguments after --mr_role=task --mr_task_spec=task_spec.
  std::vector<std::string> job_args;
  // On a cluster with security, what the RM gave this AM (files its
  // container got, named by variables: scheduler/auth/sched_auth.h); empty
  // without. The job credential's bytes go to every task as the same file;
  // the application token goes with every call to the RM and to no task;
  // the shuffle secret goes to reduces in their TaskSpec.
  std::string job_credential;  // $MR_CREDENTIAL's content.
  std::string app_token;       // $MR_APP_TOKEN_FILE's.
  std::string shuffle_secret;  // $MR_SHUFFLE_SECRET_FILE's.
};

// The job's own flags from the AM's command line (argv[0] first): all but
// the ones the AM consumes itself (--mr_role, --input, --output,
// --reducers, --partitioner, --cluster).
std::vector<std::string> TaskJobArgs(const std::vector<std::string>& am_argv);

// From the environment and the parsed flags. InvalidArgument if a variable
// the NM sets is missing or malformed.
Result<AmConfig> LoadAmConfig(const Job& job);

}  // namespace mr::am
