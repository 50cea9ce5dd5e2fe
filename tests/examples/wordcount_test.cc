// End-to-end tests of the wordcount binary, run as a real process on a
// generated corpus whose counts the test computes with its own tokenizer.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <random>
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

// Word counts computed here, independently of the engine: a word is a
// maximal run of bytes that are not C-locale whitespace.
void CountWords(const std::string& text, std::map<std::string, uint64_t>* counts) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) ++(*counts)[text.substr(start, i - start)];
  }
}

// Lines as the engine counts them: each "\n" ends one, and a last line
// without it is one more.
uint64_t CountLines(const std::string& text) {
  uint64_t lines = std::count(text.begin(), text.end(), '\n');
  return lines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

// A few MB over nested directories, with hidden files that must be skipped.
class Corpus {
 public:
  explicit Corpus(const std::string& root) : root_(root) {
    std::mt19937 rng(2024);
    std::vector<std::string> vocabulary = MakeVocabulary(&rng);
    std::vector<double> weights;
    for (size_t i = 0; i < vocabulary.size(); ++i) weights.push_back(1.0 / (i + 1));
    std::discrete_distribution<size_t> zipf(weights.begin(), weights.end());
    auto text = [&](size_t bytes, bool trailing_newline) {
      const char* separators[] = {" ", " ", " ", "\t", "  ", "\v", "\f", "\r", " \t\r "};
      std::string t;
      while (t.size() < bytes) {
        int words = rng() % 15;
        if (rng() % 10 == 0) words = 0;  // An empty line.
        for (int w = 0; w < words; ++w) {
          if (w > 0 || rng() % 3 == 0) t += separators[rng() % 9];
          // One word in ten is unique, so that the map output is large.
          if (rng() % 10 == 0) {
            t += 'u';
            t += std::to_string(rng());
          } else {
            t += vocabulary[zipf(rng)];
          }
        }
        t += rng() % 4 == 0 ? "\r\n" : "\n";
      }
      if (!trailing_newline) {
        while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
        t += " last-word-no-newline";
      }
      return t;
    };
    Add("a.txt", text(1500 << 10, true));
    Add("sub/b.txt", text(1200 << 10, true));
    Add("sub/deeper/c.txt", text(600 << 10, false));
    Add("sub/empty.txt", "");
    AddHidden("_hidden", "hiddenword hiddenword\n");
    AddHidden("sub/.dot", "dotword\n");
    AddHidden("_logs/log.txt", "logword\n");
    AddHidden(".git/data", "gitword\n");
  }

  const std::string& root() const { return root_; }
  const std::map<std::string, uint64_t>& counts() const { return counts_; }
  uint64_t lines() const { return lines_; }

 private:
  static std::vector<std::string> MakeVocabulary(std::mt19937* rng) {
    std::vector<std::string> v = {"the", "of", "and", "The", "THE", "a", "to", "in"};
    v.push_back(std::string("nul\0inside", 10));
    v.push_back(std::string("\0lead", 5));
    v.push_back("bad\xff\xfeutf8");
    v.push_back("\xff");
    v.push_back("caf\xc3\xa9");
    v.push_back("x\x01y\x7f");
    for (int i = 0; i < 20000; ++i) {
      std::string w;
      int len = 1 + (*rng)() % 10;
      for (int j = 0; j < len; ++j) w += static_cast<char>('a' + (*rng)() % 26);
      v.push_back(w + std::to_string(i % 7));
    }
    return v;
  }

  void Add(const std::string& name, const std::string& text) {
    Write(name, text);
    CountWords(text, &counts_);
    lines_ += CountLines(text);
  }
  void AddHidden(const std::string& name, const std::string& text) { Write(name, text); }
  void Write(const std::string& name, const std::string& text) {
    std::string path = JoinPath(root_, name);
    ASSERT_TRUE(CreateDirs(DirName(path)).ok());
    ASSERT_TRUE(WriteStringToFile(path, text, false).ok());
  }

  std::string root_;
  std::map<std::string, uint64_t> counts_;
  uint64_t lines_ = 0;
};

// The corpus is built once: every test reads it, none writes to it.
class WordCountTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    corpus_dir_ = new ScopedTempDir();
    corpus_ = new Corpus(corpus_dir_->Join("in"));
  }
  static void TearDownTestSuite() {
    delete corpus_;
    delete corpus_dir_;
  }

  // Runs wordcount with `flags` on the corpus into dir_/out.
  CommandResult Run(const std::string& flags) {
    return RunCommand(testing::BinPath("wordcount") + " --input=" + Quote(corpus_->root()) +
                          " --output=" + Quote(dir_.Join("out")) + " " + flags,
                      kTimeoutSeconds);
  }

  // Reads the part files: "word\tcount\n" lines, each part sorted by word.
  std::map<std::string, uint64_t> ReadOutput(int reducers) {
    std::map<std::string, uint64_t> counts;
    std::vector<std::string> names = ListDir(dir_.Join("out"));
    EXPECT_EQ(std::count_if(names.begin(), names.end(),
                            [](const std::string& n) { return n.rfind("part-r-", 0) == 0; }),
              reducers);
    for (int r = 0; r < reducers; ++r) {
      char name[32];
      std::snprintf(name, sizeof(name), "part-r-%05d", r);
      auto data = ReadFileToString(dir_.Join(std::string("out/") + name));
      EXPECT_TRUE(data.ok()) << name;
      if (!data.ok()) continue;
      std::string previous;
      size_t start = 0;
      while (start < data->size()) {
        size_t nl = data->find('\n', start);
        EXPECT_NE(nl, std::string::npos) << name << " does not end in a newline";
        if (nl == std::string::npos) break;
        std::string line = data->substr(start, nl - start);
        start = nl + 1;
        size_t tab = line.find('\t');
        EXPECT_NE(tab, std::string::npos) << name << ": " << line;
        if (tab == std::string::npos) continue;
        std::string word = line.substr(0, tab);
        std::string count = line.substr(tab + 1);
        EXPECT_TRUE(!count.empty() && std::all_of(count.begin(), count.end(), ::isdigit)) << line;
        if (!previous.empty()) {
          EXPECT_LT(previous, word) << name << " is not sorted";
        }
        previous = word;
        EXPECT_EQ(counts.count(word), 0u) << "word in two parts: " << word;
        counts[word] = std::stoull(count);
      }
    }
    return counts;
  }

  // Checks a successful run's output directory.
  void ExpectCorrectOutput(const CommandResult& r, int reducers) {
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(ReadOutput(reducers) == corpus_->counts()) << "counts differ";
    EXPECT_TRUE(PathExists(dir_.Join("out/_SUCCESS")));
    auto json = ReadFileToString(dir_.Join("out/_counters.json"));
    ASSERT_TRUE(json.ok());
    EXPECT_NE(json->find("\"Map input records\""), std::string::npos) << *json;
    EXPECT_EQ(CounterFromJson("Map input records"), static_cast<int64_t>(corpus_->lines()));
    uint64_t words = 0;
    for (const auto& [word, count] : corpus_->counts()) words += count;
    EXPECT_EQ(CounterFromJson("Map output records"), static_cast<int64_t>(words));
    EXPECT_EQ(CounterFromJson("Reduce output records"),
              static_cast<int64_t>(corpus_->counts().size()));
    EXPECT_NE(r.out.find("succeeded"), std::string::npos) << r.out;
    EXPECT_EQ(corpus_->counts().count("hiddenword") + corpus_->counts().count("dotword"), 0u);
    // Only the output next to the input's sibling: no temporary directory.
    EXPECT_EQ(ListDir(dir_.path()), std::vector<std::string>{"out"});
  }

  // The integer value of counter `name` in _counters.json, or -1.
  int64_t CounterFromJson(const std::string& name) {
    auto json = ReadFileToString(dir_.Join("out/_counters.json"));
    if (!json.ok()) return -1;
    std::string key = "\"" + name + "\":";
    size_t at = json->find(key);
    if (at == std::string::npos) return -1;
    return std::stoll(json->substr(at + key.size()));
  }

  static ScopedTempDir* corpus_dir_;
  static Corpus* corpus_;
  ScopedTempDir dir_;
};

