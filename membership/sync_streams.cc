#include "membership/sync_streams.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>

namespace mr::membership {

namespace asio = boost::asio;
using asio::ip::tcp;

// One stream, either side. Lives as long as a pending handler holds it.
struct SyncStreams::Exchange {
  explicit Exchange(asio::io_context& io) : socket(io), deadline(io) {}
  explicit Exchange(tcp::socket s) : socket(std::move(s)), deadline(socket.get_executor()) {}

  tcp::socket socket;
  asio::steady_timer deadline;
  std::array<unsigned char, 4> header{};
  std::string frame;   // The frame being read, or written (with its header).
  std::string address;  // Asking side: the server's; empty on the serving side.
  std::string peer;     // Serving side: the peer's IP address.
  bool answering = false;  // Serving side: the request is in; may not be evicted.
  bool timed_out = false;
  bool finished = false;
};

std::string SyncFrame(std::string_view bytes) {
  uint32_t n = static_cast<uint32_t>(bytes.size());
  std::string out = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                     static_cast<char>(n >> 8), static_cast<char>(n)};
  out.append(bytes);
  return out;
}

SyncStreams::SyncStreams(asio::io_context& io, size_t max_frame_bytes, int64_t timeout_ms,
                         Handlers handlers)
    : io_(io),
      max_frame_bytes_(max_frame_bytes),
      timeout_ms_(timeout_ms),
      handlers_(std::move(handlers)),
      acceptor_(io) {}

SyncStreams::~SyncStreams() { Close(); }

void SyncStreams::Close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

Status SyncStreams::Listen(const asio::ip::address& host, int port) {
  tcp::endpoint endpoint(host, static_cast<unsigned short>(port));
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  // Lets a restarted member take its port back while old streams linger in TIME_WAIT.
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;  // Not `ec`: the message must say why.
    acceptor_.close(ignored);
    return Status::IOError("membership sync listen " + host.to_string() + ":" +
                           std::to_string(port) + ": " + ec.message());
  }
  Accept();
  return Status::OK();
}

void SyncStreams::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) Serve(std::move(socket));
    Accept();
  });
}

void SyncStreams::ArmDeadline(const std::shared_ptr<Exchange>& x) {
  x->deadline.expires_after(std::chrono::milliseconds(timeout_ms_));
  x->deadline.async_wait([x](boost::system::error_code ec) {
    if (ec) return;  // Cancelled: finished in time.
    x->timed_out = true;
    boost::system::error_code ignored;
    x->socket.close(ignored);
  });
}

void SyncStreams::Evict(const std::shared_ptr<Exchange>& x) {
  // Its pending read fails and reports the drop; Finish() forgets it.
  x->timed_out = true;
  boost::system::error_code ignored;
  x->socket.close(ignored);
  Fail(x, asio::error::timed_out);
}

bool SyncStreams::MakeRoom(const std::string& peer) {
  auto waiting = [](const std::shared_ptr<Exchange>& x) { return !x->answering && !x->finished; };
  if (inbound_per_peer_[peer] >= kMaxInboundPerPeer) {
    auto it = std::find_if(inbound_.begin(), inbound_.end(), [&](const auto& x) {
      return x->peer == peer && waiting(x);
    });
    if (it == inbound_.end()) return false;
    Evict(*it);
  }
  if (static_cast<int>(inbound_.size()) >= kMaxInbound) {
    auto it = std::find_if(inbound_.begin(), inbound_.end(), waiting);
    if (it == inbound_.end()) return false;
    Evict(*it);
  }
  return true;
}

void SyncStreams::Serve(tcp::socket socket) {
  auto x = std::make_shared<Exchange>(std::move(socket));
  boost::system::error_code ec;
  tcp::endpoint remote = x->socket.remote_endpoint(ec);
  x->peer = ec ? std::string() : remote.address().to_string();
  if (!MakeRoom(x->peer)) {
    x->finished = true;
    boost::system::error_code ignored;
    x->socket.close(ignored);
    handlers_.drop(SyncDrop::kError);
    return;
  }
  inbound_.push_back(x);
  inbound_per_peer_[x->peer]++;
  ArmDeadline(x);
  ReadFrame(x, [this, x](std::string_view request) {
    x->answering = true;
    Result<std::string> answer = handlers_.serve(request);
    if (!answer.ok()) {
      Finish(x);
      return;
    }
    WriteFrame(x, *answer, [this, x] { Finish(x); });
  });
}

