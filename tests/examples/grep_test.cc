// End-to-end tests of the grep binary: the count of matching lines equals
// one computed here with std::regex.
#include <dirent.h>

#include <algorithm>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "test_util.h"

namespace mr {
namespace {

using testing::CommandResult;
using testing::ListDir;
using testing::Quote;
using testing::RunCommand;
using testing::ScopedTempDir;

constexpr int kTimeoutSeconds = 120;

// About 3 MB of lines over a small alphabet, so that patterns match often;
// some lines end in "\r\n", and the last has no newline.
std::string MakeInput() {
  std::mt19937 rng(77);
  const std::string alphabet = "abcfor0123 xyz";
  std::string text;
  while (text.size() < (3 << 20)) {
    int len = rng() % 80;
    std::string line;
    if (rng() % 7 == 0) line += "start";
    for (int i = 0; i < len; ++i) line += alphabet[rng() % alphabet.size()];
    if (rng() % 7 == 0) line += "end";
    text += line + (rng() % 5 == 0 ? "\r\n" : "\n");
  }
  return text + "start of a last line without newline end";
}

// Lines matching `pattern`: each line without its "\n" and one trailing "\r".
uint64_t CountMatches(const std::string& text, const std::string& pattern) {
  std::regex regex(pattern);
  uint64_t matches = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (std::regex_search(line, regex)) ++matches;
    start = nl + 1;
  }
  return matches;
}

class GrepTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    input_dir_ = new ScopedTempDir();
    input_ = new std::string(MakeInput());
    ASSERT_TRUE(WriteStringToFile(input_dir_->Join("input.txt"), *input_, false).ok());
  }
  static void TearDownTestSuite() {
    delete input_;
    delete input_dir_;
  }

  CommandResult Grep(const std::string& args) {
    return RunCommand(testing::BinPath("grep") + " --input=" + input_dir_->Join("input.txt") +
                          " --output=" + dir_.Join("out") + " " + args,
                      kTimeoutSeconds);
  }

  // The "PATTERN\tCOUNT" lines of every part file.
  std::vector<std::string> OutputLines(int reducers) {
    std::vector<std::string> lines;
    for (int r = 0; r < reducers; ++r) {
      auto data = ReadFileToString(dir_.Join("out/part-r-0000" + std::to_string(r)));
      EXPECT_TRUE(data.ok());
      if (!data.ok()) continue;
      size_t start = 0;
      while (start < data->size()) {
        size_t nl = data->find('\n', start);
        EXPECT_NE(nl, std::string::npos);
        if (nl == std::string::npos) break;
        lines.push_back(data->substr(start, nl - start));
        start = nl + 1;
      }
    }
    return lines;
  }

  static ScopedTempDir* input_dir_;
  static std::string* input_;
  ScopedTempDir dir_;
};

ScopedTempDir* GrepTest::input_dir_ = nullptr;
std::string* GrepTest::input_ = nullptr;

TEST_F(GrepTest, CountsMatchingLines) {
  struct Case {
    std::string pattern;
    int reducers;
  };
  for (const Case& c : {Case{"fo+r?[0-9]", 1}, Case{"^start.*end$", 2}, Case{"a b c", 3},
                        Case{"qqq", 1}, Case{"x{2,}y|z{3}", 2}}) {
    SCOPED_TRACE(c.pattern);
    uint64_t expected = CountMatches(*input_, c.pattern);
    CommandResult r = Grep("--pattern='" + c.pattern + "' --split_size_mb=1 --reducers=" +
                           std::to_string(c.reducers));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(OutputLines(c.reducers),
              std::vector<std::string>{c.pattern + "\t" + std::to_string(expected)});
    EXPECT_TRUE(PathExists(dir_.Join("out/_SUCCESS")));
    ASSERT_TRUE(RemoveAll(dir_.Join("out")).ok());
  }
  // The cases above are not vacuous.
  EXPECT_GT(CountMatches(*input_, "^start.*end$"), 1000u);
  EXPECT_EQ(CountMatches(*input_, "qqq"), 0u);
}

TEST_F(GrepTest, MissingPatternIsAUsageError) {
  CommandResult r = Grep("");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--pattern"), std::string::npos) << r.err;
  EXPECT_EQ(ListDir(dir_.path()), std::vector<std::string>{});
}

TEST_F(GrepTest, BadRegexIsAUsageError) {
  for (const char* pattern : {"a(", "[z-a]", "*x"}) {
    CommandResult r = Grep(std::string("--pattern='") + pattern + "'");
    EXPECT_EQ(r.exit_code, 2) << pattern << ": " << r.err;
    EXPECT_NE(r.err.find("bad --pattern"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  EXPECT_EQ(ListDir(dir_.path()), std::vector<std::string>{});
}

}  // namespace
}  // namespace mr
