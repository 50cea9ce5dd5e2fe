// The task-side fault injection (fault_injection.h): flag parsing, which
// attempts are hit, and each fault's effect (slow: proportional sleeps;
// hang: SIGSTOP; crash: abort), the last two in a forked child.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "fault_injection.h"
#include "progress_reporter.h"
#include "scheduler/nodemanager/progress_file.h"
#include "test_util.h"

namespace mr {
namespace {

using std::chrono::milliseconds;

ProgressReporter::Options At(const std::string& path) {
  ProgressReporter::Options options;
  options.path = path;
  return options;
}

TEST(FaultPlanTest, ParsesAndMatches) {
  Result<FaultPlan> none = ParseFaultPlan("", 1, "", 5);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->kind, FaultPlan::Kind::kNone);
  EXPECT_FALSE(none->Matches(true, 0, 0));

  Result<FaultPlan> plan = ParseFaultPlan("m_000003", 2, "slow", 4);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->kind, FaultPlan::Kind::kSlow);
  EXPECT_TRUE(plan->Matches(true, 3, 0));
  EXPECT_TRUE(plan->Matches(true, 3, 1));
  EXPECT_FALSE(plan->Matches(true, 3, 2));     // A retry runs clean.
  EXPECT_FALSE(plan->Matches(true, 3, 1000));  // So does a restarted AM's attempt.
  EXPECT_FALSE(plan->Matches(false, 3, 0));    // r_000003 is another task.
  EXPECT_FALSE(plan->Matches(true, 4, 0));
  EXPECT_EQ(plan->slow_factor, 4);

  plan = ParseFaultPlan("r_000012", 1, "hang", 5);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->kind, FaultPlan::Kind::kHang);
  EXPECT_TRUE(plan->Matches(false, 12, 0));
  EXPECT_EQ(ParseFaultPlan("m_999999", 1, "crash", 5)->kind, FaultPlan::Kind::kCrash);

  // On one node: every task there, or one task only there.
  plan = ParseFaultPlan("", 100, "crash", 5, "nm-1-1");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->Matches(true, 7, 3, "nm-1-1"));
  EXPECT_TRUE(plan->Matches(false, 0, 0, "nm-1-1"));
  EXPECT_FALSE(plan->Matches(true, 7, 3, "nm-2-1"));
  plan = ParseFaultPlan("m_000001", 1, "crash", 5, "nm-1-1");
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->Matches(true, 1, 0, "nm-1-1"));
  EXPECT_FALSE(plan->Matches(true, 2, 0, "nm-1-1"));
  EXPECT_FALSE(ParseFaultPlan("", 1, "", 5, "nm-1-1").ok());  // A node but no fault.
}

TEST(FaultPlanTest, RefusesBadSettings) {
  for (auto [task, fault, factor] :
       {std::tuple{"m_3", "slow", 5.0}, {"x_000003", "slow", 5.0}, {"m_00000a", "slow", 5.0},
        {"m_0000003", "slow", 5.0}, {"m000003", "slow", 5.0}, {"m_000003", "explode", 5.0},
        {"m_000003", "", 5.0}, {"", "crash", 5.0}, {"m_000003", "slow", 0.5},
        {"m_000003", "slow", std::numeric_limits<double>::quiet_NaN()}}) {
    Result<FaultPlan> plan = ParseFaultPlan(task, 1, fault, factor);
    EXPECT_EQ(plan.status().code(), Status::Code::kInvalidArgument)
        << task << " " << fault << " " << factor;
  }
  // The flags' defaults are no fault.
  Result<FaultPlan> flags = FaultPlanFromFlags();
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->kind, FaultPlan::Kind::kNone);
}

TEST(FaultInjectorTest, SlowSleepsInProportionToTheWork) {
  testing::ScopedTempDir dir;
  ProgressReporter reporter(At(dir.Join("progress")));
  FaultInjector injector(*ParseFaultPlan("m_000000", 1, "slow", 3));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(milliseconds(25));  // "Work".
    injector.OnProgress(&reporter, i / 4.0);
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  // 100 ms of work, 200 ms of sleeps.
  EXPECT_GE(elapsed, milliseconds(290));
  EXPECT_LT(elapsed, milliseconds(1500));
}

// Runs `fault` at progress `fraction` in a child; returns its wait status
// (WUNTRACED: a stopped child is reported, then killed).
int RunFaultInChild(const std::string& fault, double fraction, const std::string& progress) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ProgressReporter reporter(At(progress));
    reporter.Report(fraction);
    FaultInjector injector(*ParseFaultPlan("r_000001", 1, fault, 5));
    injector.OnProgress(&reporter, fraction);
    ::_exit(0);
  }
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, WUNTRACED), pid);
  if (WIFSTOPPED(status)) {
    ::kill(pid, SIGKILL);
    int ignored;
    ::waitpid(pid, &ignored, 0);
  }
  return status;
}

TEST(FaultInjectorTest, HangStopsTheProcessAfterSomeProgress) {
  testing::ScopedTempDir dir;
  int status = RunFaultInChild("hang", 0.05, dir.Join("p1"));  // Too early.
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  status = RunFaultInChild("hang", 0.2, dir.Join("p2"));
  ASSERT_TRUE(WIFSTOPPED(status));
  EXPECT_EQ(WSTOPSIG(status), SIGSTOP);
  EXPECT_DOUBLE_EQ(sched::ReadProgressFile(dir.Join("p2")).fraction, 0.2);
}

TEST(FaultInjectorTest, CrashAbortsHalfway) {
  testing::ScopedTempDir dir;
  int status = RunFaultInChild("crash", 0.4, dir.Join("p1"));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  status = RunFaultInChild("crash", 0.5, dir.Join("p2"));
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGABRT);
  EXPECT_DOUBLE_EQ(sched::ReadProgressFile(dir.Join("p2")).fraction, 0.5);
}

}  // namespace
}  // namespace mr