void SyncStreams::Request(const std::string& address, std::string request) {
  if (in_flight_.contains(address)) return;
  if (static_cast<int>(in_flight_.size()) >= kMaxOutbound) {
    handlers_.drop(SyncDrop::kError);
    return;
  }
  size_t colon = address.rfind(':');
  boost::system::error_code ec;
  asio::ip::address ip = asio::ip::make_address(
      colon == std::string::npos ? address : address.substr(0, colon), ec);
  int port = colon == std::string::npos ? 0 : std::atoi(address.c_str() + colon + 1);
  if (ec || port <= 0 || port > 65535) {
    handlers_.drop(SyncDrop::kError);
    return;
  }
  in_flight_.insert(address);
  auto x = std::make_shared<Exchange>(io_);
  x->address = address;
  ArmDeadline(x);
  x->socket.async_connect(
      tcp::endpoint(ip, static_cast<unsigned short>(port)),
      [this, x, request = std::move(request)](boost::system::error_code ec) {
        if (ec || x->timed_out) {
          Fail(x, ec);
          return;
        }
        WriteFrame(x, request, [this, x] {
          ReadFrame(x, [this, x](std::string_view answer) {
            handlers_.apply(answer);
            Finish(x);
          });
        });
      });
}

void SyncStreams::ReadFrame(const std::shared_ptr<Exchange>& x,
                            std::function<void(std::string_view frame)> done) {
  asio::async_read(
      x->socket, asio::buffer(x->header),
      [this, x, done = std::move(done)](boost::system::error_code ec, size_t n_read) mutable {
        if (ec == asio::error::eof && n_read == 0 && !x->address.empty() && !x->timed_out) {
          handlers_.drop(SyncDrop::kError);  // The seed declined to answer.
          Finish(x);
          return;
        }
        if (ec || x->timed_out) {
          Fail(x, ec);
          return;
        }
        const auto& h = x->header;
        size_t n = (size_t{h[0]} << 24) | (size_t{h[1]} << 16) | (size_t{h[2]} << 8) | h[3];
        if (n > max_frame_bytes_) {
          handlers_.drop(SyncDrop::kOversized);
          Finish(x);
          return;
        }
        x->frame.resize(n);
        asio::async_read(x->socket, asio::buffer(x->frame),
                         [this, x, done = std::move(done)](boost::system::error_code ec, size_t) {
                           if (ec || x->timed_out) {
                             Fail(x, ec);
                             return;
                           }
                           done(x->frame);
                         });
      });
}

void SyncStreams::WriteFrame(const std::shared_ptr<Exchange>& x, std::string_view bytes,
                             std::function<void()> done) {
  x->frame = SyncFrame(bytes);
  asio::async_write(x->socket, asio::buffer(x->frame),
                    [this, x, done = std::move(done)](boost::system::error_code ec, size_t) {
                      if (ec || x->timed_out) {
                        Fail(x, ec);
                        return;
                      }
                      done();
                    });
}

void SyncStreams::Fail(const std::shared_ptr<Exchange>& x, boost::system::error_code ec) {
  if (x->finished) return;
  // The peer closed mid-frame: a truncated stream; anything else (refused,
  // reset, our deadline) is a transport error.
  handlers_.drop(ec == asio::error::eof && !x->timed_out ? SyncDrop::kTruncated
                                                         : SyncDrop::kError);
  Finish(x);
}

void SyncStreams::Finish(const std::shared_ptr<Exchange>& x) {
  if (x->finished) return;
  x->finished = true;
  x->deadline.cancel();
  boost::system::error_code ignored;
  x->socket.shutdown(tcp::socket::shutdown_both, ignored);
  x->socket.close(ignored);
  if (x->address.empty()) {
    inbound_.remove(x);
    if (--inbound_per_peer_[x->peer] == 0) inbound_per_peer_.erase(x->peer);
  } else {
    in_flight_.erase(x->address);
  }
}

}  // namespace mr::membership
