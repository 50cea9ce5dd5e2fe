// One shuffle connection, served asynchronously on the server's
// io_context: read a request, answer it (segment bytes by sendfile(2) as
// the socket drains), read the next, until the peer closes, idles past
// idle_timeout, stalls past io_timeout, or sends anything malformed; any of
// these ends only this session.
//
// Thread-safety: every handler runs on the session's strand (the socket's
// executor), so its state needs no lock; Close() may be called from any
// thread (it posts to the strand).
#pragma once

#include <utility>  // Must precede Boost.Asio with C++20 on g++ 12.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "scheduler/shuffle/segment_locator.h"
#include "security/keyring.h"

namespace mr::shuffle {

// Fault injection: decides which requests a server drops (closes the
// connection unanswered): a fraction of them (--shuffle_fault_drop_fraction),
// from a seeded generator so a test can repeat a run, and every one while a
// file exists (--shuffle_fault_refuse_file, an outage a test can end).
// Thread-safe.
class RequestDropper {
 public:
  RequestDropper(double fraction, uint64_t seed, std::string refuse_file)
      : fraction_(fraction), refuse_file_(std::move(refuse_file)), rng_(seed) {}
  // Whether any fault is set up.
  bool active() const { return fraction_ > 0 || !refuse_file_.empty(); }
  bool ShouldDrop();

 private:
  const double fraction_;
  const std::string refuse_file_;
  std::mutex mu_;
  std::mt19937_64 rng_;  // GUARDED_BY(mu_)
};

class ShuffleSession : public std::enable_shared_from_this<ShuffleSession> {
 public:
  struct Config {
    std::string apps_dir;
    std::chrono::milliseconds io_timeout;
    std::chrono::milliseconds idle_timeout;
    // Closes the connection instead of answering the requests it picks;
    // null: none.
    RequestDropper* dropper = nullptr;
    // Security on: every request must carry the MAC of its job's shuffle
    // secret under a key of this ring (scheduler/auth/sched_auth.h); the
    // others are refused (PermissionDenied) and counted in *refused.
    // Null: no check.
    std::shared_ptr<const security::Keyring> keyring;
    std::atomic<int64_t>* refused = nullptr;
  };

  // `socket`'s executor must be a strand. `config` must outlive the
  // session; `on_end` runs once when the session is destroyed.
  ShuffleSession(boost::asio::ip::tcp::socket socket, const Config* config,
                 std::function<void()> on_end);
  ~ShuffleSession();

  void Start();
  // Ends the session (on its strand); from any thread.
  void Close();

  // For the server's connection cap, from any thread: whether the session
  // is waiting for the header of its next request (idle), and since when.
  bool awaiting_request() const { return awaiting_request_.load() && !closing_.load(); }
  int64_t waiting_since_ms() const { return waiting_since_ms_.load(); }

 private:
  void ReadHeader();
  void ReadPayload(const boost::system::error_code& ec);
  void Answer(const boost::system::error_code& ec);
  void SendPacketHeader();
  void SendFileBytes();
  // Closes the socket if the next step takes longer than `timeout`.
  void Arm(std::chrono::milliseconds timeout);
  void End(const std::string& why);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  const Config* const config_;
  std::function<void()> on_end_;
  char header_[5];
  std::string payload_;
  std::string out_;        // The frame being written.
  SegmentRegion region_;   // The segment being sent.
  uint64_t sent_ = 0;      // Of region_.
  size_t packet_left_ = 0; // Bytes of the current packet not yet sent.
  std::atomic<bool> awaiting_request_{true};
  std::atomic<bool> closing_{false};
  std::atomic<int64_t> waiting_since_ms_;
};

}  // namespace mr::shuffle
