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
// Thread-safety: Start, port and Stop from one thread.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace mr::shuffle {

class ShuffleServer {
 public:
  struct Options {
    std::string apps_dir;  // <nm dir>/apps
    std::string host = "127.0.0.1";
    int port = 0;          // 0 = ephemeral; see port().
  };

  static Result<std::unique_ptr<ShuffleServer>> Start(Options options);
  virtual ~ShuffleServer() = default;
  virtual int port() const = 0;
  virtual void Stop() = 0;  // Idempotent.
};

}  // namespace mr::shuffle
