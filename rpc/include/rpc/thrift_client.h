// ThriftClient<Stub, WireError>: a generated Thrift client stub over
// TFramedTransport + TCompactProtocol (as ThriftServer serves), with every
// call returning Status or Result:
//  - the service's declared exception (WireError, with code and message)
//    becomes the Status it stands for (status_codes.h);
//  - a TApplicationException (unknown method, a handler that threw) becomes
//    Internal;
//  - with the process's ClientSecurity (security/process_security.h), every
//    connection is TLS verified against the cluster CA and presents the
//    process's credential; a refused credential is PermissionDenied;
//  - a transport or protocol failure becomes Unavailable and closes the
//    connection, which the next call reopens; so does a connection the
//    server closed while it was idle (ThriftServer's idle timeout and caps),
//    found before the call is sent.
// Calls are never retried here: the caller knows which are safe to repeat.
//
//   using RmClient = rpc::ThriftClient<wire::ResourceManagerServiceClient, wire::SchedulerError>;
//   ASSIGN_OR_RETURN(auto rm, RmClient::Connect("resource manager", host, port));
//   ASSIGN_OR_RETURN(std::string id, rm->CallFor<std::string>("NewApplication",
//       [](auto& stub, auto& out) { stub.NewApplication(out); }));
//
// Thread-safety: none; use one client per thread (connections are cheap).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "rpc/status_codes.h"
#include "security/process_security.h"

namespace apache::thrift {
class TConfiguration;
namespace protocol {
class TProtocol;
}
namespace transport {
class TSocket;
class TTransport;
}
}  // namespace apache::thrift

namespace mr::rpc {

struct ClientOptions {
  int connect_timeout_ms = 5000;
  int rpc_timeout_ms = 30000;  // Send and receive.
  int32_t max_frame_bytes = 16 << 20;
};

// Framed messages of at most `max_frame_bytes` (servers and clients).
std::shared_ptr<apache::thrift::TConfiguration> FramedRpcConfig(int32_t max_frame_bytes);

// The untyped half of a client: one framed compact connection.
class Connection {
 public:
  // `peer` names the service in errors, e.g. "resource manager".
  static Result<std::unique_ptr<Connection>> Open(const std::string& peer, const std::string& host,
                                                  int port, const ClientOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  std::shared_ptr<apache::thrift::protocol::TProtocol> protocol() const { return protocol_; }
  const std::string& where() const { return where_; }
  // Reopens the connection if needed and runs `fn`, which returns the
  // service's own errors as a Status; transport and application exceptions
  // are caught here.
  Status Run(const char* method, const std::function<Status()>& fn);

 private:
  Connection(std::string where, std::shared_ptr<apache::thrift::transport::TSocket> socket,
             std::shared_ptr<apache::thrift::transport::TTransport> transport,
             std::shared_ptr<apache::thrift::protocol::TProtocol> protocol,
             std::shared_ptr<const security::ClientSecurity> security)
      : where_(std::move(where)),
        socket_(std::move(socket)),
        transport_(std::move(transport)),
        protocol_(std::move(protocol)),
        security_(std::move(security)) {}

  // Opens the socket and, with security, runs the TLS handshake and
  // presents the credential: PermissionDenied if the server refuses it.
  // Transport failures throw.
  Status OpenAndAuthenticate();

  // True if the server ended the connection since the last call (it closes
  // idle ones): between calls a server sends nothing, so any readable
  // event on the socket is its end.
  bool ClosedByPeer() const;

  std::string where_;  // "resource manager 127.0.0.1:4000"
  std::shared_ptr<apache::thrift::transport::TSocket> socket_;  // Under transport_.
  std::shared_ptr<apache::thrift::transport::TTransport> transport_;
  std::shared_ptr<apache::thrift::protocol::TProtocol> protocol_;
  // Null: plain TCP. Else TLS against its CA, presenting its credential on
  // every (re)open.
  std::shared_ptr<const security::ClientSecurity> security_;
};

template <typename Stub, typename WireError>
class ThriftClient {
 public:
  static Result<std::unique_ptr<ThriftClient>> Connect(const std::string& peer,
                                                       const std::string& host, int port,
                                                       const ClientOptions& options = {}) {
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection,
                     Connection::Open(peer, host, port, options));
    auto stub = std::make_unique<Stub>(connection->protocol());
    return std::unique_ptr<ThriftClient>(new ThriftClient(std::move(connection), std::move(stub)));
  }

  Status Call(const char* method, const std::function<void(Stub&)>& fn) {
    return connection_->Run(method, [&]() -> Status {
      try {
        fn(*stub_);
        return Status::OK();
      } catch (const WireError& e) {
        return FromWireError(e);
      }
    });
  }

  template <typename T>
  Result<T> CallFor(const char* method, const std::function<void(Stub&, T&)>& fn) {
    T out{};
    Status s = Call(method, [&](Stub& stub) { fn(stub, out); });
    if (!s.ok()) return s;
    return out;
  }

  const std::string& where() const { return connection_->where(); }

 private:
  ThriftClient(std::unique_ptr<Connection> connection, std::unique_ptr<Stub> stub)
      : connection_(std::move(connection)), stub_(std::move(stub)) {}

  std::unique_ptr<Connection> connection_;
  std::unique_ptr<Stub> stub_;
};

}  // namespace mr::rpc
