// Splits and record readers: whatever the split size, the records of all
// splits of a file, concatenated, are the file's records exactly once, in
// order.
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "common/file.h"
#include "input_format.h"
#include "mapreduce/mapreduce.h"
#include "test_util.h"

DECLARE_int32(input_buffer_kb);

namespace mr {
namespace {

// The lines of `data` as the engine defines them, computed independently:
// "\n" ends a line, a final line needs no "\n", one trailing "\r" is dropped.
std::vector<std::string> ExpectedLines(const std::string& data) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < data.size()) {
    size_t nl = data.find('\n', start);
    size_t end = nl == std::string::npos ? data.size() : nl;
    std::string line = data.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

struct ReadResult {
  std::vector<std::string> keys;
  std::vector<std::string> values;
  uint64_t bytes_read = 0;
  size_t splits = 0;
};

// Reads every split of `path` in order. Fails the test on an error.
ReadResult ReadAllSplits(const std::string& path, const Job& job, uint64_t split_bytes) {
  ReadResult result;
  auto splits = ComputeSplits(path, job, split_bytes);
  EXPECT_TRUE(splits.ok()) << splits.status().ToString();
  if (!splits.ok()) return result;
  result.splits = splits->size();
  for (const InputSplit& split : *splits) {
    auto reader = OpenRecordReader(split, job);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return result;
    while (true) {
      std::string_view key, value;
      bool done = false;
      Status s = (*reader)->Next(&key, &value, &done);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok() || done) break;
      result.keys.emplace_back(key);
      result.values.emplace_back(value);
    }
    result.bytes_read += (*reader)->bytes_read();
  }
  return result;
}

// Checks that every split size reads the lines of `data` exactly once.
void CheckTextFile(const std::string& data, const std::vector<uint64_t>& split_sizes) {
  testing::ScopedTempDir dir;
  std::string path = dir.Join("input.txt");
  ASSERT_TRUE(WriteStringToFile(path, data, false).ok());
  Job job("text");
  std::vector<std::string> expected = ExpectedLines(data);
  for (uint64_t split_bytes : split_sizes) {
    SCOPED_TRACE("split_bytes=" + std::to_string(split_bytes));
    ReadResult r = ReadAllSplits(path, job, split_bytes);
    EXPECT_EQ(r.splits, (data.size() + split_bytes - 1) / split_bytes);
    ASSERT_EQ(r.values.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ(r.values[i], expected[i]) << "line " << i;
      ASSERT_EQ(r.keys[i], "") << "line " << i;
    }
    // Every byte belongs to exactly one line, read by exactly one split.
    EXPECT_EQ(r.bytes_read, data.size());
  }
}

const std::vector<uint64_t> kSmallSplits = {1, 2, 3, 5, 7, 13, 64, 100, 1000, 4096, 1 << 20};

TEST(LineRecordReaderTest, LinesCrossingEverySplitBoundary) {
  std::string data;
  for (int i = 0; i < 300; ++i) data += std::string(i % 17, 'a' + i % 26) + "\n";
  CheckTextFile(data, kSmallSplits);
}

TEST(LineRecordReaderTest, NoTrailingNewline) {
  CheckTextFile("first\nsecond\nthird without newline", kSmallSplits);
  CheckTextFile("x", {1, 2, 100});
  CheckTextFile("only line, ends in CR\r", {1, 3, 100});
}

TEST(LineRecordReaderTest, EmptyLines) {
  CheckTextFile("\n\n\nabc\n\n\ndef\n\n", kSmallSplits);
  CheckTextFile("\n", {1, 2});
  CheckTextFile("\r\n\r\n", {1, 2, 3, 4});
}

TEST(LineRecordReaderTest, CrlfDropsOnlyTheFinalCr) {
  std::string data = "one\r\ntwo\r\n\r\nthree\r\r\nmid\rdle\r\nlast\r\n";
  CheckTextFile(data, kSmallSplits);
  // The expectation itself, spelled out.
  std::vector<std::string> lines = ExpectedLines(data);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "", "three\r", "mid\rdle", "last"}));
}

TEST(LineRecordReaderTest, NulAndHighBytesInsideLines) {
  std::string data("a\0b\n\0\0\0\n\xff\xfe\x80 \t tail\n\0", 20);
  CheckTextFile(data, kSmallSplits);
}

TEST(LineRecordReaderTest, EmptyFileHasNoSplits) {
  testing::ScopedTempDir dir;
  std::string path = dir.Join("empty");
  ASSERT_TRUE(WriteStringToFile(path, "", false).ok());
  auto splits = ComputeSplits(path, Job("text"), 10);
  ASSERT_TRUE(splits.ok());
  EXPECT_TRUE(splits->empty());
}

TEST(LineRecordReaderTest, LineLongerThanTheReadBuffer) {
  gflags::FlagSaver saver;
  FLAGS_input_buffer_kb = 1;  // The reader's floor: a 4 KiB buffer.
  std::mt19937 rng(1);
  std::string long_line(300 << 10, 'x');
  for (char& c : long_line) c = static_cast<char>('a' + rng() % 26);
  std::string data = "short\n" + long_line + "\nmiddle\n" + long_line + long_line + "\nend";
  CheckTextFile(data, {1000, 4095, 4096, 4097, 100000, 300 << 10, 1 << 20, 64 << 20});
}

