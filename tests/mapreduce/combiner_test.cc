// Combiners (with and without map-side aggregation), and jobs whose user
// code breaks: they fail with a clear error and leave nothing behind.
#include <atomic>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "common/file.h"
#include "counters.h"
#include "job_test_util.h"
#include "local_job_runner.h"
#include "mapreduce/mapreduce.h"
#include "test_util.h"

DECLARE_int32(aggregation_combine_threshold);
DECLARE_int32(aggregation_table_mb);  // aggregating_collector.cc

namespace mr {
namespace {

using testing::Pairs;

struct WordCorpus {
  std::string text;
  std::map<std::string, uint64_t> counts;
  uint64_t words = 0;
};

// Lines of words drawn with Zipf-like frequencies, between runs of assorted
// whitespace; counted here with a tokenizer of the test's own.
WordCorpus MakeWordCorpus(int lines, int vocabulary, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<double> weights;
  for (int i = 0; i < vocabulary; ++i) weights.push_back(1.0 / (i + 1));
  std::discrete_distribution<int> zipf(weights.begin(), weights.end());
  const char* separators[] = {" ", "  ", "\t", " \t ", "\v", "\f", "\r"};
  WordCorpus corpus;
  for (int l = 0; l < lines; ++l) {
    int n = rng() % 13;
    for (int w = 0; w < n; ++w) {
      if (w > 0 || rng() % 4 == 0) corpus.text += separators[rng() % 7];
      corpus.text += 'w';
      corpus.text += std::to_string(zipf(rng));
    }
    corpus.text += rng() % 5 == 0 ? "\r\n" : "\n";
  }
  // Count independently: split on the C locale's whitespace.
  std::string word;
  for (char c : corpus.text + "\n") {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!word.empty()) {
        ++corpus.counts[word];
        ++corpus.words;
      }
      word.clear();
    } else {
      word += c;
    }
  }
  return corpus;
}

Job WordCountJob() {
  Job job("wordcount");
  job.SetMapper<testing::WordMapper>().SetCombiner<testing::SumReducer>().SetReducer<testing::SumReducer>();
  return job;
}

std::map<std::string, uint64_t> CountsFromParts(const std::vector<Pairs>& parts) {
  std::map<std::string, uint64_t> counts;
  for (const Pairs& part : parts) {
    for (const auto& [word, count] : part) {
      EXPECT_EQ(counts.count(word), 0u) << "word twice in the output: " << word;
      counts[word] = std::stoull(count);
    }
  }
  return counts;
}

int64_t Framework(const Counters& c, std::string_view name) { return c.Value(kFrameworkGroup, name); }

struct CombineCase {
  const char* name;
  bool aggregate;
  uint64_t buffer_bytes;  // Per map task.
};

class CombinerTest : public ::testing::TestWithParam<CombineCase> {};

