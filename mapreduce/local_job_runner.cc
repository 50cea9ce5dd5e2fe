#include "local_job_runner.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/file.h"
#include "input_format.h"
#include "map_output_index.h"
#include "output_format.h"
#include "sampler.h"
#include "tasks.h"

DEFINE_int32(range_sample_size, 100000, "Keys sampled for the range partitioner's split points.");
DEFINE_int32(range_sample_splits, 20, "Input splits the range partitioner's sample is read from.");

namespace mr {

namespace {

class Stopwatch {
 public:
  int64_t ElapsedMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_ = Clock::now();
};

// Runs task(i, counters) for i in [0, n) on `threads` threads. The first
// failure cancels the tasks still running and is returned. The tasks poll
// `cancelled`; a watcher copies *interrupt into it.
Status RunTasks(int n, int threads, const std::atomic<bool>* interrupt,
                const std::function<Status(int, const std::atomic<bool>&, Counters*)>& task,
                Counters* counters) {
  std::atomic<int> next{0};
  std::atomic<bool> cancelled{false};
  std::atomic<bool> finished{false};
  std::thread watcher;
  if (interrupt != nullptr) {
    watcher = std::thread([&] {
      while (!finished.load()) {
        if (interrupt->load()) cancelled = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  std::mutex mu;
  Status first_error;  // Guarded by mu.
  auto worker = [&] {
    for (int i; (i = next.fetch_add(1)) < n && !cancelled.load();) {
      Counters task_counters;
      Status s = task(i, cancelled, &task_counters);
      std::lock_guard<std::mutex> lock(mu);
      counters->MergeFrom(task_counters);
      if (!s.ok() && first_error.ok()) {
        first_error = s;
        cancelled = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::min(threads, n); ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  finished = true;
  if (watcher.joinable()) watcher.join();
  if (interrupt != nullptr && interrupt->load()) return Status::Aborted("interrupted");
  return first_error;
}

std::string MapOutputPath(const std::string& work_dir, int task) {
  return JoinPath(work_dir, "map-" + std::to_string(task) + ".out");
}

struct Phases {
  const Job& job;
  const LocalJobOptions& options;
  std::string temp_dir;
  std::string work_dir;
  Counters* counters;

  Status Run() {
    uint64_t split_bytes = options.split_bytes > 0 ? options.split_bytes : AutoSplitBytes(options);
    ASSIGN_OR_RETURN(std::vector<InputSplit> splits, ComputeSplits(options.input, job, split_bytes));
    LOG(INFO) << job.name() << ": " << splits.size() << " map tasks, " << options.reducers
              << " reduce tasks";
    Stopwatch sampling;
    std::unique_ptr<Partitioner> partitioner;
    if (job.partitioning() == Partitioning::kRange) {
      SampleOptions sample;
      sample.max_samples = static_cast<size_t>(FLAGS_range_sample_size);
      sample.max_splits = static_cast<size_t>(FLAGS_range_sample_splits);
      ASSIGN_OR_RETURN(std::vector<std::string> points,
                       SampleSplitPoints(job, splits, options.reducers, sample));
      partitioner = std::make_unique<RangePartitioner>(std::move(points));
      counters->Add(kTimeGroup, "Sampling", sampling.ElapsedMs());
    } else {
      partitioner = std::make_unique<HashPartitioner>();
    }

    Stopwatch map_phase;
    int num_maps = static_cast<int>(splits.size());
    int map_threads = std::max(1, std::min(options.parallelism, num_maps));
    RETURN_NOT_OK(RunTasks(num_maps, map_threads, options.interrupt,
        [&](int i, const std::atomic<bool>& cancelled, Counters* task_counters) {
          MapTaskSpec spec;
          spec.task_index = i;
          spec.split = splits[i];
          spec.num_reducers = options.reducers;
          spec.output.buffer_bytes = options.sort_buffer_bytes / map_threads;
          spec.output.work_dir = work_dir;
          spec.output.output_path = MapOutputPath(work_dir, i);
          spec.output.merge_fan_in = options.merge_fan_in;
          spec.output.aggregate = options.map_side_aggregation;
          return RunMapTask(job, *partitioner, spec, cancelled, task_counters);
        }, counters));
    counters->Add(kTimeGroup, "Map", map_phase.ElapsedMs());

    // The barrier: every map output exists before any reduce starts.
    Stopwatch reduce_phase;
    std::vector<std::string> map_outputs;
    for (int i = 0; i < num_maps; ++i) map_outputs.push_back(MapOutputPath(work_dir, i));
    RETURN_NOT_OK(RunTasks(options.reducers, options.parallelism, options.interrupt,
        [&](int r, const std::atomic<bool>& cancelled, Counters* task_counters) {
          ReduceTaskSpec spec;
          spec.partition = r;
          spec.num_reducers = options.reducers;
          spec.map_outputs = map_outputs;
          spec.output_path = JoinPath(temp_dir, PartFileName(r));
          spec.work_dir = work_dir;
          spec.merge_fan_in = options.merge_fan_in;
          return RunReduceTask(job, spec, cancelled, task_counters);
        }, counters));
    counters->Add(kTimeGroup, "Reduce", reduce_phase.ElapsedMs());
    return Status::OK();
  }
};

}  // namespace

uint64_t AutoSplitBytes(const LocalJobOptions& options) {
  uint64_t share = options.sort_buffer_bytes / std::max(1, options.parallelism);
  return std::clamp<uint64_t>(share / 4 * 3, 1 << 20, 64 << 20);
}

Status RunLocalJob(const Job& job, const LocalJobOptions& options, Counters* counters) {
  Stopwatch total;
  if (PathExists(options.output)) {
    return Status::AlreadyExists("output directory already exists: " + options.output);
  }
  if (!PathExists(options.input)) {
    return Status::NotFound("input path does not exist: " + options.input);
  }
  std::string parent = DirName(options.output);
  RETURN_NOT_OK_PREPEND(CreateDirs(parent), "cannot create the output directory");
  // A hidden sibling: same file system (so the commit is a rename), and a
  // leftover from a killed job does not look like output.
  std::string temp_name = ".";
  temp_name += BaseName(options.output) + ".tmp-" + std::to_string(::getpid());
  std::string temp_dir = JoinPath(parent, temp_name);
  RETURN_NOT_OK(RemoveAll(temp_dir));
  RETURN_NOT_OK_PREPEND(CreateDirs(temp_dir), "cannot create the output directory");
  std::string work_dir = options.local_dir.empty()
      ? JoinPath(temp_dir, "_work")
      : JoinPath(options.local_dir, "mr-" + job.name() + "-" + std::to_string(::getpid()));
  Status s = CreateDirs(work_dir);
  if (s.ok()) s = Phases{job, options, temp_dir, work_dir, counters}.Run();
  Status cleanup = RemoveAll(work_dir);
  if (s.ok()) s = cleanup;
  if (s.ok()) {
    counters->Add(kTimeGroup, "Total", total.ElapsedMs());
    s = WriteStringToFile(JoinPath(temp_dir, "_counters.json"), counters->ToJson(), false);
  }
  // Written last: a directory with _SUCCESS is complete.
  if (s.ok()) s = WriteStringToFile(JoinPath(temp_dir, "_SUCCESS"), "", /*sync=*/true);
  if (s.ok()) s = RenameNoReplace(temp_dir, options.output);
  if (!s.ok()) {
    Status removed = RemoveAll(temp_dir);
    if (!removed.ok()) LOG(WARNING) << "could not remove " << temp_dir << ": " << removed.ToString();
  }
  return s;
}

}  // namespace mr
