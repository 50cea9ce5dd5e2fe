// The framework's flags of every job binary (JobMain), declared here so that
// the modes that live in other libraries (the Application Master, task
// attempts) read the same values without depending on JobMain's library.
// Defined in job_flags.cc (mr_mapreduce). Read after ParseFlagsOrExit only.
#pragma once

#include <string>
#include <vector>

#include <gflags/gflags.h>

// Where the job reads and writes: local paths in a local run, DFS paths on a
// cluster.
DECLARE_string(input);
DECLARE_string(output);
DECLARE_int32(reducers);
// "hash", "range", or "" for the job's own choice (Job::SetPartitioning).
DECLARE_string(partitioner);
DECLARE_int32(parallelism);
DECLARE_int32(split_size_mb);
DECLARE_int32(sort_buffer_mb);
DECLARE_int32(merge_fan_in);
DECLARE_int32(output_replication);
DECLARE_bool(map_side_aggregation);
DECLARE_string(local_dir);
// Comma-separated local files the tasks need (Hadoop's -files): shipped
// with a submission; a cluster task finds each in its working directory
// under its base name. JobFiles() is the parsed list.
DECLARE_string(files);
// The mode: "" (a local run, or a submission with --cluster), "am", "task",
// or "check" (validate the flags and describe the job, for `mrjob submit`).
DECLARE_string(mr_role);
DECLARE_string(mr_task_spec);
DECLARE_string(cluster);

namespace mr {

// The --files list, split at commas (empty entries dropped).
std::vector<std::string> JobFiles();

}  // namespace mr
