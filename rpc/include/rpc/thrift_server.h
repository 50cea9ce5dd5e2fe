// ThriftServer: serves one Thrift processor with TThreadedServer (a thread
// per connection) on host:port, in a background thread.
//
// Wire: TFramedTransport + TCompactProtocol, as ThriftClient speaks it. A
// frame larger than max_frame_bytes, or bytes that do not decode, close that
// one connection; the server goes on. With max_connections > 0, a connection
// accepted while that many are open is closed at once (and logged): the
// client sees the connection drop, as if the server were down, instead of
// costing a thread.
//
// Thread-safety: Start, port and Stop from one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "common/status.h"

namespace apache::thrift {
class TProcessor;
namespace server {
class TThreadedServer;
}
}  // namespace apache::thrift

namespace mr::rpc {

class ThriftServer {
 public:
  struct Options {
    std::string name;  // For logs and errors, e.g. "resource manager".
    std::string host = "127.0.0.1";
    int port = 0;  // 0 = ephemeral; see port().
    int32_t max_frame_bytes = 16 << 20;
    int max_connections = 0;  // Open at once (= serving threads); 0 = no limit.
  };

  // Returns once the socket listens (or with IOError if it cannot).
  static Result<std::unique_ptr<ThriftServer>> Start(
      std::shared_ptr<apache::thrift::TProcessor> processor, Options options);
  ~ThriftServer();  // Stops.
  ThriftServer(const ThriftServer&) = delete;
  ThriftServer& operator=(const ThriftServer&) = delete;

  int port() const { return port_; }  // The port actually bound.
  // Stops accepting, closes the connections and joins the serving thread.
  // Idempotent.
  void Stop();

 private:
  ThriftServer() = default;

  std::string name_;
  int port_ = 0;
  std::shared_ptr<apache::thrift::server::TThreadedServer> server_;
  std::thread thread_;
};

}  // namespace mr::rpc
