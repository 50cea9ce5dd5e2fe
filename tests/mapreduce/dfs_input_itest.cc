// The record readers over DFS files (dfs_io.h) against a real local DFS with
// 1 MiB chunks: every split of a file, read through the DFS, yields exactly
// the records the same split yields from a local copy, and all splits
// together yield every record once, whichever chunk boundaries records
// straddle. Also the DFS output sink.
#include <string>
#include <vector>

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "dfs_io.h"
#include "input_format.h"
#include "dfs_test_util.h"
#include "output_format.h"
#include "test_util.h"

DECLARE_int32(input_buffer_kb);

namespace mr {
namespace {

using testing::EngineDfs;

constexpr int64_t kChunk = EngineDfs::kChunkBytes;

// Lines of every length from empty to 300 KiB (several cross each chunk
// boundary), some ending in "\r\n", and no newline after the last.
std::string MakeText(size_t min_bytes) {
  std::string text;
  std::string random = testing::RandomBytes(1 << 16, 7);
  for (size_t i = 0; text.size() < min_bytes; ++i) {
    size_t len = i % 97 == 0 ? 300000 + i : (i * 7919) % 3000;
    for (size_t j = 0; j < len; ++j) {
      char c = static_cast<char>('a' + static_cast<unsigned char>(random[(i + j) % random.size()]) % 26);
      text.push_back(c);
    }
    text += i % 5 == 0 ? "\r\n" : "\n";
  }
  text += "last line without a newline";
  return text;
}

// The lines of `text` as the reader defines them, computed directly.
std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string::npos ? text.size() : nl;
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::vector<InputSplit> Splits(const std::string& path, uint64_t size, uint64_t split_bytes) {
  std::vector<InputSplit> splits;
  for (uint64_t at = 0; at < size; at += split_bytes) {
    splits.push_back({path, at, std::min(split_bytes, size - at)});
  }
  return splits;
}

// Every record of a reader, as "key|value" strings.
std::vector<std::string> ReadAll(Result<std::unique_ptr<RecordReader>> reader) {
  std::vector<std::string> records;
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return records;
  std::string_view key, value;
  for (bool done = false;;) {
    Status s = (*reader)->Next(&key, &value, &done);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok() || done) break;
    records.push_back(std::string(key) + "|" + std::string(value));
  }
  return records;
}

class DfsInputITest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = testing::MissingDfsDaemons();
    if (!missing.empty()) GTEST_SKIP() << "DFS daemons not available: " << missing;
    ASSERT_NO_FATAL_FAILURE(dfs_.Up());
    // Small windows: many refills, some across chunk boundaries.
    FLAGS_input_buffer_kb = 64;
  }
  void TearDown() override { FLAGS_input_buffer_kb = 4096; }

  // Reads `split` from the DFS file and from the local copy; expects the same.
  std::vector<std::string> ReadBoth(const Job& job, const InputSplit& split,
                                    const std::string& local_path) {
    std::vector<std::string> from_dfs = ReadAll([&]() -> Result<std::unique_ptr<RecordReader>> {
      ASSIGN_OR_RETURN(auto source, DfsInputSource::Open(dfs_.client(), split.path));
      return OpenRecordReader(std::move(source), split, job);
    }());
    InputSplit local = split;
    local.path = local_path;
    EXPECT_EQ(from_dfs, ReadAll(OpenRecordReader(local, job)))
        << "split at " << split.offset << " +" << split.length;
    return from_dfs;
  }

  EngineDfs dfs_;
};

TEST_F(DfsInputITest, TextLinesStraddlingChunksAreReadOnceBySplitWhereTheyStart) {
  std::string text = MakeText(3 * kChunk + 54321);
  ASSERT_TRUE(dfs_.Put("/in/text", text).ok());
  std::string local = dfs_.Join("text");
  ASSERT_TRUE(WriteStringToFile(local, text, false).ok());
  std::vector<std::string> expected;
  for (const std::string& line : SplitLines(text)) expected.push_back("|" + line);

  Job job("lines");
  // Chunk-sized splits (as the AM cuts them), and odd sizes that cut lines
  // at every kind of place.
  for (uint64_t split_bytes : {uint64_t{kChunk}, uint64_t{700001}, uint64_t{3 * kChunk}}) {
    SCOPED_TRACE("split bytes " + std::to_string(split_bytes));
    std::vector<std::string> all;
    for (const InputSplit& split : Splits("/in/text", text.size(), split_bytes)) {
      std::vector<std::string> records = ReadBoth(job, split, local);
      all.insert(all.end(), records.begin(), records.end());
    }
    EXPECT_EQ(all.size(), expected.size());
    EXPECT_TRUE(all == expected);
  }
}

TEST_F(DfsInputITest, FixedRecordsStraddlingChunks) {
  constexpr int kRecord = 100, kKey = 10;
  std::string data = testing::RandomBytes(35000 * kRecord, 3);  // 3.3 chunks.
  ASSERT_TRUE(dfs_.Put("/in/records", data).ok());
  std::string local = dfs_.Join("records");
  ASSERT_TRUE(WriteStringToFile(local, data, false).ok());
  Job job("fixed");
  job.SetInputFormat(InputFormat::kFixedRecords).SetFixedRecordLayout(kRecord, kKey);

  std::vector<std::string> all;
  for (const InputSplit& split : Splits("/in/records", data.size(), 10000 * kRecord)) {
    std::vector<std::string> records = ReadBoth(job, split, local);
    all.insert(all.end(), records.begin(), records.end());
  }
  ASSERT_EQ(all.size(), data.size() / kRecord);
  for (size_t i = 0; i < all.size(); i += 997) {
    EXPECT_EQ(all[i], data.substr(i * kRecord, kKey) + "|" +
                          data.substr(i * kRecord + kKey, kRecord - kKey));
  }
}

TEST_F(DfsInputITest, SplitPastTheEndAndMissingFilesFail) {
  ASSERT_TRUE(dfs_.Put("/in/small", "one\ntwo\n").ok());
  Job job("lines");
  auto source = DfsInputSource::Open(dfs_.client(), "/in/small");
  ASSERT_TRUE(source.ok());
  auto reader = OpenRecordReader(std::move(source).value(), InputSplit{"/in/small", 4, 100}, job);
  EXPECT_FALSE(reader.ok());
  EXPECT_TRUE(DfsInputSource::Open(dfs_.client(), "/in/missing").status().IsNotFound());
}

TEST_F(DfsInputITest, OutputWriterOnDfsSink) {
  auto sink = DfsOutputSink::Create(dfs_.client(), "/out/part-r-00000");
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  auto writer = OutputWriter::Create(std::move(sink).value(), OutputFormat::kText);
  std::string expected;
  for (int i = 0; i < 200000; ++i) {  // About 3 MiB: several buffers and chunks.
    std::string key = "key" + std::to_string(i);
    ASSERT_TRUE(writer->Write(key, std::to_string(i * 7)).ok());
    expected += key + "\t" + std::to_string(i * 7) + "\n";
  }
  EXPECT_EQ(writer->bytes_written(), expected.size());
  ASSERT_TRUE(writer->Close().ok());
  Result<std::string> read = dfs_.Get("/out/part-r-00000");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(*read == expected);
}

TEST_F(DfsInputITest, AbandonedDfsSinkLeavesNoFile) {
  {
    auto sink = DfsOutputSink::Create(dfs_.client(), "/out/abandoned");
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->Append("partial").ok());
  }
  EXPECT_TRUE(dfs_.client()->Stat("/out/abandoned").status().IsNotFound());
}

}  // namespace
}  // namespace mr
