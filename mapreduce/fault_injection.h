// Fault injection into task attempts, for testing the Application Master's
// fault tolerance and speculative execution on a real cluster (as Kudu's
// fault_injection.h): job flags, so the AM hands them to every task, all off
// by default.
//
//   --mr_fault_task=m_000003   the task to hit (m_ or r_ and 6 digits)
//   --mr_fault_node=nm-1-1     only attempts on this node (MR_NODE_ID); with
//                              no --mr_fault_task, every task's there
//   --mr_fault_attempts=1      only its attempts numbered below this (a
//                              retry or a speculative backup runs clean)
//   --mr_fault=slow|hang|crash
//   --mr_fault_slow_factor=5
//
// The fault acts through the task's progress reports (progress_reporter.h),
// on the working thread: `slow` sleeps after each report for (factor - 1)
// times the work done since the previous one, so the task runs, and
// progresses, about factor times slower; `hang` stops the whole process with
// SIGSTOP once a tenth is done (its container stays RUNNING, its progress
// stops ticking; continued with SIGCONT, it goes on); `crash` aborts once
// half is done.
//
// Thread-safety: FaultInjector::OnProgress may be called from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mr {

class ProgressReporter;

struct FaultPlan {
  enum class Kind { kNone, kSlow, kHang, kCrash };
  Kind kind = Kind::kNone;
  bool is_map = true;
  int index = 0;
  bool any_task = false;  // Every task (on `node`).
  std::string node;       // Only attempts on this node; empty: any.
  int attempts = 1;  // Attempts numbered below this are hit.
  double slow_factor = 5;

  // Whether the attempt `attempt` of the task (is_map, index), running on
  // node `node_id`, is hit.
  bool Matches(bool task_is_map, int task_index, int attempt,
               std::string_view node_id = "") const;
};

// Parses the fault settings; InvalidArgument naming the flag for a bad one.
// `task` and `fault` both empty: no fault; one without the other is an error,
// unless `node` stands for the task (every task on that node).
Result<FaultPlan> ParseFaultPlan(std::string_view task, int attempts, std::string_view fault,
                                 double slow_factor, std::string_view node = "");
// ParseFaultPlan of the --mr_fault* flags.
Result<FaultPlan> FaultPlanFromFlags();

class FaultInjector {
 public:
  // `plan` applies to this attempt (the caller checked Matches).
  explicit FaultInjector(FaultPlan plan);

  // Called after each progress report (ProgressReporter::Options::on_report)
  // with the task's fraction; `reporter` is flushed before a hang or crash,
  // so the last progress is visible.
  void OnProgress(ProgressReporter* reporter, double fraction);

 private:
  using Clock = std::chrono::steady_clock;
  const FaultPlan plan_;
  std::mutex mu_;
  Clock::time_point work_since_;  // GUARDED_BY(mu_): end of the last sleep.
  bool hung_ = false;             // GUARDED_BY(mu_): a hang stops the task once.
};

}  // namespace mr
