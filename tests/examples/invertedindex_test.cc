// The inverted index example run locally as a real process, against an index
// computed here from the files: every word with the sorted, de-duplicated
// FILE:OFFSET of each line that holds it (Context::input_file() and
// input_offset() tell the mapper both).
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "test_util.h"

namespace mr {
namespace {

using testing::BinPath;
using testing::CommandResult;
using testing::ListDir;
using testing::Quote;
using testing::RunCommand;
using testing::ScopedTempDir;

using Index = std::map<std::string, std::set<std::pair<std::string, uint64_t>>>;

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Adds the places of `text`'s words, the file named `path`.
void IndexText(const std::string& path, const std::string& text, Index* index) {
  uint64_t line_start = 0;
  while (line_start < text.size()) {
    size_t nl = text.find('\n', line_start);
    size_t end = nl == std::string::npos ? text.size() : nl;
    size_t i = line_start;
    while (i < end) {
      while (i < end && IsSpace(text[i])) ++i;
      size_t start = i;
      while (i < end && !IsSpace(text[i])) ++i;
      if (i > start) (*index)[text.substr(start, i - start)].insert({path, line_start});
    }
    line_start = end + 1;
  }
}

// "word\tFILE:OFFSET,..." lines as the job writes them.
std::vector<std::string> Format(const Index& index) {
  std::vector<std::string> lines;
  for (const auto& [word, places] : index) {
    std::string line = word + "\t";
    bool first = true;
    for (const auto& [file, offset] : places) {
      line += (first ? "" : ",") + file + ":" + std::to_string(offset);
      first = false;
    }
    lines.push_back(line);
  }
  return lines;
}

// Lines of the part files in `dir`, sorted.
std::vector<std::string> OutputLines(const std::string& dir) {
  std::vector<std::string> lines;
  for (const std::string& name : ListDir(dir)) {
    if (name.rfind("part-", 0) != 0) continue;
    Result<std::string> text = ReadFileToString(JoinPath(dir, name));
    EXPECT_TRUE(text.ok());
    std::istringstream in(text.ok() ? *text : "");
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

TEST(InvertedIndexTest, ListsEveryPlaceOfEveryWordOnce) {
  ScopedTempDir dir;
  std::string in = dir.Join("in");
  std::mt19937 rng(11);
  Index want;
  auto add = [&](const std::string& name, const std::string& text) {
    std::string path = JoinPath(in, name);
    ASSERT_TRUE(CreateDirs(DirName(path)).ok());
    ASSERT_TRUE(WriteStringToFile(path, text, false).ok());
    IndexText(path, text, &want);
  };
  // Zipf-ish words, some repeated within a line, CRLF and empty lines, a
  // last line without "\n"; files larger than a split.
  for (const char* name : {"a.txt", "sub/b.txt", "sub/c.txt"}) {
    std::string text;
    while (text.size() < (1500u << 10)) {
      int words = rng() % 9;
      for (int w = 0; w < words; ++w) {
        text += w > 0 ? (rng() % 7 == 0 ? "\t" : " ") : "";
        text += 'w';
        text += std::to_string(rng() % (1 + rng() % 3000));
      }
      if (words > 2 && rng() % 4 == 0) text += " w0 w0";
      text += rng() % 5 == 0 ? "\r\n" : "\n";
    }
    text += "tail-word";
    add(name, text);
  }
  ASSERT_TRUE(WriteStringToFile(JoinPath(in, "_skipped"), "hidden\n", false).ok());
  CommandResult r = RunCommand(Quote(BinPath("invertedindex")) + " --input=" + Quote(in) +
                                   " --output=" + Quote(dir.Join("out")) +
                                   " --reducers=3 --split_size_mb=1 --sort_buffer_mb=4",
                               120);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> expected = Format(want);
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> got = OutputLines(dir.Join("out"));
  EXPECT_EQ(got.size(), expected.size());
  auto [first_got, first_want] = std::mismatch(got.begin(), got.end(), expected.begin(), expected.end());
  EXPECT_TRUE(first_got == got.end() && first_want == expected.end())
      << "the index differs; first difference:\n got: "
      << (first_got == got.end() ? "(end)" : first_got->substr(0, 300))
      << "\nwant: " << (first_want == expected.end() ? "(end)" : first_want->substr(0, 300));
  EXPECT_EQ(want.count("hidden"), 0u);
}

}  // namespace
}  // namespace mr
