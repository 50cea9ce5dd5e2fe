// Task attempts of a cluster job as real processes (docs/SCHEDULER.md), with
// what a Node Manager and an Application Master would provide played by the
// test: a real local DFS (mrcluster, 1 MiB chunks), TaskSpecs written by
// hand, the container environment, and an in-process ShuffleServer serving
// the map outputs. `wordcount --mr_role=task` runs one map per chunk, then
// the reduces; their part files, read back from the DFS, must hold exactly
// an independent count of the words.
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "counters.h"
#include "dfs_test_util.h"
#include "mapreduce/mapreduce.h"
#include "scheduler/shuffle/shuffle_server.h"
#include "task_spec_io.h"
#include "test_util.h"

namespace mr {
namespace {

using testing::CommandResult;
using testing::EngineDfs;
using testing::Quote;

constexpr char kApp[] = "app_1764237600000_0007";
constexpr int64_t kChunk = EngineDfs::kChunkBytes;

// About `bytes` of text: words from a skewed vocabulary, lines of 0-30 words.
std::string MakeText(size_t bytes) {
  std::mt19937_64 rng(42);
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 3000; ++i) {
    std::string word = "w";
    word += std::to_string(i * 7919 % 100003);
    vocabulary.push_back(word);
  }
  std::string text;
  while (text.size() < bytes) {
    int words = rng() % 31;
    for (int i = 0; i < words; ++i) {
      uint64_t r = rng() % vocabulary.size();
      text += vocabulary[r * r / vocabulary.size()];  // Small indexes more often.
      text += i + 1 < words ? (rng() % 7 == 0 ? "\t" : " ") : "";
    }
    text += "\n";
  }
  return text;
}

std::map<std::string, int64_t> CountWords(const std::string& text) {
  std::map<std::string, int64_t> counts;
  size_t i = 0;
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (i < text.size()) {
    while (i < text.size() && space(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !space(text[i])) ++i;
    if (i > start) ++counts[text.substr(start, i - start)];
  }
  return counts;
}

class TaskAttemptITest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = testing::MissingDfsDaemons();
    if (!missing.empty()) GTEST_SKIP() << "DFS daemons not available: " << missing;
    ASSERT_NO_FATAL_FAILURE(dfs_.Up());
    apps_dir_ = dfs_.Join("nm/apps");
    app_dir_ = JoinPath(apps_dir_, kApp);
    ASSERT_TRUE(CreateDirs(app_dir_).ok());
    shuffle::ShuffleServer::Options options;
    options.apps_dir = apps_dir_;
    auto server = shuffle::ShuffleServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    shuffle_ = std::move(server).value();
  }
  void TearDown() override {
    if (shuffle_) shuffle_->Stop();
  }

  // Runs `wordcount --mr_role=task` in a container directory of its own with
  // the environment a Node Manager sets; *counters gets its TaskResult.
  CommandResult RunAttempt(const wire::TaskSpec& spec, const std::string& container,
                           Counters* counters = nullptr,
                           const std::string& binary = testing::BinPath("wordcount")) {
    std::string dir = dfs_.Join("nm/containers/" + container);
    EXPECT_TRUE(CreateDirs(dir).ok());
    if (!spec.app_id.empty()) {
      EXPECT_TRUE(WriteStringToFile(JoinPath(dir, "task_spec"), EncodeTaskSpec(spec), false).ok());
    }
    std::string env = " MR_APP_ID=" + std::string(kApp) + " MR_CONTAINER_ID=" + container +
                      " MR_APP_LOCAL_DIR=" + Quote(app_dir_) +
                      " MR_DFS_MASTER=" + dfs_.master_address() +
                      " MR_NODE_HOST=127.0.0.1 MR_RACK=/r1 MR_NODE_ID=nm-1-1";
    CommandResult r = testing::RunCommand("env -C " + Quote(dir) + env + " " +
                                              Quote(binary) +
                                              " --mr_role=task --mr_task_spec=task_spec",
                                          120);
    if (r.exit_code == 0 && counters != nullptr) {
      Result<std::string> result = ReadFileToString(JoinPath(dir, "result"));
      EXPECT_TRUE(result.ok()) << result.status().ToString();
      if (result.ok()) {
        EXPECT_TRUE(DecodeTaskResult(*result, counters).ok());
      }
    }
    return r;
  }

