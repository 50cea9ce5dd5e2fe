#include "scheduler/resourcemanager/rm_failover.h"

#include <algorithm>
#include <chrono>

#include <glog/logging.h>

#include "ResourceManagerService.h"
#include "common/host_port.h"
#include "rpc/thrift_client.h"
#include "scheduler/resourcemanager/rm_service.h"

namespace mr::sched {

namespace {

using RmClient = rpc::ThriftClient<wire::ResourceManagerServiceClient, wire::SchedulerError>;

// OK if the RM at `address` serves (is active); Unavailable from a standby
// or an RM that is down.
Status Probe(const std::string& address, int timeout_ms) {
  std::string host;
  int port = 0;
  RETURN_NOT_OK(ParseHostPort(address, &host, &port));
  rpc::ClientOptions options;
  options.connect_timeout_ms = timeout_ms;
  options.rpc_timeout_ms = timeout_ms;
  ASSIGN_OR_RETURN(auto rm, RmClient::Connect("resource manager", host, port, options));
  return rm->Call("ListNodes", [](auto& stub) {
    std::vector<wire::NodeReport> nodes;
    stub.ListNodes(nodes);
  });
}

}  // namespace

bool RmFailover::PeerIsActive(const std::vector<std::string>& peers, int timeout_ms) {
  return std::any_of(peers.begin(), peers.end(),
                     [&](const std::string& peer) { return Probe(peer, timeout_ms).ok(); });
}

RmFailover::RmFailover(Options options, RmService* service)
    : options_(std::move(options)), service_(service) {}

RmFailover::~RmFailover() { Stop(); }

void RmFailover::Start() { thread_ = std::thread([this] { Loop(); }); }

void RmFailover::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RmFailover::Loop() {
  using Clock = std::chrono::steady_clock;
  auto last_seen = Clock::now();
  int timeout_ms = std::max(50, std::min(options_.probe_ms * 2, 1000));
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(options_.probe_ms), [this] { return stopping_; });
      if (stopping_) return;
    }
    if (PeerIsActive(options_.peers, timeout_ms)) {
      last_seen = Clock::now();
      continue;
    }
    auto silent_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_seen).count();
    if (silent_ms < options_.failover_ms) continue;
    LOG(WARNING) << "rm: no active resource manager for " << silent_ms << " ms: taking over";
    Status s = service_->Activate();
    if (s.ok()) return;
    LOG_EVERY_N(ERROR, 10) << "rm: cannot take over: " << s.ToString();
  }
}

}  // namespace mr::sched
