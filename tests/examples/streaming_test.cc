// Streaming jobs run locally as real processes (mrstream): word counts in
// awk and in Python, with and without a combiner, against wordcount's
// output on the same input; and the commands that misbehave: one that
// crashes, one that fails, one that never reads its input, one that hangs,
// and lines without a tab.
#include <map>
#include <random>
#include <sstream>
#include <string>
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

constexpr int kTimeoutSeconds = 120;

constexpr char kMapAwk[] = "{ for (i = 1; i <= NF; i++) print $i \"\\t1\" }\n";
constexpr char kReduceAwk[] =
    "BEGIN { FS = \"\\t\" }\n"
    "($1 \"\") != key { if (n) print key \"\\t\" sum; key = $1 \"\"; sum = 0; n = 1 }\n"
    "{ sum += $2 }\n"
    "END { if (n) print key \"\\t\" sum }\n";
constexpr char kMapPy[] =
    "import sys\n"
    "out = sys.stdout.buffer\n"
    "for line in sys.stdin.buffer:\n"
    "    for word in line.split():\n"
    "        out.write(word + b'\\t1\\n')\n";
constexpr char kSumPy[] =
    "import sys\n"
    "out = sys.stdout.buffer\n"
    "key, total = None, 0\n"
    "for line in sys.stdin.buffer:\n"
    "    k, v = line.rstrip(b'\\n').split(b'\\t', 1)\n"
    "    if k != key:\n"
    "        if key is not None:\n"
    "            out.write(key + b'\\t' + str(total).encode() + b'\\n')\n"
    "        key, total = k, 0\n"
    "    total += int(v)\n"
    "if key is not None:\n"
    "    out.write(key + b'\\t' + str(total).encode() + b'\\n')\n";

class StreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Words over spaces and tabs only, where awk, Python and wordcount all
    // split alike; about 2 MB in three files.
    std::mt19937 rng(7);
    ASSERT_TRUE(CreateDirs(dir_.Join("in")).ok());
    for (int f = 0; f < 3; ++f) {
      std::string text;
      while (text.size() < (700u << 10)) {
        int words = rng() % 12;
        for (int w = 0; w < words; ++w) {
          if (w > 0) text += rng() % 5 == 0 ? "\t" : " ";
          text += 'w';
          text += std::to_string(rng() % (f == 0 ? 50 : 5000));
        }
        // Words that are equal as numbers, not as bytes.
        if (rng() % 50 == 0) text += " 7 07 +7 7.0";
        text += "\n";
      }
      ASSERT_TRUE(WriteStringToFile(dir_.Join("in/f" + std::to_string(f)), text, false).ok());
    }
    ASSERT_TRUE(CreateDirs(dir_.Join("scripts")).ok());
    for (auto [name, body] : {std::pair{"map.awk", kMapAwk}, std::pair{"reduce.awk", kReduceAwk},
                              std::pair{"map.py", kMapPy}, std::pair{"sum.py", kSumPy}}) {
      ASSERT_TRUE(WriteStringToFile(dir_.Join(std::string("scripts/") + name), body, false).ok());
    }
  }

  // mrstream on dir_/in into dir_/<out>, run from dir_ (so --files may name
  // scripts/...).
  CommandResult Stream(const std::string& out, const std::string& flags) {
    return RunCommand("env -C " + Quote(dir_.path()) + " " + Quote(BinPath("mrstream")) +
                          " --input=in --output=" + out + " --split_size_mb=1 " + flags,
                      kTimeoutSeconds);
  }

  // The output's lines, every part file's, sorted.
  std::vector<std::string> Lines(const std::string& out) {
    std::vector<std::string> lines;
    for (const std::string& name : ListDir(dir_.Join(out))) {
      if (name.rfind("part-", 0) != 0) continue;
      Result<std::string> text = ReadFileToString(dir_.Join(out + "/" + name));
      EXPECT_TRUE(text.ok());
      std::istringstream in(text.ok() ? *text : "");
      for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  std::vector<std::string> WordcountLines() {
    CommandResult r = RunCommand(Quote(BinPath("wordcount")) + " --input=" + Quote(dir_.Join("in")) +
                                     " --output=" + Quote(dir_.Join("wc")) + " --reducers=2",
                                 kTimeoutSeconds);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Lines("wc");
  }

  int64_t Counter(const std::string& out, const std::string& name) {
    Result<std::string> json = ReadFileToString(dir_.Join(out + "/_counters.json"));
    if (!json.ok()) return -1;
    size_t at = json->find("\"" + name + "\":");
    return at == std::string::npos ? -1 : std::stoll(json->substr(at + name.size() + 3));
  }

  ScopedTempDir dir_;
};

TEST_F(StreamingTest, AnAwkWordCountMatchesWordcount) {
  CommandResult r = Stream("awk", "--reducers=3 --mapper='awk -f map.awk' "
                                  "--reducer='awk -f reduce.awk' "
                                  "--files=scripts/map.awk,scripts/reduce.awk");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> want = WordcountLines();
  ASSERT_GT(want.size(), 4000u);
  EXPECT_EQ(Lines("awk"), want);
  EXPECT_GE(Counter("awk", "Map tasks"), 3);
  // The scratch directory that linked the --files is gone.
  EXPECT_EQ(ListDir(dir_.path()), (std::vector<std::string>{"awk", "in", "scripts", "wc"}));
}

TEST_F(StreamingTest, APythonWordCountWithACombinerMatchesWordcount) {
  CommandResult r = Stream("py", "--reducers=2 --mapper='python3 map.py' "
                                 "--combiner='python3 sum.py' --reducer='python3 sum.py' "
                                 "--files=scripts/map.py,scripts/sum.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> want = WordcountLines();
  EXPECT_EQ(Lines("py"), want);
  // The combiner read every line the mappers wrote (one per word), and
  // what it wrote is the map output.
  int64_t words = 0;
  for (const std::string& line : want) words += std::stoll(line.substr(line.find('\t') + 1));
  EXPECT_EQ(Counter("py", "Mapper output lines"), words);
  EXPECT_EQ(Counter("py", "Combiner input lines"), words);
  EXPECT_EQ(Counter("py", "Combiner output lines"), Counter("py", "Map output records"));
  EXPECT_LT(Counter("py", "Map output records"), words / 10);
}

TEST_F(StreamingTest, ALineWithoutATabIsAllKey) {
  ASSERT_TRUE(RemoveAll(dir_.Join("in")).ok());
  ASSERT_TRUE(CreateDirs(dir_.Join("in")).ok());
  ASSERT_TRUE(WriteStringToFile(dir_.Join("in/f0"), "b\tvalue of b\nno tab here\na\t\n", false).ok());
  // No --reducer: the map output as key\tvalue lines, sorted by key.
  CommandResult r = Stream("cat", "--mapper=cat");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Result<std::string> text = ReadFileToString(dir_.Join("cat/part-r-00000"));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "a\nb\tvalue of b\nno tab here\n");
  // Through a reducer, which sees key\tvalue and writes lines as they are.
  r = Stream("cat2", "--mapper=cat --reducer='sed s/^/r:/'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  text = ReadFileToString(dir_.Join("cat2/part-r-00000"));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "r:a\t\nr:b\tvalue of b\nr:no tab here\t\n");
}

TEST_F(StreamingTest, AMapperThatNeverReadsItsInputEndsItsTask) {
  // It exits at once, 0: its output counts and the rest of its input is
  // dropped (as `head` in a shell pipeline).
  CommandResult r = Stream("quiet", "--mapper='echo never-read'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int64_t maps = Counter("quiet", "Map tasks");
  EXPECT_GE(maps, 3);
  EXPECT_EQ(Lines("quiet"), std::vector<std::string>(maps, "never-read"));
  // One that exits non-zero without reading fails the job.
  r = Stream("quiet2", "--mapper='exit 4'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the mapper command 'exit 4' failed (exit code 4)"), std::string::npos)
      << r.err;
  EXPECT_FALSE(PathExists(dir_.Join("quiet2")));
}

TEST_F(StreamingTest, ACrashingMapperFailsTheJobWithItsStderr) {
  CommandResult r = Stream("crash", "--mapper='head -c 1000 >/dev/null; "
                                    "echo mapper is dying >&2; kill -SEGV $$'");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("killed by signal 11"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("mapper is dying"), std::string::npos) << r.err;
  EXPECT_FALSE(PathExists(dir_.Join("crash")));
}

TEST_F(StreamingTest, AReducerThatFailsFailsTheJob) {
  CommandResult r = Stream("bad", "--mapper=cat --reducer='cat >/dev/null; echo no >&2; exit 2'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the reducer command"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("failed (exit code 2)"), std::string::npos) << r.err;
  EXPECT_FALSE(PathExists(dir_.Join("bad")));
}

TEST_F(StreamingTest, ACommandThatNeitherReadsNorWritesTimesOut) {
  CommandResult r = Stream("hung", "--mapper='sleep 600' --stream_idle_timeout_ms=500");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("read no input for 500 ms"), std::string::npos) << r.err;
}

TEST_F(StreamingTest, UsageErrorsExit2) {
  CommandResult r = Stream("x", "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--mapper is required"), std::string::npos) << r.err;
  r = Stream("x", "--mapper=cat --files=scripts/missing.py");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--files: cannot read 'scripts/missing.py'"), std::string::npos) << r.err;
  EXPECT_FALSE(PathExists(dir_.Join("x")));
}

}  // namespace
}  // namespace mr
