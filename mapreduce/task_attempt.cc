#include "task_attempt.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/file.h"
#include "job_flags.h"
#include "common/flags.h"
#include "dfs_io.h"
#include "fault_injection.h"
#include "map_output_index.h"
#include "output_format.h"
#include "progress_reporter.h"
#include "scheduler/nodemanager/progress_file.h"
#include "scheduler/shuffle/local_names.h"
#include "shuffle_fetcher.h"
#include "task_spec_io.h"
#include "tasks.h"

DEFINE_int32(mr_shuffle_parallel_fetches, 4,
             "Map output segments a reduce task fetches at once from the shuffle services.");
DEFINE_int32(mr_shuffle_unreachable_ms, 30000,
             "How long a reduce keeps trying a shuffle service that is unreachable or at its "
             "connection limit (with pauses doubling up to 5 s) before it reports the map "
             "outputs there as fetch failures (the AM re-runs those maps).");
DEFINE_int32(mr_progress_interval_ms, 200,
             "Least time between two writes of a task attempt's progress file, which its node "
             "manager reports to the AM.");

namespace mr {

namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// "m_000003_1" / "r_000000_0" (docs/SCHEDULER.md).
std::string AttemptId(const wire::TaskSpec& spec) {
  char id[48];
  std::snprintf(id, sizeof(id), "%c_%06d_%d", spec.is_map ? 'm' : 'r', spec.index, spec.attempt);
  return id;
}

Status RenameReplacing(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) return Status::FromErrno(errno, "rename " + from);
  return Status::OK();
}

Status CheckSpec(const wire::TaskSpec& spec) {
  if (spec.num_reducers < 1) return Status::InvalidArgument("num_reducers must be at least 1");
  if (!spec.split_points.empty() &&
      spec.split_points.size() != static_cast<size_t>(spec.num_reducers - 1)) {
    return Status::InvalidArgument(std::to_string(spec.split_points.size()) +
                                   " split points for " + std::to_string(spec.num_reducers) +
                                   " reducers");
  }
  if (spec.index < 0 || (!spec.is_map && spec.index >= spec.num_reducers)) {
    return Status::InvalidArgument("bad task index " + std::to_string(spec.index));
  }
  if (spec.sort_buffer_mb < 1 || spec.sort_buffer_mb > 4095 || spec.merge_fan_in < 2) {
    return Status::InvalidArgument("bad sort_buffer_mb or merge_fan_in");
  }
  if (spec.is_map) {
    if (spec.offset < 0 || spec.length < 0) return Status::InvalidArgument("negative split range");
    for (const wire::InputPiece& piece : spec.pieces) {
      if (piece.offset < 0 || piece.length < 0) {
        return Status::InvalidArgument("negative range of piece " + piece.path);
      }
    }
    // A name the shuffle service will serve.
    RETURN_NOT_OK(shuffle::CheckSafeLocalName(spec.output_name, "output_name"));
  } else if (spec.output_dir.empty()) {
    return Status::InvalidArgument("no output_dir");
  }
  return Status::OK();
}

