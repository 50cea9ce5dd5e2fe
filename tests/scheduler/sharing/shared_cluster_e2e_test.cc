// The scheduler as a shared service (issue 14), end to end on the default
// cluster: `mrcluster up --racks 2 --nodes_per_rack 2` with mrcluster's
// default vcores (the host's cores shared out: 1 per node manager on a
// 2-core host), real processes on 127.0.0.1. A task that always fails ends
// its job within seconds of its last attempt; several jobs at once all
// finish exactly and each gets containers at once; queues share the cluster
// by weight; preemption gives room back to a job below its share; a node
// killed mid-job costs a bounded number of attempts; requests no live node
// can hold fail the job after a bound; logs outlive jobs, node managers and
// the cluster itself; maps stay local; progress moves while a map runs.
//
// Jobs are kept small (1 MiB chunks, a few maps); faulty_job's maps sleep
// where a test needs containers held. Skips only if the daemons are not
// built.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cluster/cluster_config.h"
#include "common/clock.h"
#include "dfs/client/whole_file.h"
#include "scheduler/client/cluster_endpoints.h"
#include "tests/common/idle_connection.h"
#include "tests/scheduler/scheduler_cluster.h"

namespace mr::sched {
namespace {

using mr::testing::CommandResult;
using mr::testing::Eventually;
using mr::testing::kSchedulerTestChunk;
using mr::testing::PrintedCounter;

class SharedClusterE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = mr::testing::MissingSchedulerBinaries();
    if (!missing.empty()) GTEST_SKIP() << "cluster binaries not available: " << missing;
  }

  // Brings the default cluster up (mrcluster's default vcores) with extra
  // `mrcluster up` arguments.
  void Start(const std::string& up_args = "") {
    CommandResult up = cluster_.Up(up_args, /*nm_vcores=*/0);
    ASSERT_EQ(up.exit_code, 0) << "mrcluster up failed:\n" << up.out << up.err;
    ASSERT_NO_FATAL_FAILURE(Connect());
  }
  void Connect() {
    auto dfs = dfs::DfsClient::ConnectToCluster(cluster_.dir());
    ASSERT_TRUE(dfs.ok()) << dfs.status().ToString();
    dfs_ = std::move(dfs).value();
    auto config = cluster::LoadConfig(cluster_.dir());
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    auto rm = ConnectResourceManager(*config);
    ASSERT_TRUE(rm.ok()) << rm.status().ToString();
    rm_ = std::move(rm).value();
  }

  // `chunks` chunks of text at `path` (its counts added to *want).
  void Put(const std::string& path, int chunks, uint64_t seed,
           std::map<std::string, int64_t>* want, int replication = 0) {
    std::string text = mr::testing::WordCountText(chunks * kSchedulerTestChunk - 1000, seed, want);
    dfs::DfsClient::CreateOptions create;
    create.replication = replication;
    ASSERT_TRUE(dfs::WriteWholeFile(dfs_.get(), path, text, create).ok()) << path;
  }

  // Submits in the background; Wait() joins them all.
  void SubmitInBackground(const std::string& binary, const std::string& input,
                          const std::string& output, const std::string& extra = "") {
    size_t i = results_.size();
    results_.emplace_back();
    threads_.emplace_back([this, i, binary, input, output, extra] {
      results_[i] = cluster_.Submit(binary, input, output, extra, 240);
    });
  }
  std::vector<CommandResult> Wait() {
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    std::vector<CommandResult> out;
    out.swap(results_);
    return out;
  }

