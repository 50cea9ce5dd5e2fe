#include "fault_injection.h"

#include <sys/resource.h>

#include <csignal>
#include <cstdlib>
#include <thread>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "progress_reporter.h"

DEFINE_string(mr_fault_task, "",
              "Testing only: the task to inject --mr_fault into, e.g. m_000003 or r_000000 "
              "(empty: none).");
DEFINE_int32(mr_fault_attempts, 1,
             "Testing only: --mr_fault hits the attempts of --mr_fault_task numbered below "
             "this (so retries and speculative backups run clean).");
DEFINE_string(mr_fault_node, "",
              "Testing only: --mr_fault hits only attempts on this node manager (e.g. nm-1-1); "
              "without --mr_fault_task, every task's attempts there.");
DEFINE_string(mr_fault, "",
              "Testing only: slow (runs --mr_fault_slow_factor times slower), hang (stops "
              "itself with SIGSTOP after a little progress) or crash (aborts halfway).");
DEFINE_double(mr_fault_slow_factor, 5, "Testing only: how much slower --mr_fault=slow runs.");

namespace mr {

namespace {

constexpr double kHangAtFraction = 0.1;
constexpr double kCrashAtFraction = 0.5;

}  // namespace

bool FaultPlan::Matches(bool task_is_map, int task_index, int attempt,
                        std::string_view node_id) const {
  if (kind == Kind::kNone || attempt >= attempts) return false;
  if (!node.empty() && node != node_id) return false;
  return any_task || (task_is_map == is_map && task_index == index);
}

Result<FaultPlan> ParseFaultPlan(std::string_view task, int attempts, std::string_view fault,
                                 double slow_factor, std::string_view node) {
  FaultPlan plan;
  if (fault.empty() && task.empty()) {
    if (!node.empty()) return Status::InvalidArgument("--mr_fault_node needs --mr_fault");
    return plan;
  }
  if (fault == "slow") {
    plan.kind = FaultPlan::Kind::kSlow;
  } else if (fault == "hang") {
    plan.kind = FaultPlan::Kind::kHang;
  } else if (fault == "crash") {
    plan.kind = FaultPlan::Kind::kCrash;
  } else {
    return Status::InvalidArgument("--mr_fault must be slow, hang or crash, got '" +
                                   std::string(fault) + "'");
  }
  plan.node = std::string(node);
  plan.any_task = task.empty() && !node.empty();
  bool well_formed =
      plan.any_task || (task.size() == 8 && (task[0] == 'm' || task[0] == 'r') && task[1] == '_');
  for (size_t i = 2; well_formed && i < task.size(); ++i) {
    well_formed = task[i] >= '0' && task[i] <= '9';
  }
  if (!well_formed) {
    return Status::InvalidArgument("--mr_fault_task must be m_ or r_ and 6 digits (m_000003), "
                                   "got '" + std::string(task) + "'");
  }
  if (!plan.any_task) {
    plan.is_map = task[0] == 'm';
    plan.index = std::stoi(std::string(task.substr(2)));
  }
  plan.attempts = attempts;
  if (!(slow_factor >= 1 && slow_factor <= 1000)) {
    return Status::InvalidArgument("--mr_fault_slow_factor must be in [1, 1000]");
  }
  plan.slow_factor = slow_factor;
  return plan;
}

Result<FaultPlan> FaultPlanFromFlags() {
  return ParseFaultPlan(FLAGS_mr_fault_task, FLAGS_mr_fault_attempts, FLAGS_mr_fault,
                        FLAGS_mr_fault_slow_factor, FLAGS_mr_fault_node);
}

FaultInjector::FaultInjector(FaultPlan plan) : plan_(plan), work_since_(Clock::now()) {}

void FaultInjector::OnProgress(ProgressReporter* reporter, double fraction) {
  switch (plan_.kind) {
    case FaultPlan::Kind::kNone:
      return;
    case FaultPlan::Kind::kSlow: {
      // Sleep (factor - 1) times the work since the last sleep ended. Several
      // threads (parallel fetches) share the clock: one that reports during
      // another's sleep finds no work to pay for.
      Clock::duration pause;
      {
        std::lock_guard lock(mu_);
        Clock::time_point now = Clock::now();
        Clock::duration work = now > work_since_ ? now - work_since_ : Clock::duration::zero();
        pause = std::chrono::duration_cast<Clock::duration>(work * (plan_.slow_factor - 1));
        work_since_ = std::max(work_since_, now + pause);
      }
      std::this_thread::sleep_for(pause);
      return;
    }
    case FaultPlan::Kind::kHang: {
      // Once: a process continued with SIGCONT goes on with its work.
      std::lock_guard lock(mu_);
      if (fraction < kHangAtFraction || hung_) return;
      hung_ = true;
      reporter->Flush();
      LOG(WARNING) << "fault injection: stopping this task (SIGSTOP) at progress " << fraction;
      google::FlushLogFiles(google::GLOG_INFO);
      std::raise(SIGSTOP);
      return;  // Continued (SIGCONT): go on.
    }
    case FaultPlan::Kind::kCrash: {
      if (fraction < kCrashAtFraction) return;
      reporter->Flush();
      LOG(ERROR) << "fault injection: crashing this task (abort) at progress " << fraction;
      google::FlushLogFiles(google::GLOG_INFO);
      rlimit no_core{0, 0};
      ::setrlimit(RLIMIT_CORE, &no_core);  // No core file in the container.
      std::abort();
    }
  }
}

}  // namespace mr