// The map output is built in a hidden directory beside its final place (so
// spills and the output share its file system), then renamed into place:
// the data first, then the index, which the shuffle service reads first, so
// a half-written output is never served.
Status RunMap(const Job& job, const wire::TaskSpec& spec, dfs::DfsClient* dfs,
              const std::atomic<bool>& cancelled, ProgressReporter* progress,
              Counters* counters) {
  std::string app_dir = Env("MR_APP_LOCAL_DIR");
  if (app_dir.empty()) return Status::InvalidArgument("MR_APP_LOCAL_DIR is not set");
  std::string out_dir = JoinPath(app_dir, "output");
  std::string tmp_dir = JoinPath(out_dir, "." + spec.output_name + ".tmp");
  RETURN_NOT_OK(RemoveAll(tmp_dir));
  RETURN_NOT_OK(CreateDirs(tmp_dir));

  std::unique_ptr<Partitioner> partitioner;
  if (spec.split_points.empty()) {
    partitioner = std::make_unique<HashPartitioner>();
  } else {
    partitioner = std::make_unique<RangePartitioner>(
        std::vector<std::string>(spec.split_points.begin(), spec.split_points.end()));
  }
  MapTaskSpec map;
  map.task_index = spec.index;
  map.split = {spec.input_path, static_cast<uint64_t>(spec.offset),
               static_cast<uint64_t>(spec.length)};
  for (const wire::InputPiece& p : spec.pieces) {
    map.pieces.push_back(
        {p.path, static_cast<uint64_t>(p.offset), static_cast<uint64_t>(p.length)});
  }
  map.num_reducers = spec.num_reducers;
  map.open_input = [dfs](const InputSplit& split) { return DfsInputSource::Open(dfs, split.path); };
  map.output.buffer_bytes = size_t{static_cast<uint32_t>(spec.sort_buffer_mb)} << 20;
  map.output.work_dir = tmp_dir;
  map.output.output_path = JoinPath(tmp_dir, spec.output_name);
  map.output.merge_fan_in = spec.merge_fan_in;
  map.output.aggregate = spec.map_side_aggregation;
  map.progress = progress;
  Status s = RunMapTask(job, *partitioner, map, cancelled, counters);
  std::string final_path = JoinPath(out_dir, spec.output_name);
  if (s.ok()) s = RenameReplacing(map.output.output_path, final_path);
  if (s.ok()) {
    s = RenameReplacing(MapOutputIndexPath(map.output.output_path), MapOutputIndexPath(final_path));
  }
  Status removed = RemoveAll(tmp_dir);
  return s.ok() ? removed : s;
}

// "3 (m_000003_0.out on host:port: why), 5 (...)": the maps a reduce could
// not fetch, for its one line on stderr.
std::string DescribeFetchFailures(const FetchRequest& fetch, const FetchStats& fetched,
                                  const std::vector<wire::MapOutputLocation>& outputs) {
  std::string text;
  for (const FetchFailure& f : fetched.failures) {
    const shuffle::SegmentSource& source = fetch.sources[f.source];
    if (!text.empty()) text += ", ";
    text += std::to_string(outputs[f.source].map_index) + " (" + source.output_name + " on " +
            source.host + ":" + std::to_string(source.port) + ": " + f.status.ToString() + ")";
  }
  return text;
}

// Fetches first and only then connects to the DFS (for the output): a
// reduce whose maps are lost reports them without needing the DFS.
Status RunReduce(const Job& job, const wire::TaskSpec& spec,
                 const std::function<Result<std::unique_ptr<dfs::DfsClient>>()>& connect_dfs,
                 const std::atomic<bool>& cancelled, ProgressReporter* progress,
                 Counters* counters, std::vector<int32_t>* fetch_failed_maps) {
  std::string work_dir = "reduce-work";  // In the container's working directory.
  RETURN_NOT_OK(RemoveAll(work_dir));
  RETURN_NOT_OK(CreateDirs(work_dir));

  std::vector<wire::MapOutputLocation> outputs = spec.map_outputs;
  std::sort(outputs.begin(), outputs.end(),
            [](const auto& a, const auto& b) { return a.map_index < b.map_index; });
  FetchRequest fetch;
  fetch.app_id = spec.app_id;
  fetch.partition = spec.index;
  for (const wire::MapOutputLocation& o : outputs) {
    fetch.sources.push_back(
        {o.host, o.shuffle_port, spec.app_id, o.output_name, spec.shuffle_secret});
  }
  fetch.dir = work_dir;
  fetch.parallel_fetches = FLAGS_mr_shuffle_parallel_fetches;
  fetch.unreachable_ms = std::max(0, FLAGS_mr_shuffle_unreachable_ms);
  fetch.progress = ProgressPhase(progress, 0, 1.0 / 3);  // Hadoop's copy third.
  FetchStats fetched;
  Result<std::vector<SegmentRef>> segments = FetchPartition(fetch, cancelled, &fetched);
  counters->Add(kFileSystemGroup, counter::kLocalBytesWritten, fetched.bytes);
  counters->AddFramework(counter::kReduceShuffleBytes, fetched.bytes);

  Status s = segments.status();
  if (!fetched.failures.empty()) {
    for (const FetchFailure& f : fetched.failures) {
      fetch_failed_maps->push_back(outputs[f.source].map_index);
    }
    s = Status::Unavailable("could not fetch the output of map(s) " +
                            DescribeFetchFailures(fetch, fetched, outputs));
  }
  std::unique_ptr<dfs::DfsClient> dfs;
  if (s.ok()) {
    Result<std::unique_ptr<dfs::DfsClient>> connected = connect_dfs();
    s = connected.status();
    if (s.ok()) dfs = std::move(connected).value();
  }
  if (s.ok()) {
    ReduceTaskSpec reduce;
    reduce.partition = spec.index;
    reduce.num_reducers = spec.num_reducers;
    reduce.segments = *std::move(segments);
    reduce.output_path = JoinPath(spec.output_dir, PartFileName(spec.index));
    int replication = FLAGS_output_replication > 0 ? FLAGS_output_replication
                                                   : job.output_replication();
    dfs::DfsClient* client = dfs.get();
    reduce.open_output = [client, replication](const std::string& path) {
      return DfsOutputSink::Create(client, path, replication);
    };
    reduce.work_dir = work_dir;
    reduce.merge_fan_in = spec.merge_fan_in;
    reduce.progress = progress;
    s = RunReduceTask(job, reduce, cancelled, counters);
  }
  Status removed = RemoveAll(work_dir);
  return s.ok() ? removed : s;
}