  static std::string AppIdOf(const CommandResult& r) {
    size_t at = r.out.find("Submitted ");
    if (at == std::string::npos) return "";
    return r.out.substr(at + 10, r.out.find('\n', at) - at - 10);
  }
  wire::ApplicationReport Report(const std::string& app_id) {
    Result<wire::ApplicationReport> report = rm_->CallFor<wire::ApplicationReport>(
        "GetApplication", [&](auto& stub, auto& out) { stub.GetApplication(out, app_id, false); });
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : wire::ApplicationReport();
  }
  std::vector<wire::ApplicationReport> Apps() {
    Result<std::vector<wire::ApplicationReport>> apps =
        rm_->CallFor<std::vector<wire::ApplicationReport>>(
            "ListApplications", [](auto& stub, auto& out) { stub.ListApplications(out); });
    return apps.ok() ? *apps : std::vector<wire::ApplicationReport>();
  }
  // The one application whose name is `name`, once it is RUNNING with
  // `attempts` attempts running; "" if not within a minute.
  std::string WaitForRunning(const std::string& name, int attempts) {
    std::string found;
    Eventually([&] {
      for (const auto& app : Apps()) {
        auto running = app.attempt_counts.find("RUNNING");
        if (app.name == name && app.state == wire::AppState::RUNNING &&
            running != app.attempt_counts.end() && running->second >= attempts) {
          found = app.app_id;
          return true;
        }
      }
      return false;
    }, std::chrono::seconds(60));
    return found;
  }
  // Attempts of each task ("m_000003": its attempt count).
  static std::map<std::string, int> AttemptsPerTask(const wire::ApplicationReport& report) {
    std::map<std::string, int> per_task;
    for (const auto& a : report.attempts) ++per_task[a.attempt_id.substr(0, a.attempt_id.rfind('_'))];
    return per_task;
  }
  void ExpectExactOutput(const CommandResult& r, const std::string& output,
                         const std::map<std::string, int64_t>& want, int parts = 1) {
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(mr::testing::ReadWordCounts(dfs_.get(), output, parts), want) << output;
  }

  mr::testing::SchedulerCluster cluster_;
  std::unique_ptr<dfs::DfsClient> dfs_;
  std::unique_ptr<RmClient> rm_;
  std::vector<std::thread> threads_;
  std::vector<CommandResult> results_;
};

// A task that fails every attempt fails its job within seconds of its last
// attempt, with its diagnostics: whether the AM asks for no vcore (the
// default) or holds one node's only vcore, leaving the task's fourth attempt
// only nodes where it failed already (their exclusion is ignored).
TEST_F(SharedClusterE2ETest, AnAlwaysFailingTaskFailsItsJobWithinSecondsOfItsLastAttempt) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::map<std::string, int64_t> unused;
  ASSERT_NO_FATAL_FAILURE(Put("/in/a.txt", 4, 1, &unused));
  int n = 0;
  for (std::string am : {"", "--mrjob_am_vcores=1"}) {
    std::string output = "/out/bad" + std::to_string(n++);
    CommandResult r = cluster_.Submit(
        "wordcount", "/in", output,
        am + " -- --mr_fault_task=m_000002 --mr_fault=crash --mr_fault_attempts=100", 120);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("task m_000002 failed 4 times; last: killed by signal 6"),
              std::string::npos)
        << r.err;
    wire::ApplicationReport report = Report(AppIdOf(r));
    EXPECT_EQ(report.state, wire::AppState::FAILED);
    int64_t last_attempt = 0;
    int attempts = 0;
    for (const auto& a : report.attempts) {
      if (a.attempt_id.rfind("m_000002_", 0) != 0) continue;
      ++attempts;
      EXPECT_EQ(a.state, "FAILED") << a.attempt_id;
      last_attempt = std::max(last_attempt, a.finish_time_ms);
    }
    EXPECT_EQ(attempts, 4) << am;
    ASSERT_GT(last_attempt, 0);
    EXPECT_LT(report.finish_time_ms - last_attempt, 10000) << am;
    EXPECT_TRUE(mr::testing::DfsNames(dfs_.get(), output).empty());
  }
}

// Four jobs whose AMs hold a vcore each (--mrjob_am_vcores=1: the four
// vcores of the cluster, which once deadlocked), then eight with the
// default AMs (no vcore): the AM share keeps two of the four ACCEPTED
// until there is room, and every job finishes with exact output.
TEST_F(SharedClusterE2ETest, FourThenEightConcurrentWordCountsFinishWithExactOutput) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::map<std::string, int64_t> want;
  ASSERT_NO_FATAL_FAILURE(Put("/in/a.txt", 2, 2, &want));
  for (int jobs : {4, 8}) {
    for (int j = 0; j < jobs; ++j) {
      SubmitInBackground("wordcount", "/in",
                         "/out/" + std::to_string(jobs) + "-" + std::to_string(j),
                         jobs == 4 ? "--mrjob_am_vcores=1" : "");
    }
    std::vector<CommandResult> results = Wait();
    for (int j = 0; j < jobs; ++j) {
      ExpectExactOutput(results[j], "/out/" + std::to_string(jobs) + "-" + std::to_string(j),
                        want);
    }
  }
}

