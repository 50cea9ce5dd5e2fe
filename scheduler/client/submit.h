// Submitting a job binary to a cluster and following it to the end: what
// `mrjob submit` does, and what a job binary run with --cluster=DIR does.
#pragma once

#include <string>
#include <vector>

namespace mr::sched {

struct SubmitOptions {
  std::string cluster_dir;            // Has cluster.conf (cluster/cluster_config.h).
  std::string binary;                 // Local path of the job executable.
  std::string input;                  // DFS path.
  std::string output;                 // DFS path; must not exist.
  int reducers = 0;                   // 0: the job's default.
  std::string partitioner;            // "hash", "range" or "" (the job's default).
  std::vector<std::string> job_args;  // Passed to the AM and every task.
};

// Checks, uploads, submits, shows progress until the job ends, prints the
// counters (or the failure and the failed task's last stderr lines).
// Returns the exit code: 0 the job succeeded, 1 it failed or could not be
// submitted, 2 bad options.
int SubmitAndWait(const SubmitOptions& options);

}  // namespace mr::sched