  wire::TaskSpec MapSpec(int index, int64_t offset, int64_t length, int reducers) {
    wire::TaskSpec spec;
    spec.app_id = kApp;
    spec.is_map = true;
    spec.index = index;
    spec.num_reducers = reducers;
    spec.input_path = "/in/text";
    spec.offset = offset;
    spec.length = length;
    spec.output_name = "m_00000" + std::to_string(index) + "_0.out";
    // A small buffer: several spills and a merge in every map; every other
    // map sorts instead of aggregating.
    spec.sort_buffer_mb = 1;
    spec.map_side_aggregation = index % 2 == 0;
    return spec;
  }

  // Runs every map of `text` (one per chunk), then every reduce; returns the
  // words and counts of each part file, in order.
  std::vector<std::vector<std::pair<std::string, int64_t>>> RunJob(
      const std::string& text, int reducers, const std::vector<std::string>& split_points,
      Counters* counters) {
    std::vector<wire::TaskSpec> maps;
    for (int64_t offset = 0, i = 0; offset < static_cast<int64_t>(text.size()); offset += kChunk, ++i) {
      maps.push_back(MapSpec(static_cast<int>(i), offset,
                             std::min<int64_t>(kChunk, text.size() - offset), reducers));
      maps.back().split_points = split_points;
    }
    return RunMapsAndReduces(maps, reducers, counters);
  }

  // Runs the maps (indexes 0, 1, ...), then every reduce; as RunJob.
  std::vector<std::vector<std::pair<std::string, int64_t>>> RunMapsAndReduces(
      const std::vector<wire::TaskSpec>& maps, int reducers, Counters* counters) {
    std::vector<wire::MapOutputLocation> outputs;
    for (size_t i = 0; i < maps.size(); ++i) {
      const wire::TaskSpec& spec = maps[i];
      CommandResult r = RunAttempt(spec, "c_map" + std::to_string(i), counters);
      EXPECT_EQ(r.exit_code, 0) << r.err;
      wire::MapOutputLocation location;
      location.map_index = static_cast<int32_t>(i);
      location.host = "127.0.0.1";
      location.shuffle_port = shuffle_->port();
      location.output_name = spec.output_name;
      outputs.push_back(location);
    }
    // What the maps leave: their outputs and indexes, nothing half-written.
    std::vector<std::string> expected_files;
    for (const auto& o : outputs) {
      expected_files.push_back(o.output_name);
      expected_files.push_back(o.output_name + ".index");
    }
    std::sort(expected_files.begin(), expected_files.end());
    EXPECT_EQ(testing::ListDir(JoinPath(app_dir_, "output")), expected_files);

    std::reverse(outputs.begin(), outputs.end());  // Any order will do.
    std::vector<std::vector<std::pair<std::string, int64_t>>> parts;
    for (int r = 0; r < reducers; ++r) {
      wire::TaskSpec spec;
      spec.app_id = kApp;
      spec.is_map = false;
      spec.index = r;
      spec.num_reducers = reducers;
      spec.map_outputs = outputs;
      spec.output_dir = "/out/_attempts/r_00000" + std::to_string(r) + "_0";
      CommandResult result = RunAttempt(spec, "c_reduce" + std::to_string(r), counters);
      EXPECT_EQ(result.exit_code, 0) << result.err;
      Result<std::string> part = dfs_.Get(spec.output_dir + "/part-r-0000" + std::to_string(r));
      EXPECT_TRUE(part.ok()) << part.status().ToString();
      parts.emplace_back();
      if (!part.ok()) continue;
      std::string_view rest = *part;
      while (!rest.empty()) {
        size_t tab = rest.find('\t'), nl = rest.find('\n');
        EXPECT_LT(tab, nl);
        if (tab >= nl || nl == std::string_view::npos) break;
        parts.back().emplace_back(std::string(rest.substr(0, tab)),
                                  std::stoll(std::string(rest.substr(tab + 1, nl - tab - 1))));
        rest.remove_prefix(nl + 1);
      }
    }
    return parts;
  }

