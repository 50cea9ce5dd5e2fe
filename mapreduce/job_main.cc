// JobMain: the entry point every job binary hands its argc/argv to. It picks
// the mode (docs/SCHEDULER.md, "Job binary modes"): a local run, a
// submission to a cluster (--cluster), the job's Application Master
// (--mr_role=am) or one task attempt (--mr_role=task).
#include <unistd.h>

#include <atomic>
#include <climits>
#include <csignal>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/file.h"
#include "common/flags.h"
#include "counters.h"
#include "fault_injection.h"
#include "job_args.h"
#include "job_flags.h"
#include "local_job_runner.h"
#include "mapreduce/appmaster/app_master.h"
#include "mapreduce/appmaster/task_names.h"
#include "mapreduce/mapreduce.h"
#include "scheduler/client/staging.h"
#include "scheduler/client/submit.h"
#include "security/process_security.h"
#include "task_attempt.h"

namespace mr {

namespace {

constexpr int kMaxReducers = 100000;
// All --files together travel in every task's launch request.
constexpr uint64_t kMaxJobFilesBytes = 8 << 20;

// Set by SIGINT/SIGTERM; a local run stops its tasks and removes its
// temporary directory, and a task attempt stops and removes what it wrote,
// so an interrupted job leaves nothing behind.
std::atomic<bool> interrupted{false};

void OnInterrupt(int) { interrupted = true; }

std::string Usage(const Job& job) {
  return "Runs the " + job.name() + " job.\n\n  " + job.name() +
         " --input=PATH --output=DIR [--reducers=N] [flags]\n  " + job.name() +
         " --cluster=DIR --input=DFS_PATH --output=DFS_DIR [--reducers=N] "
         "[--partitioner=hash|range] [flags]\n\n"
         "Exit codes: 0 success, 1 the job failed, 2 usage error.";
}

// Names a container's working directory already holds.
bool IsReservedTaskFileName(const std::string& name) {
  return name == "stdout" || name == "stderr" || name == "result" || name == "progress" ||
         name == am::kTaskSpecFileName;
}

// Each --files entry is a readable regular file here, and their base names
// are distinct file names a task's directory can hold.
std::string CheckJobFiles() {
  std::set<std::string> names;
  uint64_t total = 0;
  for (const std::string& path : JobFiles()) {
    std::string name = BaseName(path);
    if (name.empty() || name[0] == '.' ||
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
            std::string::npos) {
      return "--files: '" + path + "' must have a base name of letters, digits, '.', '_' and '-' "
             "(not starting with '.')";
    }
    if (IsReservedTaskFileName(name)) return "--files: the name '" + name + "' is reserved";
    if (!names.insert(name).second) return "--files: two files are named '" + name + "'";
    Result<uint64_t> size = FileSize(path);
    if (!size.ok() || ::access(path.c_str(), R_OK) != 0) {
      return "--files: cannot read '" + path + "'" +
             (size.ok() ? "" : ": " + size.status().message());
    }
    total += *size;
  }
  if (total > kMaxJobFilesBytes) {
    return "--files: " + std::to_string(total) + " bytes in all, over the 8 MiB they may "
           "take; put large files in the DFS and read them from there";
  }
  return "";
}

void CheckRange(const char* flag, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) {
    ExitWithError(kExitUsage, std::string("--") + flag + " must be in [" + std::to_string(lo) +
                                  ", " + std::to_string(hi) + "], got " + std::to_string(value));
  }
}

// Checks shared by every mode; the job's own flags included.
void CheckFlags(const Job& job, int argc, char** argv) {
  if (argc > 1) ExitWithError(kExitUsage, std::string("unexpected argument '") + argv[1] + "'");
  if (FLAGS_partitioner != "" && FLAGS_partitioner != "hash" && FLAGS_partitioner != "range") {
    ExitWithError(kExitUsage, "--partitioner must be hash or range, got '" + FLAGS_partitioner + "'");
  }
  if (FLAGS_mr_role != "" && FLAGS_mr_role != "am" && FLAGS_mr_role != "task" &&
      FLAGS_mr_role != "check") {
    ExitWithError(kExitUsage, "--mr_role must be am, task or check, got '" + FLAGS_mr_role + "'");
  }
  // A task has its input and output in its spec.
  if (FLAGS_mr_role != "task") {
    if (FLAGS_input.empty()) ExitWithError(kExitUsage, "--input is required (try --help)");
    if (FLAGS_output.empty()) ExitWithError(kExitUsage, "--output is required (try --help)");
  }
  // Bad fault flags fail the submission, not every task attempt.
  if (Result<FaultPlan> fault = FaultPlanFromFlags(); !fault.ok()) {
    ExitWithError(kExitUsage, fault.status().message());
  }
  if (job.flag_check()) {
    std::string problem = job.flag_check()();
    if (!problem.empty()) ExitWithError(kExitUsage, problem);
  }
  // A task finds the files in its working directory, not at these paths.
  if (FLAGS_mr_role == "" || FLAGS_mr_role == "check") {
    std::string problem = CheckJobFiles();
    if (!problem.empty()) ExitWithError(kExitUsage, problem);
  }
  CheckRange("reducers", FLAGS_reducers, 0, kMaxReducers);
  CheckRange("parallelism", FLAGS_parallelism, 0, 1024);
  CheckRange("split_size_mb", FLAGS_split_size_mb, 0, 1 << 20);
  CheckRange("sort_buffer_mb", FLAGS_sort_buffer_mb, 1, 4095);
  CheckRange("merge_fan_in", FLAGS_merge_fan_in, 2, 4096);
  CheckRange("output_replication", FLAGS_output_replication, 0, 16);
}

// The job as described, with --partitioner applied.
Job EffectiveJob(const Job& job) {
  Job effective = job;
  if (FLAGS_partitioner == "hash") effective.SetPartitioning(Partitioning::kHash);
  if (FLAGS_partitioner == "range") effective.SetPartitioning(Partitioning::kRange);
  return effective;
}

int RunLocal(const Job& job) {
  LocalJobOptions options;
  options.input = FLAGS_input;
  options.output = FLAGS_output;
  options.reducers = FLAGS_reducers > 0 ? FLAGS_reducers : job.default_reducers();
  options.parallelism = FLAGS_parallelism > 0
      ? FLAGS_parallelism
      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.split_bytes = uint64_t{static_cast<uint32_t>(FLAGS_split_size_mb)} << 20;
  options.sort_buffer_bytes = uint64_t{static_cast<uint32_t>(FLAGS_sort_buffer_mb)} << 20;
  options.local_dir = FLAGS_local_dir;
  options.merge_fan_in = FLAGS_merge_fan_in;
  options.map_side_aggregation = FLAGS_map_side_aggregation;
  options.interrupt = &interrupted;
  Counters counters;
  Status s = RunLocalJob(job, options, &counters);
  if (!s.ok()) {
    std::fprintf(stderr, "%s: job failed: %s\n", ProgramName().c_str(), s.ToString().c_str());
    return kExitFailure;
  }
  double seconds = counters.Value(kTimeGroup, "Total") / 1000.0;
  std::printf("Job %s succeeded in %.2f s; output in %s\nCounters:\n%s", job.name().c_str(),
              seconds, options.output.c_str(), counters.ToText().c_str());
  return kExitOk;
}

// This executable, to upload as the job's binary.
std::string SelfPath() {
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  return n > 0 ? std::string(self, n) : std::string();
}

// --mr_role=check: the flags passed CheckFlags. Describes the job to `mrjob
// submit` on stdout, one "key value" line each (docs/SCHEDULER.md, "Checking
// a job's flags"): the protocol's version first, then the job's name and the
// files to ship.
int DescribeForSubmission(const Job& job) {
  std::printf("%s\njob %s\n", sched::kJobCheckVersionLine, job.name().c_str());
  for (const std::string& path : JobFiles()) std::printf("file %s\n", path.c_str());
  return kExitOk;
}

int Submit(const Job& job, const std::vector<std::string>& job_args) {
  sched::SubmitOptions options;
  options.cluster_dir = FLAGS_cluster;
  options.binary = SelfPath();
  options.input = FLAGS_input;
  options.output = FLAGS_output;
  options.reducers = FLAGS_reducers > 0 ? FLAGS_reducers : job.default_reducers();
  options.partitioner = job.partitioning() == Partitioning::kRange ? "range" : "hash";
  options.job_args = job_args;
  return sched::SubmitAndWait(options);
}

}  // namespace

