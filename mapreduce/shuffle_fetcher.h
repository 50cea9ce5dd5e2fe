// The copy phase of a reduce task on a cluster: fetches this partition's
// segment of every map output from the shuffle services that hold them
// (scheduler/shuffle), several at once, each into a local file of its own.
//
// A map output that cannot be fetched (its service unreachable after every
// try, the output missing there, or its bytes corrupt) is a fetch failure:
// the other fetches go on, so that the reduce reports every lost output at
// once; outputs on a host:port already found unreachable are not tried
// again. Any other error (local disk, cancellation) stops the copy.
//
// Thread-safety: FetchPartition runs its own threads (one ShuffleClient
// each) and returns when they are done; call it from one thread.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "common/status.h"
#include "merger.h"
#include "progress_reporter.h"
#include "scheduler/shuffle/shuffle_client.h"

namespace mr {

struct FetchRequest {
  std::string app_id;
  int partition = 0;
  std::vector<shuffle::SegmentSource> sources;  // By map index.
  std::string dir;                              // Fetched segments go here.
  int parallel_fetches = 4;
  // Tries per source when a shuffle service is unreachable or the stream
  // breaks (Unavailable), with a pause doubling from 200 ms (at most 2 s)
  // between tries.
  int attempts = 3;
  // Reported once per segment fetched: segments done of all.
  ProgressPhase progress;
};

struct FetchFailure {
  size_t source = 0;  // Index into FetchRequest::sources.
  Status status;      // The last try's error.
};

struct FetchStats {
  uint64_t bytes = 0;    // Stored (compressed) bytes copied.
  uint64_t records = 0;
  // The sources that could not be fetched, by index.
  std::vector<FetchFailure> failures;
};

// One SegmentRef per source, in source order (the file's whole content is
// the segment; empty segments included). With fetch failures (listed in
// stats->failures), Unavailable naming the first. Fails with Aborted once
// *cancelled is set.
Result<std::vector<SegmentRef>> FetchPartition(const FetchRequest& request,
                                               const std::atomic<bool>& cancelled,
                                               FetchStats* stats);

}  // namespace mr