  EngineDfs dfs_;
  std::string apps_dir_;
  std::string app_dir_;
  std::unique_ptr<shuffle::ShuffleServer> shuffle_;
};

TEST_F(TaskAttemptITest, WordCountMapsAndReducesWithHashPartitioning) {
  std::string text = MakeText(3 * kChunk + 300000);
  ASSERT_TRUE(dfs_.Put("/in/text", text).ok());
  constexpr int kReducers = 3;
  Counters counters;
  auto parts = RunJob(text, kReducers, {}, &counters);
  ASSERT_EQ(parts.size(), static_cast<size_t>(kReducers));

  std::map<std::string, int64_t> counted;
  HashPartitioner partitioner;
  for (int r = 0; r < kReducers; ++r) {
    EXPECT_TRUE(std::is_sorted(parts[r].begin(), parts[r].end())) << "part " << r;
    for (const auto& [word, count] : parts[r]) {
      EXPECT_EQ(partitioner.Partition(word, kReducers), static_cast<uint32_t>(r)) << word;
      EXPECT_TRUE(counted.emplace(word, count).second) << "twice: " << word;
    }
  }
  EXPECT_TRUE(counted == CountWords(text)) << counted.size() << " words counted";
  int64_t lines = std::count(text.begin(), text.end(), '\n');
  EXPECT_EQ(counters.Value(kFrameworkGroup, counter::kMapInputRecords), lines);
  EXPECT_EQ(counters.Value(kFrameworkGroup, counter::kMapTasks), 4);
  EXPECT_EQ(counters.Value(kFrameworkGroup, counter::kReduceTasks), kReducers);
  EXPECT_GT(counters.Value(kFrameworkGroup, counter::kReduceShuffleBytes), 0);
}

TEST_F(TaskAttemptITest, RangePartitioningOnGivenSplitPoints) {
  std::string text = MakeText(2 * kChunk + 1000);
  ASSERT_TRUE(dfs_.Put("/in/text", text).ok());
  const std::vector<std::string> points = {"w3", "w6"};
  Counters counters;
  auto parts = RunJob(text, 3, points, &counters);
  ASSERT_EQ(parts.size(), 3u);
  std::map<std::string, int64_t> counted;
  for (int r = 0; r < 3; ++r) {
    for (const auto& [word, count] : parts[r]) {
      if (r > 0) {
        EXPECT_GE(word, points[r - 1]);
      }
      if (r < 2) {
        EXPECT_LT(word, points[r]);
      }
      counted[word] += count;
    }
  }
  EXPECT_TRUE(counted == CountWords(text));
}

