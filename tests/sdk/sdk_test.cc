// The job SDK as a job author meets it (README, "Write your own job"):
// `cmake --install` into a fresh prefix, the template project copied into an
// empty directory and built against that prefix with find_package (and once
// with pkg-config), then the job run on this machine and on a local cluster
// started from the prefix's own programs, its output checked against a
// count made here.
#include <map>
#include <random>
#include <sstream>
#include <string>

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

class SdkTest : public ::testing::Test {
 protected:
  // Runs `command` with sh (from a script file: it may use cd, &&, $(...)),
  // failing the test with its output if it fails.
  CommandResult Must(const std::string& command, int timeout_s = 240) {
    std::string script = tmp_.Join("command.sh");
    (void)RemoveAll(script);
    EXPECT_TRUE(WriteStringToFile(script, command + "\n", false).ok());
    CommandResult r = RunCommand("sh " + Quote(script), timeout_s);
    EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.out << r.err;
    return r;
  }

  // Words and their counts, folded to lower case when `lower`.
  std::string Corpus(std::map<std::string, int64_t>* counts, std::map<std::string, int64_t>* lower) {
    std::mt19937 rng(3);
    const char* words[] = {"Apple", "apple", "APPLE", "pear", "Pear", "fig", "kiwi", "Kiwi"};
    std::string text;
    for (int line = 0; line < 20000; ++line) {
      int n = rng() % 8;
      for (int w = 0; w < n; ++w) {
        std::string word = words[rng() % 8] + std::to_string(rng() % 50);
        ++(*counts)[word];
        std::string folded = word;
        for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        ++(*lower)[folded];
        text += (w > 0 ? " " : "") + word;
      }
      text += "\n";
    }
    return text;
  }

  // "word\tcount" lines of the part files under `dir` (a local directory).
  std::map<std::string, int64_t> ReadCounts(const std::string& text) {
    std::map<std::string, int64_t> counts;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      size_t tab = line.find('\t');
      EXPECT_NE(tab, std::string::npos) << line;
      if (tab != std::string::npos) counts[line.substr(0, tab)] += std::stoll(line.substr(tab + 1));
    }
    return counts;
  }
  std::string LocalParts(const std::string& dir) {
    std::string all;
    for (const std::string& name : ListDir(dir)) {
      if (name.rfind("part-", 0) != 0) continue;
      Result<std::string> text = ReadFileToString(JoinPath(dir, name));
      EXPECT_TRUE(text.ok());
      if (text.ok()) all += *text;
    }
    return all;
  }

  ScopedTempDir tmp_;
};

TEST_F(SdkTest, AJobBuiltOutsideTheTreeRunsHereAndOnACluster) {
  const std::string prefix = tmp_.Join("prefix");
  const std::string project = tmp_.Join("myjob");
  // 1. Install the SDK.
  Must("cmake --install " + Quote(MR_BUILD_DIR) + " --prefix " + Quote(prefix) + " >/dev/null");
  for (const char* installed : {"include/mapreduce/mapreduce.h", "include/mapreduce/library.h",
                                "lib/libmapreduce_job.a", "lib/cmake/MapReduce/MapReduceConfig.cmake",
                                "lib/pkgconfig/mapreduce.pc", "bin/mrcluster", "bin/mrjob",
                                "bin/mrstream"}) {
    EXPECT_TRUE(PathExists(JoinPath(prefix, installed))) << installed;
  }
  // 2. The template, from an empty directory, built with find_package.
  Must("mkdir -p " + Quote(project) + " && cp " + Quote(MR_SOURCE_DIR "/sdk/template/CMakeLists.txt") +
       " " + Quote(MR_SOURCE_DIR "/sdk/template/myjob.cc") + " " + Quote(project));
  Must("cd " + Quote(project) + " && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "
       "-DCMAKE_PREFIX_PATH=" + Quote(prefix) + " >/dev/null && cmake --build build >/dev/null");
  const std::string job = JoinPath(project, "build/myjob");
  ASSERT_TRUE(PathExists(job));
  // ... and with pkg-config.
  Must("cd " + Quote(project) + " && PKG_CONFIG_PATH=" + Quote(prefix + "/lib/pkgconfig") +
       " g++ -O1 -o myjob_pc myjob.cc $(PKG_CONFIG_PATH=" + Quote(prefix + "/lib/pkgconfig") +
       " pkg-config --cflags --libs mapreduce)");

  // 3. On this machine.
  std::map<std::string, int64_t> counts, lower;
  ASSERT_TRUE(CreateDirs(tmp_.Join("in")).ok());
  ASSERT_TRUE(WriteStringToFile(tmp_.Join("in/words.txt"), Corpus(&counts, &lower), false).ok());
  Must(Quote(job) + " --input=" + Quote(tmp_.Join("in")) + " --output=" + Quote(tmp_.Join("out")) +
       " --reducers=2");
  EXPECT_EQ(ReadCounts(LocalParts(tmp_.Join("out"))), counts);
  Must(Quote(JoinPath(project, "myjob_pc")) + " --lowercase --input=" + Quote(tmp_.Join("in")) +
       " --output=" + Quote(tmp_.Join("out_pc")));
  EXPECT_EQ(ReadCounts(LocalParts(tmp_.Join("out_pc"))), lower);

  // 4. On a local cluster of the prefix's programs.
  const std::string bin = JoinPath(prefix, "bin");
  const std::string cluster = tmp_.Join("cluster");
  CommandResult up = Must(Quote(bin + "/mrcluster") + " up --dir " + Quote(cluster) +
                          " --racks 2 --nodes_per_rack 2 --nm_vcores 2");
  if (up.exit_code == 0) {
    Must(Quote(bin + "/mrdfs") + " --cluster " + Quote(cluster) + " put " +
         Quote(tmp_.Join("in/words.txt")) + " /in/words.txt");
    Must(Quote(bin + "/mrjob") + " --cluster " + Quote(cluster) + " submit --binary " + Quote(job) +
         " --input /in --output /out --reducers 2 -- --lowercase");
    std::string parts;
    for (const char* part : {"/out/part-r-00000", "/out/part-r-00001"}) {
      parts += Must(Quote(bin + "/mrdfs") + " --cluster " + Quote(cluster) + " cat " + part).out;
    }
    EXPECT_EQ(ReadCounts(parts), lower);
  }
  RunCommand(Quote(bin + "/mrcluster") + " down --dir " + Quote(cluster), 60);
}

}  // namespace
}  // namespace mr
