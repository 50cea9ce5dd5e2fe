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

// "  attempts 3 running, 1 failed, 0 killed", or the wait.
std::string Tail(const JobProgress& p) {
  if (!p.waiting.empty()) return "  (" + p.waiting + ")";
  if (p.running + p.failed + p.killed == 0) return "";
  char buf[128];
  std::snprintf(buf, sizeof(buf), "  attempts %d running, %d failed, %d killed", p.running,
                p.failed, p.killed);
  return buf;
}

}  // namespace

int ProgressDisplay::Percent(double progress) {
  if (!std::isfinite(progress)) return 0;
  return std::clamp(static_cast<int>(std::floor(progress * 100.0 + 1e-9)), 0, 100);
}

std::string ProgressDisplay::Update(const JobProgress& p) {
  int map = Percent(p.map);
  int reduce = Percent(p.reduce);
  char plain[128];
  std::snprintf(plain, sizeof(plain), "%-9s map %3d%%  reduce %3d%%", p.state.c_str(), map,
                reduce);
  std::string line = plain + Tail(p);
  if (line == last_) return "";
  last_ = line;
  if (!terminal_) return line + "\n";
  drawn_ = true;
  char bars[256];
  std::snprintf(bars, sizeof(bars), "\r%-9s map %s %3d%%  reduce %s %3d%%", p.state.c_str(),
                Bar(map).c_str(), map, Bar(reduce).c_str(), reduce);
  return bars + Tail(p) + "\x1b[K";
}

std::string ProgressDisplay::Finish() {
  if (!drawn_) return "";
  drawn_ = false;
  return "\n";
}

}  // namespace mr::sched