int JobMain(int argc, char** argv, const Job& job) {
  // Before parsing, which removes the flags: a submission forwards the
  // job's own flags to the AM and the tasks.
  std::vector<std::string> job_args = JobArgsForCluster(argc, argv);
  ParseFlagsOrExit(&argc, &argv, Usage(job));
  CheckFlags(job, argc, argv);
  if (FLAGS_mr_role == "check") return DescribeForSubmission(job);
  if (FLAGS_mr_role == "am" || FLAGS_mr_role == "task") {
    // On a cluster with security the NM gave the container the job's
    // credential: every RPC of the AM and the tasks acts as the job's user.
    Status secured = security::InitClientSecurityFromEnvironment();
    if (!secured.ok()) ExitWithError(kExitFailure, "job credential: " + secured.ToString());
  }
  // The AM and the submitting client handle signals their own way.
  if (FLAGS_mr_role == "am") return RunApplicationMaster(EffectiveJob(job));
  if (FLAGS_mr_role != "task" && !FLAGS_cluster.empty()) {
    return Submit(EffectiveJob(job), job_args);
  }
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
  if (FLAGS_mr_role == "task") return RunTaskAttemptMain(job, FLAGS_mr_task_spec, interrupted);
  return RunLocal(EffectiveJob(job));
}

}  // namespace mr