// Three jobs submitted at once each get a task container within 2 s of
// their submission: the first to ask does not keep every vcore it frees.
TEST_F(SharedClusterE2ETest, ThreeConcurrentJobsEachGetATaskContainerWithinTwoSeconds) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::map<std::string, int64_t> want;
  ASSERT_NO_FATAL_FAILURE(Put("/in/a.txt", 8, 3, &want));
  for (int j = 0; j < 3; ++j) SubmitInBackground("wordcount", "/in", "/out/" + std::to_string(j));
  std::vector<CommandResult> results = Wait();
  for (int j = 0; j < 3; ++j) {
    ExpectExactOutput(results[j], "/out/" + std::to_string(j), want);
    wire::ApplicationReport report = Report(AppIdOf(results[j]));
    int64_t first = 0;
    for (const auto& a : report.attempts) {
      if (a.start_time_ms > 0 && (first == 0 || a.start_time_ms < first)) first = a.start_time_ms;
    }
    ASSERT_GT(first, 0);
    EXPECT_LT(first - report.submit_time_ms, 2000) << report.app_id;
  }
}

// Two queues weighted 3:1 (--rm_queues=prod:3,dev:1). A dev job takes the
// whole cluster first; a prod job then gets three of every four vcores as
// they free up, while both have work waiting. `mrjob list` says which queue
// each is in and why it waits.
TEST_F(SharedClusterE2ETest, AWeightThreeQueueGetsThreeTimesTheContainersOfAWeightOneQueue) {
  ASSERT_NO_FATAL_FAILURE(Start("--rm_flags=--rm_queues=prod:3,dev:1"));
  std::map<std::string, int64_t> want;
  ASSERT_NO_FATAL_FAILURE(Put("/in/a.txt", 12, 4, &want));
  SubmitInBackground("faulty_job", "/in", "/out/dev", "--queue dev -- --test_map_sleep_ms=1000");
  std::string dev = WaitForRunning("faulty_job", 2);
  ASSERT_FALSE(dev.empty());
  SubmitInBackground("faulty_job", "/in", "/out/prod", "--queue prod -- --test_map_sleep_ms=1000");
  // Samples of (prod, dev) vcores while both have containers waiting.
  std::vector<std::pair<int, int>> samples;
  std::string list;
  int64_t deadline = SteadyClockMs() + 90000;
  while (SteadyClockMs() < deadline) {
    std::map<std::string, wire::ApplicationReport> by_queue;
    for (const auto& app : Apps()) by_queue[app.queue] = app;
    if (by_queue["dev"].state != wire::AppState::RUNNING) break;
    const wire::ApplicationReport& p = by_queue["prod"];
    const wire::ApplicationReport& d = by_queue["dev"];
    bool both_wait = p.state == wire::AppState::RUNNING &&
                     p.wait_reason.find("wanted") != std::string::npos &&
                     d.wait_reason.find("wanted") != std::string::npos;
    if (both_wait && p.used.vcores > 0) {
      samples.emplace_back(p.used.vcores, d.used.vcores);
      if (list.empty()) list = cluster_.Mrjob("list", 30).out;
    }
    if (!samples.empty() && !both_wait) break;  // One of them ran out of work.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::vector<CommandResult> results = Wait();
  ExpectExactOutput(results[0], "/out/dev", want);
  ExpectExactOutput(results[1], "/out/prod", want);
  // The first second is the handover from dev to prod.
  ASSERT_GE(samples.size(), 20u) << "both jobs never had work waiting together";
  double prod = 0, dev_sum = 0;
  for (size_t i = 10; i < samples.size(); ++i) {
    prod += samples[i].first;
    dev_sum += samples[i].second;
  }
  ASSERT_GT(dev_sum, 0);
  EXPECT_GE(prod / dev_sum, 2.2) << prod << " vs " << dev_sum;
  EXPECT_LE(prod / dev_sum, 4.0) << prod << " vs " << dev_sum;
  EXPECT_NE(list.find("prod "), std::string::npos) << list;
  EXPECT_NE(list.find("dev "), std::string::npos) << list;
  EXPECT_NE(list.find("containers wanted: the cluster is full"), std::string::npos) << list;
}

// A job holding every vcore with long maps, and a second job: after the
// preemption timeout the youngest of the first job's containers are
// preempted for the second, which runs at once; the preempted attempts are
// KILLED (not failures) and both outputs are exact.
TEST_F(SharedClusterE2ETest, PreemptionReturnsRoomToAnUnderShareJob) {
  ASSERT_NO_FATAL_FAILURE(Start("--rm_flags=--rm_preemption_timeout_ms=1000 "
                                "--nm_flags=--nm_stop_grace_ms=500"));
  std::map<std::string, int64_t> want_long, want_short;
  ASSERT_NO_FATAL_FAILURE(Put("/long/a.txt", 4, 5, &want_long));
  ASSERT_NO_FATAL_FAILURE(Put("/short/a.txt", 2, 6, &want_short));
  SubmitInBackground("faulty_job", "/long", "/out/long",
                     "-- --test_map_sleep_ms=6000 --am_speculation=false");
  std::string first = WaitForRunning("faulty_job", 4);
  ASSERT_FALSE(first.empty());
  int64_t submitted = WallClockMs();
  SubmitInBackground("wordcount", "/short", "/out/short");
  std::vector<CommandResult> results = Wait();
  ExpectExactOutput(results[0], "/out/long", want_long);
  ExpectExactOutput(results[1], "/out/short", want_short);
  // Without preemption its first container would wait for a 6 s map.
  wire::ApplicationReport second = Report(AppIdOf(results[1]));
  int64_t first_start = 0;
  for (const auto& a : second.attempts) {
    if (first_start == 0 || a.start_time_ms < first_start) first_start = a.start_time_ms;
  }
  EXPECT_LT(first_start - submitted, 4500);
  wire::ApplicationReport long_job = Report(first);
  int preempted = 0;
  for (const auto& a : long_job.attempts) {
    EXPECT_NE(a.state, "FAILED") << a.attempt_id << ": " << a.diagnostics;
    if (a.state == "KILLED" && a.diagnostics.find("preempted") != std::string::npos) ++preempted;
  }
  EXPECT_GE(preempted, 1);
  EXPECT_EQ(PrintedCounter(results[0].out, "Failed map tasks"), 0) << results[0].out;
  EXPECT_GE(PrintedCounter(results[0].out, "Killed map tasks"), 1) << results[0].out;
}

// A node manager killed mid-job: the attempts sent to it before the RM
// noticed hold its room (never freed by a release alone), so no task gets
// more than the bound of attempts; the job is exact. Started again, the
// node cleans up the finished job's directory, its logs aggregated first.
TEST_F(SharedClusterE2ETest, ANodeKilledMidJobCostsBoundedAttemptsAndCleansUpWhenBack) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::map<std::string, int64_t> want;
  ASSERT_NO_FATAL_FAILURE(Put("/in/a.txt", 8, 7, &want));
  SubmitInBackground("faulty_job", "/in", "/out/wc", "--reducers 2 -- --test_map_sleep_ms=1500");
  std::string app = WaitForRunning("faulty_job", 2);
  ASSERT_FALSE(app.empty());
  // A node other than the AM's, and an attempt that has run there for a
  // while (its container started, so it leaves logs there).
  std::string victim, on_victim;
  ASSERT_TRUE(Eventually([&] {
    wire::ApplicationReport running = Report(app);
    for (const auto& a : running.attempts) {
      if (a.state == "RUNNING" && a.node_id != running.am_node_id &&
          WallClockMs() - a.start_time_ms > 500) {
        victim = a.node_id;
        on_victim = a.attempt_id;
        return true;
      }
    }
    return false;
  }, std::chrono::seconds(60)));
  ASSERT_EQ(cluster_.Node("kill", victim).exit_code, 0);
  std::vector<CommandResult> results = Wait();
  ExpectExactOutput(results[0], "/out/wc", want, 2);
  wire::ApplicationReport done = Report(app);
  int worst = 0;
  for (const auto& [task, n] : AttemptsPerTask(done)) worst = std::max(worst, n);
  EXPECT_LE(worst, 10) << "attempts per task";
  EXPECT_LE(PrintedCounter(results[0].out, "Killed map tasks"), 20) << results[0].out;

  // The dead node kept the job's directory; started again, it cleans it up
  // and its attempts' logs are readable.
  std::string app_dir = cluster_.dir() + "/" + victim + "/data/apps/" + app;
  EXPECT_TRUE(PathExists(app_dir));
  ASSERT_EQ(cluster_.Node("start", victim).exit_code, 0);
  EXPECT_TRUE(Eventually([&] { return !PathExists(app_dir); },
                         std::chrono::seconds(30)));
  // The attempt that ran there when it died: its logs were aggregated by
  // the restarted node (later grants there may never have started).
  CommandResult logs = cluster_.Mrjob("logs " + app + " " + on_victim, 60);
  EXPECT_EQ(logs.exit_code, 0) << logs.out << logs.err;
  EXPECT_NE(logs.out.find("==> " + on_victim + " stderr (" ), std::string::npos) << logs.out;
  EXPECT_EQ(logs.out.find("(no log kept)"), std::string::npos) << logs.out;
}

