// The AM's main loop (JobDriver) against a real local DFS, with the RM and
// the NMs played by fakes in this process: every grant is started with the
// right TaskSpec and command line, failed attempts are retried elsewhere, the
// barrier holds, the output is committed with the tasks' counters and the
// job counters, and a failed or killed job leaves nothing behind. The fake
// NM "runs" a task at once: a reduce writes its part file into the DFS
// where the spec says.
#include <map>
#include <random>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cluster/cluster_config.h"
#include "common/clock.h"
#include "counters.h"
#include "dfs/client/dfs_client.h"
#include "rpc/thrift_codec.h"
#include "mapreduce/appmaster/job_driver.h"
#include "mapreduce/appmaster/output_committer.h"
#include "mapreduce/appmaster/recovery_log.h"
#include "task_spec_io.h"
#include "tests/dfs/client/local_dfs.h"
#include "test_util.h"
#include "tests/mapreduce/appmaster/dfs_files.h"

namespace mr::am {
namespace {

using sched::wire::AppState;

// The RM: grants every ask at once, on a preferred node if there is one
// (else the first node not excluded), and records what the AM says.
class FakeRm : public ResourceManagerLink {
 public:
  explicit FakeRm(std::vector<sched::wire::NodeReport> nodes) : nodes_(std::move(nodes)) {}

  Result<sched::wire::RegisterResponse> Register(const std::string&, const std::string&) override {
    return sched::wire::RegisterResponse();
  }
  Result<std::vector<sched::wire::NodeReport>> ListNodes() override { return nodes_; }
  Result<sched::wire::AllocateResponse> Allocate(
      const sched::wire::AllocateRequest& request) override {
    ++allocates;
    for (const auto& id : request.release_container_ids) released.insert(id);
    for (const auto& a : request.attempts) attempt_states[a.attempt_id] = a.state;
    last_map_progress = request.map_progress;
    last_reduce_progress = request.reduce_progress;
    sched::wire::AllocateResponse response;
    for (const sched::wire::ContainerRequest& ask : request.asks) {
      asks.push_back(ask);
      const sched::wire::NodeReport* node = nullptr;
      sched::wire::Locality::type locality = sched::wire::Locality::OFF_RACK;
      for (const auto& n : nodes_) {
        if (!ask.nodes.empty() && n.info.id == ask.nodes[0]) {
          node = &n;
          locality = sched::wire::Locality::NODE_LOCAL;
        }
      }
      for (const auto& n : nodes_) {
        bool excluded = std::count(ask.excluded_nodes.begin(), ask.excluded_nodes.end(), n.info.id);
        if (node == nullptr && !excluded) node = &n;
      }
      sched::wire::Container c;
      c.container_id = "app_1_0001_c" + std::to_string(100 + next_container_++);
      c.node = node->info;
      c.resource = ask.resource;
      c.request_id = ask.request_id;
      c.locality = locality;
      response.allocated.push_back(c);
    }
    response.kill_requested = kill_after_allocates > 0 && allocates >= kill_after_allocates;
    response.unschedulable = unschedulable;
    if (replaced_after_allocates > 0 && allocates >= replaced_after_allocates) {
      return Status::Aborted("container " + request.am_container_id + " is not the current AM");
    }
    return response;
  }
  Status Finish(const std::string&, const std::string&, AppState::type state,
                const std::string& diagnostics,
                const std::string& counters_json) override {
    finished = true;
    final_state = state;
    final_diagnostics = diagnostics;
    final_counters = counters_json;
    return Status::OK();
  }

  int kill_after_allocates = 0;
  int replaced_after_allocates = 0;
  std::string unschedulable;  // Said in every AllocateResponse.
  int allocates = 0;
  std::vector<sched::wire::ContainerRequest> asks;
  std::set<std::string> released;
  std::map<std::string, std::string> attempt_states;
  double last_map_progress = -1, last_reduce_progress = -1;
  bool finished = false;
  AppState::type final_state = AppState::RUNNING;
  std::string final_diagnostics, final_counters;

 private:
  std::vector<sched::wire::NodeReport> nodes_;
  int next_container_ = 0;
};

// The NMs: run each task at once. `fail` says which attempt ids exit 3;
// `hang` keeps every container running (for kills), `stall` keeps the
// named attempts running with unchanging progress; `fetch_fail` makes the
// named reduce attempts exit 1 naming maps they could not fetch.
class FakeNms : public NodeManagers {
 public:
  explicit FakeNms(dfs::DfsClient* dfs) : dfs_(dfs) {}

