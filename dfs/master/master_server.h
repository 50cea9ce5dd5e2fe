// MasterServer: the DFS master daemon as a library. Start opens the durable
// state from its directory (recovering from the op log), builds the
// MasterService and serves it with Thrift's TThreadedServer (one thread per
// connection) on host:port, in a background thread.
//
// Wire: TFramedTransport + TCompactProtocol (MasterClient matches). A frame
// larger than max_frame_bytes, or bytes that do not decode, close that one
// connection; the server goes on. At most max_connections
// (--dfs_master_rpc_threads) connections are served at once: one more is
// closed as soon as it is accepted (rpc/thrift_server.h).
//
// Thread-safety: Start, port and Stop from one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "dfs/master/master_service.h"
#include "dfs/master/op_log.h"
#include "rpc/thrift_server.h"

namespace mr::dfs {

class MasterServer {
 public:
  struct Options {
    std::string dir;               // Op log + checkpoints.
    std::string host = "127.0.0.1";
    int port = 0;                  // 0 = ephemeral; see port().
    int64_t checkpoint_every_ops = 10000;
    int64_t oplog_preallocate_bytes = OpLog::kDefaultPreallocateBytes;  // MasterState::Options.
    int32_t max_frame_bytes = 16 << 20;
    int max_connections = 0;  // Open at once (one thread each); 0 = no limit.
    MasterService::Options service;
    // Options with the values of the --dfs_* flags (dir, host, port unset).
    static Options FromFlags();
  };

  // Recovers the state and starts serving; returns once the socket listens.
  static Result<std::unique_ptr<MasterServer>> Start(Options options);
  ~MasterServer();  // Stops.
  MasterServer(const MasterServer&) = delete;
  MasterServer& operator=(const MasterServer&) = delete;

  // The port actually bound.
  int port() const { return port_; }
  // The handler, for the daemon's membership hooks; owned by the server.
  MasterService* service() const { return service_.get(); }
  // Stops accepting, closes the connections and joins the serving thread.
  // Idempotent.
  void Stop();

 private:
  MasterServer() = default;

  int port_ = 0;
  std::shared_ptr<MasterService> service_;
  std::unique_ptr<rpc::ThriftServer> server_;
};

}  // namespace mr::dfs
