#include "web/http_server.h"

#include <utility>  // Must precede Boost.Asio with C++20 on g++ 12.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <optional>

#include <gflags/gflags.h>
#include <glog/logging.h>

DEFINE_int32(web_max_connections, 256, "Most HTTP connections a daemon's web server keeps at once.");
DEFINE_int32(web_max_connections_per_peer, 32,
             "Most HTTP connections a daemon's web server keeps from one client address.");
DEFINE_int32(web_idle_timeout_ms, 10000,
             "An HTTP connection that sends no request, or not a whole one, for this long is "
             "closed.");

namespace mr::web {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

const std::string& HttpRequest::Param(const std::string& name, const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

HttpResponse HttpResponse::Html(std::string body) { return {200, "text/html; charset=utf-8", std::move(body)}; }
HttpResponse HttpResponse::Json(std::string body) { return {200, "application/json", std::move(body)}; }
HttpResponse HttpResponse::Svg(std::string body) { return {200, "image/svg+xml", std::move(body)}; }
HttpResponse HttpResponse::Error(int status, const std::string& message) {
  return {status, "text/plain; charset=utf-8", message + "\n"};
}

void HttpRouter::Handle(const std::string& path, HttpHandler handler) {
  if (!path.empty() && path.back() == '/' && path != "/") {
    prefixes_[path] = std::move(handler);
  } else {
    exact_[path] = std::move(handler);
  }
}

HttpResponse HttpRouter::Route(const HttpRequest& request) const {
  if (auto it = exact_.find(request.path); it != exact_.end()) return it->second(request);
  const HttpHandler* best = nullptr;
  size_t best_length = 0;
  for (const auto& [prefix, handler] : prefixes_) {
    if (request.path.size() > prefix.size() && request.path.compare(0, prefix.size(), prefix) == 0 &&
        prefix.size() > best_length) {
      best = &handler;
      best_length = prefix.size();
    }
  }
  if (best != nullptr) return (*best)(request);
  return HttpResponse::Error(404, "not found: " + request.path);
}

bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

namespace {

// The request target split into a decoded path and query; false if any part
// is not validly escaped.
bool ParseTarget(std::string_view target, HttpRequest* request) {
  size_t q = target.find('?');
  if (!PercentDecode(target.substr(0, q), false, &request->path)) return false;
  if (request->path.empty() || request->path[0] != '/') return false;
  if (q == std::string_view::npos) return true;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name, value;
    if (!PercentDecode(pair.substr(0, eq), true, &name)) return false;
    if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, &value)) {
      return false;
    }
    request->query[name] = value;
  }
  return true;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpRouter router, Options options)
      : router_(std::move(router)), options_(std::move(options)), acceptor_(io_) {}

  Status Listen(int* port) {
    boost::system::error_code ec;
    auto address = net::ip::make_address(options_.bind_address, ec);
    if (ec) return Status::InvalidArgument("bad bind address " + options_.bind_address);
    tcp::endpoint endpoint(address, static_cast<uint16_t>(options_.port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::IOError("listen on " + options_.bind_address + ":" +
                             std::to_string(options_.port) + ": " + ec.message());
    }
    *port = acceptor_.local_endpoint(ec).port();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
    return Status::OK();
  }

  void Stop() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  class Session;

  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) Admit(std::move(socket));
      Accept();
    });
  }

  void Admit(tcp::socket socket);
  // Closes the connection waiting longest for a request, of `peer` if not
  // empty: false if every one is busy answering.
  bool EvictIdle(const std::string& peer);

  // Declared before io_: destroying io_ destroys the pending handlers, whose
  // sessions take themselves out of these. All used on the I/O thread only.
  int open_ = 0;
  std::map<std::string, int> open_by_peer_;
  // Every session, the one whose last request came longest ago first.
  std::list<Session*> by_activity_;
  const HttpRouter router_;
  const Options options_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl* server, tcp::socket socket, std::string peer)
      : server_(server), stream_(std::move(socket)), peer_(std::move(peer)) {
    ++server_->open_;
    ++server_->open_by_peer_[peer_];
    position_ = server_->by_activity_.insert(server_->by_activity_.end(), this);
  }
  ~Session() { Detach(); }

  // Takes this session out of the server's counts and eviction order: at
  // its end, or as soon as it is evicted (its handlers may run later).
  void Detach() {
    if (!attached_) return;
    attached_ = false;
    --server_->open_;
    if (--server_->open_by_peer_[peer_] == 0) server_->open_by_peer_.erase(peer_);
    server_->by_activity_.erase(position_);
  }

  const std::string& peer() const { return peer_; }
  // Answering a request (not waiting for one): not to be evicted.
  bool busy() const { return busy_; }
  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  void Read() {
    busy_ = false;
    if (attached_) {
      server_->by_activity_.splice(server_->by_activity_.end(), server_->by_activity_, position_);
    }
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_->options_.max_header_bytes));
    parser_->body_limit(0);  // Read-only: no request carries a body.
    // buffer_ keeps what followed the last request (a pipelined one).
    stream_.expires_after(std::chrono::milliseconds(server_->options_.idle_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    busy_ = true;
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      Close();
      return;
    }
    if (ec == http::error::header_limit) {
      Reply(HttpResponse::Error(431, "request header too large"), false, 11);
      return;
    }
    if (ec == http::error::body_limit) {
      Reply(HttpResponse::Error(413, "a request may not carry a body"), false, 11);
      return;
    }
    if (ec) {
      Reply(HttpResponse::Error(400, "bad request"), false, 11);
      return;
    }
    const auto& req = parser_->get();
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      HttpResponse response = HttpResponse::Error(405, "only GET and HEAD: these pages are read-only");
      Reply(std::move(response), false, version, /*allow=*/true);
      return;
    }
    HttpRequest request;
    request.method = req.method() == http::verb::head ? "HEAD" : "GET";
    if (!ParseTarget(std::string_view(req.target().data(), req.target().size()), &request)) {
      Reply(HttpResponse::Error(400, "bad request target"), false, version);
      return;
    }
    HttpResponse response;
    try {
      response = server_->router_.Route(request);
    } catch (const std::exception& e) {
      LOG(ERROR) << "web handler for " << request.path << " threw: " << e.what();
      response = HttpResponse::Error(500, "internal error");
    }
    if (request.method == "HEAD") head_only_ = true;
    Reply(std::move(response), keep_alive, version);
  }

  void Reply(HttpResponse response, bool keep_alive, unsigned version, bool allow = false) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version);
    res->set(http::field::server, "mapreduce");
    res->set(http::field::content_type, response.content_type);
    res->set(http::field::cache_control, "no-store");
    res->set("X-Content-Type-Options", "nosniff");
    if (allow) res->set(http::field::allow, "GET, HEAD");
    res->keep_alive(keep_alive);
    size_t length = response.body.size();
    if (!head_only_) res->body() = std::move(response.body);
    res->content_length(length);
    head_only_ = false;
    stream_.expires_after(std::chrono::milliseconds(server_->options_.idle_timeout_ms));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
                        if (ec || !keep_alive) {
                          self->Close();
                        } else {
                          self->Read();
                        }
                      });
  }

  Impl* const server_;
  beast::tcp_stream stream_;
  const std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  bool head_only_ = false;
  bool busy_ = false;
  bool attached_ = true;
  std::list<Session*>::iterator position_;
};

