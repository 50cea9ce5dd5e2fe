#include "rpc/thrift_client.h"

#include <poll.h>

#include <thrift/TApplicationException.h>
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSSLSocket.h>
#include <thrift/transport/TSocket.h>

#include <map>
#include <mutex>

#include "rpc/auth_handshake.h"
#include "security/process_security.h"
#include "security/tls.h"
#include "thrift_output.h"

namespace mr::rpc {

namespace {

using apache::thrift::TConfiguration;
using apache::thrift::transport::SSLContext;

// The client end of a TLS connection (Thrift's constructors are protected).
class TlsClientSocket : public apache::thrift::transport::TSSLSocket {
 public:
  TlsClientSocket(std::shared_ptr<SSLContext> context, const std::string& host, int port,
                  std::shared_ptr<TConfiguration> config)
      : TSSLSocket(std::move(context), host, port, std::move(config)) {}
};

// One client TLS context per CA file, shared by every connection.
Result<std::shared_ptr<SSLContext>> ClientTlsContext(const std::string& ca_file) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<SSLContext>> contexts;  // GUARDED_BY(mu)
  std::lock_guard<std::mutex> lock(mu);
  std::shared_ptr<SSLContext>& context = contexts[ca_file];
  if (context == nullptr) {
    std::shared_ptr<SSLContext> made;
    try {
      made = std::make_shared<SSLContext>();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("TLS: ") + e.what());
    }
    RETURN_NOT_OK(security::ConfigureClientTls(made->get(), ca_file));
    context = std::move(made);
  }
  return context;
}

}  // namespace

using apache::thrift::TConfiguration;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TSocket;

std::shared_ptr<TConfiguration> FramedRpcConfig(int32_t max_frame_bytes) {
  // A copy: passing the static constant by reference odr-uses it, and the
  // Thrift library does not export its definition (sanitizer builds fail).
  const int max_message_bytes = TConfiguration::DEFAULT_MAX_MESSAGE_SIZE;
  return std::make_shared<TConfiguration>(max_message_bytes, max_frame_bytes);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& peer,
                                                     const std::string& host, int port,
                                                     const ClientOptions& options) {
  RouteThriftOutputForClient();
  auto config = FramedRpcConfig(options.max_frame_bytes);
  std::shared_ptr<const security::ClientSecurity> security = security::ProcessClientSecurity();
  std::shared_ptr<TSocket> socket;
  if (security != nullptr) {
    ASSIGN_OR_RETURN(std::shared_ptr<SSLContext> tls, ClientTlsContext(security->ca_file));
    socket = std::make_shared<TlsClientSocket>(std::move(tls), host, port, config);
  } else {
    socket = std::make_shared<TSocket>(host, port, config);
  }
  socket->setConnTimeout(options.connect_timeout_ms);
  socket->setSendTimeout(options.rpc_timeout_ms);
  socket->setRecvTimeout(options.rpc_timeout_ms);
  auto transport = std::make_shared<TFramedTransport>(socket, config);
  auto protocol = std::make_shared<apache::thrift::protocol::TCompactProtocol>(transport);
  std::string where = peer + " " + host + ":" + std::to_string(port);
  std::unique_ptr<Connection> connection(
      new Connection(where, socket, transport, protocol, std::move(security)));
  try {
    RETURN_NOT_OK(connection->OpenAndAuthenticate());
  } catch (const std::exception& e) {
    return Status::Unavailable(where + ": " + e.what());
  }
  return connection;
}

Status Connection::OpenAndAuthenticate() {
  transport_->open();
  if (security_ == nullptr) return Status::OK();
  Status s = SendCredential(*socket_, security_->credential);  // Runs the TLS handshake first.
  if (!s.ok()) {
    transport_->close();
    return s.Prepend(where_);
  }
  return Status::OK();
}

Connection::~Connection() {
  try {
    if (transport_->isOpen()) transport_->close();
  } catch (const std::exception&) {
    // Closing a broken connection: nothing to do.
  }
}

bool Connection::ClosedByPeer() const {
  pollfd poll_fd{};
  poll_fd.fd = socket_->getSocketFD();
  poll_fd.events = POLLIN | POLLRDHUP;
  return ::poll(&poll_fd, 1, 0) != 0;
}

Status Connection::Run(const char* method, const std::function<Status()>& fn) {
  try {
    if (transport_->isOpen() && ClosedByPeer()) transport_->close();
    if (!transport_->isOpen()) RETURN_NOT_OK(OpenAndAuthenticate());
    return fn();
  } catch (const apache::thrift::TApplicationException& e) {
    return Status::Internal(where_ + " " + method + ": " + e.what());
  } catch (const std::exception& e) {  // Transport and protocol failures.
    try {
      transport_->close();  // The stream may be mid-message; start clean next time.
    } catch (const std::exception&) {
    }
    return Status::Unavailable(where_ + " " + method + ": " + e.what());
  }
}

}  // namespace mr::rpc
