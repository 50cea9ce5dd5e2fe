// How daemons stop: SIGINT and SIGTERM are blocked in every thread (create
// this before starting any), and the main thread waits for one with Wait().
// SIGPIPE is ignored, so a peer that goes away is an EPIPE error, not death.
#pragma once

#include <csignal>

namespace mr {

class StopSignals {
 public:
  StopSignals();
  // Blocks until SIGINT or SIGTERM arrives; returns the signal.
  int Wait();

 private:
  sigset_t signals_;
};

}  // namespace mr
