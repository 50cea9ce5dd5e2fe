// JobMain: the entry point every job binary hands its argc/argv to.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/flags.h"
#include "counters.h"
#include "local_job_runner.h"
#include "mapreduce/mapreduce.h"

DEFINE_string(input, "", "Input file, or directory of files (names starting with _ or . are skipped).");
DEFINE_string(output, "", "Output directory; must not exist.");
DEFINE_int32(reducers, 0, "Number of reduce tasks (0: the job's default).");
DEFINE_int32(parallelism, 0, "Tasks run at once on this machine (0: one per core).");
DEFINE_int32(split_size_mb, 0,
             "Largest input split, one per map task (0: sized so that a map task's output "
             "usually fits its share of the sort buffer in one spill, at most 64 MiB).");
DEFINE_int32(sort_buffer_mb, 64,
             "Memory for buffering map output, shared by the map tasks running at once.");
DEFINE_int32(merge_fan_in, 64, "Most segments merged at once; more take extra merge passes.");
DEFINE_bool(map_side_aggregation, true,
            "For jobs with a combiner, aggregate map output in a hash table before sorting.");
DEFINE_string(local_dir, "",
              "Directory for spills and map outputs (default: inside the output's temporary "
              "directory).");

namespace mr {

namespace {

constexpr int kMaxReducers = 100000;

// Set by SIGINT/SIGTERM; the runner stops the tasks and removes its
// temporary directory, so an interrupted job leaves nothing behind.
std::atomic<bool> interrupted{false};

void OnInterrupt(int) { interrupted = true; }

std::string Usage(const Job& job) {
  return "Runs the " + job.name() + " job.\n\n  " + job.name() +
         " --input=PATH --output=DIR [--reducers=N] [flags]\n\n"
         "Exit codes: 0 success, 1 the job failed, 2 usage error.";
}

void CheckRange(const char* flag, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) {
    ExitWithError(kExitUsage, std::string("--") + flag + " must be in [" + std::to_string(lo) +
                                  ", " + std::to_string(hi) + "], got " + std::to_string(value));
  }
}

LocalJobOptions OptionsFromFlags(const Job& job, int argc, char** argv) {
  if (argc > 1) ExitWithError(kExitUsage, std::string("unexpected argument '") + argv[1] + "'");
  if (FLAGS_input.empty()) ExitWithError(kExitUsage, "--input is required (try --help)");
  if (FLAGS_output.empty()) ExitWithError(kExitUsage, "--output is required (try --help)");
  if (job.flag_check()) {
    std::string problem = job.flag_check()();
    if (!problem.empty()) ExitWithError(kExitUsage, problem);
  }
  CheckRange("reducers", FLAGS_reducers, 0, kMaxReducers);
  CheckRange("parallelism", FLAGS_parallelism, 0, 1024);
  CheckRange("split_size_mb", FLAGS_split_size_mb, 0, 1 << 20);
  CheckRange("sort_buffer_mb", FLAGS_sort_buffer_mb, 1, 4095);
  CheckRange("merge_fan_in", FLAGS_merge_fan_in, 2, 4096);
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
  return options;
}

}  // namespace

int JobMain(int argc, char** argv, const Job& job) {
  ParseFlagsOrExit(&argc, &argv, Usage(job));
  LocalJobOptions options = OptionsFromFlags(job, argc, argv);
  options.interrupt = &interrupted;
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
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

}  // namespace mr