TEST(LineRecordReaderTest, RandomFilesAndSplitSizes) {
  gflags::FlagSaver saver;
  FLAGS_input_buffer_kb = 4;
  std::mt19937 rng(12345);
  const char alphabet[] = {'a', 'b', '\n', '\n', '\r', '\0', '\xff', ' '};
  for (int round = 0; round < 40; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::string data(rng() % 20000, '\0');
    for (char& c : data) c = alphabet[rng() % sizeof(alphabet)];
    // Sometimes a few long lines, longer than the 4 KiB buffer.
    if (round % 4 == 0) data += std::string(10000 + rng() % 5000, 'L') + "\n" + data;
    CheckTextFile(data, {1 + rng() % 10, 1 + rng() % 300, 1 + rng() % 9000});
  }
}

TEST(ComputeSplitsTest, DirectoryIsReadRecursivelySkippingHiddenNames) {
  testing::ScopedTempDir dir;
  ASSERT_TRUE(CreateDirs(dir.Join("in/sub/deeper")).ok());
  ASSERT_TRUE(CreateDirs(dir.Join("in/_logs")).ok());
  ASSERT_TRUE(CreateDirs(dir.Join("in/.git")).ok());
  auto write = [&](const std::string& name, const std::string& data) {
    ASSERT_TRUE(WriteStringToFile(dir.Join(name), data, false).ok());
  };
  write("in/b", "b1\nb2\n");
  write("in/a", "a1\n");
  write("in/sub/c", "c1\nc2");
  write("in/sub/deeper/d", "d1\n");
  write("in/_SUCCESS", "hidden\n");
  write("in/.crc", "hidden\n");
  write("in/sub/_x", "hidden\n");
  write("in/_logs/log", "hidden\n");
  write("in/.git/config", "hidden\n");
  write("in/empty", "");
  ReadResult r = ReadAllSplits(dir.Join("in"), Job("text"), 2);
  // Files sorted by path; within each, lines in order.
  EXPECT_EQ(r.values, (std::vector<std::string>{"a1", "b1", "b2", "c1", "c2", "d1"}));
}

TEST(ComputeSplitsTest, MissingInputIsNotFound) {
  testing::ScopedTempDir dir;
  auto splits = ComputeSplits(dir.Join("nope"), Job("text"), 10);
  ASSERT_FALSE(splits.ok());
  EXPECT_TRUE(splits.status().IsNotFound()) << splits.status().ToString();
}

TEST(FixedRecordReaderTest, RecordsNeverStraddleSplits) {
  testing::ScopedTempDir dir;
  constexpr int kRecordBytes = 10;
  constexpr int kKeyBytes = 3;
  constexpr int kRecords = 1000;
  std::mt19937 rng(3);
  std::string data(kRecords * kRecordBytes, '\0');
  for (char& c : data) c = static_cast<char>(rng());  // Newlines, NULs: all just bytes.
  std::string path = dir.Join("records");
  ASSERT_TRUE(WriteStringToFile(path, data, false).ok());
  Job job("fixed");
  job.SetInputFormat(InputFormat::kFixedRecords).SetFixedRecordLayout(kRecordBytes, kKeyBytes);
  for (uint64_t split_bytes : {1, 7, 10, 15, 99, 100, 1234, 1 << 20}) {
    SCOPED_TRACE("split_bytes=" + std::to_string(split_bytes));
    auto splits = ComputeSplits(path, job, split_bytes);
    ASSERT_TRUE(splits.ok());
    for (const InputSplit& s : *splits) {
      EXPECT_EQ(s.offset % kRecordBytes, 0u);
      EXPECT_EQ(s.length % kRecordBytes, 0u);
      EXPECT_GT(s.length, 0u);
    }
    ReadResult r = ReadAllSplits(path, job, split_bytes);
    ASSERT_EQ(r.keys.size(), static_cast<size_t>(kRecords));
    for (int i = 0; i < kRecords; ++i) {
      ASSERT_EQ(r.keys[i], data.substr(i * kRecordBytes, kKeyBytes)) << i;
      ASSERT_EQ(r.values[i], data.substr(i * kRecordBytes + kKeyBytes, kRecordBytes - kKeyBytes));
    }
    EXPECT_EQ(r.bytes_read, data.size());
  }
}

