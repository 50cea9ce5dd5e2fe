#include "job_flags.h"

#include <algorithm>

DEFINE_string(input, "",
              "Input file, or directory of files (names starting with _ or . are skipped); a DFS "
              "path with --cluster.");
DEFINE_string(output, "", "Output directory; must not exist (a DFS path with --cluster).");
DEFINE_int32(reducers, 0, "Number of reduce tasks (0: the job's default).");
DEFINE_string(partitioner, "",
              "hash or range: how map output is divided among reducers (empty: the job's "
              "default).");
DEFINE_int32(parallelism, 0, "Tasks run at once on this machine (0: one per core).");
DEFINE_int32(split_size_mb, 0,
             "Largest input split, one per map task (0: sized so that a map task's output "
             "usually fits its share of the sort buffer in one spill, at most 64 MiB).");
DEFINE_int32(sort_buffer_mb, 64,
             "Memory for buffering map output, shared by the map tasks running at once.");
DEFINE_int32(output_replication, 0,
             "On a cluster: replicas of each part file (0: the job's choice, else the DFS's "
             "default).");
DEFINE_int32(merge_fan_in, 64, "Most segments merged at once; more take extra merge passes.");
DEFINE_bool(map_side_aggregation, true,
            "For jobs with a combiner, aggregate map output in a hash table before sorting.");
DEFINE_string(local_dir, "",
              "Directory for spills and map outputs (default: inside the output's temporary "
              "directory).");
DEFINE_string(files, "",
              "Comma-separated local files the job's tasks need (as Hadoop's -files): shipped "
              "with the job to a cluster, where each appears in a task's working directory "
              "under its base name. A local run reads them where they are.");
DEFINE_string(mr_role, "",
              "Set by the framework: 'am' runs the job's Application Master, 'task' one task "
              "attempt (with --mr_task_spec) on a cluster; 'check' only validates the flags "
              "and describes the job (mrjob submit asks this before submitting).");
DEFINE_string(mr_task_spec, "task_spec",
              "With --mr_role=task: the TaskSpec file (Thrift compact) of the attempt to run.");
DEFINE_string(cluster, "",
              "Submit the job to the cluster described by DIR/cluster.conf instead of running it "
              "here (as `mrjob submit` does); --input and --output are DFS paths.");

namespace mr {

std::vector<std::string> JobFiles() {
  std::vector<std::string> files;
  size_t start = 0;
  while (start <= FLAGS_files.size()) {
    size_t comma = std::min(FLAGS_files.find(',', start), FLAGS_files.size());
    if (comma > start) files.push_back(FLAGS_files.substr(start, comma - start));
    start = comma + 1;
  }
  return files;
}

}  // namespace mr
