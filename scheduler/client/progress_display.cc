#include "scheduler/client/progress_display.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mr::sched {

namespace {

constexpr int kBarWidth = 20;

std::string Bar(int percent) {
  int filled = percent * kBarWidth / 100;
  std::string bar(kBarWidth + 2, '.');
  bar.front() = '[';
  bar.back() = ']';
  std::fill_n(bar.begin() + 1, filled, '#');
  return bar;
}

}  // namespace

int ProgressDisplay::Percent(double progress) {
  if (!std::isfinite(progress)) return 0;
  return std::clamp(static_cast<int>(std::floor(progress * 100.0 + 1e-9)), 0, 100);
}

std::string ProgressDisplay::Update(const std::string& state, double map_progress,
                                    double reduce_progress) {
  int map = Percent(map_progress);
  int reduce = Percent(reduce_progress);
  char plain[128];
  std::snprintf(plain, sizeof(plain), "%-9s map %3d%%  reduce %3d%%", state.c_str(), map, reduce);
  if (plain == last_) return "";
  last_ = plain;
  if (!terminal_) return std::string(plain) + "\n";
  drawn_ = true;
  char line[256];
  std::snprintf(line, sizeof(line), "\r%-9s map %s %3d%%  reduce %s %3d%%\x1b[K", state.c_str(),
                Bar(map).c_str(), map, Bar(reduce).c_str(), reduce);
  return line;
}

std::string ProgressDisplay::Finish() {
  if (!drawn_) return "";
  drawn_ = false;
  return "\n";
}

}  // namespace mr::sched
