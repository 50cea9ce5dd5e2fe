#include "rpc/thrift_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <utility>

#include <gflags/gflags.h>
#include <glog/logging.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TServerSocket.h>
#include <thrift/transport/TSSLSocket.h>
#include <thrift/transport/TSocket.h>

#include "common/clock.h"
#include "rpc/auth_handshake.h"
#include "rpc/thrift_client.h"
#include "security/process_security.h"
#include "security/tls.h"
#include "thrift_output.h"

DEFINE_int32(rpc_max_connections, 512,
             "Most connections a Thrift service (master, resource manager, node manager) keeps "
             "open at once; each has its own thread. A connection over it closes the one that has "
             "waited longest for its next request, or is refused if every one is in a call. "
             "0 = no limit. The DFS master uses --dfs_master_rpc_threads instead.");
DEFINE_int32(rpc_max_connections_per_peer, 256,
             "Most connections a Thrift service keeps open from one address; over it, that "
             "address's own longest-waiting connection is closed. 0 = no limit.");
DEFINE_int32(rpc_max_container_elements, 1 << 20,
             "Most elements a list, set or map in a Thrift request may claim; a request over it "
             "closes its connection. (The generated code sizes a vector from the claim before "
             "reading it: without a bound, one small frame could claim gigabytes.)");
DEFINE_int32(rpc_idle_timeout_ms, 60000,
             "A Thrift service closes a connection that sends nothing for this long, between "
             "calls or in the middle of a request (and one that reads no reply for this long). "
             "Clients reopen such a connection before their next call. 0 = never.");

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

// One accepted connection as its server's table sees it: when it last
// finished a call (processContext) and whether it is in one (from its
// request read to its reply written: CallTracker), and on a secure server
// the identity it authenticated as, set for its thread while it is served.
//
// Thread-safety: idle_since and in_call are atomics read by the accepting
// thread; the rest belongs to the connection's own thread.
class TrackedConnection {
 public:
  explicit TrackedConnection(std::string peer)
      : peer_(std::move(peer)), idle_since_ms_(SteadyClockMs()) {}
  virtual ~TrackedConnection() = default;

  // Called by the connection's thread before each request it reads; the
  // first one is the connection's start, which the constructor marked.
  void FinishedCall() {
    in_call_.store(false);
    if (std::exchange(first_request_, false)) return;
    idle_since_ms_.store(SteadyClockMs());
  }
  // A request was read whole (the handler runs next), or its reply written.
  void EnterCall() { in_call_.store(true); }
  void LeaveCall() { in_call_.store(false); }
  const std::string& peer() const { return peer_; }
  bool in_call() const { return in_call_.load(); }
  int64_t idle_since_ms() const { return idle_since_ms_.load(); }
  // Ends the connection from another thread: its blocked read returns the
  // end of the stream. The descriptor stays open until the socket is
  // destroyed, which the table orders after any Shutdown() under its lock.
  virtual void Shutdown() = 0;

  // The connection's thread serves as `identity` until ServeAsNobody().
  void ServeAs(security::Identity identity) {
    identity_ = std::move(identity);
    security::SetThreadIdentity(&*identity_);
  }
  void ServeAsNobody() { security::SetThreadIdentity(nullptr); }

 private:
  const std::string peer_;
  std::atomic<int64_t> idle_since_ms_;
  std::atomic<bool> in_call_{false};
  bool first_request_ = true;                       // The connection's thread only.
  std::optional<security::Identity> identity_;  // The connection's thread only.
};

// The connections a server holds, for its caps: each accepted socket
// registers itself for its lifetime. A connection over a cap evicts the one
// that has waited longest for its next request (from the same peer first),
// so idle or trickling callers cannot hold the service from others; one in
// a call is never evicted.
//
// Thread-safety: all methods take mu_; sockets are registered and removed
// by the threads that create and destroy them.
class ConnectionTable {
 public:
  ConnectionTable(std::string name, int max_total, int max_per_peer)
      : name_(std::move(name)), max_total_(max_total), max_per_peer_(max_per_peer) {}

  // Makes room for `socket`, just accepted (and added); false if there is
  // none (every connection at the cap is in a call, for 200 ms).
  bool MakeRoomFor(const TrackedConnection& socket);

