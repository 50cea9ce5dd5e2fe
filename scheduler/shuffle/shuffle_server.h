// ShuffleServer: serves map output segments to reducers (docs/SCHEDULER.md),
// one per Node Manager, on Boost.Asio TCP.
//
// A request names (app_id, output_name, partition); the server reads
// <apps_dir>/<app_id>/output/<output_name>.index, and streams that
// partition's segment bytes from <output_name> as they are stored (LZ4 block
// stream with an XXH3 checksum per block, so the reducer verifies what it
// gets). Names are validated (no path separators, no leading '.'); malformed,
// truncated or oversized requests close the connection, never the server.
//
// Wire format: shuffle_protocol.h. Threading: one Boost.Asio io_context run
// by `threads` threads; each connection is a ShuffleSession
// (shuffle_session.h) on its own strand, reading requests and sending
// segments with sendfile(2) as the socket drains, so a slow reducer holds no
// thread. At most max_connections at once: one over closes the connection
// that has waited longest for its next request, or is closed at once if
// every connection is in a request.
//
// Thread-safety: Start, port and Stop from one thread.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "security/process_security.h"

namespace mr::shuffle {

class ShuffleServer {
 public:
  struct Options {
    std::string apps_dir;  // <nm dir>/apps
    std::string host = "127.0.0.1";
    int port = 0;          // 0 = ephemeral; see port().
    // Defaults from --shuffle_max_connections, --shuffle_io_timeout_ms,
    // --shuffle_idle_timeout_ms, --shuffle_threads and the fault flags (see
    // FromFlags).
    int max_connections = 64;
    int io_timeout_ms = 30000;    // Bound on one frame or one packet sent.
    int idle_timeout_ms = 60000;  // A connection with no request this long is closed.
    int threads = 2;
    // Testing only (--shuffle_fault_drop_fraction, --shuffle_fault_seed):
    // the fraction of requests answered by closing the connection, chosen
    // by a generator seeded with fault_seed.
    double fault_drop_fraction = 0;
    uint64_t fault_seed = 1;
    // Testing only (--shuffle_fault_refuse_file): while this file exists,
    // every request is dropped; "": never.
    std::string fault_refuse_file;
    // Set: fetches must be signed with their job's shuffle secret
    // (shuffle_protocol.h); FromFlags takes the process's.
    std::shared_ptr<const security::ServerSecurity> security;
    static Options FromFlags();
  };

  static Result<std::unique_ptr<ShuffleServer>> Start(Options options);
  virtual ~ShuffleServer() = default;
  virtual int port() const = 0;
  // Fetches refused for a missing or wrong signature so far.
  virtual int64_t refused_fetches() const = 0;
  // Closes the listener and every connection and joins the threads.
  // Idempotent.
  virtual void Stop() = 0;
};

}  // namespace mr::shuffle