TEST(FixedRecordReaderTest, PartialRecordFileIsRejected) {
  testing::ScopedTempDir dir;
  std::string path = dir.Join("records");
  ASSERT_TRUE(WriteStringToFile(path, std::string(1005, 'r'), false).ok());
  Job job("fixed");
  job.SetInputFormat(InputFormat::kFixedRecords).SetFixedRecordLayout(10, 3);
  auto splits = ComputeSplits(path, job, 100);
  ASSERT_FALSE(splits.ok());
  EXPECT_EQ(splits.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(splits.status().message().find("not a multiple"), std::string::npos)
      << splits.status().ToString();
}

// Reads `reader` to its end. Fails the test on an error.
ReadResult Drain(RecordReader* reader) {
  ReadResult result;
  while (true) {
    std::string_view key, value;
    bool done = false;
    Status s = reader->Next(&key, &value, &done);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok() || done) break;
    result.keys.emplace_back(key);
    result.values.emplace_back(value);
  }
  result.bytes_read = reader->bytes_read();
  return result;
}

// A combined split reads what its pieces would as splits of their own, in
// the pieces' order, with the same byte count.
void CheckPiecesReadAsSplits(const std::string& input, const Job& job, uint64_t split_bytes) {
  auto splits = ComputeSplits(input, job, split_bytes);
  ASSERT_TRUE(splits.ok()) << splits.status().ToString();
  // Every other split, then the rest backwards: pieces need not be adjacent
  // or in file order.
  std::vector<InputSplit> pieces;
  for (size_t i = 0; i < splits->size(); i += 2) pieces.push_back((*splits)[i]);
  for (size_t i = splits->size(); i-- > 0;) {
    if (i % 2 == 1) pieces.push_back((*splits)[i]);
  }
  ReadResult want;
  for (const InputSplit& piece : pieces) {
    auto reader = OpenRecordReader(piece, job);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    ReadResult one = Drain(reader->get());
    want.keys.insert(want.keys.end(), one.keys.begin(), one.keys.end());
    want.values.insert(want.values.end(), one.values.begin(), one.values.end());
    want.bytes_read += one.bytes_read;
  }
  std::unique_ptr<RecordReader> combined = OpenPiecesRecordReader(pieces, InputOpener(), job);
  ReadResult got = Drain(combined.get());
  EXPECT_EQ(got.keys, want.keys);
  EXPECT_EQ(got.values, want.values);
  EXPECT_EQ(got.bytes_read, want.bytes_read);
}

TEST(PiecesRecordReaderTest, TextPiecesReadAsTheirSplitsWould) {
  gflags::FlagSaver saver;
  FLAGS_input_buffer_kb = 4;
  testing::ScopedTempDir dir;
  ASSERT_TRUE(CreateDirs(dir.Join("in")).ok());
  std::mt19937 rng(77);
  const char alphabet[] = {'a', 'b', '\n', ' ', '\r'};
  uint64_t total = 0;
  for (const char* name : {"in/a", "in/b", "in/c"}) {
    std::string data(5000 + rng() % 5000, '\0');
    for (char& c : data) c = alphabet[rng() % sizeof(alphabet)];
    total += data.size();
    ASSERT_TRUE(WriteStringToFile(dir.Join(name), data, false).ok());
  }
  for (uint64_t split_bytes : {7, 333, 4096, 1 << 20}) {
    SCOPED_TRACE("split_bytes=" + std::to_string(split_bytes));
    CheckPiecesReadAsSplits(dir.Join("in"), Job("text"), split_bytes);
  }
  // All pieces of all files: every input byte counted once.
  auto splits = ComputeSplits(dir.Join("in"), Job("text"), 1000);
  ASSERT_TRUE(splits.ok());
  Job job("text");
  auto reader = OpenPiecesRecordReader(*splits, InputOpener(), job);
  EXPECT_EQ(Drain(reader.get()).bytes_read, total);
}

TEST(PiecesRecordReaderTest, FixedRecordPiecesReadAsTheirSplitsWould) {
  testing::ScopedTempDir dir;
  ASSERT_TRUE(CreateDirs(dir.Join("in")).ok());
  std::mt19937 rng(5);
  for (const char* name : {"in/a", "in/b"}) {
    std::string data(10 * (100 + rng() % 100), '\0');
    for (char& c : data) c = static_cast<char>(rng());
    ASSERT_TRUE(WriteStringToFile(dir.Join(name), data, false).ok());
  }
  Job job("fixed");
  job.SetInputFormat(InputFormat::kFixedRecords).SetFixedRecordLayout(10, 3);
  for (uint64_t split_bytes : {10, 150, 1 << 20}) {
    SCOPED_TRACE("split_bytes=" + std::to_string(split_bytes));
    CheckPiecesReadAsSplits(dir.Join("in"), job, split_bytes);
  }
}

TEST(PiecesRecordReaderTest, AnErrorNamesThePiecesFile) {
  testing::ScopedTempDir dir;
  std::string path = dir.Join("short");
  ASSERT_TRUE(WriteStringToFile(path, "a\nb\n", false).ok());
  Job job("text");
  auto reader = OpenPiecesRecordReader({{path, 0, 4}, {path, 2, 100}}, InputOpener(), job);
  std::string_view key, value;
  bool done = false;
  ASSERT_TRUE(reader->Next(&key, &value, &done).ok());
  ASSERT_TRUE(reader->Next(&key, &value, &done).ok());
  EXPECT_EQ(value, "b");
  Status s = reader->Next(&key, &value, &done);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find(path), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace mr
