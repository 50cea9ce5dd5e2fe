// ResourceManager: the RM daemon as a library, RmService served by a
// ThriftServer. Thread-safety: Start, port and Stop from one thread.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "rpc/thrift_server.h"
#include "scheduler/resourcemanager/rm_service.h"

namespace mr::sched {

class ResourceManager {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 0;  // 0 = ephemeral; see port().
    RmService::Options service;
    // Options with the values of the --rm_* flags (host, port unset).
    static Options FromFlags();
  };

  static Result<std::unique_ptr<ResourceManager>> Start(Options options);
  ~ResourceManager();
  int port() const { return server_->port(); }
  // The handler, for the daemon's membership hook.
  RmService* service() const { return service_.get(); }
  void Stop();  // Idempotent.

 private:
  ResourceManager() = default;
  std::shared_ptr<RmService> service_;
  std::unique_ptr<rpc::ThriftServer> server_;
};

}  // namespace mr::sched