// The AM holds one node's only vcore (--mrjob_am_vcores=1) and the other
// node managers die: no live node can hold a task. `mrjob status` says so,
// and the job fails after --am_unschedulable_timeout_ms instead of waiting.
TEST_F(SharedClusterE2ETest, RequestsNoLiveNodeCanHoldFailTheJobAfterTheTimeout) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::map<std::string, int64_t> unused;
  ASSERT_NO_FATAL_FAILURE(Put("/in/a.txt", 6, 8, &unused));
  SubmitInBackground("faulty_job", "/in", "/out/stuck",
                     "--mrjob_am_vcores=1 -- --test_map_sleep_ms=3000 "
                     "--am_unschedulable_timeout_ms=3000");
  std::string app = WaitForRunning("faulty_job", 1);
  ASSERT_FALSE(app.empty());
  std::string am_node = Report(app).am_node_id;
  for (const char* node : {"nm-1-1", "nm-1-2", "nm-2-1", "nm-2-2"}) {
    if (node != am_node) {
      ASSERT_EQ(cluster_.Node("kill", node).exit_code, 0) << node;
    }
  }
  EXPECT_TRUE(Eventually([&] {
    return Report(app).wait_reason.find("unschedulable") != std::string::npos;
  }, std::chrono::seconds(30))) << Report(app).wait_reason;
  std::string status = cluster_.Mrjob("status " + app, 30).out;
  EXPECT_NE(status.find("waiting"), std::string::npos) << status;
  EXPECT_NE(status.find("fits no live node"), std::string::npos) << status;
  std::vector<CommandResult> results = Wait();
  EXPECT_EQ(results[0].exit_code, 1) << results[0].out << results[0].err;
  EXPECT_NE(results[0].err.find("fit no live node for 3000 ms"), std::string::npos)
      << results[0].err;
}

