#include "mapreduce/appmaster/speculator.h"

#include <algorithm>
#include <limits>

namespace mr::am {

namespace {

// Progress per millisecond.
double Rate(double progress, int64_t elapsed_ms) {
  return std::max(0.0, progress) / static_cast<double>(std::max<int64_t>(1, elapsed_ms));
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

std::optional<int> PickSpeculativeTask(const std::vector<RunningTaskEstimate>& running,
                                       const std::vector<int64_t>& finished_ms,
                                       const SpeculationOptions& options) {
  if (!options.enabled || running.empty() || finished_ms.empty()) return std::nullopt;
  std::vector<double> rates;
  double mean_finished_ms = 0;
  for (int64_t ms : finished_ms) {
    rates.push_back(Rate(1.0, ms));
    mean_finished_ms += static_cast<double>(std::max<int64_t>(1, ms));
  }
  mean_finished_ms /= static_cast<double>(finished_ms.size());
  for (const RunningTaskEstimate& task : running) rates.push_back(Rate(task.progress, task.elapsed_ms));
  const double slow_below = options.slow_rate_fraction * Median(std::move(rates));

  std::optional<int> chosen;
  double longest_left_ms = 0;
  for (const RunningTaskEstimate& task : running) {
    if (task.elapsed_ms < options.min_runtime_ms) continue;
    double rate = Rate(task.progress, task.elapsed_ms);
    if (rate >= slow_below) continue;
    double left_ms = rate > 0 ? (1.0 - std::min(1.0, task.progress)) / rate
                              : std::numeric_limits<double>::infinity();
    if (left_ms <= mean_finished_ms) continue;  // A backup would not finish sooner.
    if (!chosen.has_value() || left_ms > longest_left_ms) {
      chosen = task.task;
      longest_left_ms = left_ms;
    }
  }
  return chosen;
}

}  // namespace mr::am
