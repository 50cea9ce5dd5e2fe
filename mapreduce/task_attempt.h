// One task attempt of a job on a cluster (docs/SCHEDULER.md): the job binary
// started by a Node Manager as `job --mr_role=task --mr_task_spec=task_spec`.
//
// A map reads its split (a byte range of a DFS file) through the DFS client,
// runs the engine's map task, and leaves its output, once complete, as
// $MR_APP_LOCAL_DIR/output/<output_name> and <output_name>.index, where the
// node's shuffle service serves it. A reduce fetches its partition of every
// map output from the shuffle services, merges and reduces it, and writes
// part-r-NNNNN into TaskSpec.output_dir in the DFS. Scratch files go in the
// working directory (the container's).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "counters.h"
#include "mapreduce/mapreduce.h"
#include "progress_reporter.h"
#include "task_spec_types.h"

namespace mr {

// Runs the attempt described by `spec` with the environment a Node Manager
// gives a container (MR_DFS_MASTER, MR_NODE_HOST, MR_RACK, MR_APP_LOCAL_DIR
// for maps), reporting to `progress` (may be null). Stops with Aborted once
// *cancelled is set. A reduce that cannot fetch some map outputs (missing,
// corrupt, or their service unreachable for --mr_shuffle_unreachable_ms)
// fails with Unavailable and lists those maps' indexes in *fetch_failed_maps.
Status RunTaskAttempt(const Job& job, const wire::TaskSpec& spec,
                      const std::atomic<bool>& cancelled, ProgressReporter* progress,
                      Counters* counters, std::vector<int32_t>* fetch_failed_maps);

// What JobMain runs for --mr_role=task: reads the spec file, runs the
// attempt (with the faults of --mr_fault* if they name it), keeping the file
// "progress" in the working directory up to date (every
// --mr_progress_interval_ms at most), and writes its TaskResult to the file
// "result" there: the counters on success, the fetch-failed maps of a
// reduce that could not fetch them. Returns the exit code: 0, or 1 after
// one line on stderr saying why.
int RunTaskAttemptMain(const Job& job, const std::string& spec_path,
                       const std::atomic<bool>& cancelled);

}  // namespace mr