// `mrjob logs APP am` (and a task's) after the job ended, and after the
// cluster was taken down and brought up again on the same directory: the
// node managers aggregated them into the DFS.
TEST_F(SharedClusterE2ETest, LogsOutliveTheJobAndAClusterRestart) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::map<std::string, int64_t> want;
  ASSERT_NO_FATAL_FAILURE(Put("/in/a.txt", 1, 9, &want));
  CommandResult r = cluster_.Submit("wordcount", "/in", "/out/wc");
  ExpectExactOutput(r, "/out/wc", want);
  std::string app = AppIdOf(r);
  auto check = [&](const std::string& when) {
    CommandResult am = cluster_.Mrjob("logs " + app + " am", 60);
    EXPECT_EQ(am.exit_code, 0) << when << ": " << am.out << am.err;
    EXPECT_NE(am.out.find("==> am stderr (" + app + "_c000001"), std::string::npos) << am.out;
    EXPECT_NE(am.out.find(app + ": registered; input /in, output /out/wc"), std::string::npos)
        << when << ": " << am.out;
    EXPECT_NE(am.out.find(app + ": finishing SUCCEEDED"), std::string::npos) << am.out;
    CommandResult map = cluster_.Mrjob("logs " + app + " m_000000", 60);
    EXPECT_EQ(map.exit_code, 0) << when << ": " << map.out << map.err;
    EXPECT_NE(map.out.find("==> m_000000_0 stderr ("), std::string::npos) << map.out;
    EXPECT_EQ(map.out.find("(no log kept)"), std::string::npos) << map.out;
  };
  check("after the job");
  CommandResult down = cluster_.Down();
  ASSERT_EQ(down.exit_code, 0) << down.out << down.err;
  CommandResult up = cluster_.Up("", 0);
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  ASSERT_NO_FATAL_FAILURE(Connect());
  check("after mrcluster down and up");
  EXPECT_EQ(mr::testing::ReadWordCounts(dfs_.get(), "/out/wc", 1), want);
}