TEST_P(CombinerTest, SameCountsAsWithoutCombining) {
  const CombineCase& c = GetParam();
  testing::ScopedTempDir dir;
  WordCorpus corpus = MakeWordCorpus(20000, 5000, 17);
  ASSERT_TRUE(WriteStringToFile(dir.Join("input"), corpus.text, false).ok());
  LocalJobOptions options;
  options.input = dir.Join("input");
  options.output = dir.Join("out");
  options.reducers = 3;
  options.parallelism = 2;
  options.split_bytes = 200 << 10;
  options.sort_buffer_bytes = c.buffer_bytes * 2;
  options.merge_fan_in = 3;
  options.map_side_aggregation = c.aggregate;
  Counters k;
  Status s = RunLocalJob(WordCountJob(), options, &k);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<Pairs> parts = testing::ReadTextParts(options.output, 3);
  testing::ExpectPartsSorted(parts);
  EXPECT_TRUE(CountsFromParts(parts) == corpus.counts);

  int64_t map_out = Framework(k, counter::kMapOutputRecords);
  int64_t combine_in = Framework(k, counter::kCombineInputRecords);
  int64_t combine_out = Framework(k, counter::kCombineOutputRecords);
  EXPECT_EQ(map_out, static_cast<int64_t>(corpus.words));
  // The combiner saw most records (a key alone in its spill skips it, as the
  // combiner may run zero times) and shrank what it saw.
  EXPECT_GT(combine_in, map_out / 2);
  EXPECT_LT(combine_out, combine_in);
  EXPECT_LT(Framework(k, counter::kReduceInputRecords), map_out);
  EXPECT_EQ(Framework(k, counter::kReduceOutputRecords), static_cast<int64_t>(corpus.counts.size()));
  EXPECT_EQ(Framework(k, counter::kReduceInputGroups), static_cast<int64_t>(corpus.counts.size()));
  if (c.buffer_bytes < (64 << 10)) {
    EXPECT_GT(Framework(k, counter::kMapSpills), 3 * Framework(k, counter::kMapTasks));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, CombinerTest,
    ::testing::Values(CombineCase{"Aggregating", true, 16 << 20},
                      CombineCase{"Sorting", false, 16 << 20},
                      CombineCase{"AggregatingManySpills", true, 48 << 10},
                      CombineCase{"SortingManySpills", false, 16 << 10}),
    [](const auto& info) { return std::string(info.param.name); });

// When nothing is combined twice (one spill per map, no in-place combining),
// the combiner reads each map output record exactly once.
TEST(CombinerCountersTest, CombineInputEqualsMapOutputWhenCombinedOnce) {
  for (bool aggregate : {true, false}) {
    SCOPED_TRACE(aggregate ? "aggregating" : "sorting");
    gflags::FlagSaver saver;
    FLAGS_aggregation_combine_threshold = 1 << 30;
    testing::ScopedTempDir dir;
    WordCorpus corpus = MakeWordCorpus(5000, 300, 4);
    ASSERT_TRUE(WriteStringToFile(dir.Join("input"), corpus.text, false).ok());
    LocalJobOptions options;
    options.input = dir.Join("input");
    options.output = dir.Join("out");
    options.reducers = 2;
    options.split_bytes = 16 << 10;
    options.map_side_aggregation = aggregate;
    Counters k;
    Status s = RunLocalJob(WordCountJob(), options, &k);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(CountsFromParts(testing::ReadTextParts(options.output, 2)) == corpus.counts);
    EXPECT_EQ(Framework(k, counter::kMapSpills), Framework(k, counter::kMapTasks));
    // A key with a single value in a spill skips the combiner (which may run
    // zero times), so those records reach the reducers as they are: what
    // the combiner removed is exactly what the reducers did not get.
    EXPECT_LT(Framework(k, counter::kCombineInputRecords), Framework(k, counter::kMapOutputRecords));
    EXPECT_EQ(Framework(k, counter::kCombineInputRecords) - Framework(k, counter::kCombineOutputRecords),
              Framework(k, counter::kMapOutputRecords) - Framework(k, counter::kReduceInputRecords));
    EXPECT_LT(Framework(k, counter::kCombineOutputRecords), Framework(k, counter::kCombineInputRecords));
  }
}

// The aggregation table spills at --aggregation_table_mb even when the sort
// buffer has room for more, and the counts stay exact either way.
TEST(CombinerCountersTest, AggregationTableSpillsAtItsOwnBudget) {
  testing::ScopedTempDir dir;
  WordCorpus corpus = MakeWordCorpus(40000, 100000, 8);  // Tens of thousands of distinct words.
  ASSERT_TRUE(WriteStringToFile(dir.Join("input"), corpus.text, false).ok());
  for (int table_mb : {1, 64}) {
    SCOPED_TRACE("--aggregation_table_mb=" + std::to_string(table_mb));
    gflags::FlagSaver saver;
    FLAGS_aggregation_table_mb = table_mb;
    LocalJobOptions options;
    options.input = dir.Join("input");
    options.output = dir.Join("out" + std::to_string(table_mb));
    options.reducers = 2;
    options.parallelism = 1;
    options.split_bytes = 64 << 20;         // One map task.
    options.sort_buffer_bytes = 64 << 20;  // Room for the whole table.
    Counters k;
    Status s = RunLocalJob(WordCountJob(), options, &k);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(CountsFromParts(testing::ReadTextParts(options.output, 2)) == corpus.counts);
    ASSERT_EQ(Framework(k, counter::kMapTasks), 1);
    if (table_mb == 1) {
      EXPECT_GT(Framework(k, counter::kMapSpills), 1);
    } else {
      EXPECT_EQ(Framework(k, counter::kMapSpills), 1);
    }
  }
}

// Keys with long lists: every word of a line under one of 3 keys.
class BucketMapper : public Mapper {
 public:
  void Map(std::string_view, std::string_view line, Context& context) override {
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && testing::WordMapper::IsSpace(line[i])) ++i;
      size_t start = i;
      while (i < line.size() && !testing::WordMapper::IsSpace(line[i])) ++i;
      if (i > start) context.Emit(std::to_string(i % 3), line.substr(start, i - start));
    }
  }
};

