// The TCP half of a Member's transport: the full-state exchanges, the
// join's and anti-entropy's (docs/MEMBERSHIP.md, "Join", "Anti-entropy").
// It listens on the same host and port number as the member's UDP socket.
// The asking side connects and sends one frame (a JOIN or PUSH_PULL); the
// serving side answers with one frame (a SYNC) and closes. A frame is a
// 4-byte big-endian length, then that many bytes.
//
// Every exchange has one deadline for all of it (connect, write, read); a
// stream that breaks it, or sends a frame longer than the limit, or closes
// mid-frame, is closed and reported to `drop`, never more.
//
// Abuse (docs/MEMBERSHIP.md, "Join under abuse"): at most kMaxInbound
// streams are served at once, and kMaxInboundPerPeer from one IP address.
// A connection past either cap evicts the oldest stream (of that peer, or
// of all) that has not yet delivered its request, and is refused only if
// every stream is already being answered. So idle connections, however
// many and however often reopened, cannot keep a real request out: it
// arrives whole within moments of its connect and is served. At most
// kMaxOutbound exchanges of our own are open at once.
//
// Thread-safety: none; every method, and every handler, runs on the
// io_context's one thread (Listen() may run before that thread starts).
#pragma once

#include <utility>  // Before Asio: Boost 1.74 Asio under C++20 needs it.

#include <cstdint>
#include <functional>
#include <list>
#include <map>
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

  // Most inbound streams at once, and from one IP address (see above).
  static constexpr int kMaxInbound = 32;
  static constexpr int kMaxInboundPerPeer = 8;
  // Most exchanges this member has open at once; more requests are dropped
  // (kError) and retried by the core.
  static constexpr int kMaxOutbound = 16;

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
  // Makes room for one more inbound stream from `peer`: false if none can
  // be evicted.
  bool MakeRoom(const std::string& peer);
  // Closes an inbound stream that has not delivered its request.
  void Evict(const std::shared_ptr<Exchange>& x);
  void ArmDeadline(const std::shared_ptr<Exchange>& x);
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
  // Inbound streams, oldest first, and how many come from each IP address.
  std::list<std::shared_ptr<Exchange>> inbound_;
  std::map<std::string, int> inbound_per_peer_;
  std::set<std::string> in_flight_;  // Addresses with a Request() open.
};

}  // namespace mr::membership