  void Add(TrackedConnection* socket);
  void Remove(TrackedConnection* socket);

 private:
  // Shuts down the socket, other than `keep`, not in a call that has
  // waited longest for a request (its thread sees the end of the stream and
  // ends); false if there is none. Holds mu_.
  bool EvictLongestIdle(const TrackedConnection& keep, bool same_peer_only);
  bool TryMakeRoomFor(const TrackedConnection& socket);  // Holds mu_.

  const std::string name_;
  const int max_total_;     // 0 = no limit.
  const int max_per_peer_;  // 0 = no limit.
  std::mutex mu_;
  // GUARDED_BY(mu_). Counted against the caps: the open sockets but those
  // shut down by an eviction, whose threads are ending.
  std::unordered_set<TrackedConnection*> sockets_;
};

// A Thrift socket (plain TSocket or TLS TlsServerSocket) in a table.
template <typename Base>
class TrackedSocket : public Base, public TrackedConnection {
 public:
  template <typename... Args>
  explicit TrackedSocket(std::shared_ptr<ConnectionTable> table, Args&&... args)
      : Base(std::forward<Args>(args)...),
        TrackedConnection(this->getPeerAddress()),
        table_(std::move(table)) {
    table_->Add(this);
  }
  ~TrackedSocket() override { table_->Remove(this); }
  void Shutdown() override { ::shutdown(this->getSocketFD(), SHUT_RDWR); }

 private:
  const std::shared_ptr<ConnectionTable> table_;  // Outlives the server socket.
};

// The server end of a TLS connection (Thrift's constructors are protected;
// its handshake runs on the connection's thread at the first read).
class TlsServerSocket : public apache::thrift::transport::TSSLSocket {
 public:
  TlsServerSocket(std::shared_ptr<apache::thrift::transport::SSLContext> context, THRIFT_SOCKET fd,
                  std::shared_ptr<THRIFT_SOCKET> interrupt_listener)
      : TSSLSocket(std::move(context), fd, std::move(interrupt_listener)) {
    server(true);
  }
};

bool ConnectionTable::MakeRoomFor(const TrackedConnection& socket) {
  // A connection counts as in a call until its thread has written the
  // reply (postWrite), which can come after its client has the reply and
  // moved on: at the cap with none to close, look again for a while before
  // refusing, rather than refuse a caller for the server's own lag.
  constexpr auto kPatience = std::chrono::milliseconds(200);
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (TryMakeRoomFor(socket)) return true;
    }
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool ConnectionTable::TryMakeRoomFor(const TrackedConnection& socket) {
  const std::string& peer = socket.peer();
  if (max_per_peer_ > 0) {
    int from_peer = 0;
    for (TrackedConnection* open : sockets_) from_peer += open->peer() == peer;
    if (from_peer > max_per_peer_ && !EvictLongestIdle(socket, true)) return false;
  }
  if (max_total_ > 0 && static_cast<int>(sockets_.size()) > max_total_ &&
      !EvictLongestIdle(socket, false)) {
    return false;
  }
  return true;
}

bool ConnectionTable::EvictLongestIdle(const TrackedConnection& keep, bool same_peer_only) {
  TrackedConnection* oldest = nullptr;
  for (TrackedConnection* socket : sockets_) {
    if (socket == &keep || socket->in_call() ||
        (same_peer_only && socket->peer() != keep.peer())) {
      continue;
    }
    if (oldest == nullptr || socket->idle_since_ms() < oldest->idle_since_ms()) oldest = socket;
  }
  if (oldest == nullptr) return false;
  LOG_EVERY_N(WARNING, 100) << name_ << ": at the connection limit; closing the connection from "
                            << oldest->peer() << " that waited longest for a request "
                            << "(logged every 100th)";
  oldest->Shutdown();
  // Its thread ends it shortly; it no longer counts, and is never touched
  // here again.
  sockets_.erase(oldest);
  return true;
}

void ConnectionTable::Add(TrackedConnection* socket) {
  std::lock_guard<std::mutex> lock(mu_);
  sockets_.insert(socket);
}

