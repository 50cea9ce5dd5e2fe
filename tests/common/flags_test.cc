// The command-line contract of every binary (common/flags.h), checked on a
// real one, teragen: usage errors exit 2 with exactly one line on stderr.
#include <string>

#include <gtest/gtest.h>

#include "test_util.h"

namespace mr {
namespace {

using mr::testing::RunCommand;
using mr::testing::ScopedTempDir;

int CountLines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

class FlagsContractTest : public ::testing::Test {
 protected:
  mr::testing::CommandResult Teragen(const std::string& args) {
    return RunCommand(mr::testing::BinPath("teragen") + " " + args, 30);
  }
  ScopedTempDir dir_;
};

TEST_F(FlagsContractTest, UnknownFlagExits2WithOneLine) {
  auto r = Teragen("--no_such_flag=1 --records=1 --output=" + dir_.Join("out"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("unknown flag --no_such_flag"), std::string::npos) << r.err;
  EXPECT_FALSE(PathExists(dir_.Join("out")));
}

TEST_F(FlagsContractTest, BadValueExits2) {
  auto r = Teragen("--records=abc --output=" + dir_.Join("out"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("--records"), std::string::npos) << r.err;
}

TEST_F(FlagsContractTest, MissingValueExits2) {
  auto r = Teragen("--records=1 --output");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
}

TEST_F(FlagsContractTest, MissingRequiredFlagExits2) {
  auto r = Teragen("--records=10");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("--output"), std::string::npos) << r.err;
}

TEST_F(FlagsContractTest, HelpExits0AndListsOwnFlagsOnly) {
  auto r = Teragen("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Usage: teragen"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--records"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("--logtostderr"), std::string::npos) << "glog's flags are hidden";
}

TEST_F(FlagsContractTest, GoodFlagsRun) {
  auto r = Teragen("--records=10 --maps=1 --output " + dir_.Join("out"));  // Value as next arg.
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(*FileSize(dir_.Join("out/part-m-00000")), 1000u);
}

}  // namespace
}  // namespace mr