// A combiner and reducer that build a list and never shrink it: the values,
// joined by ','. Counts every byte it reads.
std::atomic<uint64_t> list_bytes_read{0};
class ListBuildingReducer : public Reducer {
 public:
  void Reduce(std::string_view key, ValueIterator& values, Context& context) override {
    std::string list;
    std::string_view value;
    while (values.Next(&value)) {
      list_bytes_read += value.size();
      if (!list.empty()) list += ',';
      list.append(value);
    }
    context.Emit(key, list);
  }
};

// Map-side aggregation re-combines a key only when its values doubled, and
// stops once the combiner does not shrink them: the combiner reads each byte
// a few times, not once per later value (which took a list-building job
// from 0.3 s to over a minute).
TEST(CombinerCountersTest, AListBuildingCombinerReadsEachByteAFewTimes) {
  testing::ScopedTempDir dir;
  WordCorpus corpus = MakeWordCorpus(20000, 2000, 5);
  ASSERT_TRUE(WriteStringToFile(dir.Join("input"), corpus.text, false).ok());
  uint64_t word_bytes = 0;
  for (const auto& [word, count] : corpus.counts) word_bytes += word.size() * count;
  for (bool aggregate : {true, false}) {
    SCOPED_TRACE(aggregate ? "aggregating" : "sorting");
    LocalJobOptions options;
    options.input = dir.Join("input");
    options.output = dir.Join(aggregate ? "agg" : "sort");
    options.reducers = 1;
    options.parallelism = 1;
    options.split_bytes = 64 << 20;  // One map task.
    options.map_side_aggregation = aggregate;
    Job job("lists");
    job.SetMapper<BucketMapper>().SetCombiner<ListBuildingReducer>().SetReducer<ListBuildingReducer>();
    list_bytes_read = 0;
    Counters k;
    Status s = RunLocalJob(job, options, &k);
    ASSERT_TRUE(s.ok()) << s.ToString();
    // Every word is in its list once.
    uint64_t listed = 0;
    std::vector<Pairs> parts = testing::ReadTextParts(options.output, 1);
    ASSERT_EQ(parts.size(), 1u);
    for (const auto& [key, list] : parts[0]) {
      listed += std::count(list.begin(), list.end(), ',') + 1;
    }
    EXPECT_EQ(listed, corpus.words);
    // Each byte is read by combiners and the reducer together a few times.
    EXPECT_LT(list_bytes_read.load(), 5 * word_bytes);
  }
}

// Breaks the combiner contract: emits a key other than the one it was given.
class KeyChangingCombiner : public Reducer {
 public:
  void Reduce(std::string_view key, ValueIterator& values, Context& context) override {
    context.Emit(std::string(key) + "-changed", "1");
  }
};

