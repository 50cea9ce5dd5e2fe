// The Application Master's recovery log in the DFS (recovery_log.h): what a
// restarted AM of the same application reads to avoid redoing work.
// Versioning as in scheduler.thrift: fields are only added.
namespace cpp mr.am.wire

// One piece of a map task's input (MapTaskInput::Piece).
struct PlannedPiece {
  1: string path,
  2: i64 offset,
  3: i64 length,
}

struct PlannedMap {
  1: list<PlannedPiece> pieces,
  2: i64 length,
  3: list<string> datanode_ids,
  4: list<string> racks,
}

// The job's plan, fixed by its first AM: map task i of every later AM reads
// the same bytes, and range partitions split at the same keys, so recovered
// map outputs stay valid.
struct JobPlan {
  1: list<PlannedMap> maps,
  2: list<binary> split_points,
  3: i32 num_splits,
}

// A task that succeeded.
struct TaskRecord {
  1: string attempt_id,
  // The attempt's container (sched::wire::Container, Thrift compact): where
  // a map's output is served from.
  2: binary container,
  // What the task handed back (mr::wire::TaskResult, Thrift compact): its
  // counters.
  3: binary task_result,
}
