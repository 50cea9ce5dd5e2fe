// Sorting, spilling and merging, through whole local jobs and through the
// map and reduce tasks directly: the output must be exactly the input
// records, each part sorted by key bytes, whatever the buffer size, merge
// fan-in and spill compression.
#include <atomic>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "common/file.h"
#include "counters.h"
#include "input_format.h"
#include "job_test_util.h"
#include "local_job_runner.h"
#include "map_output_index.h"
#include "mapreduce/mapreduce.h"
#include "segment.h"
#include "tasks.h"
#include "test_util.h"

DECLARE_bool(spill_compression);
DECLARE_int32(spill_block_kb);

namespace mr {
namespace {

using testing::Pairs;

// Input lines "key\tvalue" and the pairs they hold, grouped by key.
struct Corpus {
  std::string text;
  std::map<std::string, std::vector<std::string>> by_key;
  size_t records = 0;
};

// `records` pairs over `distinct` keys. Keys hold NUL and high bytes and
// share long prefixes (so the sort's 8-byte prefix often ties); neither part
// holds '\t', '\n' or '\r'.
Corpus MakeCorpus(int records, int distinct, uint32_t seed) {
  std::mt19937 rng(seed);
  auto random_bytes = [&](size_t n) {
    std::string s(n, '\0');
    for (char& c : s) {
      do c = static_cast<char>(rng()); while (c == '\t' || c == '\n' || c == '\r');
    }
    return s;
  };
  std::vector<std::string> keys;
  for (int i = 0; i < distinct; ++i) {
    switch (i % 4) {
      case 0: keys.push_back(random_bytes(1 + rng() % 20)); break;
      case 1: keys.push_back(std::string("common-prefix-").append(random_bytes(rng() % 4))); break;
      case 2: keys.push_back(std::string(1 + rng() % 10, '\0').append(random_bytes(1))); break;
      default: keys.push_back(std::string("k").append(std::to_string(i))); break;
    }
  }
  Corpus corpus;
  for (int i = 0; i < records; ++i) {
    const std::string& key = keys[rng() % keys.size()];
    std::string value = std::to_string(i) + random_bytes(rng() % 30);
    corpus.text += key + "\t" + value + "\n";
    corpus.by_key[key].push_back(value);
    ++corpus.records;
  }
  for (auto& [key, values] : corpus.by_key) std::sort(values.begin(), values.end());
  return corpus;
}

// Checks that `parts` hold exactly the corpus's pairs, each key in its hash
// partition, each part sorted.
void ExpectOutputMatches(const std::vector<Pairs>& parts, const Corpus& corpus) {
  testing::ExpectPartsSorted(parts);
  HashPartitioner partitioner;
  std::map<std::string, std::vector<std::string>> got;
  for (size_t p = 0; p < parts.size(); ++p) {
    for (const auto& [key, value] : parts[p]) {
      ASSERT_EQ(partitioner.Partition(key, parts.size()), p) << "key in the wrong part";
      got[key].push_back(value);
    }
  }
  for (auto& [key, values] : got) std::sort(values.begin(), values.end());
  ASSERT_EQ(got.size(), corpus.by_key.size());
  EXPECT_TRUE(got == corpus.by_key);
}

struct JobRun {
  Status status;
  Counters counters;
  std::vector<Pairs> parts;
};

Job IdentityJob() {
  Job job("identity");
  job.SetMapper<testing::TabSplitMapper>();
  return job;
}

JobRun RunJob(const Job& job, const std::string& input, const std::string& output,
              LocalJobOptions options) {
  JobRun run;
  options.input = input;
  options.output = output;
  run.status = RunLocalJob(job, options, &run.counters);
  if (run.status.ok()) run.parts = testing::ReadTextParts(output, options.reducers);
  return run;
}

int64_t Framework(const Counters& c, std::string_view name) { return c.Value(kFrameworkGroup, name); }

struct SpillCase {
  const char* name;
  uint64_t buffer_bytes;
  int fan_in;
  bool compression;
  uint64_t split_bytes;
};

class SpillMergeTest : public ::testing::TestWithParam<SpillCase> {};

TEST_P(SpillMergeTest, OutputIsExactlyTheInputSorted) {
  const SpillCase& c = GetParam();
  gflags::FlagSaver saver;
  FLAGS_spill_compression = c.compression;
  FLAGS_spill_block_kb = 4;  // Several blocks per spill even with small buffers.
  testing::ScopedTempDir dir;
  Corpus corpus = MakeCorpus(20000, 3000, 99);
  ASSERT_TRUE(WriteStringToFile(dir.Join("input"), corpus.text, false).ok());

  LocalJobOptions options;
  options.reducers = 3;
  options.parallelism = 2;
  options.sort_buffer_bytes = c.buffer_bytes * 2;  // Per map task: buffer_bytes.
  options.merge_fan_in = c.fan_in;
  options.split_bytes = c.split_bytes;
  JobRun run = RunJob(IdentityJob(), dir.Join("input"), dir.Join("out/job"), options);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ExpectOutputMatches(run.parts, corpus);

  const Counters& k = run.counters;
  EXPECT_EQ(Framework(k, counter::kMapInputRecords), static_cast<int64_t>(corpus.records));
  EXPECT_EQ(Framework(k, counter::kMapOutputRecords), static_cast<int64_t>(corpus.records));
  EXPECT_EQ(Framework(k, counter::kReduceInputRecords), static_cast<int64_t>(corpus.records));
  EXPECT_EQ(Framework(k, counter::kReduceOutputRecords), static_cast<int64_t>(corpus.records));
  EXPECT_EQ(Framework(k, counter::kReduceInputGroups), static_cast<int64_t>(corpus.by_key.size()));
  EXPECT_EQ(k.Value(kFrameworkGroup, counter::kMapInputBytes), static_cast<int64_t>(corpus.text.size()));
  int64_t maps = Framework(k, counter::kMapTasks);
  EXPECT_EQ(maps, static_cast<int64_t>((corpus.text.size() + c.split_bytes - 1) / c.split_bytes));
  EXPECT_EQ(Framework(k, counter::kReduceTasks), 3);
  if (c.buffer_bytes < (64 << 10)) {
    // Far more output than one buffer: every map spilled several times, and
    // the merges wrote the records again.
    EXPECT_GT(Framework(k, counter::kMapSpills), 2 * maps);
    EXPECT_GT(Framework(k, counter::kSpilledRecords), Framework(k, counter::kMapOutputRecords));
    if (c.fan_in <= 3) {
      EXPECT_GT(Framework(k, counter::kMergePasses), 1);
    }
  } else {
    EXPECT_EQ(Framework(k, counter::kMapSpills), maps);
    if (maps <= c.fan_in) {
      EXPECT_EQ(Framework(k, counter::kSpilledRecords), Framework(k, counter::kMapOutputRecords));
    } else {
      // More map outputs than the fan-in: the reduces' intermediate merges.
      EXPECT_GT(Framework(k, counter::kSpilledRecords), Framework(k, counter::kMapOutputRecords));
    }
  }
  // Nothing but the output is left in its parent.
  EXPECT_EQ(testing::ListDir(dir.Join("out")), std::vector<std::string>{"job"});
  EXPECT_TRUE(PathExists(dir.Join("out/job/_SUCCESS")));
}

INSTANTIATE_TEST_SUITE_P(
    Buffers, SpillMergeTest,
    ::testing::Values(SpillCase{"OneSpill", 16 << 20, 64, true, 64 << 20},
                      SpillCase{"ManySpillsFanIn2", 4 << 10, 2, true, 64 << 20},
                      SpillCase{"ManySpillsFanIn3Raw", 4 << 10, 3, false, 64 << 20},
                      SpillCase{"ManySpillsWideFanIn", 8 << 10, 64, true, 64 << 20},
                      SpillCase{"ManyMapsFanIn2", 16 << 20, 2, true, 20 << 10},
                      SpillCase{"ManyMapsManySpillsRaw", 4 << 10, 2, false, 64 << 10}),
    [](const auto& info) { return std::string(info.param.name); });

// A record larger than the whole sort buffer gets a spill of its own.
TEST(SpillTest, RecordLargerThanTheBuffer) {
  for (bool compression : {true, false}) {
    SCOPED_TRACE(compression ? "compressed" : "raw");
    gflags::FlagSaver saver;
    FLAGS_spill_compression = compression;
    testing::ScopedTempDir dir;
    Corpus corpus = MakeCorpus(3000, 200, 5);
    std::mt19937 rng(8);
    std::string huge(1 << 20, 'x');
    for (char& c : huge) c = static_cast<char>('a' + rng() % 26);
    for (const char* key : {"huge-key", "another-huge"}) {
      corpus.text += std::string(key) + "\t" + huge + "\n";
      corpus.by_key[key].push_back(huge);
      ++corpus.records;
    }
    corpus.text += corpus.text.substr(0, 1000);  // More small records after the big ones.
    corpus = [&] {
      // Recompute the pairs from the final text, independently of how it was built.
      Corpus c;
      c.text = corpus.text;
      size_t start = 0;
      while (start < c.text.size()) {
        size_t nl = c.text.find('\n', start);
        if (nl == std::string::npos) nl = c.text.size();
        std::string line = c.text.substr(start, nl - start);
        size_t tab = line.find('\t');
        c.by_key[line.substr(0, tab)].push_back(tab == std::string::npos ? "" : line.substr(tab + 1));
        ++c.records;
        start = nl + 1;
      }
      for (auto& [key, values] : c.by_key) std::sort(values.begin(), values.end());
      return c;
    }();
    ASSERT_TRUE(WriteStringToFile(dir.Join("input"), corpus.text, false).ok());

    LocalJobOptions options;
    options.reducers = 2;
    options.parallelism = 1;
    options.sort_buffer_bytes = 64 << 10;
    options.merge_fan_in = 4;
    JobRun run = RunJob(IdentityJob(), dir.Join("input"), dir.Join("out"), options);
    ASSERT_TRUE(run.status.ok()) << run.status.ToString();
    ExpectOutputMatches(run.parts, corpus);
    EXPECT_GT(Framework(run.counters, counter::kMapSpills), 2);
  }
}

TEST(SpillTest, EmptyInputGivesEmptyParts) {
  testing::ScopedTempDir dir;
  ASSERT_TRUE(CreateDirs(dir.Join("in/sub")).ok());
  ASSERT_TRUE(WriteStringToFile(dir.Join("in/empty"), "", false).ok());
  ASSERT_TRUE(WriteStringToFile(dir.Join("in/sub/empty"), "", false).ok());
  ASSERT_TRUE(WriteStringToFile(dir.Join("in/_ignored"), "not\tread\n", false).ok());
  LocalJobOptions options;
  options.reducers = 4;
  JobRun run = RunJob(IdentityJob(), dir.Join("in"), dir.Join("out"), options);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  for (const Pairs& part : run.parts) EXPECT_TRUE(part.empty());
  for (int r = 0; r < 4; ++r) {
    auto size = FileSize(dir.Join("out/part-r-0000" + std::to_string(r)));
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size, 0u);
  }
  EXPECT_TRUE(PathExists(dir.Join("out/_SUCCESS")));
  EXPECT_TRUE(PathExists(dir.Join("out/_counters.json")));
  EXPECT_EQ(Framework(run.counters, counter::kMapInputRecords), 0);
  EXPECT_EQ(Framework(run.counters, counter::kReduceOutputRecords), 0);
}

// The tasks on their own: each map output is sorted and partitioned, and the
// reduce tasks merge them with a small fan-in.
TEST(TaskTest, MapOutputsAreSortedSegmentsAndReducesMergeThem) {
  gflags::FlagSaver saver;
  FLAGS_spill_block_kb = 1;
  testing::ScopedTempDir dir;
  Corpus corpus = MakeCorpus(5000, 700, 11);
  ASSERT_TRUE(WriteStringToFile(dir.Join("input"), corpus.text, false).ok());
  ASSERT_TRUE(CreateDirs(dir.Join("work")).ok());
  Job job = IdentityJob();
  auto splits = ComputeSplits(dir.Join("input"), job, 16 << 10);
  ASSERT_TRUE(splits.ok());
  ASSERT_GE(splits->size(), 5u);
  constexpr int kReducers = 3;
  HashPartitioner partitioner;
  std::atomic<bool> cancelled{false};
  Counters map_counters;
  std::vector<std::string> outputs;
  for (size_t i = 0; i < splits->size(); ++i) {
    MapTaskSpec spec;
    spec.task_index = static_cast<int>(i);
    spec.split = (*splits)[i];
    spec.num_reducers = kReducers;
    spec.output.buffer_bytes = 8 << 10;
    spec.output.work_dir = dir.Join("work");
    spec.output.output_path = dir.Join("work/map-" + std::to_string(i));
    spec.output.merge_fan_in = 2;
    Status s = RunMapTask(job, partitioner, spec, cancelled, &map_counters);
    ASSERT_TRUE(s.ok()) << s.ToString();
    outputs.push_back(spec.output.output_path);
  }
  // Only the outputs and their indexes remain: spills are merged away.
  std::vector<std::string> expected_files;
  for (size_t i = 0; i < outputs.size(); ++i) {
    expected_files.push_back("map-" + std::to_string(i));
    expected_files.push_back("map-" + std::to_string(i) + ".index");
  }
  std::sort(expected_files.begin(), expected_files.end());
  EXPECT_EQ(testing::ListDir(dir.Join("work")), expected_files);

  uint64_t records = 0;
  for (const std::string& path : outputs) {
    SegmentFile file;
    ASSERT_TRUE(ReadMapOutputIndex(path, &file).ok());
    ASSERT_EQ(file.partitions.size(), static_cast<size_t>(kReducers));
    auto f = RandomAccessFile::Open(path);
    ASSERT_TRUE(f.ok());
    for (int p = 0; p < kReducers; ++p) {
      SegmentReader reader(f->get(), file.partitions[p]);
      std::string last;
      uint64_t n = 0;
      while (true) {
        bool done = false;
        Status s = reader.Next(&done);
        ASSERT_TRUE(s.ok()) << s.ToString();
        if (done) break;
        std::string key(reader.key());
        ASSERT_EQ(partitioner.Partition(key, kReducers), static_cast<uint32_t>(p));
        if (n > 0) {
          ASSERT_LE(last, key);
        }
        last = key;
        ++n;
      }
      EXPECT_EQ(n, file.partitions[p].records);
      records += n;
    }
  }
  EXPECT_EQ(records, corpus.records);
  EXPECT_EQ(map_counters.Value(kFrameworkGroup, counter::kMapOutputRecords),
            static_cast<int64_t>(corpus.records));

  std::vector<Pairs> parts;
  Counters reduce_counters;
  for (int r = 0; r < kReducers; ++r) {
    ReduceTaskSpec spec;
    spec.partition = r;
    spec.num_reducers = kReducers;
    spec.map_outputs = outputs;
    spec.output_path = dir.Join("part-" + std::to_string(r));
    spec.work_dir = dir.Join("work");
    spec.merge_fan_in = 2;
    Status s = RunReduceTask(job, spec, cancelled, &reduce_counters);
    ASSERT_TRUE(s.ok()) << s.ToString();
    parts.push_back(testing::ReadTextPart(spec.output_path));
  }
  ExpectOutputMatches(parts, corpus);
  // More map outputs than the fan-in: intermediate merges rewrote records.
  EXPECT_GT(reduce_counters.Value(kFrameworkGroup, counter::kSpilledRecords), 0);
  EXPECT_EQ(reduce_counters.Value(kFrameworkGroup, counter::kReduceInputRecords),
            static_cast<int64_t>(corpus.records));
  EXPECT_EQ(testing::ListDir(dir.Join("work")), expected_files);  // Merge files are gone.
}

TEST(TaskTest, CancelledMapTaskStops) {
  testing::ScopedTempDir dir;
  Corpus corpus = MakeCorpus(20000, 100, 2);
  ASSERT_TRUE(WriteStringToFile(dir.Join("input"), corpus.text, false).ok());
  Job job = IdentityJob();
  auto splits = ComputeSplits(dir.Join("input"), job, 64 << 20);
  ASSERT_TRUE(splits.ok());
  MapTaskSpec spec;
  spec.split = (*splits)[0];
  spec.output.work_dir = dir.path();
  spec.output.output_path = dir.Join("map-0");
  std::atomic<bool> cancelled{true};
  Counters counters;
  Status s = RunMapTask(job, HashPartitioner(), spec, cancelled, &counters);
  EXPECT_EQ(s.code(), Status::Code::kAborted) << s.ToString();
}

}  // namespace
}  // namespace mr