bool HttpServer::Impl::EvictIdle(const std::string& peer) {
  for (Session* session : by_activity_) {
    if (session->busy() || (!peer.empty() && session->peer() != peer)) continue;
    session->Close();  // Its pending read ends; the session goes with it.
    session->Detach();
    return true;
  }
  return false;
}

void HttpServer::Impl::Admit(tcp::socket socket) {
  boost::system::error_code ec;
  std::string peer = socket.remote_endpoint(ec).address().to_string(ec);
  auto from_peer = open_by_peer_.find(peer);
  bool room = true;
  if (from_peer != open_by_peer_.end() && from_peer->second >= options_.max_per_peer) {
    room = EvictIdle(peer);
  } else if (open_ >= options_.max_connections) {
    room = EvictIdle("");
  }
  if (!room) {
    LOG_EVERY_N(WARNING, 100) << "web: refusing a connection from " << peer << " (" << open_
                              << " open, none idle)";
    socket.close(ec);
    return;
  }
  std::make_shared<Session>(this, std::move(socket), std::move(peer))->Read();
}

HttpServer::Options HttpServer::Options::FromFlags() {
  Options options;
  options.max_connections = FLAGS_web_max_connections;
  options.max_per_peer = FLAGS_web_max_connections_per_peer;
  options.idle_timeout_ms = FLAGS_web_idle_timeout_ms;
  return options;
}

HttpServer::HttpServer(HttpRouter router, Options options)
    : impl_(std::make_unique<Impl>(std::move(router), std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  int port = 0;
  RETURN_NOT_OK(impl_->Listen(&port));
  port_ = port;
  return Status::OK();
}

void HttpServer::Stop() { impl_->Stop(); }

}  // namespace mr::web