  Status StartContainer(const sched::wire::NodeInfo& node,
                        const sched::wire::LaunchContext& context) override {
    wire::TaskSpec spec;
    RETURN_NOT_OK(DecodeThrift(context.files.at("task_spec"), "spec", &spec));
    std::string attempt = AttemptId(spec.is_map ? TaskKind::kMap : TaskKind::kReduce, spec.index,
                                    spec.attempt);
    specs[attempt] = spec;
    contexts[attempt] = context;
    nodes[attempt] = node.id;
    sched::wire::ContainerStatus status;
    status.container_id = context.container_id;
    status.state = sched::wire::ContainerState::COMPLETE;
    if (hang || stall.count(attempt) > 0) {
      status.state = sched::wire::ContainerState::RUNNING;
      status.progress = 0.1;
      status.progress_ticks = 5;
    } else if (preempt.count(attempt) > 0) {
      status.exit_code = 143;
      status.preempted = true;
      status.diagnostics = "preempted by the resource manager";
    } else if (never_start.count(attempt) > 0) {
      status.exit_code = -1;
      status.diagnostics = "localization failed: the DFS did not answer";
    } else if (fetch_fail.count(attempt) > 0) {
      status.exit_code = 1;
      status.diagnostics = "exit code 1\nstderr: could not fetch";
      status.result = EncodeTaskResult(Counters(), fetch_fail[attempt]);
    } else if (fail.count(attempt) > 0) {
      status.exit_code = 3;
      status.diagnostics = "exit code 3\nstderr: " + attempt + " hit a bad record";
    } else {
      if (!spec.is_map) {
        char part[32];
        std::snprintf(part, sizeof(part), "/part-r-%05d", spec.index);
        auto writer = dfs_->Create(spec.output_dir + part, {});
        RETURN_NOT_OK(writer.status());
        RETURN_NOT_OK((*writer)->Write("r" + std::to_string(spec.index) + "\n"));
        RETURN_NOT_OK((*writer)->Close());
      }
      Counters counters;
      counters.Add("Test", spec.is_map ? "maps" : "reduces", 1);
      status.result = EncodeTaskResult(counters);
    }
    statuses[context.container_id] = status;
    return Status::OK();
  }
  Result<std::string> GetContainerLog(const sched::wire::NodeInfo& node, const std::string& id,
                                      const std::string& stream, int64_t max_bytes) override {
    return stream + " of " + id + " on " + node.id + "\n";
  }
  Status StopContainer(const sched::wire::NodeInfo&, const std::string& id) override {
    stopped.insert(id);
    return Status::OK();
  }
  Result<std::vector<sched::wire::ContainerStatus>> GetContainerStatuses(
      const sched::wire::NodeInfo&, const std::vector<std::string>& ids) override {
    std::vector<sched::wire::ContainerStatus> out;
    for (const std::string& id : ids) {
      if (statuses.count(id) > 0) out.push_back(statuses[id]);
    }
    return out;
  }

  std::set<std::string> fail;
  std::set<std::string> preempt;      // Attempts the RM preempts.
  std::set<std::string> never_start;  // Attempts whose container never starts.
  bool hang = false;
  std::set<std::string> stall;
  std::map<std::string, std::vector<int32_t>> fetch_fail;
  std::map<std::string, wire::TaskSpec> specs;
  std::map<std::string, sched::wire::LaunchContext> contexts;
  std::map<std::string, std::string> nodes;
  std::map<std::string, sched::wire::ContainerStatus> statuses;
  std::set<std::string> stopped;

 private:
  dfs::DfsClient* dfs_;
};

class JobDriverITest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = mr::testing::MissingDfsDaemons();
    if (!missing.empty()) GTEST_SKIP() << "DFS daemons not available: " << missing;
    mr::testing::CommandResult up = cluster_.Up(2, 2, 1 << 20);
    ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
    auto client = dfs::DfsClient::ConnectToCluster(cluster_.dir());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    dfs_ = std::move(client).value();
    auto config = cluster::LoadConfig(cluster_.dir());
    ASSERT_TRUE(config.ok());
    // One NM beside each datanode.
    for (const cluster::NodeConfig& node : config->nodes) {
      if (node.role != cluster::Role::kDatanode) continue;
      sched::wire::NodeReport report;
      report.alive = true;
      report.info.id = "nm-" + node.id;
      report.info.host = "127.0.0.1";
      report.info.shuffle_port = 9000 + static_cast<int>(nodes_.size());
      report.info.rack = node.rack;
      report.info.datanode_id = node.id;
      nodes_.push_back(report);
    }
    ASSERT_EQ(nodes_.size(), 4u);
    // 2.5 chunks of text, and a second file.
    std::string text;
    for (int i = 0; text.size() < (5 << 19); ++i) text += "line " + std::to_string(i) + "\n";
    ASSERT_TRUE(Write("/in/big", text).ok());
    ASSERT_TRUE(Write("/in/small", "hello\nworld\n").ok());
    ASSERT_TRUE(Write("/.staging/app_1_0001/job", "binary").ok());
  }

