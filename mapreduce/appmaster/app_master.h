// The Application Master of one job (docs/SCHEDULER.md): the job binary
// started by a Node Manager with --mr_role=am. It registers with the RM,
// splits the input by DFS chunks, runs every map then every reduce in
// containers it asks the RM for, retries failed attempts, commits the output
// atomically, and finishes the application with the job's counters.
#pragma once

#include "mapreduce/mapreduce.h"

namespace mr {

// Runs the AM for `job`; the framework's and the job's flags are already
// parsed (JobMain). The environment carries MR_APP_ID, MR_CONTAINER_ID,
// MR_RM_ADDRESS and MR_DFS_MASTER. Returns the process exit code: 0 when the
// application finished (whatever its final state, which the RM holds), 1 if
// the AM could not run it.
int RunApplicationMaster(const Job& job);

}  // namespace mr
