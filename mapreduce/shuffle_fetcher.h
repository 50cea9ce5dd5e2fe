// The copy phase of a reduce task on a cluster: fetches this partition's
// segment of every map output from the shuffle services that hold them
// (scheduler/shuffle), several at once, each into a local file of its own.
//
// Thread-safety: FetchPartition runs its own threads (one ShuffleClient
// each) and returns when they are done; call it from one thread.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "common/status.h"
#include "merger.h"
#include "scheduler/shuffle/shuffle_client.h"

namespace mr {

struct FetchRequest {
  std::string app_id;
  int partition = 0;
  std::vector<shuffle::SegmentSource> sources;  // By map index.
  std::string dir;                              // Fetched segments go here.
  int parallel_fetches = 4;
  // Tries per source when a shuffle service is unreachable or the stream
  // breaks (Unavailable), with a growing pause between tries.
  int attempts = 3;
};

struct FetchStats {
  uint64_t bytes = 0;    // Stored (compressed) bytes copied.
  uint64_t records = 0;
};

// One SegmentRef per source, in source order (the file's whole content is
// the segment; empty segments included). Stops at the first failure, which
// names the source; fails with Aborted once *cancelled is set.
Result<std::vector<SegmentRef>> FetchPartition(const FetchRequest& request,
                                               const std::atomic<bool>& cancelled,
                                               FetchStats* stats);

}  // namespace mr
