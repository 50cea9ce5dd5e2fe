// Fetching map output segments from shuffle services (ShuffleServer).
//
// Thread-safety: a ShuffleClient is used by one thread; run several for
// parallel fetches.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/file.h"
#include "common/status.h"

namespace mr::shuffle {

struct SegmentSource {
  std::string host;
  int port = 0;
  std::string app_id;
  std::string output_name;  // e.g. "m_000003_0.out"
  // The job's shuffle secret (scheduler/auth/sched_auth.h): requests are
  // signed with it. Empty: unsigned (a cluster without security).
  std::string shuffle_secret;
};

// What the server says of the segment it sent.
struct FetchedSegment {
  uint64_t length = 0;     // Stored bytes (as appended to the file).
  uint64_t raw_bytes = 0;  // Encoded record bytes before compression.
  uint64_t records = 0;
};

class ShuffleClient {
 public:
  struct Options {
    int connect_timeout_ms = 5000;
    int io_timeout_ms = 30000;
  };
  explicit ShuffleClient(Options options);
  ~ShuffleClient();

  // Appends the segment of `partition` of `source` to `out` (connections are
  // reused per host:port). NotFound if the server has no such output,
  // Unavailable if it cannot be reached or the stream breaks.
  Result<FetchedSegment> Fetch(const SegmentSource& source, int partition, WritableFile* out);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mr::shuffle
