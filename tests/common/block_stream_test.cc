#include "common/block_stream.h"

#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "test_util.h"

namespace mr {
namespace {

using mr::testing::ScopedTempDir;

// Writes `units` as one stream; returns the file's bytes.
std::string WriteStream(const std::string& path, const std::vector<std::string>& units,
                        BlockStreamOptions options) {
  auto file = WritableFile::Create(path);
  EXPECT_TRUE(file.ok());
  BlockWriter writer(file->get(), options);
  uint64_t raw = 0;
  for (const auto& u : units) {
    EXPECT_TRUE(writer.Append(u).ok());
    raw += u.size();
  }
  EXPECT_TRUE(writer.Finish().ok());
  EXPECT_EQ(writer.raw_bytes(), raw);
  EXPECT_TRUE((*file)->Close().ok());
  return *ReadFileToString(path);
}

// Reads every block of [0, length) of `path` (all of it if length < 0).
Status ReadBlocks(const std::string& path, std::vector<std::string>* blocks,
                  int64_t length = -1) {
  ASSIGN_OR_RETURN(auto file, RandomAccessFile::Open(path));
  BlockReader reader(file.get(), 0, length < 0 ? file->size() : length);
  for (;;) {
    std::string_view block;
    bool done = false;
    RETURN_NOT_OK(reader.Next(&block, &done));
    if (done) return Status::OK();
    blocks->emplace_back(block);
  }
}

std::vector<std::string> MakeUnits(int count, size_t max_len, bool compressible) {
  std::mt19937 rng(count);
  std::vector<std::string> units;
  for (int i = 0; i < count; ++i) {
    std::string u(rng() % (max_len + 1), '\0');
    for (size_t j = 0; j < u.size(); ++j) {
      u[j] = compressible ? "abcabcabd"[j % 9] : static_cast<char>(rng());
    }
    units.push_back(std::move(u));
  }
  return units;
}

// Checks that the blocks hold exactly the units, cut only between units.
void ExpectBlocksHoldUnits(const std::vector<std::string>& blocks,
                           const std::vector<std::string>& units) {
  std::set<size_t> unit_ends = {0};
  std::string all_units;
  for (const auto& u : units) unit_ends.insert((all_units += u).size());
  std::string all_blocks;
  for (const auto& b : blocks) {
    all_blocks += b;
    EXPECT_TRUE(unit_ends.count(all_blocks.size())) << "block ends inside a unit";
  }
  EXPECT_EQ(all_blocks, all_units);
}

class BlockStreamTest : public ::testing::TestWithParam<bool> {
 protected:
  BlockStreamOptions Options(size_t block_bytes) {
    BlockStreamOptions o;
    o.block_bytes = block_bytes;
    o.compress = GetParam();
    return o;
  }
  ScopedTempDir dir_;
};

TEST_P(BlockStreamTest, RoundTripManyBlocks) {
  for (bool compressible : {true, false}) {
    auto units = MakeUnits(5000, 300, compressible);
    std::string path = dir_.Join(compressible ? "c" : "r");
    std::string bytes = WriteStream(path, units, Options(4096));
    std::vector<std::string> blocks;
    ASSERT_TRUE(ReadBlocks(path, &blocks).ok());
    EXPECT_GT(blocks.size(), 50u);
    for (const auto& b : blocks) EXPECT_LE(b.size(), 4096u);
    ExpectBlocksHoldUnits(blocks, units);
    size_t raw = 0;
    for (const auto& u : units) raw += u.size();
    if (GetParam() && compressible) {
      EXPECT_LT(bytes.size(), raw / 2) << "LZ4 not used";
    }
  }
}

TEST_P(BlockStreamTest, UnitLargerThanBlockGetsItsOwnBlock) {
  std::vector<std::string> units = {"small", std::string(10000, 'x'), "tail"};
  std::string path = dir_.Join("f");
  WriteStream(path, units, Options(1024));
  std::vector<std::string> blocks;
  ASSERT_TRUE(ReadBlocks(path, &blocks).ok());
  EXPECT_EQ(blocks, (std::vector<std::string>{"small", std::string(10000, 'x'), "tail"}));
}

TEST_P(BlockStreamTest, EmptyStream) {
  std::string path = dir_.Join("f");
  EXPECT_EQ(WriteStream(path, {}, Options(1024)), "");
  std::vector<std::string> blocks;
  ASSERT_TRUE(ReadBlocks(path, &blocks).ok());
  EXPECT_TRUE(blocks.empty());
}

TEST_P(BlockStreamTest, FlippedPayloadByteIsCorruption) {
  std::string path = dir_.Join("f");
  std::string bytes = WriteStream(path, MakeUnits(200, 100, true), Options(2048));
  for (size_t pos : {kBlockHeaderBytes, kBlockHeaderBytes + 7, bytes.size() - 1}) {
    std::string bad = bytes;
    bad[pos] ^= 0x01;
    std::string bad_path = dir_.Join("bad" + std::to_string(pos));
    ASSERT_TRUE(WriteStringToFile(bad_path, bad, false).ok());
    std::vector<std::string> blocks;
    Status s = ReadBlocks(bad_path, &blocks);
    EXPECT_TRUE(s.IsCorruption()) << pos << ": " << s.ToString();
  }
}

TEST_P(BlockStreamTest, FlippedHeaderByteIsCorruption) {
  std::string path = dir_.Join("f");
  std::string bytes = WriteStream(path, MakeUnits(200, 100, true), Options(2048));
  for (size_t pos = 0; pos < kBlockHeaderBytes; ++pos) {
    std::string bad = bytes;
    bad[pos] ^= 0x10;
    std::string bad_path = dir_.Join("bad" + std::to_string(pos));
    ASSERT_TRUE(WriteStringToFile(bad_path, bad, false).ok());
    std::vector<std::string> blocks;
    Status s = ReadBlocks(bad_path, &blocks);
    EXPECT_TRUE(s.IsCorruption()) << "header byte " << pos << ": " << s.ToString();
  }
}

TEST_P(BlockStreamTest, TruncationIsCorruption) {
  std::string path = dir_.Join("f");
  std::string bytes = WriteStream(path, {std::string(3000, 'q'), "second"}, Options(1024));
  // Cut inside the first header, inside the first payload, inside the last.
  for (size_t len : {size_t{10}, kBlockHeaderBytes + 1, bytes.size() - 1}) {
    std::vector<std::string> blocks;
    Status s = ReadBlocks(path, &blocks, len);
    EXPECT_TRUE(s.IsCorruption()) << len << ": " << s.ToString();
    std::string cut_path = dir_.Join("cut" + std::to_string(len));
    ASSERT_TRUE(WriteStringToFile(cut_path, bytes.substr(0, len), false).ok());
    blocks.clear();
    s = ReadBlocks(cut_path, &blocks);
    EXPECT_TRUE(s.IsCorruption()) << len << ": " << s.ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(Compression, BlockStreamTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Lz4" : "Raw"; });

}  // namespace
}  // namespace mr