void ConnectionTable::Remove(TrackedConnection* socket) {
  std::lock_guard<std::mutex> lock(mu_);
  sockets_.erase(socket);  // Not there if it was evicted.
}

// Accepts connections within the table's caps, over TLS when the server
// has a context.
class BoundedServerSocket : public TServerSocket {
 public:
  BoundedServerSocket(const std::string& host, int port, std::shared_ptr<ConnectionTable> table,
                      std::shared_ptr<apache::thrift::transport::SSLContext> tls)
      : TServerSocket(host, port), table_(std::move(table)), tls_(std::move(tls)) {}

 protected:
  std::shared_ptr<TTransport> acceptImpl() override {
    while (true) {
      std::shared_ptr<TTransport> client = TServerSocket::acceptImpl();
      const auto& socket = dynamic_cast<const TrackedConnection&>(*client);
      if (table_->MakeRoomFor(socket)) return client;
      LOG_EVERY_N(WARNING, 100) << "refusing a connection from " << socket.peer()
                                << ": every connection at the limit is in a call "
                                << "(logged every 100th)";
      try {
        client->close();
      } catch (const std::exception&) {
      }
    }
  }
  std::shared_ptr<apache::thrift::transport::TSocket> createSocket(THRIFT_SOCKET fd) override {
    auto interrupt = interruptableChildren_ ? pChildInterruptSockReader_ : nullptr;
    if (tls_) return std::make_shared<TrackedSocket<TlsServerSocket>>(table_, tls_, fd, interrupt);
    return std::make_shared<TrackedSocket<apache::thrift::transport::TSocket>>(table_, fd,
                                                                              interrupt);
  }

 private:
  std::shared_ptr<ConnectionTable> table_;
  std::shared_ptr<apache::thrift::transport::SSLContext> tls_;  // Null: plain TCP.
};

// Reports the bound port once the server socket listens; on a secure
// server, authenticates each connection before its first call; and marks
// each connection's call boundaries for the connection table. A
// connection's context (passed to CallTracker by the processor) is its
// TrackedConnection.
class ServerEvents : public apache::thrift::server::TServerEventHandler {
 public:
  ServerEvents(std::string name, std::shared_ptr<TServerSocket> socket, std::promise<int>* ready,
               std::shared_ptr<const security::Authenticator> authenticator,
               std::shared_ptr<std::atomic<int64_t>> refused)
      : name_(std::move(name)),
        socket_(std::move(socket)),
        ready_(ready),
        authenticator_(std::move(authenticator)),
        refused_(std::move(refused)) {}
  void* createContext(std::shared_ptr<apache::thrift::protocol::TProtocol> input,
                      std::shared_ptr<apache::thrift::protocol::TProtocol> /*output*/) override {
    auto& framed = static_cast<TFramedTransport&>(*input->getTransport());
    std::shared_ptr<TTransport> raw = framed.getUnderlyingTransport();
    auto* connection = dynamic_cast<TrackedConnection*>(raw.get());
    if (authenticator_ != nullptr) Authenticate(*raw, connection);
    return connection;
  }
  void deleteContext(void* context, std::shared_ptr<apache::thrift::protocol::TProtocol>,
                     std::shared_ptr<apache::thrift::protocol::TProtocol>) override {
    static_cast<TrackedConnection*>(context)->ServeAsNobody();
  }
  void processContext(void* context, std::shared_ptr<TTransport> /*transport*/) override {
    // Called before each request is read: the previous call is done.
    static_cast<TrackedConnection*>(context)->FinishedCall();
  }
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
  // The TLS handshake and the credential; a connection that fails either
  // is shut down, so its first read ends it.
  void Authenticate(TTransport& raw, TrackedConnection* connection) {
    bool counted = false;
    try {
      Result<security::Identity> identity = ReadCredential(raw, *authenticator_);
      if (!identity.ok()) {
        Refused(*connection, identity.status().ToString());
        counted = true;
      }
      AnswerCredential(raw, identity);  // After the count: a refused client sees it.
      if (identity.ok()) {
        connection->ServeAs(std::move(*identity));
        return;
      }
    } catch (const std::exception& e) {
      // Not TLS, a certificate refused, a peer gone.
      if (!counted) Refused(*connection, e.what());
    }
    connection->Shutdown();
  }
  void Refused(const TrackedConnection& connection, const std::string& why) {
    refused_->fetch_add(1);
    LOG_EVERY_N(WARNING, 20) << name_ << ": refused a connection from " << connection.peer()
                             << ": " << why << " (logged every 20th; " << refused_->load()
                             << " refused)";
  }

