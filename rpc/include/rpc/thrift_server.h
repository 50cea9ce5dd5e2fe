// ThriftServer: serves one Thrift processor with TThreadedServer (a thread
// per connection) on host:port, in a background thread.
//
// Wire: TFramedTransport + TCompactProtocol, as ThriftClient speaks it. A
// frame larger than max_frame_bytes, or bytes that do not decode, close that
// one connection; the server goes on.
//
// Bounded per caller: at most max_connections open (= serving threads) and
// max_connections_per_peer from one address. A connection over a cap closes
// the connection, from that address first, that has waited longest for its
// next request; if every one is in a call, the new one is refused (the
// client sees the connection drop, as if the server were down). A connection
// silent for idle_timeout_ms is closed. So idle or trickling callers cost a
// thread each only until someone needs it; ThriftClient reopens a connection
// the server closed before its next call.
//
// Secure (with the process's ServerSecurity, or Options::security): TLS 1.3
// with the daemon certificate, and each connection presents a credential
// (rpc/auth_handshake.h) before its first call; handlers see the caller as
// security::CurrentIdentity(). A connection that is not TLS or whose
// credential does not verify is closed, logged and counted.
//
// Thread-safety: Start, port and Stop from one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"
#include "security/process_security.h"

namespace apache::thrift {
class TProcessor;
namespace protocol {
class TProtocolFactory;
}
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
    // -1: the flag's value (--rpc_max_connections, --rpc_max_connections_per_peer,
    // --rpc_idle_timeout_ms); 0: no limit.
    int max_connections = -1;
    int max_connections_per_peer = -1;
    int idle_timeout_ms = -1;
    // TLS and a credential on every connection (rpc/auth_handshake.h), whose
    // identity security::CurrentIdentity() gives the handlers. Unset: the
    // process's (security::ProcessServerSecurity()); null: plain TCP.
    std::optional<std::shared_ptr<const security::ServerSecurity>> security;
  };

  // Returns once the socket listens (or with IOError if it cannot).
  static Result<std::unique_ptr<ThriftServer>> Start(
      std::shared_ptr<apache::thrift::TProcessor> processor, Options options);
  ~ThriftServer();  // Stops.
  ThriftServer(const ThriftServer&) = delete;
  ThriftServer& operator=(const ThriftServer&) = delete;

  // The protocol requests are decoded with: compact, lists, sets and maps
  // bounded by --rpc_max_container_elements, strings by the frame size.
  // (Public for the fuzzer.)
  static std::shared_ptr<apache::thrift::protocol::TProtocolFactory> RequestProtocolFactory(
      int32_t max_frame_bytes);

  int port() const { return port_; }  // The port actually bound.
  // Connections refused for their TLS handshake or credential.
  int64_t refused_credentials() const { return refused_credentials_->load(); }
  // Stops accepting, closes the connections and joins the serving thread.
  // Idempotent.
  void Stop();

 private:
  ThriftServer() = default;

  std::string name_;
  int port_ = 0;
  std::shared_ptr<apache::thrift::server::TThreadedServer> server_;
  std::shared_ptr<std::atomic<int64_t>> refused_credentials_ =
      std::make_shared<std::atomic<int64_t>>(0);
  std::thread thread_;
};

}  // namespace mr::rpc
