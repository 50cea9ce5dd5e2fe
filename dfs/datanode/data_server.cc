#include "dfs/datanode/data_server.h"

#include <poll.h>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "dfs/dataplane/messages.h"
#include "dfs/proto/chunk_token.h"
#include "dfs/datanode/local_replica_handler.h"
#include "dfs/datanode/read_handler.h"
#include "dfs/datanode/write_handler.h"

DEFINE_int32(dfs_datanode_max_connections, 64,
             "Most data-plane connections a datanode holds at once. One more closes the "
             "connection that has waited longest without sending its request; if every one is "
             "being served, the new one is closed at once.");

namespace mr::dfs {

namespace dp = dataplane;

namespace {
constexpr int kAcceptPollMs = 50;  // How soon the accept loop notices Stop().

std::string PeerName(dp::tcp::socket* socket) {
  boost::system::error_code ec;
  auto peer = socket->remote_endpoint(ec);
  return ec ? "an unknown peer" : peer.address().to_string() + ":" + std::to_string(peer.port());
}
}  // namespace

DataServer::Options DataServer::Options::FromFlags() {
  Options options;
  options.max_connections = FLAGS_dfs_datanode_max_connections;
  options.io_timeout = dp::DefaultIoTimeout();
  return options;
}

DataServer::DataServer(ChunkStore* store, Options options)
    : store_(store), options_(std::move(options)), access_(options_.datanode_id), acceptor_(io_) {}

DataServer::~DataServer() { Stop(); }

Status DataServer::Start() {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(options_.bind_address, ec);
  if (ec) return Status::InvalidArgument("bad bind address " + options_.bind_address);
  dp::tcp::endpoint endpoint(address, static_cast<uint16_t>(options_.port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(dp::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (!ec) acceptor_.non_blocking(true, ec);
  if (ec) {
    return Status::IOError("listen on " + options_.bind_address + ":" +
                           std::to_string(options_.port) + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();
  LOG(INFO) << "datanode " << options_.datanode_id << ": data server on "
            << options_.bind_address << ":" << port_.load();
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return Status::OK();
}

void DataServer::Stop() {
  stopping_ = true;
  if (accept_thread_.joinable()) accept_thread_.join();
  boost::system::error_code ec;
  acceptor_.close(ec);
  Reap(/*all=*/true);
}

void DataServer::AcceptLoop() {
  while (!stopping_) {
    Reap(/*all=*/false);
    pollfd p{acceptor_.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, kAcceptPollMs) <= 0) continue;
    auto conn = std::make_unique<Connection>(io_);
    boost::system::error_code ec;
    acceptor_.accept(conn->socket, ec);
    if (ec) continue;  // would_block after a spurious wakeup, or an aborted connection.
    // Acks are small and latency-bound: Nagle plus delayed acks would stall
    // the pipeline, as it does on the connecting side (framing.cc).
    conn->socket.set_option(dp::tcp::no_delay(true), ec);
    std::lock_guard lock(mu_);
    if (!MakeRoom()) {
      LOG_EVERY_N(WARNING, 100) << "datanode " << options_.datanode_id << ": "
                                << options_.max_connections
                                << " connections are being served, closing a new one";
      continue;  // `conn` closes its socket.
    }
    Connection* c = conn.get();
    ++active_;
    c->thread = std::thread([this, c] {
      Serve(c);
      --active_;
      c->done = true;
    });
    connections_.push_back(std::move(conn));
  }
}

bool DataServer::MakeRoom() {
  int open = 0;
  Connection* oldest_waiting = nullptr;
  for (const auto& c : connections_) {
    if (c->done || c->evicted) continue;
    ++open;
    if (c->awaiting_request &&
        (oldest_waiting == nullptr || c->accepted_at < oldest_waiting->accepted_at)) {
      oldest_waiting = c.get();
    }
  }
  if (open < options_.max_connections) return true;
  if (oldest_waiting == nullptr) return false;
  LOG_EVERY_N(WARNING, 100) << "datanode " << options_.datanode_id << ": at "
                            << options_.max_connections << " connections; closing the one "
                            << "that waited longest for its request (logged every 100th)";
  oldest_waiting->evicted = true;
  dp::ShutdownSocket(&oldest_waiting->socket);
  return true;
}

void DataServer::Reap(bool all) {
  std::list<std::unique_ptr<Connection>> finished;
  {
    std::lock_guard lock(mu_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      if (all) dp::ShutdownSocket(&(*it)->socket);
      if (all || (*it)->done) {
        finished.push_back(std::move(*it));
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : finished) c->thread.join();  // Then the socket closes.
}

void DataServer::Serve(Connection* connection) {
  dp::tcp::socket* socket = &connection->socket;
  dp::Frame frame;
  Status s = dp::ReadFrame(socket, &frame, options_.io_timeout);
  connection->awaiting_request = false;
  if (s.code() == Status::Code::kIOError) {
    // Closed before a request: a port probe (mrcluster waits for the port
    // this way) or a client that gave up. Nothing worth a warning.
    VLOG(1) << "datanode " << options_.datanode_id << ": connection without a request: "
            << s.ToString();
    return;
  }
  if (s.ok() && frame.type == dp::FrameType::kReadRequest) {
    s = ServeRead(socket, frame.payload);
  } else if (s.ok() && frame.type == dp::FrameType::kWriteRequest) {
    s = ServeWrite(socket, frame.payload);
  } else if (s.ok() && frame.type == dp::FrameType::kLocalReplicaRequest) {
    s = ServeLocalReplica(socket, frame.payload);
  } else if (s.ok()) {
    s = Status::Corruption("unexpected first frame type " +
                           std::to_string(static_cast<int>(frame.type)));
  }
  // Refusals are logged, throttled, by the access checker.
  if (!s.ok() && !s.IsPermissionDenied()) {
    LOG(WARNING) << "datanode " << options_.datanode_id << ": connection ended: " << s.ToString();
  }
}

Status DataServer::ServeRead(dp::tcp::socket* socket, const std::string& payload) {
  dp::ReadRequest request;
  RETURN_NOT_OK(dp::DecodeMessage(payload, &request));
  Status allowed = access_.Check(request.access_token, request.chunk_id, request.generation,
                                 wire::ChunkAccess::READ, "read",
                                 [socket] { return PeerName(socket); });
  if (!allowed.ok()) {
    dp::ReadResponse response;
    response.code = dp::StatusToWire(allowed);
    response.message = allowed.message();
    RETURN_NOT_OK(dp::SendMessage(socket, response, options_.io_timeout));
    return allowed;
  }
  return mr::dfs::ServeRead(store_, socket, request, options_.io_timeout);
}

Status DataServer::ServeWrite(dp::tcp::socket* socket, const std::string& payload) {
  dp::WriteRequest request;
  RETURN_NOT_OK(dp::DecodeMessage(payload, &request));
  Status allowed = access_.Check(request.access_token, request.chunk_id, request.generation,
                                 wire::ChunkAccess::WRITE | wire::ChunkAccess::REPLICATE, "write",
                                 [socket] { return PeerName(socket); });
  if (!allowed.ok()) {
    dp::Ack setup;
    setup.seq = dp::kSetupAckSeq;
    setup.code = dp::StatusToWire(allowed);
    setup.message = allowed.message();
    setup.failed_datanode_id = options_.datanode_id;
    RETURN_NOT_OK(dp::SendMessage(socket, setup, options_.io_timeout));
    return allowed;
  }
  ChunkInfo written;
  RETURN_NOT_OK(mr::dfs::ServeWrite(store_, options_.datanode_id, socket, request,
                                    options_.io_timeout, &written));
  if (options_.on_chunk_written) options_.on_chunk_written(written);
  return Status::OK();
}

Status DataServer::ServeLocalReplica(dp::tcp::socket* socket, const std::string& payload) {
  dp::LocalReplicaRequest request;
  RETURN_NOT_OK(dp::DecodeMessage(payload, &request));
  Status allowed = access_.Check(request.access_token, request.chunk_id, request.generation,
                                 wire::ChunkAccess::READ, "short-circuit read",
                                 [socket] { return PeerName(socket); });
  if (!allowed.ok()) {
    dp::LocalReplicaResponse response;
    response.code = dp::StatusToWire(allowed);
    response.message = allowed.message();
    RETURN_NOT_OK(dp::SendMessage(socket, response, options_.io_timeout));
    return allowed;
  }
  return mr::dfs::ServeLocalReplica(*store_, socket, request, options_.io_timeout);
}

}  // namespace mr::dfs
