// End-to-end tests of teragen, teravalidate and terasort as real processes
// (binaries from $MR_BIN_DIR), checked against an in-test std::sort.
#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "tera_record.h"
#include "test_util.h"

namespace mr::tera {
namespace {

using mr::testing::BinPath;
using mr::testing::CommandResult;
using mr::testing::RunCommand;
using mr::testing::ScopedTempDir;
using Records = std::vector<std::string>;

constexpr int kRecords = 200000;

CommandResult RunTool(const std::string& binary, const std::string& args) {
  return RunCommand(BinPath(binary) + " " + args, 120);
}

std::string Key(const std::string& record) { return record.substr(0, kKeyBytes); }

bool KeyLess(const std::string& a, const std::string& b) {
  return std::memcmp(a.data(), b.data(), kKeyBytes) < 0;
}

// Files of `dir` whose names start with `prefix`, in name order.
std::vector<std::string> PartFiles(const std::string& dir, const std::string& prefix) {
  Result<std::vector<std::string>> files = ListInputFiles(dir);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  if (!files.ok()) return {};
  std::vector<std::string> parts;
  for (auto& f : *files) {
    if (BaseName(f).rfind(prefix, 0) == 0) parts.push_back(f);
  }
  return parts;
}

Records ReadRecords(const std::vector<std::string>& files) {
  Records records;
  for (const auto& f : files) {
    std::string data = *ReadFileToString(f);
    EXPECT_EQ(data.size() % kRecordBytes, 0u) << f;
    for (size_t off = 0; off + kRecordBytes <= data.size(); off += kRecordBytes) {
      records.push_back(data.substr(off, kRecordBytes));
    }
  }
  return records;
}

void WriteRecords(const std::string& path, Records::const_iterator begin,
                  Records::const_iterator end) {
  std::string data;
  for (auto it = begin; it != end; ++it) data += *it;
  ASSERT_TRUE(WriteStringToFile(path, data, false).ok());
}

// Generates `n` records into `dir` and checks that teragen succeeded.
void Generate(const std::string& dir, int n, int maps, uint64_t seed, double skew = 0) {
  CommandResult r = RunTool("teragen", "--records=" + std::to_string(n) + " --maps=" +
                                       std::to_string(maps) + " --seed=" + std::to_string(seed) +
                                       " --skew=" + std::to_string(skew) + " --output=" + dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST(TeraGenTest, WritesContiguousDeterministicParts) {
  ScopedTempDir tmp;
  ASSERT_NO_FATAL_FAILURE(Generate(tmp.Join("a"), kRecords, 3, 42));
  ASSERT_NO_FATAL_FAILURE(Generate(tmp.Join("b"), kRecords, 3, 42));
  ASSERT_NO_FATAL_FAILURE(Generate(tmp.Join("c"), kRecords, 3, 43));

  // Row ranges split n*p/3: 66666, 66667, 66667 records; then an empty marker.
  std::vector<std::string> parts = PartFiles(tmp.Join("a"), "part-m-");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(*FileSize(parts[0]), 66666u * kRecordBytes);
  EXPECT_EQ(*FileSize(parts[1]), 66667u * kRecordBytes);
  EXPECT_EQ(*FileSize(parts[2]), 66667u * kRecordBytes);
  EXPECT_EQ(*FileSize(tmp.Join("a/_SUCCESS")), 0u);
  EXPECT_EQ(ListInputFiles(tmp.path())->size(), 9u) << "no temp files left behind";

  for (const char* name : {"part-m-00000", "part-m-00001", "part-m-00002"}) {
    std::string a = *ReadFileToString(JoinPath(tmp.Join("a"), name));
    EXPECT_TRUE(a == *ReadFileToString(JoinPath(tmp.Join("b"), name))) << "same seed differs";
    EXPECT_FALSE(a == *ReadFileToString(JoinPath(tmp.Join("c"), name))) << "seed ignored";
  }

  Records records = ReadRecords(parts);
  ASSERT_EQ(records.size(), static_cast<size_t>(kRecords));
  char expected[kRecordBytes];
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string& rec = records[i];
    for (size_t j = 0; j < kKeyBytes; ++j) {
      ASSERT_TRUE(rec[j] >= 0x20 && rec[j] <= 0x7E) << "record " << i << " byte " << j;
    }
    ASSERT_EQ(rec.find_first_of("\r\n"), 98u) << "record " << i;
    ASSERT_EQ(rec.substr(98), "\r\n");
    MakeRecord(42, 0, i, expected);
    ASSERT_EQ(rec, std::string(expected, kRecordBytes)) << "record " << i << " is not row " << i;
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016X", 123456);
  EXPECT_EQ(records[123456].substr(28, 16), hex);
}

TEST(TeraGenTest, SkewGivesThreeHotKeys) {
  ScopedTempDir tmp;
  ASSERT_NO_FATAL_FAILURE(Generate(tmp.Join("in"), kRecords, 2, 1, 0.5));
  std::map<std::string, int> hot;
  for (const auto& rec : ReadRecords(PartFiles(tmp.Join("in"), "part-"))) {
    for (auto k : kHotKeys) hot[std::string(k)] += Key(rec) == k;
  }
  int total = 0;
  for (const auto& [key, count] : hot) {
    EXPECT_NEAR(count, kRecords / 6, kRecords / 50) << key;
    total += count;
  }
  EXPECT_NEAR(total, kRecords / 2, kRecords / 50);
}

TEST(TeraGenTest, RefusesExistingOutput) {
  ScopedTempDir tmp;
  ASSERT_TRUE(CreateDirs(tmp.Join("out")).ok());
  CommandResult r = RunTool("teragen", "--records=10 --output=" + tmp.Join("out"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(ListInputFiles(tmp.path())->empty());
}

// Validates a sorted copy made with std::sort, then damaged copies of it.
class TeraValidateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(Generate(tmp_.Join("in"), kRecords, 3, 5));
    sorted_ = ReadRecords(PartFiles(tmp_.Join("in"), "part-m-"));
    std::sort(sorted_.begin(), sorted_.end(), KeyLess);
  }

  // Writes `records` as two part-r files split at `split` plus a marker, and
  // runs teravalidate on them.
  CommandResult Validate(const Records& records, size_t split = kRecords / 2) {
    std::string out = tmp_.Join("sorted" + std::to_string(++runs_));
    EXPECT_TRUE(CreateDirs(out).ok());
    WriteRecords(JoinPath(out, "part-r-00000"), records.begin(), records.begin() + split);
    WriteRecords(JoinPath(out, "part-r-00001"), records.begin() + split, records.end());
    EXPECT_TRUE(WriteStringToFile(JoinPath(out, "_SUCCESS"), "", false).ok());
    return RunTool("teravalidate", "--input=" + out + " --original=" + tmp_.Join("in"));
  }

  // Index i such that records i and i+1 have different keys, at or after `from`.
  size_t DistinctPairAt(size_t from) {
    while (Key(sorted_[from]) == Key(sorted_[from + 1])) ++from;
    return from;
  }

  ScopedTempDir tmp_;
  Records sorted_;
  int runs_ = 0;
};

TEST_F(TeraValidateTest, PassesOnSortedCopy) {
  CommandResult r = Validate(sorted_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("records=200000"), std::string::npos) << r.out;
}

TEST_F(TeraValidateTest, DetectsSwappedPair) {
  size_t i = DistinctPairAt(1000);
  std::swap(sorted_[i], sorted_[i + 1]);
  CommandResult r = Validate(sorted_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not sorted"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("record " + std::to_string(i + 1) + " "), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(TeraValidateTest, DetectsDisorderAcrossFiles) {
  size_t i = DistinctPairAt(kRecords / 2 - 1);
  std::swap(sorted_[i], sorted_[i + 1]);
  CommandResult r = Validate(sorted_, i + 1);  // The pair straddles the two files.
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("part-r-00001 offset 0)"), std::string::npos) << r.err;
}

TEST_F(TeraValidateTest, DetectsDroppedRecord) {
  sorted_.erase(sorted_.begin() + 777);
  CommandResult r = Validate(sorted_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("record counts differ"), std::string::npos) << r.err;
}

TEST_F(TeraValidateTest, DetectsAlteredRecord) {
  sorted_[4242][60] ^= 0x01;  // Filler only: the order still holds.
  CommandResult r = Validate(sorted_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("checksums differ"), std::string::npos) << r.err;
}

TEST_F(TeraValidateTest, DetectsPartialRecord) {
  sorted_.back().resize(50);
  CommandResult r = Validate(sorted_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a multiple of 100"), std::string::npos) << r.err;
}

TEST_F(TeraValidateTest, MissingOriginalIsUsageError) {
  CommandResult r = RunTool("teravalidate", "--input=" + tmp_.Join("in"));
  EXPECT_EQ(r.exit_code, 2);
}

// terasort through the engine, on uniform and on skewed (hot-key) input.
class TeraSortTest : public ::testing::TestWithParam<double> {};

TEST_P(TeraSortTest, SortsAndPreservesRecords) {
  ScopedTempDir tmp;
  ASSERT_NO_FATAL_FAILURE(Generate(tmp.Join("in"), kRecords, 3, 9, GetParam()));
  // 1 MB splits: 20 map tasks over the 20 MB input.
  CommandResult r = RunTool("terasort", "--input=" + tmp.Join("in") + " --output=" +
                                        tmp.Join("out") + " --reducers=3 --split_size_mb=1");
  ASSERT_EQ(r.exit_code, 0) << r.err;

  std::vector<std::string> parts = PartFiles(tmp.Join("out"), "part-r-");
  ASSERT_EQ(parts.size(), 3u);
  Records output;
  for (const auto& part : parts) {
    Records records = ReadRecords({part});
    EXPECT_TRUE(std::is_sorted(records.begin(), records.end(), KeyLess)) << part;
    output.insert(output.end(), records.begin(), records.end());
  }
  ASSERT_TRUE(std::is_sorted(output.begin(), output.end(), KeyLess)) << "not globally sorted";

  // Same multiset: the order among equal keys is free, so compare whole
  // records after sorting both sides by all 100 bytes.
  Records input = ReadRecords(PartFiles(tmp.Join("in"), "part-m-"));
  ASSERT_EQ(output.size(), input.size());
  std::sort(input.begin(), input.end());
  std::sort(output.begin(), output.end());
  EXPECT_TRUE(input == output) << "output records differ from the input's";

  r = RunTool("teravalidate", "--input=" + tmp.Join("out") + " --original=" + tmp.Join("in"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

INSTANTIATE_TEST_SUITE_P(Skew, TeraSortTest, ::testing::Values(0.0, 0.5),
                         [](const auto& info) { return info.param == 0 ? "Uniform" : "Skewed"; });

}  // namespace
}  // namespace mr::tera
