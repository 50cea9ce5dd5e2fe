// The RM's checkpoint in the DFS (docs/SCHEDULER.md, "RM failover"), so
// that a standby on another server finds it: the file `path` (e.g.
// /.rm/state), which the DFS replicates like any other.
//
// The DFS's Rename never replaces its target, so a save is: write
// `<path>.new` (replacing a stale one) and close it, delete `<path>`,
// rename `<path>.new` to `<path>`. A reader takes `<path>`, or `<path>.new`
// when `<path>` is missing: that happens only between the delete and the
// rename, when `.new` is already complete.
//
// It connects to the DFS master on first use and again after a failure (the
// DFS may start after the RM).
// Thread-safety: none; RmService calls it under its mutex.
#pragma once

#include <memory>
#include <string>

#include "scheduler/resourcemanager/state_store.h"

namespace mr::sched {

std::unique_ptr<RmStateStore> NewDfsStateStore(const std::string& master_address,
                                               const std::string& path);

}  // namespace mr::sched
