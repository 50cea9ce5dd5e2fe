// Progress while a submission waits: plain lines only on change, or one bar
// redrawn in place on a terminal; the attempts by state, or why it waits.
#include "scheduler/client/progress_display.h"

#include <limits>

#include <gtest/gtest.h>

namespace mr::sched {
namespace {

JobProgress At(const std::string& state, double map, double reduce, int running = 0,
               int failed = 0, int killed = 0) {
  JobProgress p;
  p.state = state;
  p.map = map;
  p.reduce = reduce;
  p.running = running;
  p.failed = failed;
  p.killed = killed;
  return p;
}

TEST(ProgressDisplayTest, PlainLinesOnlyWhenTheNumbersChange) {
  ProgressDisplay d(/*terminal=*/false);
  JobProgress waiting = At("ACCEPTED", 0, 0);
  waiting.waiting = "waiting for its AM to fit";
  EXPECT_EQ(d.Update(waiting), "ACCEPTED  map   0%  reduce   0%  (waiting for its AM to fit)\n");
  EXPECT_EQ(d.Update(waiting), "");
  EXPECT_EQ(d.Update(At("ACCEPTED", 0, 0)), "ACCEPTED  map   0%  reduce   0%\n");
  EXPECT_EQ(d.Update(At("RUNNING", 0, 0)), "RUNNING   map   0%  reduce   0%\n");
  EXPECT_EQ(d.Update(At("RUNNING", 0.001, 0)), "");  // Still 0%.
  EXPECT_EQ(d.Update(At("RUNNING", 0.5, 0, 3)),
            "RUNNING   map  50%  reduce   0%  attempts 3 running, 0 failed, 0 killed\n");
  EXPECT_EQ(d.Update(At("RUNNING", 0.5, 0, 2, 1)),
            "RUNNING   map  50%  reduce   0%  attempts 2 running, 1 failed, 0 killed\n");
  EXPECT_EQ(d.Update(At("SUCCEEDED", 1, 1, 0, 1, 2)),
            "SUCCEEDED map 100%  reduce 100%  attempts 0 running, 1 failed, 2 killed\n");
  EXPECT_EQ(d.Finish(), "");
}

TEST(ProgressDisplayTest, TerminalRedrawsOneLineInPlace) {
  ProgressDisplay d(/*terminal=*/true);
  EXPECT_EQ(d.Finish(), "");  // Nothing drawn yet.
  std::string first = d.Update(At("RUNNING", 0.25, 0, 3));
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first.front(), '\r');
  EXPECT_EQ(first.find('\n'), std::string::npos);
  EXPECT_NE(first.find("[#####...............]  25%"), std::string::npos) << first;
  EXPECT_NE(first.find("[....................]   0%"), std::string::npos) << first;
  EXPECT_NE(first.find("attempts 3 running, 0 failed, 0 killed"), std::string::npos) << first;
  EXPECT_EQ(d.Update(At("RUNNING", 0.25, 0, 3)), "");
  std::string done = d.Update(At("SUCCEEDED", 1, 1));
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
