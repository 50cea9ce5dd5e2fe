// RmClient: a ResourceManagerService client over the list of RM addresses
// of a cluster with a standby (docs/SCHEDULER.md, "RM failover"):
// "host:port,host:port", as --rm, MR_RM_ADDRESS and cluster.conf carry it.
//
// A call that fails with Unavailable (the RM is down or unreachable, or a
// standby answered "standby") goes to the next address, round after round,
// until failover_wait_ms has passed since the call began (0: one round);
// any other outcome returns at once. The address that answered last is
// tried first next time. So a call may reach two RMs, or one twice when a
// reply was lost: callers repeat only calls that are safe to repeat, or
// accept AlreadyExists for a SubmitApplication that landed.
//
// Header-only because the Node Manager, the AM and mrjob all use it and
// only the last two link the scheduler client library.
// Thread-safety: none; one client per thread (connections are cheap).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ResourceManagerService.h"
#include "common/host_port.h"
#include "common/status.h"
#include "rpc/thrift_client.h"

namespace mr::sched {

class RmClient {
 public:
  using Stub = wire::ResourceManagerServiceClient;
  using Thrift = rpc::ThriftClient<Stub, wire::SchedulerError>;

  struct Options {
    rpc::ClientOptions rpc;
    int failover_wait_ms = 15000;  // Covers a standby's takeover (2 s by default).
    int retry_pause_ms = 100;      // Between rounds.
  };

  // InvalidArgument for an empty list or a bad address; connects lazily.
  static Result<std::unique_ptr<RmClient>> Create(const std::string& addresses,
                                                  const Options& options) {
    std::unique_ptr<RmClient> client(new RmClient(options));
    ASSIGN_OR_RETURN(std::vector<HostPort> endpoints,
                     ParseHostPortList("resource manager address", addresses));
    for (HostPort& address : endpoints) {
      Endpoint endpoint;
      endpoint.host = std::move(address.host);
      endpoint.port = address.port;
      client->endpoints_.push_back(std::move(endpoint));
    }
    return client;
  }
  static Result<std::unique_ptr<RmClient>> Create(const std::string& addresses) {
    return Create(addresses, Options());
  }

  Status Call(const char* method, const std::function<void(Stub&)>& fn) {
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.failover_wait_ms);
    for (;;) {
      Status last;
      for (size_t i = 0; i < endpoints_.size(); ++i) {
        size_t k = (current_ + i) % endpoints_.size();
        Status s = CallOne(k, method, fn);
        if (!s.IsUnavailable()) {
          current_ = k;
          return s;
        }
        last = s;
      }
      if (std::chrono::steady_clock::now() >= deadline) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.retry_pause_ms));
    }
  }

  template <typename T>
  Result<T> CallFor(const char* method, const std::function<void(Stub&, T&)>& fn) {
    T out{};
    Status s = Call(method, [&](Stub& stub) { fn(stub, out); });
    if (!s.ok()) return s;
    return out;
  }

  // "host:port" of the RM that answered last (or will be tried first).
  std::string where() const {
    const Endpoint& e = endpoints_[current_];
    return e.host + ":" + std::to_string(e.port);
  }

 private:
  struct Endpoint {
    std::string host;
    int port = 0;
    std::unique_ptr<Thrift> client;  // Opened on first use.
  };

  explicit RmClient(Options options) : options_(std::move(options)) {}

  Status CallOne(size_t k, const char* method, const std::function<void(Stub&)>& fn) {
    Endpoint& e = endpoints_[k];
    if (!e.client) {
      ASSIGN_OR_RETURN(e.client, Thrift::Connect("resource manager", e.host, e.port, options_.rpc));
    }
    return e.client->Call(method, fn);
  }

  const Options options_;
  std::vector<Endpoint> endpoints_;
  size_t current_ = 0;
};

}  // namespace mr::sched