  const std::string name_;
  std::shared_ptr<TServerSocket> socket_;
  std::promise<int>* ready_;
  const std::shared_ptr<const security::Authenticator> authenticator_;  // Null: no security.
  const std::shared_ptr<std::atomic<int64_t>> refused_;
};

// Marks a connection in a call from its request read to its reply written.
class CallTracker : public apache::thrift::TProcessorEventHandler {
 public:
  void* getContext(const char* /*fn_name*/, void* connection) override { return connection; }
  void postRead(void* connection, const char* /*fn_name*/, uint32_t /*bytes*/) override {
    static_cast<TrackedConnection*>(connection)->EnterCall();
  }
  void postWrite(void* connection, const char* /*fn_name*/, uint32_t /*bytes*/) override {
    static_cast<TrackedConnection*>(connection)->LeaveCall();
  }
};

}  // namespace

std::shared_ptr<apache::thrift::protocol::TProtocolFactory> ThriftServer::RequestProtocolFactory(
    int32_t max_frame_bytes) {
  auto factory = std::make_shared<apache::thrift::protocol::TCompactProtocolFactory>();
  factory->setContainerSizeLimit(FLAGS_rpc_max_container_elements);
  // No string is longer than the largest frame. (Thrift 0.17 allocates a
  // string's claimed size before it finds the bytes missing.)
  factory->setStringSizeLimit(max_frame_bytes);
  return factory;
}

Result<std::unique_ptr<ThriftServer>> ThriftServer::Start(
    std::shared_ptr<apache::thrift::TProcessor> processor, Options options) {
  RouteThriftOutputForServer();
  std::unique_ptr<ThriftServer> server(new ThriftServer());
  server->name_ = options.name;
  const int max_connections =
      options.max_connections >= 0 ? options.max_connections : FLAGS_rpc_max_connections;
  const int max_per_peer = options.max_connections_per_peer >= 0
                               ? options.max_connections_per_peer
                               : FLAGS_rpc_max_connections_per_peer;
  const int idle_timeout_ms =
      options.idle_timeout_ms >= 0 ? options.idle_timeout_ms : FLAGS_rpc_idle_timeout_ms;
  std::shared_ptr<const security::ServerSecurity> security =
      options.security.has_value() ? *options.security : security::ProcessServerSecurity();
  std::shared_ptr<apache::thrift::transport::SSLContext> tls;
  if (security != nullptr) {
    try {
      tls = std::make_shared<apache::thrift::transport::SSLContext>();
    } catch (const std::exception& e) {
      return Status::Internal(options.name + ": TLS: " + e.what());
    }
    RETURN_NOT_OK(security::ConfigureServerTls(tls->get(), security->cert_and_key_file));
  }
  auto socket = std::make_shared<BoundedServerSocket>(
      options.host, options.port,
      std::make_shared<ConnectionTable>(options.name, max_connections, max_per_peer), tls);
  // Each read and write of a connection: a peer silent this long, between
  // calls or in the middle of one, loses its connection (and thread).
  socket->setRecvTimeout(idle_timeout_ms);
  socket->setSendTimeout(idle_timeout_ms);
  processor->setEventHandler(std::make_shared<CallTracker>());
  server->server_ = std::make_shared<apache::thrift::server::TThreadedServer>(
      std::move(processor), socket,
      std::make_shared<BoundedFramedTransportFactory>(options.max_frame_bytes),
      RequestProtocolFactory(options.max_frame_bytes));
  std::promise<int> ready;
  std::future<int> port = ready.get_future();
  server->server_->setServerEventHandler(std::make_shared<ServerEvents>(
      options.name, socket, &ready, security ? security->authenticator : nullptr,
      server->refused_credentials_));
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