ScopedTempDir* WordCountTest::corpus_dir_ = nullptr;
Corpus* WordCountTest::corpus_ = nullptr;

TEST_F(WordCountTest, CorpusIsWhatTheOtherTestsNeed) {
  const auto& counts = corpus_->counts();
  EXPECT_GT(counts.size(), 50000u);
  EXPECT_GT(corpus_->lines(), 50000u);
  EXPECT_GT(counts.count(std::string("nul\0inside", 10)), 0u);
  EXPECT_GT(counts.count("bad\xff\xfeutf8"), 0u);
  EXPECT_GT(counts.count("last-word-no-newline"), 0u);
  EXPECT_EQ(counts.count("hiddenword"), 0u);
  uint64_t bytes = 0;
  for (const char* name : {"a.txt", "sub/b.txt", "sub/deeper/c.txt"}) {
    auto size = FileSize(JoinPath(corpus_->root(), name));
    ASSERT_TRUE(size.ok());
    bytes += *size;
  }
  EXPECT_GT(bytes, 3u << 20);
}

TEST_F(WordCountTest, CountsEveryWord) {
  CommandResult r = Run("--reducers=3 --split_size_mb=1");
  ExpectCorrectOutput(r, 3);
  EXPECT_GE(CounterFromJson("Map tasks"), 4);
}