TEST_F(TaskAttemptITest, CombinedSplitReadsEachPieceAsItsOwnSplitWould) {
  // Map 0 reads chunk 0 and the tail of /in/text and all of /in/small (3
  // pieces, not adjacent, lines crossing their boundaries); map 1 chunk 1.
  std::string text = MakeText(2 * kChunk + 5000);
  std::string small = MakeText(3000) + "last line without a newline";
  ASSERT_TRUE(dfs_.Put("/in/text", text).ok());
  ASSERT_TRUE(dfs_.Put("/in/small", small).ok());
  auto piece = [](const std::string& path, int64_t offset, int64_t length) {
    wire::InputPiece p;
    p.path = path;
    p.offset = offset;
    p.length = length;
    return p;
  };
  const int64_t size = static_cast<int64_t>(text.size());
  wire::TaskSpec combined = MapSpec(0, 0, 0, 2);
  combined.input_path.clear();
  combined.pieces = {piece("/in/text", 0, kChunk),
                     piece("/in/text", 2 * kChunk, size - 2 * kChunk),
                     piece("/in/small", 0, static_cast<int64_t>(small.size()))};
  std::vector<wire::TaskSpec> maps = {combined, MapSpec(1, kChunk, kChunk, 2)};
  Counters counters;
  auto parts = RunMapsAndReduces(maps, 2, &counters);
  std::map<std::string, int64_t> counted;
  for (const auto& part : parts) {
    for (const auto& [word, count] : part) counted[word] += count;
  }
  EXPECT_TRUE(counted == CountWords(text + "\n" + small)) << counted.size() << " words counted";
  int64_t lines = std::count(text.begin(), text.end(), '\n') +
                  std::count(small.begin(), small.end(), '\n') + 1;  // + small's last line.
  EXPECT_EQ(counters.Value(kFrameworkGroup, counter::kMapInputRecords), lines);
  EXPECT_EQ(counters.Value(kFrameworkGroup, counter::kMapInputBytes),
            size + static_cast<int64_t>(small.size()));
  EXPECT_EQ(counters.Value(kFrameworkGroup, counter::kMapTasks), 2);
}

// One line on stderr saying which attempt failed and why; exit code 1; no
// result file and no output left behind.
void ExpectOneLineFailure(const CommandResult& r, const std::string& what) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
}

TEST_F(TaskAttemptITest, FailingAttemptsExit1WithOneLine) {
  wire::TaskSpec map = MapSpec(0, 0, 100, 1);
  map.input_path = "/in/missing";
  ExpectOneLineFailure(RunAttempt(map, "c_missing_input"), "task m_000000_0 failed");
  EXPECT_FALSE(PathExists(JoinPath(app_dir_, "output/m_000000_0.out")));
  EXPECT_FALSE(PathExists(dfs_.Join("nm/containers/c_missing_input/result")));

  wire::TaskSpec reduce;
  reduce.app_id = kApp;
  reduce.index = 0;
  reduce.attempt = 2;
  reduce.num_reducers = 1;
  reduce.output_dir = "/out/_attempts/r_000000_2";
  wire::MapOutputLocation gone;
  gone.host = "127.0.0.1";
  gone.shuffle_port = shuffle_->port();
  gone.output_name = "m_000000_0.out";  // Never written.
  reduce.map_outputs = {gone};
  ExpectOneLineFailure(RunAttempt(reduce, "c_missing_map_output"), "task r_000000_2 failed");
  EXPECT_TRUE(dfs_.client()->Stat("/out/_attempts/r_000000_2/part-r-00000").status().IsNotFound());

  ExpectOneLineFailure(RunAttempt(wire::TaskSpec(), "c_no_spec"), "task_spec");
}

// This executable's directory, where throwing_job is built.
std::string TestBinDir() {
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  return DirName(std::string(self, n > 0 ? n : 0));
}

TEST_F(TaskAttemptITest, UserCodeExceptionFailsTheAttempt) {
  ASSERT_TRUE(dfs_.Put("/in/text", "fine\nboom\nfine\n").ok());
  wire::TaskSpec map = MapSpec(0, 0, 15, 1);
  CommandResult r = RunAttempt(map, "c_throws", nullptr, JoinPath(TestBinDir(), "throwing_job"));
  ExpectOneLineFailure(r, "task m_000000_0 failed");
  EXPECT_NE(r.err.find("the mapper saw boom"), std::string::npos) << r.err;
  EXPECT_EQ(testing::ListDir(JoinPath(app_dir_, "output")), std::vector<std::string>());
}

}  // namespace
}  // namespace mr
