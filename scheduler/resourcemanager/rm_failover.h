// RmFailover: when a standby Resource Manager takes over (docs/SCHEDULER.md,
// "RM failover"). Its thread probes the peer RMs every probe_ms with a cheap
// call (ListNodes); a peer that answers is active (a standby answers
// Unavailable). Once no peer has answered for failover_ms, it activates the
// service, which loads the latest checkpoint, and the thread ends.
//
// There is no fencing: an active RM never steps down. The rule that keeps
// two RMs from serving at once is at start: an RM meant to be active first
// asks its peers (PeerIsActive) and stays standby if one already is (the
// old active restarted after a takeover).
//
// Thread-safety: Start and Stop from the owning thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace mr::sched {

class RmService;

class RmFailover {
 public:
  struct Options {
    std::vector<std::string> peers;  // host:port of the other RMs.
    int probe_ms = 200;
    int failover_ms = 2000;
  };

  // True if some peer answers as an active RM within `timeout_ms`.
  static bool PeerIsActive(const std::vector<std::string>& peers, int timeout_ms);

  RmFailover(Options options, RmService* service);  // `service` outlives it.
  ~RmFailover();  // Stop().
  void Start();
  void Stop();  // Idempotent.

 private:
  void Loop();

  const Options options_;
  RmService* const service_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace mr::sched