// Aggregated logs go once --rm_log_retention_ms has passed.
TEST_F(SharedClusterE2ETest, AggregatedLogsAreDeletedAfterTheRetention) {
  ASSERT_NO_FATAL_FAILURE(
      Start("--rm_flags=--rm_log_retention_ms=2000,--rm_log_retention_check_ms=200"));
  std::map<std::string, int64_t> want;
  ASSERT_NO_FATAL_FAILURE(Put("/in/a.txt", 1, 10, &want));
  CommandResult r = cluster_.Submit("wordcount", "/in", "/out/wc");
  ExpectExactOutput(r, "/out/wc", want);
  std::string dir = "/.logs/" + AppIdOf(r);
  EXPECT_TRUE(Eventually([&] { return !mr::testing::DfsNames(dfs_.get(), dir).empty(); }));
  EXPECT_TRUE(Eventually([&] { return !dfs_->Stat(dir).ok(); }, std::chrono::seconds(20)));
}

// Replication-1 input of 51 chunks (each map's data on one node): with the
// default locality delay, at least 90% of the maps run beside their data or
// in its rack.
TEST_F(SharedClusterE2ETest, MapsOfReplicationOneInputStayLocal) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::map<std::string, int64_t> want;
  ASSERT_NO_FATAL_FAILURE(Put("/in/a.txt", 51, 11, &want, /*replication=*/1));
  CommandResult r = cluster_.Submit("wordcount", "/in", "/out/wc", "--reducers 2");
  ExpectExactOutput(r, "/out/wc", want, 2);
  int64_t maps = PrintedCounter(r.out, "Launched map tasks");
  int64_t local = PrintedCounter(r.out, "Data-local map tasks") +
                  PrintedCounter(r.out, "Rack-local map tasks");
  EXPECT_GE(maps, 51) << r.out;
  EXPECT_GE(local * 10, maps * 9) << r.out;
}