TEST_F(WordCountTest, AcceptsHyphenatedFlagNames) {
  CommandResult r = Run("--reducers=3 --split-size-mb=1");
  ExpectCorrectOutput(r, 3);
  EXPECT_GE(CounterFromJson("Map tasks"), 4);
}

TEST_F(WordCountTest, CountsEveryWordWithSpills) {
  CommandResult r = Run("--reducers=3 --split_size_mb=1 --sort_buffer_mb=1");
  ExpectCorrectOutput(r, 3);
  EXPECT_GT(CounterFromJson("Map spills"), CounterFromJson("Map tasks"));
}

TEST_F(WordCountTest, CountsEveryWordWithoutMapSideAggregation) {
  CommandResult r = Run("--reducers=3 --split_size_mb=1 --sort_buffer_mb=1 --nomap_side_aggregation"
                        " --merge_fan_in=2");
  ExpectCorrectOutput(r, 3);
  EXPECT_GT(CounterFromJson("Map spills"), CounterFromJson("Map tasks"));
  EXPECT_GT(CounterFromJson("Merge passes"), CounterFromJson("Map tasks"));
}

TEST_F(WordCountTest, OneReducerOneThread) {
  CommandResult r = Run("--reducers=1 --parallelism=1 --split_size_mb=2");
  ExpectCorrectOutput(r, 1);
}

TEST_F(WordCountTest, EmptyInputFile) {
  ASSERT_TRUE(WriteStringToFile(dir_.Join("empty"), "", false).ok());
  CommandResult r = RunCommand(testing::BinPath("wordcount") + " --input=" + dir_.Join("empty") +
                                   " --output=" + dir_.Join("out") + " --reducers=3",
                               kTimeoutSeconds);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(ReadOutput(3).empty());
  for (int p = 0; p < 3; ++p) {
    auto size = FileSize(dir_.Join("out/part-r-0000" + std::to_string(p)));
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size, 0u);
  }
  EXPECT_TRUE(PathExists(dir_.Join("out/_SUCCESS")));
}

TEST_F(WordCountTest, MissingInputFails) {
  CommandResult r = RunCommand(testing::BinPath("wordcount") + " --input=" + dir_.Join("nope") +
                                   " --output=" + dir_.Join("out"),
                               kTimeoutSeconds);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
  EXPECT_EQ(ListDir(dir_.path()), std::vector<std::string>{});
}

