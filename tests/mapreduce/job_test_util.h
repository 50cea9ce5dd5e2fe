// Helpers for the engine tests that run whole jobs: simple user classes, and
// reading a job's text output back.
#pragma once

#include <dirent.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "mapreduce/library.h"
#include "mapreduce/mapreduce.h"
#include "test_util.h"

namespace mr::testing {

// Emits each "key\tvalue" line as (key, value); a line without a tab as
// (line, "").
class TabSplitMapper : public Mapper {
 public:
  void Map(std::string_view, std::string_view line, Context& context) override {
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      context.Emit(line, "");
    } else {
      context.Emit(line.substr(0, tab), line.substr(tab + 1));
    }
  }
};

// Emits (word, "1") for each run of non-space bytes (space: ' ', \t..\r).
class WordMapper : public Mapper {
 public:
  void Map(std::string_view, std::string_view line, Context& context) override {
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && IsSpace(line[i])) ++i;
      size_t start = i;
      while (i < line.size() && !IsSpace(line[i])) ++i;
      if (i > start) context.Emit(line.substr(start, i - start), "1");
    }
  }
  static bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
};

// The reducer and the combiner of word count.
using SumReducer = LongSumReducer;

using Pairs = std::vector<std::pair<std::string, std::string>>;

// The (key, value) pairs of one text part file: "key\tvalue\n" lines, where
// the key holds no tab. Fails the test on a malformed file.
inline Pairs ReadTextPart(const std::string& path) {
  Pairs pairs;
  Result<std::string> data = ReadFileToString(path);
  EXPECT_TRUE(data.ok()) << data.status().ToString();
  if (!data.ok()) return pairs;
  std::string_view rest = *data;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    EXPECT_NE(nl, std::string_view::npos) << path << ": last line has no newline";
    if (nl == std::string_view::npos) break;
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    size_t tab = line.find('\t');
    EXPECT_NE(tab, std::string_view::npos) << path << ": line without a tab";
    if (tab == std::string_view::npos) continue;
    pairs.emplace_back(std::string(line.substr(0, tab)), std::string(line.substr(tab + 1)));
  }
  return pairs;
}

// Every part-r-* file of a job's output directory, in partition order.
inline std::vector<Pairs> ReadTextParts(const std::string& output_dir, int reducers) {
  std::vector<Pairs> parts;
  std::vector<std::string> names = ListDir(output_dir);
  int found = 0;
  for (const std::string& name : names) {
    if (name.rfind("part-r-", 0) == 0) ++found;
  }
  EXPECT_EQ(found, reducers) << "part files in " << output_dir;
  for (int r = 0; r < reducers; ++r) {
    char name[32];
    std::snprintf(name, sizeof(name), "part-r-%05d", r);
    parts.push_back(ReadTextPart(JoinPath(output_dir, name)));
  }
  return parts;
}

// Checks each part's keys are in byte order (equal keys adjacent).
inline void ExpectPartsSorted(const std::vector<Pairs>& parts) {
  for (size_t p = 0; p < parts.size(); ++p) {
    for (size_t i = 1; i < parts[p].size(); ++i) {
      ASSERT_LE(parts[p][i - 1].first, parts[p][i].first) << "part " << p << " record " << i;
    }
  }
}

}  // namespace mr::testing
