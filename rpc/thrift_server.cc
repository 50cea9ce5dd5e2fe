#include "rpc/thrift_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <future>

#include <glog/logging.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TServerSocket.h>
#include <thrift/transport/TSocket.h>

#include "rpc/thrift_client.h"
#include "thrift_output.h"

namespace mr::rpc {

namespace {

using apache::thrift::TConfiguration;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TServerSocket;
using apache::thrift::transport::TTransport;

// Framed transports that refuse frames over a size.
class BoundedFramedTransportFactory : public apache::thrift::transport::TTransportFactory {
 public:
  explicit BoundedFramedTransportFactory(int32_t max_frame_bytes)
      : config_(FramedRpcConfig(max_frame_bytes)) {}
  std::shared_ptr<TTransport> getTransport(std::shared_ptr<TTransport> trans) override {
    auto framed = std::make_shared<TFramedTransport>(trans, config_);
    framed->setMaxFrameSize(config_->getMaxFrameSize());
    return framed;
  }

 private:
  std::shared_ptr<TConfiguration> config_;
};

// Reports the bound port once the server socket listens.
class ReadyHandler : public apache::thrift::server::TServerEventHandler {
 public:
  ReadyHandler(std::shared_ptr<TServerSocket> socket, std::promise<int>* ready)
      : socket_(std::move(socket)), ready_(ready) {}
  void preServe() override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    int port = -1;
    if (::getsockname(socket_->getSocketFD(), reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = addr.ss_family == AF_INET6
                 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                 : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    }
    ready_->set_value(port);
  }

 private:
  std::shared_ptr<TServerSocket> socket_;
  std::promise<int>* ready_;
};

// Counts the accepted sockets alive (each one's connection holds a thread
// of TThreadedServer until it ends) and closes new ones beyond a limit.
class BoundedServerSocket : public TServerSocket {
 public:
  BoundedServerSocket(const std::string& host, int port, std::string name, int max_connections)
      : TServerSocket(host, port), name_(std::move(name)), max_(max_connections) {}

 protected:
  std::shared_ptr<TTransport> acceptImpl() override {
    while (true) {
      std::shared_ptr<TTransport> client = TServerSocket::acceptImpl();
      if (open_->load() <= max_) return client;
      LOG_EVERY_N(WARNING, 100) << name_ << ": refusing a connection: " << max_
                                << " already open (limit reached; logged every 100th)";
      try {
        client->close();
      } catch (const std::exception&) {
      }
    }
  }
  // As TServerSocket's own, plus the count.
  std::shared_ptr<apache::thrift::transport::TSocket> createSocket(THRIFT_SOCKET fd) override {
    open_->fetch_add(1);
    return std::make_shared<CountedSocket>(
        fd, interruptableChildren_ ? pChildInterruptSockReader_ : nullptr, open_);
  }

 private:
  class CountedSocket : public apache::thrift::transport::TSocket {
   public:
    CountedSocket(THRIFT_SOCKET fd, std::shared_ptr<THRIFT_SOCKET> interrupt_listener,
                  std::shared_ptr<std::atomic<int>> open)
        : TSocket(fd, std::move(interrupt_listener)), open_(std::move(open)) {}
    ~CountedSocket() override { open_->fetch_sub(1); }

   private:
    std::shared_ptr<std::atomic<int>> open_;
  };

  const std::string name_;
  const int max_;
  // Shared with the sockets, which may outlive this server socket.
  std::shared_ptr<std::atomic<int>> open_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace

Result<std::unique_ptr<ThriftServer>> ThriftServer::Start(
    std::shared_ptr<apache::thrift::TProcessor> processor, Options options) {
  RouteThriftOutputForServer();
  std::unique_ptr<ThriftServer> server(new ThriftServer());
  server->name_ = options.name;
  // Without a limit, the plain socket: exactly the behaviour from before.
  std::shared_ptr<TServerSocket> socket =
      options.max_connections > 0
          ? std::make_shared<BoundedServerSocket>(options.host, options.port, options.name,
                                                  options.max_connections)
          : std::make_shared<TServerSocket>(options.host, options.port);
  server->server_ = std::make_shared<apache::thrift::server::TThreadedServer>(
      std::move(processor), socket,
      std::make_shared<BoundedFramedTransportFactory>(options.max_frame_bytes),
      std::make_shared<apache::thrift::protocol::TCompactProtocolFactory>());
  std::promise<int> ready;
  std::future<int> port = ready.get_future();
  server->server_->setServerEventHandler(std::make_shared<ReadyHandler>(socket, &ready));
  std::promise<std::string> failed;
  std::future<std::string> failure = failed.get_future();
  auto* thrift_server = server->server_.get();
  server->thread_ = std::thread([thrift_server, failed = std::move(failed)]() mutable {
    try {
      thrift_server->serve();
      failed.set_value("");
    } catch (const std::exception& e) {
      failed.set_value(e.what());
    }
  });
  // Either the socket listens (preServe) or serve() throws (e.g. the port is taken).
  while (port.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready) {
    if (failure.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      server->thread_.join();
      return Status::IOError(options.name + ": cannot serve on " + options.host + ":" +
                             std::to_string(options.port) + ": " + failure.get());
    }
  }
  server->port_ = port.get();
  if (server->port_ <= 0) {
    server->Stop();
    return Status::IOError(options.name + ": cannot read the bound port");
  }
  LOG(INFO) << options.name << ": serving on " << options.host << ":" << server->port_;
  return server;
}

ThriftServer::~ThriftServer() { Stop(); }

void ThriftServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
  LOG(INFO) << name_ << ": stopped serving port " << port_;
}

}  // namespace mr::rpc
