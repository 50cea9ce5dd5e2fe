// A deterministic discrete-event simulator for the membership cores: N
// members of the real protocol core (SWIM or gossip heartbeating) in one
// process, over a simulated network with latency, loss, a partition, slow
// members and crashes, on a virtual clock (a calendar of timed events, one
// bucket per virtual ms, first in first out within one). The same options
// and seed give the same report, byte for byte.
// Thread-safety: a Simulator is single-threaded; separate ones are independent.
#pragma once

#include <cstdint>
#include <string>

#include "membership/core.h"

namespace mr::membership::sim {

struct SimOptions {
  Protocol protocol = Protocol::kSwim;
  CoreOptions core;          // Times in virtual ms; the report is in protocol periods.
  int nodes = 100;
  int periods = 100;         // Run length.
  double loss = 0;           // Probability that a datagram is lost.
  int crash = 1;             // Members that crash (no warning), at random times.
  uint64_t seed = 1;
  int64_t min_latency_ms = 1;  // One-way latency, uniform in [min, max].
  int64_t max_latency_ms = 10;
  // True: every member starts its periods at the same instant and crashes
  // happen just before a period boundary (the SWIM paper's model). False:
  // random phases and crash times.
  bool sync_phases = true;
  int racks = 1;
  // The first `partition` fraction of members cannot talk to the rest during
  // periods [partition_start, partition_end).
  double partition = 0;
  int partition_start = 0;
  int partition_end = 0;
  int slow = 0;               // Members (never crashed ones) whose datagrams ...
  int64_t slow_delay_ms = 0;  // ... in and out take this much longer.
  bool join = false;          // Members join through member 0 instead of starting full.
};

// Mean, 99th percentile and maximum of a sample, in protocol periods.
struct Distribution {
  size_t count = 0;
  double mean = 0;
  double p99 = 0;
  double max = 0;
};

struct SimReport {
  Distribution first_detection;  // Crash -> first member suspects (or fails) it.
  Distribution dissemination;    // First detection -> every live member knows.
  Distribution all_know;         // Crash -> every live member suspects or failed it.
  Distribution all_failed;       // Crash -> every live member has it failed.
  double suspicion_timeout_periods = 0;  // At the final group size.
  int crashes = 0;
  int undetected = 0;            // Crashes some live member never learned of.
  uint64_t false_failure_events = 0;  // (observer, live member) failed declarations.
  uint64_t falsely_failed_members = 0;  // Live members declared failed by anyone.
  uint64_t false_suspicion_events = 0;
  double messages_per_member_per_period = 0;  // Sent, by live members.
  double bytes_per_member_per_period = 0;
  double cross_rack_messages_per_member_per_period = 0;
  uint64_t max_message_bytes = 0;
  uint64_t messages_sent = 0;
  uint64_t messages_lost = 0;
  uint64_t refutations = 0;
  int members_fully_joined = 0;  // Members knowing all live others at the end.
  // Up members some up member held failed at once, at most (a false failure
  // lasts until the member is back in that view).
  int max_falsely_failed_at_once = 0;
  // When the group last came to one full view (every up member holding every
  // other), in periods; -1 if it never did or is split at the end.
  double converged_at_periods = -1;
  // With a partition: from its end to one full view again (-1: never).
  double merge_periods = -1;
  uint64_t full_state_exchanges = 0;  // JOIN or PUSH_PULL answered with a SYNC.
  uint64_t full_state_bytes = 0;      // Both ways.
  uint64_t push_pulls = 0;            // Anti-entropy exchanges opened ...
  uint64_t reconnects = 0;            // ... of which toward failed members or seeds.
};

SimReport RunSimulation(const SimOptions& options);
// The options and the report as one JSON object.
std::string ReportJson(const SimOptions& options, const SimReport& report);

}  // namespace mr::membership::sim
