// The TCP half of a Member's transport: the join's full-state exchange
// (docs/MEMBERSHIP.md, "Join"). It listens on the same host and port number
// as the member's UDP socket. A joiner connects to a seed and sends one
// frame (its JOIN); the seed answers with one frame (its SYNC) and closes.
// A frame is a 4-byte big-endian length, then that many bytes.
//
// Every exchange has one deadline for all of it (connect, write, read); a
// stream that breaks it, or sends a frame longer than the limit, or closes
// mid-frame, is closed and reported to `drop`, never more.
//
// Thread-safety: none; every method, and every handler, runs on the
// io_context's one thread (Listen() may run before that thread starts).
#pragma once

#include <utility>  // Before Asio: Boost 1.74 Asio under C++20 needs it.

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <boost/asio.hpp>

#include "common/status.h"

namespace mr::membership {

// `bytes` as one frame: its length, 4 bytes big-endian, then the bytes
// (at most 4 GiB - 1).
std::string SyncFrame(std::string_view bytes);

// Why an exchange ended without a whole frame.
enum class SyncDrop {
  kTruncated,  // Closed before a whole frame arrived.
  kOversized,  // The frame's length is above the limit.
  kError,      // Refused, reset, timed out, or too many streams at once.
};

class SyncStreams {
 public:
  struct Handlers {
    // Seed: a request frame in, the answer frame out (an error: close
    // without answering).
    std::function<Result<std::string>(std::string_view request)> serve;
    // Joiner: the answer to a Request().
    std::function<void(std::string_view answer)> apply;
    std::function<void(SyncDrop why)> drop;
  };

  // Most inbound streams served at once; more are closed at once (kError).
  static constexpr int kMaxInbound = 16;

  SyncStreams(boost::asio::io_context& io, size_t max_frame_bytes, int64_t timeout_ms,
              Handlers handlers);
  ~SyncStreams();
  SyncStreams(const SyncStreams&) = delete;
  SyncStreams& operator=(const SyncStreams&) = delete;

  // Binds and listens on `host`:`port`, and starts accepting.
  Status Listen(const boost::asio::ip::address& host, int port);
  // Opens an exchange with `address` ("ip:port"): sends `request`, hands the
  // answer to `apply`. At most one exchange per address at a time: a
  // request while one is open is dropped (the core retries).
  void Request(const std::string& address, std::string request);
  // Stops accepting (new connections are refused); open exchanges finish.
  void Close();

 private:
  struct Exchange;

  void Accept();
  void Serve(boost::asio::ip::tcp::socket socket);
  // Reads one frame; `done` gets its bytes, or nothing after reporting the
  // drop.
  void ReadFrame(const std::shared_ptr<Exchange>& x,
                 std::function<void(std::string_view frame)> done);
  void WriteFrame(const std::shared_ptr<Exchange>& x, std::string_view bytes,
                  std::function<void()> done);
  void Fail(const std::shared_ptr<Exchange>& x, boost::system::error_code ec);
  void Finish(const std::shared_ptr<Exchange>& x);

  boost::asio::io_context& io_;
  const size_t max_frame_bytes_;
  const int64_t timeout_ms_;
  Handlers handlers_;
  boost::asio::ip::tcp::acceptor acceptor_;
  int inbound_ = 0;                  // Streams being served.
  std::set<std::string> in_flight_;  // Addresses with a Request() open.
};

}  // namespace mr::membership
