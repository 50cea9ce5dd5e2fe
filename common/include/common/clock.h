// The two clocks every module reads, in milliseconds.
#pragma once

#include <chrono>
#include <cstdint>

namespace mr {

// Since the epoch: for times shown to people or kept across restarts.
inline int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// From an arbitrary origin, never going back: for intervals and deadlines.
inline int64_t SteadyClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace mr
