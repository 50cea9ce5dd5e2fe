// A job's progress while `mrjob submit` waits: on a terminal, one line with
// two bars (map %, reduce %), the state and the attempts running, failed
// and killed, redrawn in place; otherwise (a pipe, a log file) a plain line
// each time one of those changes (a whole percent, a count), so logs stay
// short. While the application waits for its AM, why.
// Thread-safety: none; one per waiting client.
#pragma once

#include <string>

namespace mr::sched {

// What one poll of the application shows.
struct JobProgress {
  std::string state;  // "RUNNING", ...
  double map = 0;     // 0..1.
  double reduce = 0;
  int running = 0;  // Task attempts by state.
  int failed = 0;
  int killed = 0;
  std::string waiting;  // Why it waits for its AM (ACCEPTED), else "".
};

class ProgressDisplay {
 public:
  explicit ProgressDisplay(bool terminal) : terminal_(terminal) {}

  // What to write for this poll; "" when nothing visible changed.
  std::string Update(const JobProgress& progress);
  // What ends the display: a newline after an in-place bar, else "".
  std::string Finish();

  // Whole percent in [0, 100] (floor, so 100 means done).
  static int Percent(double progress);

 private:
  const bool terminal_;
  bool drawn_ = false;
  std::string last_;  // The last line shown, without decoration.
};

}  // namespace mr::sched
