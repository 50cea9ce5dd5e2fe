// A job's progress while `mrjob submit` waits: on a terminal, one line with
// two bars (map %, reduce %) and the state, redrawn in place; otherwise
// (a pipe, a log file) a plain line each time the state or a whole percent
// changes, so logs stay short.
// Thread-safety: none; one per waiting client.
#pragma once

#include <string>

namespace mr::sched {

class ProgressDisplay {
 public:
  explicit ProgressDisplay(bool terminal) : terminal_(terminal) {}

  // What to write for this poll; "" when nothing visible changed.
  std::string Update(const std::string& state, double map_progress, double reduce_progress);
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
