// The map side's two in-memory buffers: the sort buffer and the aggregation
// table, at the edges of their capacity.
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "aggregation_table.h"
#include "common/hash.h"
#include "sort_buffer.h"

namespace mr {
namespace {

// Fills buffers of every small capacity until full: Add refuses what does not
// fit (never writes past the allocation), and the sort orders what it took.
TEST(SortBufferTest, TinyCapacitiesFillUpAndSort) {
  std::mt19937 rng(1);
  for (size_t capacity = 16; capacity <= 512; ++capacity) {
    SCOPED_TRACE("capacity " + std::to_string(capacity));
    SortBuffer buffer(capacity);
    std::vector<std::tuple<uint32_t, std::string, std::string>> added;
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::string key(rng() % 3, '\0');
      for (char& c : key) c = static_cast<char>('a' + rng() % 3);
      std::string value(rng() % 2, 'v');
      uint32_t partition = rng() % 2;
      if (buffer.Add(partition, key, value)) added.emplace_back(partition, key, value);
    }
    ASSERT_EQ(buffer.size(), added.size());
    size_t used = 0;
    for (const auto& [p, k, v] : added) used += SortBuffer::FootprintOf(k, v);
    ASSERT_LE(used, capacity);
    buffer.Sort();
    std::sort(added.begin(), added.end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    for (size_t i = 0; i < added.size(); ++i) {
      const SortBuffer::IndexEntry& e = buffer.entry(i);
      ASSERT_EQ(e.partition, std::get<0>(added[i]));
      ASSERT_EQ(buffer.Key(e), std::get<1>(added[i]));
    }
  }
}

TEST(SortBufferTest, RecordLargerThanTheBufferIsRefused) {
  SortBuffer buffer(1024);
  EXPECT_FALSE(buffer.Add(0, "key", std::string(2000, 'x')));
  EXPECT_TRUE(buffer.empty());
  EXPECT_TRUE(buffer.Add(0, "key", std::string(900, 'x')));
  EXPECT_FALSE(buffer.Add(0, "key", std::string(200, 'x')));
  buffer.Clear();
  EXPECT_TRUE(buffer.Add(0, "key", std::string(200, 'x')));
}

TEST(SortBufferTest, KeysSortByBytesBeyondThePrefix) {
  SortBuffer buffer(1 << 16);
  std::vector<std::string> keys = {
      std::string("prefix__\xff", 9), "prefix__\x01", "prefix__", "prefix_", std::string("\0\0", 2),
      "", std::string("prefix__\0", 9), "\xff", "prefix__\x7f" "a", "prefix__\x80"};
  for (const std::string& k : keys) ASSERT_TRUE(buffer.Add(0, k, "v"));
  buffer.Sort();
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(buffer.Key(buffer.entry(i)), keys[i]) << i;
}

TEST(AggregationTableTest, ClearReleasesMemory) {
  AggregationTable table;
  size_t empty_bytes = table.memory_bytes();
  for (int i = 0; i < 100000; ++i) {
    std::string key = "key" + std::to_string(i);
    bool inserted = false;
    AggregationTable::Entry* e = table.FindOrInsert(key, Hash64(key), &inserted);
    ASSERT_TRUE(inserted);
    table.AddValue(e, "1");
  }
  EXPECT_GT(table.memory_bytes(), 100000 * sizeof(AggregationTable::Entry));
  table.Clear();
  EXPECT_TRUE(table.empty());
  // Back to what an empty table holds: a map task compares this with its
  // budget after every record, so memory kept past Clear would make every
  // later record spill.
  EXPECT_LE(table.memory_bytes(), empty_bytes);
  bool inserted = false;
  table.FindOrInsert("k", Hash64("k"), &inserted);
  EXPECT_LT(table.memory_bytes(), 64u << 10);
}

// Entries live in blocks of doubling size; each keeps its insertion index
// across block boundaries, and growing never moves one.
// "k<i>", built with += (operator+ on temporaries trips a false -Wrestrict
// warning in g++ 12).
std::string KeyOf(size_t i) {
  std::string key = "k";
  key += std::to_string(i);
  return key;
}

TEST(AggregationTableTest, EntriesKeepTheirIndexAndAddressAcrossBlocks) {
  AggregationTable table;
  std::vector<const AggregationTable::Entry*> addresses;
  for (int i = 0; i < 5000; ++i) {
    std::string key = KeyOf(i);
    bool inserted = false;
    addresses.push_back(table.FindOrInsert(key, Hash64(key), &inserted));
    ASSERT_TRUE(inserted);
  }
  ASSERT_EQ(table.size(), 5000u);
  for (size_t i : {size_t{0}, size_t{255}, size_t{256}, size_t{511}, size_t{512}, size_t{1023},
                   size_t{1024}, size_t{4095}, size_t{4096}, size_t{4999}}) {
    EXPECT_EQ(table.entry(i).key(), KeyOf(i)) << i;
    EXPECT_EQ(&table.entry(i), addresses[i]) << i;
  }
}

TEST(AggregationTableTest, FewKeysUseLittleMemory) {
  // A budget of a few hundred KiB (--sort_buffer_mb=1 shared by several map
  // tasks) must hold more than one key.
  AggregationTable table;
  for (int i = 0; i < 100; ++i) {
    std::string key = "word" + std::to_string(i);
    bool inserted = false;
    table.AddValue(table.FindOrInsert(key, Hash64(key), &inserted), "1");
  }
  EXPECT_LT(table.memory_bytes(), 128u << 10);
}

TEST(AggregationTableTest, FindsEveryKeyAgainAndSortsThem) {
  AggregationTable table;
  std::mt19937 rng(5);
  std::vector<std::string> keys;
  for (int i = 0; i < 20000; ++i) {
    std::string key(1 + rng() % 12, '\0');
    for (char& c : key) c = static_cast<char>(rng() % 8);  // Many collisions of prefixes.
    keys.push_back(key);
  }
  std::map<std::string, uint32_t> counts;
  for (const std::string& key : keys) {
    bool inserted = false;
    AggregationTable::Entry* e = table.FindOrInsert(key, Hash64(key), &inserted);
    EXPECT_EQ(inserted, counts.count(key) == 0);
    if (inserted) e->partition = static_cast<uint32_t>(Hash64(key) % 3);
    table.AddValue(e, "x");
    ++counts[key];
  }
  ASSERT_EQ(table.size(), counts.size());
  std::vector<std::pair<uint32_t, std::string>> order;
  for (uint32_t i : table.SortedOrder()) {
    const AggregationTable::Entry& e = table.entry(i);
    EXPECT_EQ(e.value_count, counts[std::string(e.key())]);
    order.emplace_back(e.partition, std::string(e.key()));
  }
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  EXPECT_EQ(order.size(), counts.size());
}

}  // namespace
}  // namespace mr