TEST_F(WordCountTest, ExistingOutputIsLeftAlone) {
  ASSERT_TRUE(CreateDirs(dir_.Join("out")).ok());
  ASSERT_TRUE(WriteStringToFile(dir_.Join("out/precious"), "keep me", false).ok());
  CommandResult r = Run("");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("exists"), std::string::npos) << r.err;
  EXPECT_EQ(ListDir(dir_.Join("out")), std::vector<std::string>{"precious"});
  auto data = ReadFileToString(dir_.Join("out/precious"));
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "keep me");
  EXPECT_EQ(ListDir(dir_.path()), std::vector<std::string>{"out"});
}

TEST_F(WordCountTest, UsageErrorsExitWith2) {
  std::string bin = testing::BinPath("wordcount");
  std::string in = " --input=" + Quote(corpus_->root());
  std::string out = " --output=" + Quote(dir_.Join("out"));
  for (const std::string& args :
       {in + out + " --frobnicate", in + out + " --reducers=-1", in + out + " --reducers=abc",
        in, out, in + out + " stray-argument"}) {
    CommandResult r = RunCommand(bin + args, kTimeoutSeconds);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << "\n" << r.err;
  }
  EXPECT_EQ(ListDir(dir_.path()), std::vector<std::string>{});
}

TEST_F(WordCountTest, OutputUnderARegularFileFails) {
  ASSERT_TRUE(WriteStringToFile(dir_.Join("file"), "x", false).ok());
  CommandResult r = RunCommand(testing::BinPath("wordcount") + " --input=" +
                                   Quote(corpus_->root()) + " --output=" + dir_.Join("file/out"),
                               kTimeoutSeconds);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(r.err.empty());
  EXPECT_EQ(ListDir(dir_.path()), std::vector<std::string>{"file"});
}

TEST_F(WordCountTest, FullDiskDuringSpillFailsCleanly) {
  CommandResult r = Run("--reducers=3 --split_size_mb=1 --sort_buffer_mb=1"
                        " --fault_inject_enospc_after_bytes=100000");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("space"), std::string::npos) << r.err;
  // No output, and no hidden .out.tmp-* directory either.
  EXPECT_EQ(ListDir(dir_.path()), std::vector<std::string>{});
}

TEST_F(WordCountTest, InterruptedJobLeavesNothing) {
  // Slow maps keep the job running until the signal; `timeout` passes the
  // SIGTERM on to wordcount.
  std::string command = "timeout 60 " + testing::BinPath("wordcount") + " --input=" +
                        Quote(corpus_->root()) + " --output=" + Quote(dir_.Join("out")) +
                        " --fault_inject_map_record_delay_us=200 2>" + Quote(dir_.Join("err")) +
                        " & echo $! >" + Quote(dir_.Join("pid")) + "; wait $!; echo $? >" +
                        Quote(dir_.Join("rc"));
  std::string background = "(" + command + ") >/dev/null 2>&1 &";
  ASSERT_EQ(std::system(background.c_str()), 0);
  // Wait (bounded) for the job's hidden temporary directory to appear.
  bool started = false;
  for (int i = 0; i < 500 && !started; ++i) {
    for (const std::string& name : ListDir(dir_.path())) started |= name.rfind(".out.tmp-", 0) == 0;
    if (!started) ::usleep(20 * 1000);
  }
  ASSERT_TRUE(started) << "the job never started";
  auto pid = ReadFileToString(dir_.Join("pid"));
  ASSERT_TRUE(pid.ok());
  ASSERT_EQ(std::system(("kill -TERM " + *pid).c_str()), 0);
  Result<std::string> rc = Status::NotFound("rc");
  for (int i = 0; i < 500 && !rc.ok(); ++i) {
    ::usleep(20 * 1000);
    rc = ReadFileToString(dir_.Join("rc"));
    if (rc.ok() && rc->empty()) rc = Status::NotFound("rc");
  }
  ASSERT_TRUE(rc.ok()) << "the job did not stop";
  EXPECT_EQ(std::stoi(*rc), 1);
  auto err = ReadFileToString(dir_.Join("err"));
  ASSERT_TRUE(err.ok());
  EXPECT_NE(err->find("interrupted"), std::string::npos) << *err;
  EXPECT_EQ(ListDir(dir_.path()), (std::vector<std::string>{"err", "pid", "rc"}));
}

}  // namespace
}  // namespace mr
