// RmLink: the Node Manager's side of the RM protocol. One thread registers
// the node (RegisterNode with the applications it has local data of,
// retried with backoff while the RM is down), then heartbeats every
// heartbeat_ms with the containers' statuses, and at once when a container
// completes (Wake: YARN's out-of-band heartbeat, so the RM frees its room
// without waiting), and obeys the answers: stop_container_ids,
// preempt_container_ids, cleanup_app_ids, reregister.
// Completed statuses are marked reported only after a heartbeat that
// carried them succeeded, so none is lost to a failed call.
//
// With several RMs (an active and a standby, docs/SCHEDULER.md "RM
// failover") each call tries them in turn (RmClient) and sticks to the one
// that answers; after a takeover the new RM asks the node to re-register,
// and the next heartbeat's running containers let it adopt them.
//
// Thread-safety: Start and Stop from the owning thread; the rest is the
// link's own thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "scheduler/nodemanager/container_manager.h"
#include "scheduler_types.h"

namespace mr::sched::nm {

class RmLink {
 public:
  struct Options {
    // "host:port,host:port": every RM, the active one first. Empty: the one
    // at rm_host:rm_port (which also gives back a list split at its last
    // ':', as ParseHostPort splits --rm).
    std::string rm_addresses;
    std::string rm_host;
    int rm_port = 0;
    wire::NodeInfo node;
    int heartbeat_ms = 200;
    int rpc_timeout_ms = 5000;
    // A finished application to clean up (app_cleaner.h); null: its
    // containers are stopped and forgotten at once.
    std::function<void(const std::string& app_id)> cleanup_app;
  };

  // `containers` must outlive the link.
  RmLink(Options options, ContainerManager* containers);
  ~RmLink();  // Stop().

  void Start();
  void Stop();  // Idempotent; returns once the thread has ended.
  // Heartbeats now rather than at the next interval (a container completed).
  void Wake();

  // For tests and logs.
  int registrations() const { return registrations_.load(); }
  int heartbeats() const { return heartbeats_.load(); }

 private:
  class Client;

  void Loop();
  // Waits up to `ms` or until Stop; false if stopping.
  bool Sleep(int ms);
  Status Register();
  Status Heartbeat(bool* reregister);

  const Options options_;
  ContainerManager* const containers_;
  std::unique_ptr<Client> client_;  // Used only by the link's thread.
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  bool woken_ = false;     // GUARDED_BY(mu_)
  std::thread thread_;
  std::atomic<int> registrations_{0};
  std::atomic<int> heartbeats_{0};
};

}  // namespace mr::sched::nm
