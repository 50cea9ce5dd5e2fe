// Public value types of the membership layer: who a member is, what state it
// is in, the events subscribers receive, and the counters a member keeps.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace mr::membership {

// Immutable once a member has started; shared (by shared_ptr<const>) between
// a member's records, events and snapshots.
struct MemberIdentity {
  std::string id;       // Unique in the cluster, e.g. "dn-1-2".
  std::string address;  // "host:port" of the member's UDP socket.
  std::string rack;     // Rack label; may be empty.
  std::map<std::string, std::string> metadata;  // e.g. {"role": "datanode", "data_port": "7001"}.

  bool operator==(const MemberIdentity&) const = default;
};

enum class MemberState : uint8_t { kAlive, kSuspect, kFailed, kLeft };
std::string_view MemberStateName(MemberState state);  // "alive", "suspect", ...

enum class EventType : uint8_t {
  kJoined,   // First heard of (or back after failed/left with a higher incarnation).
  kAlive,    // A suspect refuted the suspicion.
  kSuspect,  // SWIM only.
  kFailed,   // Declared failed (suspicion timed out, or detected without suspicion).
  kLeft,     // Left gracefully.
};
std::string_view EventTypeName(EventType type);  // "joined", "alive", ...

struct MemberEvent {
  EventType type;
  std::shared_ptr<const MemberIdentity> member;
  int64_t incarnation = 0;  // Incarnation (SWIM) or heartbeat (gossip) the event is about.
  int64_t at_ms = 0;        // Core clock when it happened.
};

struct MemberSnapshot {
  std::shared_ptr<const MemberIdentity> member;
  MemberState state = MemberState::kAlive;
  int64_t incarnation = 0;
  bool self = false;
};

// Monotonic counters of one member (protocol core plus transport).
struct MemberCounters {
  uint64_t datagrams_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t datagrams_received = 0;
  uint64_t dropped_malformed = 0;      // Garbage or truncated: not one whole Message.
  uint64_t dropped_oversized = 0;      // Longer than the datagram limit.
  uint64_t dropped_other_cluster = 0;  // Another cluster id (or wire version).
  // Not signed with a key of this member's keyring: unsigned, another
  // cluster's key, tampered with, or signed while this member has no key.
  uint64_t dropped_unauthenticated = 0;
  uint64_t dropped_misdirected = 0;    // A PING meant for another member id.
  uint64_t send_errors = 0;            // Transport only.
  uint64_t dropped_forged = 0;         // Updates whose incarnation is past the wall-clock bound.
  uint64_t refutations = 0;            // Times this member raised its incarnation.
  uint64_t probes = 0;                 // SWIM probe periods started.
  uint64_t indirect_probes = 0;        // SWIM PING_REQs sent.
  uint64_t nacks_sent = 0;             // SWIM: PING_REQs this member could not get acked.
  uint64_t stalls = 0;                 // Times this member found itself paused or starved.
  // The full-state exchanges over TCP: the join's and anti-entropy's
  // (docs/MEMBERSHIP.md, "Join", "Anti-entropy").
  uint64_t syncs_served = 0;              // JOINs and PUSH_PULLs answered with this member's state.
  uint64_t syncs_applied = 0;             // SYNCs applied (answers to our JOIN or PUSH_PULL).
  uint64_t push_pulls = 0;                // PUSH_PULLs opened: periodic, reconnect or contact.
  uint64_t reconnects = 0;                // ... of which toward a failed member or a seed.
  uint64_t sync_dropped_malformed = 0;    // Garbage, truncated, or the wrong message type.
  uint64_t sync_dropped_oversized = 0;    // Longer than --membership_max_sync_bytes.
  uint64_t sync_dropped_other_cluster = 0;  // Another cluster id (or wire version).
  uint64_t sync_dropped_unauthenticated = 0;  // As dropped_unauthenticated, on a sync stream.
  uint64_t sync_errors = 0;               // Transport: refused, reset, timed out, too many.
};

}  // namespace mr::membership
