// Hash and range partitioners, and the sampler that picks range split points.
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "input_format.h"
#include "mapreduce/mapreduce.h"
#include "sampler.h"
#include "test_util.h"

namespace mr {
namespace {

TEST(HashPartitionerTest, SpreadsDistinctKeysEvenly) {
  constexpr int kKeys = 100000;
  constexpr uint32_t kPartitions = 8;
  HashPartitioner partitioner;
  std::vector<int> counts(kPartitions, 0);
  for (int i = 0; i < kKeys; ++i) {
    uint32_t p = partitioner.Partition("key-" + std::to_string(i), kPartitions);
    ASSERT_LT(p, kPartitions);
    ++counts[p];
  }
  double mean = static_cast<double>(kKeys) / kPartitions;
  for (uint32_t p = 0; p < kPartitions; ++p) {
    EXPECT_GT(counts[p], mean * 0.9) << "partition " << p;
    EXPECT_LT(counts[p], mean * 1.1) << "partition " << p;
  }
}

TEST(HashPartitionerTest, IsDeterministicAndInRange) {
  HashPartitioner a, b;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    std::string key(rng() % 40, '\0');
    for (char& c : key) c = static_cast<char>(rng());
    uint32_t n = 1 + rng() % 1000;
    uint32_t p = a.Partition(key, n);
    EXPECT_LT(p, n);
    EXPECT_EQ(p, b.Partition(key, n));
    EXPECT_EQ(p, a.Partition(std::string(key), n));  // Same bytes, another buffer.
  }
  EXPECT_EQ(a.Partition("anything", 1), 0u);
  EXPECT_EQ(a.Partition("", 1), 0u);
}

TEST(RangePartitionerTest, SortedKeysGetNonDecreasingPartitions) {
  RangePartitioner partitioner({"d", "h", "p"});
  std::vector<std::string> keys;
  for (int c = 0; c < 256; ++c) {
    keys.push_back(std::string(1, static_cast<char>(c)));
    keys.push_back(std::string(1, static_cast<char>(c)) + "zz");
  }
  keys.push_back("");
  std::sort(keys.begin(), keys.end());  // Byte order (std::string compares as unsigned chars).
  uint32_t last = 0;
  for (const std::string& key : keys) {
    uint32_t p = partitioner.Partition(key, 4);
    EXPECT_LT(p, 4u);
    EXPECT_GE(p, last) << "key " << key;
    last = p;
  }
  EXPECT_EQ(partitioner.Partition("", 4), 0u);
  EXPECT_EQ(partitioner.Partition("\xff\xff", 4), 3u);
}

TEST(RangePartitionerTest, KeyEqualToSplitPointGoesToUpperPartition) {
  RangePartitioner partitioner({"d", "h", "p"});
  EXPECT_EQ(partitioner.Partition("c", 4), 0u);
  EXPECT_EQ(partitioner.Partition("czzz", 4), 0u);
  EXPECT_EQ(partitioner.Partition("d", 4), 1u);
  EXPECT_EQ(partitioner.Partition(std::string("d\0", 2), 4), 1u);
  EXPECT_EQ(partitioner.Partition("h", 4), 2u);
  EXPECT_EQ(partitioner.Partition("p", 4), 3u);
  EXPECT_EQ(partitioner.Partition("zzz", 4), 3u);
}

TEST(RangePartitionerTest, DuplicateSplitPointsLeaveEmptyPartitions) {
  RangePartitioner partitioner({"m", "m", "m"});
  std::vector<int> counts(4, 0);
  for (int c = 'a'; c <= 'z'; ++c) ++counts[partitioner.Partition(std::string(1, c), 4)];
  EXPECT_EQ(counts[0], 'm' - 'a');
  EXPECT_EQ(counts[1], 0);
  EXPECT_EQ(counts[2], 0);
  EXPECT_EQ(counts[3], 'z' - 'm' + 1);
  EXPECT_EQ(partitioner.Partition("m", 4), 3u);
}

TEST(SamplerTest, FixedRecordsGiveSortedSplitPoints) {
  testing::ScopedTempDir dir;
  constexpr int kRecordBytes = 20;
  constexpr int kKeyBytes = 8;
  constexpr int kRecords = 50000;
  std::mt19937_64 rng(42);
  std::string data;
  for (int i = 0; i < kRecords; ++i) {
    for (int b = 0; b < kRecordBytes; ++b) data.push_back(static_cast<char>(rng()));
  }
  std::string path = dir.Join("records");
  ASSERT_TRUE(WriteStringToFile(path, data, false).ok());

  Job job("sample");
  job.SetInputFormat(InputFormat::kFixedRecords).SetFixedRecordLayout(kRecordBytes, kKeyBytes);
  auto splits = ComputeSplits(path, job, 64 << 10);
  ASSERT_TRUE(splits.ok()) << splits.status().ToString();
  ASSERT_GT(splits->size(), 10u);

  for (int partitions : {1, 2, 7, 16}) {
    auto points = SampleSplitPoints(job, *splits, partitions, SampleOptions{2000, 8, {}});
    ASSERT_TRUE(points.ok()) << points.status().ToString();
    ASSERT_EQ(points->size(), static_cast<size_t>(partitions - 1));
    EXPECT_TRUE(std::is_sorted(points->begin(), points->end()));
    for (const std::string& p : *points) EXPECT_EQ(p.size(), static_cast<size_t>(kKeyBytes));
  }

  // With uniform random keys, the points cut the whole input into roughly
  // equal ranges.
  auto points = SampleSplitPoints(job, *splits, 4, SampleOptions{4000, 20, {}});
  ASSERT_TRUE(points.ok());
  RangePartitioner partitioner(*points);
  std::vector<int> counts(4, 0);
  for (int i = 0; i < kRecords; ++i) {
    ++counts[partitioner.Partition(std::string_view(data).substr(i * kRecordBytes, kKeyBytes), 4)];
  }
  for (int c : counts) {
    EXPECT_GT(c, kRecords / 4 * 0.8);
    EXPECT_LT(c, kRecords / 4 * 1.2);
  }
}

TEST(SamplerTest, EmptyInputGivesNoPoints) {
  Job job("sample");
  auto points = SampleSplitPoints(job, {}, 4, SampleOptions{});
  ASSERT_TRUE(points.ok());
  EXPECT_TRUE(points->empty());
}

}  // namespace
}  // namespace mr