Result<std::unique_ptr<dfs::DfsClient>> ConnectDfs() { return ConnectDfsFromEnv(); }

}  // namespace

Status RunTaskAttempt(const Job& job, const wire::TaskSpec& spec,
                      const std::atomic<bool>& cancelled, ProgressReporter* progress,
                      Counters* counters, std::vector<int32_t>* fetch_failed_maps) {
  RETURN_NOT_OK_PREPEND(CheckSpec(spec), "task spec");
  if (!spec.is_map) {
    return RunReduce(job, spec, ConnectDfs, cancelled, progress, counters, fetch_failed_maps);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<dfs::DfsClient> dfs, ConnectDfs());
  return RunMap(job, spec, dfs.get(), cancelled, progress, counters);
}

int RunTaskAttemptMain(const Job& job, const std::string& spec_path,
                       const std::atomic<bool>& cancelled) {
  wire::TaskSpec spec;
  Counters counters;
  std::vector<int32_t> fetch_failed_maps;
  std::string what = "task";
  Result<FaultPlan> fault = FaultPlanFromFlags();
  Status s = fault.status();
  if (s.ok()) s = ReadTaskSpec(spec_path, &spec);
  if (s.ok()) {
    what = "task " + AttemptId(spec);
    // In the working directory, where the Node Manager looks for it.
    ProgressReporter::Options options;
    options.path = sched::kProgressFileName;
    options.interval = std::chrono::milliseconds(std::max(1, FLAGS_mr_progress_interval_ms));
    std::unique_ptr<FaultInjector> injector;
    ProgressReporter* reporter = nullptr;
    if (fault->Matches(spec.is_map, spec.index, spec.attempt, Env("MR_NODE_ID"))) {
      LOG(WARNING) << "fault injection (--mr_fault) into " << what;
      injector = std::make_unique<FaultInjector>(*fault);
      options.on_report = [&injector, &reporter](double fraction) {
        injector->OnProgress(reporter, fraction);
      };
    }
    ProgressReporter progress(std::move(options));
    reporter = &progress;
    LOG(INFO) << job.name() << ": running " << what;
    s = RunTaskAttempt(job, spec, cancelled, &progress, &counters, &fetch_failed_maps);
    if (s.ok()) progress.Flush();
  }
  const std::string result_path = "result";
  Status written = RemoveAll(result_path);
  // A failed reduce hands back the maps it could not fetch (the AM re-runs
  // them); a successful attempt its counters.
  if (written.ok() && (s.ok() || !fetch_failed_maps.empty())) {
    written = WriteStringToFile(result_path, EncodeTaskResult(counters, fetch_failed_maps),
                                /*sync=*/false);
  }
  if (s.ok()) s = written;
  if (!s.ok()) {
    // One line: the Node Manager shows a failed container's last stderr lines.
    std::string message = s.ToString();
    std::replace(message.begin(), message.end(), '\n', ' ');
    std::fprintf(stderr, "%s: %s failed: %s\n", ProgramName().c_str(), what.c_str(),
                 message.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace mr
