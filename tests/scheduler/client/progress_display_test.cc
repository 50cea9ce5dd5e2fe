// Progress while a submission waits: plain lines only on change, or one bar
// redrawn in place on a terminal.
#include "scheduler/client/progress_display.h"

#include <limits>

#include <gtest/gtest.h>

namespace mr::sched {
namespace {

TEST(ProgressDisplayTest, PlainLinesOnlyWhenTheNumbersChange) {
  ProgressDisplay d(/*terminal=*/false);
  EXPECT_EQ(d.Update("ACCEPTED", 0, 0), "ACCEPTED  map   0%  reduce   0%\n");
  EXPECT_EQ(d.Update("ACCEPTED", 0, 0), "");
  EXPECT_EQ(d.Update("RUNNING", 0, 0), "RUNNING   map   0%  reduce   0%\n");
  EXPECT_EQ(d.Update("RUNNING", 0.001, 0), "");  // Still 0%.
  EXPECT_EQ(d.Update("RUNNING", 0.5, 0), "RUNNING   map  50%  reduce   0%\n");
  EXPECT_EQ(d.Update("SUCCEEDED", 1, 1), "SUCCEEDED map 100%  reduce 100%\n");
  EXPECT_EQ(d.Finish(), "");
}

TEST(ProgressDisplayTest, TerminalRedrawsOneLineInPlace) {
  ProgressDisplay d(/*terminal=*/true);
  EXPECT_EQ(d.Finish(), "");  // Nothing drawn yet.
  std::string first = d.Update("RUNNING", 0.25, 0);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first.front(), '\r');
  EXPECT_EQ(first.find('\n'), std::string::npos);
  EXPECT_NE(first.find("[#####...............]  25%"), std::string::npos) << first;
  EXPECT_NE(first.find("[....................]   0%"), std::string::npos) << first;
  EXPECT_EQ(d.Update("RUNNING", 0.25, 0), "");
  std::string done = d.Update("SUCCEEDED", 1, 1);
  EXPECT_NE(done.find("[####################] 100%"), std::string::npos) << done;
  EXPECT_EQ(d.Finish(), "\n");
  EXPECT_EQ(d.Finish(), "");
}

TEST(ProgressDisplayTest, PercentIsFlooredAndClamped) {
  EXPECT_EQ(ProgressDisplay::Percent(0.999), 99);
  EXPECT_EQ(ProgressDisplay::Percent(1.0), 100);
  EXPECT_EQ(ProgressDisplay::Percent(0.29), 29);  // 28.999... in binary.
  EXPECT_EQ(ProgressDisplay::Percent(-1), 0);
  EXPECT_EQ(ProgressDisplay::Percent(7), 100);
  EXPECT_EQ(ProgressDisplay::Percent(std::numeric_limits<double>::quiet_NaN()), 0);
}

}  // namespace
}  // namespace mr::sched
