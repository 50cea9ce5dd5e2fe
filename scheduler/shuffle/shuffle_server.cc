#include "scheduler/shuffle/shuffle_server.h"

#include <utility>  // Must precede Boost.Asio with C++20 on g++ 12.

#include <atomic>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <gflags/gflags.h>
#include <glog/logging.h>

#include "scheduler/shuffle/shuffle_session.h"

DEFINE_int32(shuffle_max_connections, 64,
             "Most connections a shuffle server holds at once. One more closes the connection "
             "that has waited longest for its next request; if every one is in a request, the "
             "new one is closed at once (the reducer retries).");
DEFINE_int32(shuffle_io_timeout_ms, 30000,
             "Longest a shuffle server waits to receive a started request or to send one "
             "frame (or one packet of a segment) before dropping the connection.");
DEFINE_int32(shuffle_idle_timeout_ms, 60000,
             "A shuffle connection with no request for this long is closed.");
DEFINE_int32(shuffle_threads, 2,
             "Threads running a shuffle server's event loop (each connection is served by "
             "one at a time; disk reads happen in sendfile on these threads).");

DEFINE_double(shuffle_fault_drop_fraction, 0.0,
              "Testing only: the fraction of fetch requests a shuffle server drops (closes the "
              "connection without answering), chosen at random with --shuffle_fault_seed.");
DEFINE_uint64(shuffle_fault_seed, 1, "Testing only: seeds --shuffle_fault_drop_fraction's choices.");
DEFINE_string(shuffle_fault_refuse_file, "",
              "Testing only: while this file exists, a shuffle server drops every fetch "
              "request (an outage a test can end).");

namespace mr::shuffle {

namespace asio = boost::asio;
using asio::ip::tcp;

ShuffleServer::Options ShuffleServer::Options::FromFlags() {
  Options options;
  options.security = security::ProcessServerSecurity();
  options.max_connections = FLAGS_shuffle_max_connections;
  options.io_timeout_ms = FLAGS_shuffle_io_timeout_ms;
  options.idle_timeout_ms = FLAGS_shuffle_idle_timeout_ms;
  options.threads = FLAGS_shuffle_threads;
  options.fault_drop_fraction = FLAGS_shuffle_fault_drop_fraction;
  options.fault_seed = FLAGS_shuffle_fault_seed;
  options.fault_refuse_file = FLAGS_shuffle_fault_refuse_file;
  return options;
}

namespace {

// The server: an acceptor on its own strand, sessions on theirs, all on one
// io_context run by options.threads threads. sessions_ (under mu_) lets
// Stop() close the live ones; active_ bounds connections.
class AsioShuffleServer final : public ShuffleServer {
 public:
  explicit AsioShuffleServer(Options options)
      : options_(std::move(options)),
        dropper_(options_.fault_drop_fraction, options_.fault_seed, options_.fault_refuse_file),
        config_{options_.apps_dir, std::chrono::milliseconds(options_.io_timeout_ms),
                std::chrono::milliseconds(options_.idle_timeout_ms),
                dropper_.active() ? &dropper_ : nullptr,
                options_.security == nullptr
                    ? nullptr
                    : std::make_shared<const security::Keyring>(options_.security->keyring()),
                &refused_},
        acceptor_(asio::make_strand(io_)) {
    if (options_.fault_drop_fraction > 0) {
      LOG(WARNING) << "shuffle: fault injection: dropping " << options_.fault_drop_fraction
                   << " of the requests";
    }
  }
  ~AsioShuffleServer() override { Stop(); }

  Status Listen() {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return Status::InvalidArgument("bad shuffle bind address " + options_.host);
    if (options_.port < 0 || options_.port > 65535) {
      return Status::InvalidArgument("bad shuffle port " + std::to_string(options_.port));
    }
    tcp::endpoint endpoint(address, static_cast<uint16_t>(options_.port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::IOError("shuffle: listen on " + options_.host + ":" +
                             std::to_string(options_.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint(ec).port();
    LOG(INFO) << "shuffle server on " << options_.host << ":" << port_ << " serving "
              << options_.apps_dir;
    Accept();
    for (int i = 0; i < std::max(1, options_.threads); ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
    return Status::OK();
  }

  int port() const override { return port_; }
  int64_t refused_fetches() const override { return refused_.load(); }

  // Closes the acceptor and every session; the threads return from run()
  // once their handlers have unwound.
  void Stop() override {
    if (stopped_.exchange(true)) return;
    asio::post(acceptor_.get_executor(), [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
    });
    {
      std::lock_guard lock(mu_);
      for (auto& weak : sessions_) {
        if (auto session = weak.lock()) session->Close();
      }
    }
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void Accept() {
    acceptor_.async_accept(asio::make_strand(io_), [this](const boost::system::error_code& ec,
                                                          tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) Admit(std::move(socket));
      Accept();
    });
  }

  void Admit(tcp::socket socket) {
    if (stopped_) return;  // `socket` closes.
    if (active_ >= options_.max_connections && !EvictLongestIdle()) {
      LOG_EVERY_N(WARNING, 100) << "shuffle: " << options_.max_connections
                                << " connections are in requests, closing a new one";
      return;  // `socket` closes.
    }
    ++active_;
    // The session may end (and run on_end) on another thread before this
    // function returns: on_end takes no lock.
    auto session = std::make_shared<ShuffleSession>(std::move(socket), &config_,
                                                    [this] { --active_; });
    bool stopping;
    {
      std::lock_guard lock(mu_);
      sessions_.remove_if([](const auto& weak) { return weak.expired(); });
      sessions_.push_back(session);
      stopping = stopped_;  // Stop() sets it before walking sessions_.
    }
    session->Start();
    if (stopping) session->Close();
  }

  // Closes the session that has waited longest for its next request, if
  // any waits (it counts in active_ until its handlers unwind, moments
  // later; each admission over the cap closes one). On the acceptor's
  // strand.
  bool EvictLongestIdle() {
    std::shared_ptr<ShuffleSession> oldest;
    {
      std::lock_guard lock(mu_);
      for (auto& weak : sessions_) {
        auto session = weak.lock();
        if (session && session->awaiting_request() &&
            (!oldest || session->waiting_since_ms() < oldest->waiting_since_ms())) {
          oldest = std::move(session);
        }
      }
    }
    if (!oldest) return false;
    LOG_EVERY_N(WARNING, 100) << "shuffle: at " << options_.max_connections
                              << " connections; closing the one that waited longest for a "
                              << "request (logged every 100th)";
    oldest->Close();
    return true;
  }

  const Options options_;
  std::atomic<int64_t> refused_{0};
  RequestDropper dropper_;
  const ShuffleSession::Config config_;
  asio::io_context io_;
  tcp::acceptor acceptor_;  // Used on its strand once the threads run.
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
  int port_ = 0;  // Set before the threads start; then read-only.
  std::mutex mu_;
  std::list<std::weak_ptr<ShuffleSession>> sessions_;  // GUARDED_BY(mu_)
  // Live sessions; only the acceptor's strand increments it.
  std::atomic<int> active_{0};
};

}  // namespace

Result<std::unique_ptr<ShuffleServer>> ShuffleServer::Start(Options options) {
  if (options.apps_dir.empty()) return Status::InvalidArgument("shuffle server needs apps_dir");
  auto server = std::make_unique<AsioShuffleServer>(std::move(options));
  RETURN_NOT_OK(server->Listen());
  return std::unique_ptr<ShuffleServer>(std::move(server));
}

}  // namespace mr::shuffle
