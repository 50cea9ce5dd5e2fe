// Which straggling task gets a speculative backup attempt: a LATE-style
// choice (Zaharia et al., "Improving MapReduce Performance in Heterogeneous
// Environments", OSDI 2008), made per task kind (maps are compared with
// maps, reduces with reduces).
//
//  - Each running task's progress rate is progress / elapsed, and its time
//    left is estimated as (1 - progress) / rate.
//  - A task is slow when its rate is below `slow_rate_fraction` of the
//    median rate of its peers (running and finished attempts; a finished
//    attempt's rate is 1 / its duration). LATE uses the 25th percentile of
//    running tasks; with most peers already finished (the common straggler
//    case) that would compare the straggler with itself, so finished ones
//    count too.
//  - It is worth backing up only if it would still run longer than a fresh
//    attempt is expected to take (the mean duration of finished attempts):
//    no backups before some task of the kind has finished.
//  - Among those, the one with the longest time left is chosen (LATE's
//    "longest approximate time to end"), one per call; the caller caps how
//    many backups run at once and calls again every interval.
//
// Pure function of plain values. Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace mr::am {

struct SpeculationOptions {
  bool enabled = true;
  // An attempt younger than this is not judged (its rate means little yet).
  int64_t min_runtime_ms = 1000;
  double slow_rate_fraction = 0.5;
  // Backups running or requested at once: at most this fraction of the
  // job's tasks, and at least one.
  double cap_fraction = 0.1;
};

struct RunningTaskEstimate {
  int task = 0;            // The caller's task index.
  double progress = 0;     // 0..1 (unknown: 0).
  int64_t elapsed_ms = 0;  // Since the attempt started.
};

// The task to back up, or nullopt. `running` holds tasks with exactly one
// attempt running and no backup; `finished_ms` the durations of the
// succeeded attempts of the same kind.
std::optional<int> PickSpeculativeTask(const std::vector<RunningTaskEstimate>& running,
                                       const std::vector<int64_t>& finished_ms,
                                       const SpeculationOptions& options);

}  // namespace mr::am