// Every node's shuffle service has all its connections taken by idle
// clients (70 against a limit of 64) for longer than the reduces' bound
// (--mr_shuffle_unreachable_ms=2000): the reduces back off, report fetch
// failures, the maps run again; once the holders let go, the job finishes,
// exactly and with bounded attempts, instead of hanging.
TEST_F(SharedClusterE2ETest, AShuffleOutageOfEveryNodeEndsAndTheJobFinishes) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::map<std::string, int64_t> want;
  ASSERT_NO_FATAL_FAILURE(Put("/in/a.txt", 4, 13, &want));
  auto config = cluster::LoadConfig(cluster_.dir());
  ASSERT_TRUE(config.ok());
  std::vector<int> shuffle_ports;
  for (const cluster::NodeConfig& node : config->nodes) {
    auto port = node.attributes.find("shuffle_port");
    if (port != node.attributes.end()) shuffle_ports.push_back(std::stoi(port->second));
  }
  ASSERT_EQ(shuffle_ports.size(), 4u);
  // The reduces start while the services are full.
  SubmitInBackground("faulty_job", "/in", "/out/wc",
                     "--reducers 2 -- --test_reduce_sleep_ms=0 --mr_shuffle_unreachable_ms=2000");
  std::string app = WaitForRunning("faulty_job", 1);
  ASSERT_FALSE(app.empty());
  std::vector<std::unique_ptr<mr::testing::IdleTcpConnection>> idle;
  for (int port : shuffle_ports) {
    for (int i = 0; i < 70; ++i) {
      idle.push_back(std::make_unique<mr::testing::IdleTcpConnection>(port));
    }
  }
  // Held until reduces have given up on the services at least once.
  EXPECT_TRUE(Eventually([&] {
    for (const auto& a : Report(app).attempts) {
      if (a.attempt_id[0] == 'r' && a.diagnostics.find("fetch") != std::string::npos) return true;
    }
    return false;
  }, std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  idle.clear();
  std::vector<CommandResult> results = Wait();
  ExpectExactOutput(results[0], "/out/wc", want, 2);
  int worst = 0;
  for (const auto& [task, n] : AttemptsPerTask(Report(app))) worst = std::max(worst, n);
  EXPECT_LE(worst, 10);
  EXPECT_EQ(PrintedCounter(results[0].out, "Failed reduce tasks"), 0) << results[0].out;
}

// 600 connections held open to each control service (the DFS master, the
// RM, every NM), half of them idle and half with a request begun and never
// finished, cannot keep others out: a new client's call answers within a
// second, and a job (its AM and tasks calling all three) finishes exactly
// while they are held.
TEST_F(SharedClusterE2ETest, SixHundredHeldConnectionsToEachServiceLeaveItServing) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::map<std::string, int64_t> want;
  ASSERT_NO_FATAL_FAILURE(Put("/in/a.txt", 2, 17, &want));
  auto config = cluster::LoadConfig(cluster_.dir());
  ASSERT_TRUE(config.ok());
  std::vector<int> ports;
  for (const cluster::NodeConfig& node : config->nodes) {
    if (node.role != cluster::Role::kDatanode) ports.push_back(node.port);
  }
  ASSERT_EQ(ports.size(), 6u);  // Master, RM, 4 NMs.
  std::vector<std::unique_ptr<mr::testing::IdleTcpConnection>> held;
  for (int port : ports) {
    for (int i = 0; i < 600; ++i) {
      held.push_back(std::make_unique<mr::testing::IdleTcpConnection>(port));
      if (i % 2 == 1) held.back()->Send(std::string("\0\0", 2));  // Half a frame header.
    }
  }
  // The kernel hands idle connections to the services after about a second
  // (Thrift listens with TCP_DEFER_ACCEPT): by then all of them are in.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  for (int round = 0; round < 3; ++round) {
    auto start = std::chrono::steady_clock::now();
    auto dfs = dfs::DfsClient::ConnectToCluster(cluster_.dir());
    ASSERT_TRUE(dfs.ok()) << dfs.status().ToString();
    auto listed = (*dfs)->List("/in");
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    EXPECT_EQ(listed->size(), 1u);
    auto rm = ConnectResourceManager(*config);
    ASSERT_TRUE(rm.ok()) << rm.status().ToString();
    auto apps = (*rm)->CallFor<std::vector<wire::ApplicationReport>>(
        "ListApplications", [](auto& stub, auto& out) { stub.ListApplications(out); });
    ASSERT_TRUE(apps.ok()) << apps.status().ToString();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1)) << round;
  }
  SubmitInBackground("wordcount", "/in", "/out/wc", "--reducers 2");
  std::vector<CommandResult> results = Wait();
  ExpectExactOutput(results[0], "/out/wc", want, 2);
  int closed = 0;
  for (auto& c : held) closed += c->ClosedByServer();
  EXPECT_GE(closed, 6 * (600 - 256)) << "each service keeps at most 256 from one address";
}

// A job's map progress moves while its only map runs (the fraction of its
// split read), not only when maps finish.
TEST_F(SharedClusterE2ETest, MapProgressMovesWhileTheOnlyMapRuns) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::map<std::string, int64_t> want;
  ASSERT_NO_FATAL_FAILURE(Put("/in/a.txt", 1, 12, &want));
  SubmitInBackground("wordcount", "/in", "/out/wc", "-- --fault_inject_map_record_delay_us=150");
  std::string app = WaitForRunning("wordcount", 1);
  ASSERT_FALSE(app.empty());
  std::vector<double> seen;
  Eventually([&] {
    wire::ApplicationReport report = Report(app);
    if (report.attempt_counts["SUCCEEDED"] > 0 || report.state != wire::AppState::RUNNING) {
      return true;
    }
    seen.push_back(report.map_progress);
    return false;
  }, std::chrono::seconds(60));
  std::vector<CommandResult> results = Wait();
  ExpectExactOutput(results[0], "/out/wc", want);
  bool partial = std::any_of(seen.begin(), seen.end(), [](double p) { return p > 0.05 && p < 0.95; });
  EXPECT_TRUE(partial) << "no partial map progress in " << seen.size() << " polls";
}

}  // namespace
}  // namespace mr::sched
