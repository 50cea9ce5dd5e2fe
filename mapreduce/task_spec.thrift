// What the Application Master hands a task process on a cluster, and what the
// task hands back (docs/SCHEDULER.md). The AM writes a TaskSpec (Thrift
// compact protocol) into the container's working directory as the file
// "task_spec" (LaunchContext.files); the task, on success, writes a
// TaskResult as the file "result", which its Node Manager returns in
// ContainerStatus.result.
namespace cpp mr.wire

// Where one map attempt's output lives: served by the shuffle service of the
// node that ran it, from <apps_dir>/<app_id>/output/<output_name> (and its
// index, <output_name>.index).
struct MapOutputLocation {
  1: i32 map_index,
  2: string host,
  3: i32 shuffle_port,
  4: string output_name,          // e.g. "m_000003_1.out"
}

// A byte range of one DFS file: one piece of a combined map split.
struct InputPiece {
  1: string path,
  2: i64 offset,
  3: i64 length,
}

struct TaskSpec {
  1: string app_id,
  2: bool is_map,
  3: i32 index,                   // Map index, or the reduce partition.
  4: i32 attempt,                 // 0, 1, ...
  5: i32 num_reducers,
  // Maps: the split, a byte range of one DFS file (unused when `pieces` is
  // set).
  6: string input_path,
  7: i64 offset,
  8: i64 length,
  // Range partitioning: the num_reducers - 1 sorted split points; empty for
  // hash partitioning.
  9: list<binary> split_points,
  // Maps: the name to leave the output under, in $MR_APP_LOCAL_DIR/output/.
  10: string output_name,
  // Reduces: every map's output, by map index.
  11: list<MapOutputLocation> map_outputs,
  // Reduces: the DFS directory to write part-r-NNNNN into (the attempt's own
  // directory; the AM promotes the part of the attempt that succeeds).
  12: string output_dir,
  // Engine settings (the job's --sort_buffer_mb etc. as the AM saw them).
  13: i32 sort_buffer_mb = 64,
  14: i32 merge_fan_in = 64,
  15: bool map_side_aggregation = true,
  // Maps: a combined split, read piece after piece (a record belongs to the
  // piece holding its first byte). Empty: the split is fields 6-8.
  16: list<InputPiece> pieces,
  // Reduces on a cluster with security: the job's shuffle secret, which
  // signs every fetch (scheduler/auth/sched_auth.h). Empty: unsigned.
  17: binary shuffle_secret,
}

struct CounterValue {
  1: string group,
  2: string name,
  3: i64 value,
}

struct TaskResult {
  1: list<CounterValue> counters,
  // Reduces that fail because map outputs could not be fetched (after
  // --mr_shuffle_fetch_attempts tries each): those maps' indexes. The AM
  // re-runs such maps (their output is presumed lost) and does not count the
  // reduce attempt as failed. Written with a non-zero exit.
  2: list<i32> fetch_failed_maps,
}
