// Spill segment files: what is written reads back the same, and any flipped
// byte is reported as corruption rather than returned as data.
#include <random>
#include <string>
#include <vector>

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "common/file.h"
#include "segment.h"
#include "test_util.h"

DECLARE_bool(spill_compression);
DECLARE_int32(spill_block_kb);

namespace mr {
namespace {

using Records = std::vector<std::pair<std::string, std::string>>;

// Records for each of `partitions` partitions; partition 1 stays empty.
std::vector<Records> MakeRecords(int partitions, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Records> result(partitions);
  for (int p = 0; p < partitions; ++p) {
    if (p == 1) continue;
    int n = 50 + rng() % 200;
    for (int i = 0; i < n; ++i) {
      std::string key = "key" + std::to_string(p) + "-" + std::to_string(1000 + i);
      std::string value(rng() % 40, '\0');
      for (char& c : value) c = static_cast<char>(rng() % 4 == 0 ? rng() : 'v');
      result[p].emplace_back(std::move(key), std::move(value));
    }
  }
  // One record larger than a block, and empty keys and values.
  result[0].insert(result[0].begin(), {"", ""});
  result[0].emplace_back("zz-big", std::string(5000, 'B'));
  return result;
}

Result<SegmentFile> WriteSegments(const std::string& path, const std::vector<Records>& records) {
  ASSIGN_OR_RETURN(auto writer, SegmentFileWriter::Create(path, static_cast<int>(records.size())));
  for (size_t p = 0; p < records.size(); ++p) {
    if (records[p].empty()) continue;  // Skipped partitions get empty segments.
    RETURN_NOT_OK(writer->StartPartition(static_cast<int>(p)));
    for (const auto& [key, value] : records[p]) RETURN_NOT_OK(writer->Append(key, value));
  }
  return writer->Finish();
}

// Reads one segment; returns the first error.
Status ReadSegment(const RandomAccessFile* file, const SegmentInfo& info, Records* out) {
  SegmentReader reader(file, info);
  while (true) {
    bool done = false;
    RETURN_NOT_OK(reader.Next(&done));
    if (done) return Status::OK();
    out->emplace_back(std::string(reader.key()), std::string(reader.value()));
  }
}

class SegmentTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    FLAGS_spill_compression = GetParam();
    FLAGS_spill_block_kb = 1;
  }
  gflags::FlagSaver saver_;
  testing::ScopedTempDir dir_;
};

TEST_P(SegmentTest, RoundTrip) {
  std::vector<Records> records = MakeRecords(4, 1);
  auto written = WriteSegments(dir_.Join("spill"), records);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  ASSERT_EQ(written->partitions.size(), 4u);
  auto file = RandomAccessFile::Open(dir_.Join("spill"));
  ASSERT_TRUE(file.ok());
  uint64_t end = 0;
  for (int p = 0; p < 4; ++p) {
    const SegmentInfo& info = written->partitions[p];
    EXPECT_EQ(info.records, records[p].size());
    EXPECT_EQ(info.offset, end) << "segments are back to back";
    end = info.offset + info.length;
    Records got;
    Status s = ReadSegment(file->get(), info, &got);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(got, records[p]) << "partition " << p;
  }
  EXPECT_EQ(end, (*file)->size());
  EXPECT_EQ(written->partitions[1].length, 0u);
  if (GetParam()) {
    // Repetitive values compress.
    uint64_t raw = 0;
    for (const SegmentInfo& info : written->partitions) raw += info.raw_bytes;
    EXPECT_LT((*file)->size(), raw);
  }
}

TEST_P(SegmentTest, EveryFlippedByteIsCorruption) {
  std::vector<Records> records = MakeRecords(3, 2);
  auto written = WriteSegments(dir_.Join("spill"), records);
  ASSERT_TRUE(written.ok());
  auto data = ReadFileToString(dir_.Join("spill"));
  ASSERT_TRUE(data.ok());
  ASSERT_LT(data->size(), 64u << 10);
  std::mt19937 rng(3);
  for (size_t i = 0; i < data->size(); ++i) {
    std::string bad = *data;
    bad[i] ^= static_cast<char>(1 + rng() % 255);
    std::string path = dir_.Join("bad" + std::to_string(i));
    ASSERT_TRUE(WriteStringToFile(path, bad, false).ok());
    auto file = RandomAccessFile::Open(path);
    ASSERT_TRUE(file.ok());
    Status first_error;
    for (const SegmentInfo& info : written->partitions) {
      Records got;
      Status s = ReadSegment(file->get(), info, &got);
      if (!s.ok()) {
        first_error = s;
        break;
      }
    }
    ASSERT_FALSE(first_error.ok()) << "flipping byte " << i << " went unnoticed";
    ASSERT_TRUE(first_error.IsCorruption()) << first_error.ToString();
    ASSERT_TRUE(RemoveAll(path).ok());
  }
}

TEST_P(SegmentTest, TruncatedSegmentIsCorruption) {
  std::vector<Records> records = MakeRecords(1, 4);
  auto written = WriteSegments(dir_.Join("spill"), records);
  ASSERT_TRUE(written.ok());
  auto file = RandomAccessFile::Open(dir_.Join("spill"));
  ASSERT_TRUE(file.ok());
  SegmentInfo info = written->partitions[0];
  for (uint64_t cut : {uint64_t{1}, uint64_t{10}, info.length / 2}) {
    SegmentInfo shorter = info;
    shorter.length -= cut;
    Records got;
    Status s = ReadSegment(file->get(), shorter, &got);
    EXPECT_TRUE(s.IsCorruption()) << "cut " << cut << ": " << s.ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(Compression, SegmentTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Lz4" : "Raw"; });

}  // namespace
}  // namespace mr
