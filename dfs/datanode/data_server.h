// The datanode's data-plane TCP server (protocol: dfs/dataplane/dataplane.thrift).
//
// Threading: one thread accepts (polling so Stop() is prompt), and each
// connection gets its own thread (plus a responder thread while it serves a
// pipelined write). Thread per connection because every request is a long
// run of blocking disk I/O and the framing helpers are synchronous, and a
// datanode has tens of connections, not thousands; `max_connections` bounds
// them. A connection over the limit closes the one that has waited longest
// without sending its whole request (idle, or trickling its first frame), so
// such callers cannot keep reads and writes out; if every connection is
// being served, the new one is closed at once.
//
// With security on, each request needs the master's chunk access token for
// its chunk and generation (chunk_access.h); a refusal is PermissionDenied
// in the request's own error response.
// A malformed or unexpected first frame closes that connection only.
// Stop() shuts every open connection down and joins all threads.
// Thread-safety: Start/Stop from the owning thread; port() and
// active_connections() from any.
#pragma once

#include <utility>  // Must precede Boost.Asio with C++20 on g++ 12.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "dfs/dataplane/framing.h"
#include "dfs/datanode/chunk_access.h"
#include "dfs/datanode/chunk_store.h"

namespace mr::dfs {

class DataServer {
 public:
  struct Options {
    std::string datanode_id;
    std::string bind_address = "127.0.0.1";
    int port = 0;  // 0: an ephemeral port, see port().
    int max_connections = 64;
    dataplane::Timeout io_timeout = dataplane::DefaultIoTimeout();
    // Called once for each replica a write stream finalized, on that
    // connection's thread, after the replica is durable (the datanode tells
    // the master ChunkReceived). Must be thread-safe and must not block long;
    // whatever it uses must outlive Stop().
    std::function<void(const ChunkInfo&)> on_chunk_written;
    // Defaults from --dfs_datanode_max_connections and the data-plane flags.
    static Options FromFlags();
  };

  // `store` must outlive the server.
  DataServer(ChunkStore* store, Options options);
  ~DataServer();
  DataServer(const DataServer&) = delete;
  DataServer& operator=(const DataServer&) = delete;

  Status Start();
  void Stop();
  int port() const { return port_.load(); }
  // Connections being served (reads and writes): the heartbeat's load.
  int active_connections() const { return active_.load(); }
  // Requests refused for their chunk access token (chunk_access.h).
  uint64_t access_refusals() const { return access_.refusals(); }

 private:
  struct Connection {
    explicit Connection(boost::asio::io_context& io) : socket(io) {}
    dataplane::tcp::socket socket;  // Closed only after `thread` is joined.
    std::thread thread;
    std::atomic<bool> done{false};
    // Until its first frame is whole: the connection may be evicted.
    std::atomic<bool> awaiting_request{true};
    bool evicted = false;  // GUARDED_BY(DataServer::mu_)
    std::chrono::steady_clock::time_point accepted_at = std::chrono::steady_clock::now();
  };

  void AcceptLoop();
  // Whether a new connection may be served: under the limit, or once the
  // connection that waited longest for its request is shut down.
  bool MakeRoom();  // Holds mu_.
  void Serve(Connection* connection);
  // Serves one request (its first frame) unless its token is refused.
  Status ServeRead(dataplane::tcp::socket* socket, const std::string& payload);
  Status ServeWrite(dataplane::tcp::socket* socket, const std::string& payload);
  Status ServeLocalReplica(dataplane::tcp::socket* socket, const std::string& payload);
  // Joins finished connections; with `all`, shuts down and joins every one.
  void Reap(bool all);

  ChunkStore* const store_;
  const Options options_;
  ChunkAccessChecker access_;
  boost::asio::io_context io_;  // Only owns the sockets; never run.
  dataplane::tcp::acceptor acceptor_;
  std::thread accept_thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> port_{0};
  std::atomic<int> active_{0};
  std::mutex mu_;
  std::list<std::unique_ptr<Connection>> connections_;  // GUARDED_BY(mu_)
};

}  // namespace mr::dfs
