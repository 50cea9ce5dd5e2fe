// A task attempt's progress: the "progress" file format its Node Manager
// reads (scheduler/nodemanager/progress_file.h: atomic replacement, garbage
// tolerated), the ProgressReporter (rate limit, monotone fraction, ticks,
// phases) and the engine's reports from a real map and reduce.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "hash_partition.h"
#include "input_format.h"
#include "mapreduce/mapreduce.h"
#include "progress_reporter.h"
#include "scheduler/nodemanager/progress_file.h"
#include "tasks.h"
#include "test_util.h"

namespace mr {
namespace {

using sched::EncodeProgress;
using sched::ParseProgress;
using sched::ProgressReport;
using sched::ReadProgressFile;
using sched::WriteProgressFile;
using std::chrono::milliseconds;

TEST(ProgressFileTest, RoundTrip) {
  ProgressReport r = ParseProgress(EncodeProgress(0.25, 17));
  EXPECT_DOUBLE_EQ(r.fraction, 0.25);
  EXPECT_EQ(r.ticks, 17);
  EXPECT_EQ(EncodeProgress(1, 0), "1.000000 0\n");
  r = ParseProgress("0 0\n");
  EXPECT_EQ(r.fraction, 0);
}

TEST(ProgressFileTest, GarbageIsNoProgress) {
  for (const std::string& text :
       {std::string(), std::string("garbage"), std::string("0.5\n"), std::string("0.5 3"),
        std::string("1.5 3\n"), std::string("-0.1 2\n"), std::string("nan 1\n"),
        std::string("inf 1\n"), std::string("0.5 -1\n"), std::string("0.5 3\nmore"),
        std::string("0.5 3 4\n"), std::string(" 0.5 3\n"), std::string("0.5  3\n"),
        std::string("0.5 3x\n"), std::string("0.5 99999999999999999999999\n"),
        std::string("0.5\0 3\n", 7)}) {
    ProgressReport r = ParseProgress(text);
    EXPECT_EQ(r.fraction, -1) << "'" << text << "'";
    EXPECT_EQ(r.ticks, 0) << "'" << text << "'";
  }
}

TEST(ProgressFileTest, MissingOrHugeFileIsNoProgress) {
  testing::ScopedTempDir dir;
  EXPECT_EQ(ReadProgressFile(dir.Join("progress")).fraction, -1);
  ASSERT_TRUE(WriteStringToFile(dir.Join("big"), std::string(1 << 20, '1'), false).ok());
  EXPECT_EQ(ReadProgressFile(dir.Join("big")).fraction, -1);
  ASSERT_TRUE(CreateDirs(dir.Join("a_dir")).ok());
  EXPECT_EQ(ReadProgressFile(dir.Join("a_dir")).fraction, -1);
}

// A reader polling while the writer replaces the file sees only whole
// reports, each at least as new as the one before.
TEST(ProgressFileTest, ReplacementIsAtomic) {
  testing::ScopedTempDir dir;
  const std::string path = dir.Join("progress");
  ASSERT_TRUE(WriteProgressFile(path, 0, 0).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, reads{0};
  std::thread reader([&] {
    int64_t last = 0;
    while (!stop) {
      ProgressReport r = ReadProgressFile(path);
      ++reads;
      if (r.fraction < 0 || r.ticks < last) ++torn;
      last = std::max(last, r.ticks);
    }
  });
  for (int i = 1; i <= 1000; ++i) {
    ASSERT_TRUE(WriteProgressFile(path, i / 1000.0, i).ok());
  }
  stop = true;
  reader.join();
  EXPECT_EQ(torn, 0) << "of " << reads << " reads";
  ProgressReport last = ReadProgressFile(path);
  EXPECT_EQ(last.fraction, 1);
  EXPECT_EQ(last.ticks, 1000);
  EXPECT_EQ(testing::ListDir(dir.path()), std::vector<std::string>{"progress"});
}

TEST(ProgressReporterTest, WritesAtOnceThenAtMostOncePerInterval) {
  testing::ScopedTempDir dir;
  ProgressReporter::Options options;
  options.path = dir.Join("progress");
  options.interval = std::chrono::hours(1);
  ProgressReporter reporter(options);
  EXPECT_EQ(ReadProgressFile(options.path).fraction, -1);  // Nothing before a report.
  reporter.Report(0.1);
  ProgressReport r = ReadProgressFile(options.path);
  EXPECT_DOUBLE_EQ(r.fraction, 0.1);
  EXPECT_EQ(r.ticks, 1);
  for (int i = 0; i < 100; ++i) reporter.Report(0.5);
  r = ReadProgressFile(options.path);  // Within the interval: unchanged.
  EXPECT_DOUBLE_EQ(r.fraction, 0.1);
  EXPECT_EQ(r.ticks, 1);
  reporter.Report(0.3);  // Never goes down.
  reporter.Flush();
  r = ReadProgressFile(options.path);
  EXPECT_DOUBLE_EQ(r.fraction, 0.5);
  EXPECT_EQ(r.ticks, 102);
  reporter.Report(7);  // Clamped.
  EXPECT_EQ(reporter.fraction(), 1);
  EXPECT_EQ(reporter.ticks(), 103);
}

TEST(ProgressReporterTest, WritesAgainOnceTheIntervalPassed) {
  testing::ScopedTempDir dir;
  ProgressReporter::Options options;
  options.path = dir.Join("progress");
  options.interval = milliseconds(20);
  ProgressReporter reporter(options);
  reporter.Report(0.2);
  EXPECT_TRUE(testing::Eventually([&] {
    reporter.Report(0.4);
    return ReadProgressFile(options.path).fraction == 0.4;
  }));
  EXPECT_GT(ReadProgressFile(options.path).ticks, 1);
}

TEST(ProgressReporterTest, PhasesMapOntoTheTaskAndCallTheHook) {
  testing::ScopedTempDir dir;
  std::vector<double> seen;
  ProgressReporter::Options options;
  options.path = dir.Join("progress");
  options.on_report = [&](double f) { seen.push_back(f); };
  ProgressReporter reporter(options);
  ProgressPhase sort(&reporter, 1.0 / 3, 2.0 / 3);
  sort.Report(1, 2);
  EXPECT_DOUBLE_EQ(reporter.fraction(), 0.5);
  sort.Report(0, 0);  // An empty phase is done.
  EXPECT_DOUBLE_EQ(reporter.fraction(), 2.0 / 3);
  ProgressPhase(&reporter, 2.0 / 3, 1).Done();
  EXPECT_EQ(seen, (std::vector<double>{0.5, 2.0 / 3, 1}));
  ProgressPhase none;  // No reporter: nothing happens.
  EXPECT_FALSE(none.active());
  none.Report(1, 2);
  EXPECT_EQ(reporter.ticks(), 3);
}

// A map and a reduce of the engine report as they go, ending at 1.
TEST(ProgressReporterTest, MapAndReduceTasksReport) {
  testing::ScopedTempDir dir;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "key" + std::to_string(i * 7919 % 20011) + "\tv\n";
  ASSERT_TRUE(WriteStringToFile(dir.Join("input"), text, false).ok());
  Job job("progress");
  std::vector<double> map_seen;
  ProgressReporter::Options options;
  options.path = dir.Join("map-progress");
  options.on_report = [&](double f) { map_seen.push_back(f); };
  ProgressReporter map_reporter(options);
  MapTaskSpec map;
  map.split = {dir.Join("input"), 0, text.size()};
  map.num_reducers = 1;
  map.output.work_dir = dir.path();
  map.output.output_path = dir.Join("map-0");
  map.progress = &map_reporter;
  std::atomic<bool> cancelled{false};
  Counters counters;
  ASSERT_TRUE(RunMapTask(job, HashPartitioner(), map, cancelled, &counters).ok());
  // One report per kProgressRecordInterval records, then the end (one
  // spill: no merge to tick through).
  EXPECT_EQ(map_seen.size(), 20000 / kProgressRecordInterval + 1);
  EXPECT_TRUE(std::is_sorted(map_seen.begin(), map_seen.end()));
  EXPECT_GT(map_seen.front(), 0);
  EXPECT_LT(map_seen.front(), 0.05);
  EXPECT_EQ(map_seen.back(), 1);
  map_reporter.Flush();
  EXPECT_EQ(ReadProgressFile(options.path).fraction, 1);

  // With a small buffer the final merge of the spills ticks too, at 1.
  map_seen.clear();
  map.output.buffer_bytes = 32 << 10;
  map.output.output_path = dir.Join("map-spilled");
  ASSERT_TRUE(RunMapTask(job, HashPartitioner(), map, cancelled, &counters).ok());
  EXPECT_GT(map_seen.size(), 20000 / kProgressRecordInterval + 1 + 20);
  EXPECT_EQ(map_seen.back(), 1);
  EXPECT_TRUE(std::is_sorted(map_seen.begin(), map_seen.end()));

  std::vector<double> reduce_seen;
  options.path = dir.Join("reduce-progress");
  options.on_report = [&](double f) { reduce_seen.push_back(f); };
  ProgressReporter reduce_reporter(options);
  ReduceTaskSpec reduce;
  reduce.map_outputs = {map.output.output_path};
  reduce.output_path = dir.Join("part-0");
  reduce.work_dir = dir.path();
  reduce.progress = &reduce_reporter;
  ASSERT_TRUE(RunReduceTask(job, reduce, cancelled, &counters).ok());
  ASSERT_GE(reduce_seen.size(), 3u);
  EXPECT_DOUBLE_EQ(reduce_seen.front(), 2.0 / 3);  // Nothing to merge: sort done.
  EXPECT_GT(reduce_seen[1], 2.0 / 3);
  EXPECT_EQ(reduce_seen.back(), 1);
  EXPECT_TRUE(std::is_sorted(reduce_seen.begin(), reduce_seen.end()));
}

}  // namespace
}  // namespace mr