  Status Write(const std::string& path, const std::string& data) {
    return mr::testing::PutDfsFile(dfs_.get(), path, data);
  }
  Result<std::string> Read(const std::string& path) {
    return mr::testing::GetDfsFile(dfs_.get(), path);
  }
  std::vector<std::string> Names(const std::string& dir) {
    return mr::testing::DfsNames(dfs_.get(), dir);
  }

  AmConfig Config(int reducers) {
    AmConfig config;
    config.app_id = "app_1_0001";
    config.container_id = "app_1_0001_c000001";
    config.input = "/in";
    config.output = "/out/wc";
    config.reducers = reducers;
    config.binary_dfs_path = "/.staging/app_1_0001/job";
    config.job_args = {"--pattern=x"};
    return config;
  }

  DriverOptions Options() {
    DriverOptions options;
    options.heartbeat_ms = 5;
    options.poll_ms = 2;
    options.tracker.max_attempts = 3;
    options.tracker.map_resource.vcores = 1;
    options.tracker.map_resource.memory_mb = 512;
    options.tracker.reduce_resource = options.tracker.map_resource;
    // These tests pin one map per chunk; CombinesSmallSplits turns it on.
    options.combine_splits = false;
    return options;
  }

  mr::testing::LocalDfs cluster_;
  std::unique_ptr<dfs::DfsClient> dfs_;
  std::vector<sched::wire::NodeReport> nodes_;
};

