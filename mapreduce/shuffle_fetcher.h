// The copy phase of a reduce task on a cluster: fetches this partition's
// segment of every map output from the shuffle services that hold them
// (scheduler/shuffle), several at once, each into a local file of its own.
//
// A shuffle service that cannot be reached, refuses the connection (it is
// at its connection limit) or breaks the stream is tried again, with a
// pause doubling from 200 ms up to 5 s, for as long as it has been
// unreachable for less than unreachable_ms (every fetch from it shares that
// clock; any success resets it): a short outage or an overload costs time,
// not the map outputs. A map output that still cannot be fetched (its
// service unreachable past the bound, the output missing there, or its
// bytes corrupt) is a fetch failure: the other fetches go on, so that the
// reduce reports every lost output at once; outputs on a service past the
// bound are not tried again. Any other error (local disk, cancellation)
// stops the copy.
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
  // How long a shuffle service may stay unreachable (every try Unavailable)
  // before its outputs are fetch failures.
  int64_t unreachable_ms = 30000;
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
