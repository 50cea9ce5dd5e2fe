#include "rpc/thrift_client.h"

#include <poll.h>

#include <thrift/TApplicationException.h>
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>

#include "thrift_output.h"

namespace mr::rpc {

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
  auto socket = std::make_shared<TSocket>(host, port, config);
  socket->setConnTimeout(options.connect_timeout_ms);
  socket->setSendTimeout(options.rpc_timeout_ms);
  socket->setRecvTimeout(options.rpc_timeout_ms);
  auto transport = std::make_shared<TFramedTransport>(socket, config);
  auto protocol = std::make_shared<apache::thrift::protocol::TCompactProtocol>(transport);
  std::string where = peer + " " + host + ":" + std::to_string(port);
  std::unique_ptr<Connection> connection(new Connection(where, socket, transport, protocol));
  try {
    transport->open();
  } catch (const std::exception& e) {
    return Status::Unavailable(where + ": " + e.what());
  }
  return connection;
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
    if (!transport_->isOpen()) transport_->open();
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
