// Submitting a job binary to a cluster and following it to the end: what
// `mrjob submit` does, and what a job binary run with --cluster=DIR does.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "common/status.h"

namespace mr::sched {

struct SubmitOptions {
  std::string cluster_dir;            // Has cluster.conf (cluster/cluster_config.h).
  std::string binary;                 // Local path of the job executable.
  std::string input;                  // DFS path.
  std::string output;                 // DFS path; must not exist.
  int reducers = 0;                   // 0: the job's default.
  std::string partitioner;            // "hash", "range" or "" (the job's default).
  std::string queue;                  // The RM's queue; "": its first.
  std::vector<std::string> job_args;  // Passed to the AM and every task.
};

// What a job binary says of itself when asked to check its flags
// (--mr_role=check; staging.h has the protocol's first line).
struct JobDescription {
  std::string name;
  std::vector<std::string> files;  // --files, as given: shipped with the job.
};

// Checks (the options, the binary, the job's own flags by running the
// binary with --mr_role=check, the DFS paths), uploads the binary and the
// job's --files, submits, shows progress until the job ends, prints the
// counters (or the failure and the failed task's last stderr lines).
// Returns the exit code: 0 the job succeeded, 1 it failed or could not be
// submitted, 2 bad options (the job's own usage errors included, with its
// own message). Nothing is created in the DFS or the cluster before every
// check passed.
int SubmitAndWait(const SubmitOptions& options);

// ---- The pieces of SubmitAndWait, for mrjob and tests -------------------

// InvalidArgument (a usage error, exit 2) for a missing option, a negative
// reducer count, an unknown partitioner or a malformed DFS path.
Status ValidateSubmitOptions(const SubmitOptions& options);
// The binary exists, is a regular file and is executable (else NotFound or
// InvalidArgument, exit 1, with one clear line).
Status CheckJobBinary(const std::string& path);
// The AM's command line (docs/SCHEDULER.md): --mr_role=am --input=...
// --output=... [--reducers=N] [--partitioner=P] then the job's flags.
std::vector<std::string> AmArguments(const SubmitOptions& options);

// Polls the application until it ends, showing progress on `out` (a bar if
// `terminal`); then prints the counters on `out` or the failure on `err`.
// Returns 0 if it SUCCEEDED, else 1.
int WaitForApplication(const std::string& cluster_dir, const std::string& app_id,
                       const std::string& output, std::ostream& out, std::ostream& err,
                       bool terminal);

}  // namespace mr::sched