TEST_F(JobDriverITest, RunsMapsThenReducesAndCommits) {
  Job job("test");
  FakeRm rm(nodes_);
  FakeNms nms(dfs_.get());
  nms.fail = {"m_000001_0"};  // Retried once, elsewhere.
  JobDriver driver(job, Config(2), Options(), {}, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(driver.Run().ok());
  ASSERT_TRUE(rm.finished);
  EXPECT_EQ(rm.final_state, AppState::SUCCEEDED) << rm.final_diagnostics;

  // Splits: one per chunk (3 of /in/big, 1 of /in/small).
  std::vector<std::string> maps;
  for (const auto& [attempt, spec] : nms.specs) {
    if (spec.is_map) maps.push_back(attempt);
  }
  EXPECT_EQ(maps, (std::vector<std::string>{"m_000000_0", "m_000001_0", "m_000001_1",
                                            "m_000002_0", "m_000003_0"}));
  const wire::TaskSpec& m1 = nms.specs["m_000001_1"];
  EXPECT_EQ(m1.input_path, "/in/big");
  EXPECT_EQ(m1.offset, 1 << 20);
  EXPECT_EQ(m1.length, 1 << 20);
  EXPECT_EQ(m1.output_name, "m_000001_1.out");
  EXPECT_EQ(m1.num_reducers, 2);
  EXPECT_NE(nms.nodes["m_000001_1"], nms.nodes["m_000001_0"]);
  EXPECT_EQ(nms.specs["m_000003_0"].input_path, "/in/small");
  // Command line and files of a task.
  const auto& context = nms.contexts["m_000000_0"];
  EXPECT_EQ(context.binary_dfs_path, "/.staging/app_1_0001/job");
  EXPECT_EQ(context.arguments, (std::vector<std::string>{"--mr_role=task",
                                                         "--mr_task_spec=task_spec",
                                                         "--pattern=x"}));
  EXPECT_EQ(context.files.size(), 1u);
  // Map asks prefer the NMs beside the chunk's replicas.
  ASSERT_FALSE(rm.asks.empty());
  EXPECT_FALSE(rm.asks[0].nodes.empty());
  EXPECT_EQ(rm.asks[0].priority, kMapPriority);

  // Reduces learned every map's winning attempt.
  const wire::TaskSpec& r0 = nms.specs["r_000000_0"];
  ASSERT_EQ(r0.map_outputs.size(), 4u);
  EXPECT_EQ(r0.map_outputs[1].output_name, "m_000001_1.out");
  EXPECT_EQ(r0.output_dir, "/out/.wc.tmp-app_1_0001/_attempts/r_000000_0");
  EXPECT_TRUE(r0.split_points.empty());

  EXPECT_EQ(Names("/out"), (std::vector<std::string>{"wc"}));
  EXPECT_EQ(Names("/out/wc"), (std::vector<std::string>{"_SUCCESS", "_counters.json",
                                                        "part-r-00000", "part-r-00001"}));
  EXPECT_TRUE(dfs_->Stat("/.staging/app_1_0001").status().IsNotFound());

  auto counters = Counters::FromJson(rm.final_counters);
  ASSERT_TRUE(counters.ok()) << rm.final_counters;
  EXPECT_EQ(counters->Value("Test", "maps"), 4);  // Successful attempts only.
  EXPECT_EQ(counters->Value("Test", "reduces"), 2);
  EXPECT_EQ(counters->Value("Job Counters", "Launched map tasks"), 5);
  EXPECT_EQ(counters->Value("Job Counters", "Failed map tasks"), 1);
  EXPECT_EQ(counters->Value("Job Counters", "Launched reduce tasks"), 2);
  EXPECT_EQ(counters->Value("Job Counters", "Data-local map tasks") +
                counters->Value("Job Counters", "Other local map tasks"),
            5);
  EXPECT_EQ(rm.attempt_states["m_000001_0"], "FAILED");
  EXPECT_EQ(rm.attempt_states["r_000001_0"], "SUCCEEDED");
  EXPECT_DOUBLE_EQ(rm.last_map_progress, 1.0);
  EXPECT_DOUBLE_EQ(rm.last_reduce_progress, 1.0);
  // Every container of a finished attempt was released.
  for (const auto& [id, status] : nms.statuses) EXPECT_EQ(rm.released.count(id), 1u) << id;
}

TEST_F(JobDriverITest, RangePartitioningSamplesSplitPointsFromTheDfs) {
  Job job("sorted");
  job.SetPartitioning(Partitioning::kRange);
  FakeRm rm(nodes_);
  FakeNms nms(dfs_.get());
  AmConfig config = Config(3);
  config.range_partitioning = true;
  JobDriver driver(job, config, Options(), {}, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_EQ(rm.final_state, AppState::SUCCEEDED) << rm.final_diagnostics;
  const auto& points = nms.specs["m_000000_0"].split_points;
  ASSERT_EQ(points.size(), 2u);
  EXPECT_LE(points[0], points[1]);
  EXPECT_EQ(points[0].rfind("line ", 0), 0u) << points[0];
  EXPECT_EQ(nms.specs["r_000002_0"].split_points, points);
}

TEST_F(JobDriverITest, FixedRecordSplitsHoldWholeRecordsAndSampleTheirKeys) {
  // 100-byte records with 10-byte keys (terasort's layout) over 1 MiB
  // chunks, whose boundaries fall inside records.
  std::string records;
  std::mt19937_64 rng(9);
  for (int i = 0; i < 25000; ++i) {
    std::string record(100, 'v');
    for (int k = 0; k < 10; ++k) record[k] = static_cast<char>('A' + rng() % 26);
    records += record;
  }
  ASSERT_TRUE(Write("/tera/part-m-00000", records).ok());
  Job job("terasort");
  job.SetInputFormat(InputFormat::kFixedRecords).SetFixedRecordLayout(100, 10);
  FakeRm rm(nodes_);
  FakeNms nms(dfs_.get());
  AmConfig config = Config(4);
  config.input = "/tera";
  config.range_partitioning = true;
  JobDriver driver(job, config, Options(), {}, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_EQ(rm.final_state, AppState::SUCCEEDED) << rm.final_diagnostics;
  int64_t covered = 0;
  int maps = 0;
  for (const auto& [attempt, spec] : nms.specs) {
    if (!spec.is_map) continue;
    ++maps;
    EXPECT_EQ(spec.offset % 100, 0) << attempt;
    EXPECT_EQ(spec.length % 100, 0) << attempt;
    covered += spec.length;
    ASSERT_EQ(spec.split_points.size(), 3u);
    for (const std::string& point : spec.split_points) EXPECT_EQ(point.size(), 10u);
  }
  EXPECT_EQ(maps, 3);  // 2.4 MB in 1 MiB chunks.
  EXPECT_EQ(covered, 2500000);
}

TEST_F(JobDriverITest, CombinesSmallSplitsIntoFewerMapsCoveringEveryByteOnce) {
  // 2.5 chunks of /in/big, /in/small and six more small files: with a
  // target of one chunk, the small files and the big file's tail share maps.
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(Write("/in/s" + std::to_string(i), std::string(100 << 10, 'x') + "\n").ok());
  }
  Job job("test");
  FakeRm rm(nodes_);
  FakeNms nms(dfs_.get());
  DriverOptions options = Options();
  options.combine_splits = true;  // Target: the 1 MiB chunk size.
  JobDriver driver(job, Config(1), options, {}, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_EQ(rm.final_state, AppState::SUCCEEDED) << rm.final_diagnostics;
  std::map<std::string, int64_t> bytes_of;  // Per file, summed over the maps.
  int maps = 0;
  int64_t total = 0;
  for (const auto& [attempt, spec] : nms.specs) {
    if (!spec.is_map) continue;
    ++maps;
    std::vector<wire::InputPiece> pieces = spec.pieces;
    if (pieces.empty()) {
      wire::InputPiece one;
      one.path = spec.input_path;
      one.offset = spec.offset;
      one.length = spec.length;
      pieces.push_back(one);
    } else {
      EXPECT_GT(pieces.size(), 1u) << attempt;
      EXPECT_TRUE(spec.input_path.empty()) << attempt;
    }
    int64_t bytes = 0;
    for (const wire::InputPiece& p : pieces) {
      bytes_of[p.path] += p.length;
      bytes += p.length;
    }
    EXPECT_LE(bytes, 1 << 20) << attempt;
    total += bytes;
  }
  // 2.5 MiB + 12 B + 6 x (100 KiB + 1 B) in maps of at most 1 MiB: at
  // least 4, and fewer than the 10 splits.
  EXPECT_LT(maps, 10);
  EXPECT_EQ(bytes_of["/in/big"], dfs_->Stat("/in/big")->length);
  EXPECT_EQ(bytes_of["/in/small"], 12);
  EXPECT_EQ(bytes_of["/in/s5"], (100 << 10) + 1);
  EXPECT_EQ(total, dfs_->Stat("/in/big")->length + 12 + 6 * ((100 << 10) + 1));
  auto counters = Counters::FromJson(rm.final_counters);
  ASSERT_TRUE(counters.ok());
  EXPECT_EQ(counters->Value("Job Counters", "Launched map tasks"), maps);
}

TEST_F(JobDriverITest, ATaskThatFailsEveryAttemptFailsTheJobAndLeavesNothing) {
  Job job("test");
  FakeRm rm(nodes_);
  FakeNms nms(dfs_.get());
  nms.fail = {"m_000002_0", "m_000002_1", "m_000002_2"};
  JobDriver driver(job, Config(1), Options(), {}, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_EQ(rm.final_state, AppState::FAILED);
  EXPECT_EQ(rm.final_diagnostics,
            "task m_000002 failed 3 times; last: exit code 3\nstderr: m_000002_2 hit a bad record");
  EXPECT_TRUE(Names("/out").empty());
  EXPECT_EQ(nms.specs.count("r_000000_0"), 0u);  // The barrier never opened.
  EXPECT_TRUE(dfs_->Stat("/.staging/app_1_0001").status().IsNotFound());
  auto counters = Counters::FromJson(rm.final_counters);
  ASSERT_TRUE(counters.ok());
  EXPECT_EQ(counters->Value("Job Counters", "Failed map tasks"), 3);
}

TEST_F(JobDriverITest, AKillStopsTheRunningContainersAndFinishesKilled) {
  Job job("test");
  FakeRm rm(nodes_);
  rm.kill_after_allocates = 3;
  FakeNms nms(dfs_.get());
  nms.hang = true;
  JobDriver driver(job, Config(1), Options(), {}, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_EQ(rm.final_state, AppState::KILLED);
  EXPECT_EQ(nms.stopped.size(), 4u);  // Every map was running.
  for (const auto& [attempt, state] : rm.attempt_states) EXPECT_EQ(state, "KILLED") << attempt;
  EXPECT_TRUE(Names("/out").empty());
}

TEST_F(JobDriverITest, AnExistingOutputFailsTheJobUntouched) {
  ASSERT_TRUE(Write("/out/wc/part-r-00000", "old").ok());
  Job job("test");
  FakeRm rm(nodes_);
  FakeNms nms(dfs_.get());
  JobDriver driver(job, Config(1), Options(), {}, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_EQ(rm.final_state, AppState::FAILED);
  EXPECT_NE(rm.final_diagnostics.find("already exists"), std::string::npos);
  EXPECT_EQ(Names("/out/wc"), (std::vector<std::string>{"part-r-00000"}));
  EXPECT_TRUE(nms.specs.empty());
}

TEST_F(JobDriverITest, AMissingInputFailsTheJob) {
  Job job("test");
  FakeRm rm(nodes_);
  FakeNms nms(dfs_.get());
  AmConfig config = Config(1);
  config.input = "/nope";
  JobDriver driver(job, config, Options(), {}, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_EQ(rm.final_state, AppState::FAILED);
  EXPECT_NE(rm.final_diagnostics.find("input /nope does not exist"), std::string::npos)
      << rm.final_diagnostics;
  EXPECT_TRUE(Names("/out").empty());
}

TEST_F(JobDriverITest, AStalledMapGetsABackupOnAnotherNodeAndTheFirstToFinishWins) {
  Job job("test");
  FakeRm rm(nodes_);
  FakeNms nms(dfs_.get());
  nms.stall = {"m_000002_0"};  // Runs forever at 10%.
  DriverOptions options = Options();
  options.speculation_interval_ms = 10;
  options.tracker.speculation.min_runtime_ms = 100;
  JobDriver driver(job, Config(1), options, {}, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_EQ(rm.final_state, AppState::SUCCEEDED) << rm.final_diagnostics;
  ASSERT_EQ(nms.specs.count("m_000002_1"), 1u);
  EXPECT_NE(nms.nodes["m_000002_1"], nms.nodes["m_000002_0"]);
  // The backup won: the reduce read its output, and the stalled attempt
  // was stopped.
  EXPECT_EQ(nms.specs["r_000000_0"].map_outputs[2].output_name, "m_000002_1.out");
  EXPECT_EQ(nms.stopped.count(nms.contexts["m_000002_0"].container_id), 1u);
  EXPECT_EQ(rm.attempt_states["m_000002_0"], "KILLED");
  auto counters = Counters::FromJson(rm.final_counters);
  ASSERT_TRUE(counters.ok());
  EXPECT_EQ(counters->Value("Job Counters", "Speculative map attempts"), 1);
  EXPECT_EQ(counters->Value("Job Counters", "Killed map tasks"), 1);
  EXPECT_EQ(counters->Value("Job Counters", "Failed map tasks"), 0);
  EXPECT_EQ(counters->Value("Test", "maps"), 4);
}

TEST_F(JobDriverITest, AnAttemptWithoutProgressTimesOutAndIsRetried) {
  Job job("test");
  FakeRm rm(nodes_);
  FakeNms nms(dfs_.get());
  nms.stall = {"m_000001_0"};
  DriverOptions options = Options();
  options.speculation_interval_ms = 10;
  options.tracker.speculation.enabled = false;
  options.tracker.task_timeout_ms = 200;
  JobDriver driver(job, Config(1), options, {}, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_EQ(rm.final_state, AppState::SUCCEEDED) << rm.final_diagnostics;
  EXPECT_EQ(rm.attempt_states["m_000001_0"], "FAILED");
  EXPECT_EQ(nms.stopped.count(nms.contexts["m_000001_0"].container_id), 1u);
  ASSERT_EQ(nms.specs.count("m_000001_1"), 1u);
  auto counters = Counters::FromJson(rm.final_counters);
  ASSERT_TRUE(counters.ok());
  EXPECT_EQ(counters->Value("Job Counters", "Failed map tasks"), 1);
}

TEST_F(JobDriverITest, AReduceThatCannotFetchAMapOutputMakesThatMapRunAgain) {
  Job job("test");
  FakeRm rm(nodes_);
  FakeNms nms(dfs_.get());
  nms.fetch_fail = {{"r_000000_0", {2}}};
  DriverOptions options = Options();
  options.tracker.max_attempts = 1;  // Neither the rerun nor the reduce's retry is a failure.
  JobDriver driver(job, Config(1), options, {}, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_EQ(rm.final_state, AppState::SUCCEEDED) << rm.final_diagnostics;
  ASSERT_EQ(nms.specs.count("m_000002_1"), 1u);
  EXPECT_NE(nms.nodes["m_000002_1"], nms.nodes["m_000002_0"]);
  EXPECT_EQ(nms.specs.count("m_000001_1"), 0u);  // Only the map named.
  ASSERT_EQ(nms.specs.count("r_000000_1"), 1u);
  EXPECT_EQ(nms.specs["r_000000_1"].map_outputs[2].output_name, "m_000002_1.out");
  EXPECT_EQ(rm.attempt_states["r_000000_0"], "KILLED");
  EXPECT_EQ(Names("/out/wc"),
            (std::vector<std::string>{"_SUCCESS", "_counters.json", "part-r-00000"}));
  auto counters = Counters::FromJson(rm.final_counters);
  ASSERT_TRUE(counters.ok());
  EXPECT_EQ(counters->Value("Job Counters", "Failed reduce tasks"), 0);
  EXPECT_EQ(counters->Value("Test", "maps"), 4);
}

// A second AM of the application: the first one finished map 0 and reduce
// 1 (its recovery log and reduce output say so), left map 1 running, and
// had a container it never used. The plan is the first AM's, not a new one.
TEST_F(JobDriverITest, ARestartedAmRecoversFinishedTasksAndAdoptsRunningOnes) {
  Job job("test");
  FakeRm rm(nodes_);
  FakeNms nms(dfs_.get());
  RecoveryLog log(dfs_.get(), "app_1_0001");
  RecoveredPlan plan;
  MapTaskInput big, small;
  big.pieces = {{"/in/big", 0, 5 << 19}};
  big.length = 5 << 19;
  small.pieces = {{"/in/small", 0, 12}};
  small.length = 12;
  plan.maps = {big, small};
  plan.num_splits = 4;
  ASSERT_TRUE(log.WritePlan(plan).ok());
  auto container = [&](const std::string& id, int node) {
    sched::wire::Container c;
    c.container_id = id;
    c.node = nodes_[node].info;
    return c;
  };
  Counters one_map, one_reduce;
  one_map.Add("Test", "maps", 1);
  one_reduce.Add("Test", "reduces", 1);
  ASSERT_TRUE(log.RecordSucceeded("m_000000_0", container("app_1_0001_c000050", 0),
                                  EncodeTaskResult(one_map)).ok());
  ASSERT_TRUE(log.RecordSucceeded("r_000001_0", container("app_1_0001_c000051", 1),
                                  EncodeTaskResult(one_reduce)).ok());
  std::string temp = OutputCommitter::TempDirFor("/out/wc", "app_1_0001");
  ASSERT_TRUE(Write(temp + "/_attempts/r_000001_0/part-r-00001", "r1\n").ok());
  // Map 1 is still running; it finishes when this AM first polls it.
  sched::wire::RegisterResponse registration;
  registration.am_attempt = 2;
  registration.live_containers = {container("app_1_0001_c000060", 1),
                                  container("app_1_0001_c000061", 2)};
  sched::wire::TaskAttemptReport running;
  running.attempt_id = "m_000001_0";
  running.container_id = "app_1_0001_c000060";
  running.state = "RUNNING";
  registration.attempts = {running};
  sched::wire::ContainerStatus done;
  done.container_id = "app_1_0001_c000060";
  done.state = sched::wire::ContainerState::COMPLETE;
  done.result = EncodeTaskResult(one_map);
  nms.statuses[done.container_id] = done;

  JobDriver driver(job, Config(2), Options(), registration, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_EQ(rm.final_state, AppState::SUCCEEDED) << rm.final_diagnostics;
  // Only reduce 0 ran, numbered past the first AM's attempts, with both
  // maps' outputs.
  std::vector<std::string> launched;
  for (const auto& [attempt, spec] : nms.specs) launched.push_back(attempt);
  EXPECT_EQ(launched, (std::vector<std::string>{"r_000000_1000"}));
  const wire::TaskSpec& r0 = nms.specs["r_000000_1000"];
  ASSERT_EQ(r0.map_outputs.size(), 2u);
  EXPECT_EQ(r0.map_outputs[0].output_name, "m_000000_0.out");
  EXPECT_EQ(r0.map_outputs[1].output_name, "m_000001_0.out");
  EXPECT_EQ(nms.stopped, (std::set<std::string>{"app_1_0001_c000061"}));
  Result<std::string> part1 = Read("/out/wc/part-r-00001");
  ASSERT_TRUE(part1.ok());
  EXPECT_EQ(*part1, "r1\n");
  auto counters = Counters::FromJson(rm.final_counters);
  ASSERT_TRUE(counters.ok());
  EXPECT_EQ(counters->Value("Test", "maps"), 2);
  EXPECT_EQ(counters->Value("Test", "reduces"), 2);
  EXPECT_EQ(counters->Value("Job Counters", "Launched map tasks"), 0);
}

// The RM replaced this AM (say its node was declared lost while it ran on):
// it stops at once and touches nothing, for the new attempt owns the job.
TEST_F(JobDriverITest, AReplacedAmStopsWithoutTouchingTheJob) {
  Job job("test");
  FakeRm rm(nodes_);
  rm.replaced_after_allocates = 2;
  FakeNms nms(dfs_.get());
  nms.hang = true;
  JobDriver driver(job, Config(1), Options(), {}, &rm, &nms, dfs_.get(), nullptr);
  Status s = driver.Run();
  EXPECT_TRUE(s.IsAborted()) << s.ToString();
  EXPECT_FALSE(rm.finished);
  EXPECT_TRUE(nms.stopped.empty());
  EXPECT_FALSE(nms.specs.empty());
  // Its temporary output, recovery log and staging directory stay.
  EXPECT_TRUE(dfs_->Stat(OutputCommitter::TempDirFor("/out/wc", "app_1_0001")).ok());
  EXPECT_TRUE(dfs_->Stat("/.staging/app_1_0001/recovery/plan").ok());
}

// Preempted attempts and containers that never started are KILLED, not
// failures: the tasks run again and the job succeeds with max_attempts 1.
TEST_F(JobDriverITest, PreemptedAndNeverStartedAttemptsAreKilledNotFailed) {
  Job job("test");
  FakeRm rm(nodes_);
  FakeNms nms(dfs_.get());
  nms.preempt = {"m_000000_0"};
  nms.never_start = {"m_000001_0", "r_000000_0"};
  DriverOptions options = Options();
  options.tracker.max_attempts = 1;
  options.tracker.node_backoff_ms = 1;
  JobDriver driver(job, Config(1), options, {}, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_EQ(rm.final_state, AppState::SUCCEEDED) << rm.final_diagnostics;
  EXPECT_EQ(rm.attempt_states["m_000000_0"], "KILLED");
  EXPECT_EQ(rm.attempt_states["m_000001_0"], "KILLED");
  EXPECT_EQ(rm.attempt_states["r_000000_0"], "KILLED");
  auto counters = Counters::FromJson(rm.final_counters);
  ASSERT_TRUE(counters.ok()) << rm.final_counters;
  EXPECT_EQ(counters->Value("Job Counters", "Killed map tasks"), 2);
  EXPECT_EQ(counters->Value("Job Counters", "Killed reduce tasks"), 1);
  EXPECT_EQ(counters->Value("Job Counters", "Failed map tasks"), 0);
}

// Requests the RM says no live node can hold fail the job once that has
// lasted unschedulable_timeout_ms, with the RM's reason.
TEST_F(JobDriverITest, RequestsNoLiveNodeCanHoldFailTheJobAfterTheTimeout) {
  Job job("test");
  FakeRm rm(nodes_);
  rm.unschedulable = "a container of 1 vcores, 512 MB fits no live node";
  FakeNms nms(dfs_.get());
  nms.hang = true;
  DriverOptions options = Options();
  options.unschedulable_timeout_ms = 300;
  JobDriver driver(job, Config(1), options, {}, &rm, &nms, dfs_.get(), nullptr);
  int64_t start = SteadyClockMs();
  ASSERT_TRUE(driver.Run().ok());
  EXPECT_GE(SteadyClockMs() - start, 300);
  EXPECT_EQ(rm.final_state, AppState::FAILED);
  EXPECT_NE(rm.final_diagnostics.find("fit no live node for 300 ms"), std::string::npos)
      << rm.final_diagnostics;
  EXPECT_NE(rm.final_diagnostics.find("1 vcores, 512 MB fits no live node"), std::string::npos);
  EXPECT_TRUE(Names("/out").empty());
}

// The first AM committed the output, then its node was declared lost before
// it told the RM: the second AM finds the output committed by this
// application (its _SUCCESS says so) and reports SUCCEEDED with the
// committed counters, touching nothing.
TEST_F(JobDriverITest, ASecondAmFindingTheOutputCommittedByItsApplicationSucceeds) {
  Job job("test");
  {
    FakeRm rm(nodes_);
    FakeNms nms(dfs_.get());
    JobDriver first(job, Config(1), Options(), {}, &rm, &nms, dfs_.get(), nullptr);
    ASSERT_TRUE(first.Run().ok());
    ASSERT_EQ(rm.final_state, AppState::SUCCEEDED) << rm.final_diagnostics;
  }
  Result<std::string> success = Read("/out/wc/_SUCCESS");
  ASSERT_TRUE(success.ok());
  EXPECT_EQ(*success, "app_1_0001\n");
  Result<std::string> counters = Read("/out/wc/_counters.json");
  ASSERT_TRUE(counters.ok());
  ASSERT_TRUE(Write("/.staging/app_1_0001/job", "binary").ok());
  sched::wire::RegisterResponse registration;
  registration.am_attempt = 2;
  FakeRm rm(nodes_);
  FakeNms nms(dfs_.get());
  JobDriver second(job, Config(1), Options(), registration, &rm, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(second.Run().ok());
  EXPECT_EQ(rm.final_state, AppState::SUCCEEDED) << rm.final_diagnostics;
  EXPECT_EQ(rm.final_counters, *counters);
  EXPECT_TRUE(nms.specs.empty()) << "the second AM ran tasks";
  EXPECT_EQ(Names("/out"), (std::vector<std::string>{"wc"}));

  // Another application's output at that path is not its own: it fails.
  sched::wire::RegisterResponse other = registration;
  AmConfig config = Config(1);
  config.app_id = "app_1_0002";
  ASSERT_TRUE(Write("/.staging/app_1_0002/job", "binary").ok());
  FakeRm rm2(nodes_);
  JobDriver third(job, config, Options(), other, &rm2, &nms, dfs_.get(), nullptr);
  ASSERT_TRUE(third.Run().ok());
  EXPECT_EQ(rm2.final_state, AppState::FAILED);
  EXPECT_NE(rm2.final_diagnostics.find("already exists"), std::string::npos)
      << rm2.final_diagnostics;
}

}  // namespace
}  // namespace mr::am