class ThrowingMapper : public Mapper {
 public:
  void Map(std::string_view, std::string_view line, Context& context) override {
    if (++lines_ == 100) throw std::runtime_error("mapper exploded on purpose");
    context.Emit(line, "1");
  }

 private:
  int lines_ = 0;
};

class ThrowingReducer : public Reducer {
 public:
  void Reduce(std::string_view key, ValueIterator& values, Context& context) override {
    throw std::runtime_error("reducer exploded on purpose");
  }
};

// Runs a job that must fail, and checks that it leaves nothing: no output,
// no hidden temporary sibling, nothing in the local scratch directory.
void ExpectFailsCleanly(const Job& job, bool aggregate, const std::string& message) {
  testing::ScopedTempDir dir;
  WordCorpus corpus = MakeWordCorpus(5000, 500, 9);
  ASSERT_TRUE(WriteStringToFile(dir.Join("input"), corpus.text, false).ok());
  ASSERT_TRUE(CreateDirs(dir.Join("parent")).ok());
  ASSERT_TRUE(CreateDirs(dir.Join("scratch")).ok());
  LocalJobOptions options;
  options.input = dir.Join("input");
  options.output = dir.Join("parent/out");
  options.local_dir = dir.Join("scratch");
  options.reducers = 2;
  options.parallelism = 2;
  options.split_bytes = 16 << 10;
  options.sort_buffer_bytes = 256 << 10;
  options.map_side_aggregation = aggregate;
  Counters counters;
  Status s = RunLocalJob(job, options, &counters);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find(message), std::string::npos) << s.ToString();
  EXPECT_FALSE(PathExists(options.output));
  EXPECT_EQ(testing::ListDir(dir.Join("parent")), std::vector<std::string>{});
  EXPECT_EQ(testing::ListDir(dir.Join("scratch")), std::vector<std::string>{});
}

TEST(JobFailureTest, CombinerThatChangesTheKeyFailsTheJob) {
  for (bool aggregate : {true, false}) {
    SCOPED_TRACE(aggregate ? "aggregating" : "sorting");
    Job job("badcombiner");
    job.SetMapper<testing::WordMapper>().SetCombiner<KeyChangingCombiner>().SetReducer<testing::SumReducer>();
    ExpectFailsCleanly(job, aggregate, "combiner emitted a key other than its input key");
  }
}

TEST(JobFailureTest, ThrowingMapperFailsTheJob) {
  Job job("badmapper");
  job.SetMapper<ThrowingMapper>().SetReducer<testing::SumReducer>();
  ExpectFailsCleanly(job, true, "mapper exploded on purpose");
}

TEST(JobFailureTest, ThrowingReducerFailsTheJob) {
  Job job("badreducer");
  job.SetMapper<testing::WordMapper>().SetReducer<ThrowingReducer>();
  ExpectFailsCleanly(job, true, "reducer exploded on purpose");
}

TEST(JobFailureTest, ExistingOutputIsRefusedAndKept) {
  testing::ScopedTempDir dir;
  ASSERT_TRUE(WriteStringToFile(dir.Join("input"), "a b\n", false).ok());
  ASSERT_TRUE(CreateDirs(dir.Join("out")).ok());
  ASSERT_TRUE(WriteStringToFile(dir.Join("out/keep"), "precious", false).ok());
  LocalJobOptions options;
  options.input = dir.Join("input");
  options.output = dir.Join("out");
  Counters counters;
  Status s = RunLocalJob(WordCountJob(), options, &counters);
  EXPECT_TRUE(s.IsAlreadyExists()) << s.ToString();
  EXPECT_EQ(testing::ListDir(dir.Join("out")), std::vector<std::string>{"keep"});
  EXPECT_EQ(testing::ListDir(dir.path()), (std::vector<std::string>{"input", "out"}));
}

}  // namespace
}  // namespace mr
