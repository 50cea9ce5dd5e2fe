// The Resource Manager's durable state (docs/SCHEDULER.md, "RM failover"):
// what the active RM checkpoints on every application-level change and a
// standby loads when it takes over. Compact protocol, one RmCheckpoint per
// file. Nodes and containers are not in it: Node Managers re-register and
// report their containers to whichever RM is active.
//
// Versioning: fields are only ever added, with new ids, as optional or with
// a default; ids are never reused. `format` changes only if that rule must
// be broken.
include "../proto/scheduler.thrift"

namespace cpp mr.sched.wire

struct AppRecord {
  1: scheduler.ApplicationSubmission submission,
  // State, progress, diagnostics, counters, times, AM container and node,
  // and every task attempt report; `used` is recomputed on adoption.
  2: scheduler.ApplicationReport report,
  3: i32 am_attempts,          // AM containers granted so far.
  4: i64 submit_order,         // FIFO among waiting applications.
  5: i32 last_container,       // Highest container number granted at checkpoint time.
  6: bool kill_requested,
  7: list<string> am_container_ids,  // Of every AM attempt, in order.
  8: bool needs_am,             // Its last AM attempt failed; the next is not granted yet.
}

struct RmCheckpoint {
  1: i32 format = 1,
  2: i64 next_app,             // Number of the next NewApplication.
  3: i64 next_submit_order,
  4: list<AppRecord> apps,
  5: i64 written_ms,           // Unix ms.
  6: i64 version,              // ClusterState::version() when written.
}
