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
  uint64_t dropped_misdirected = 0;    // A PING meant for another member id.
  uint64_t send_errors = 0;            // Transport only.
  uint64_t refutations = 0;            // Times this member raised its incarnation.
  uint64_t probes = 0;                 // SWIM probe periods started.
  uint64_t indirect_probes = 0;        // SWIM PING_REQs sent.
  // The full-state exchange on join, over TCP (docs/MEMBERSHIP.md, "Join").
  uint64_t syncs_served = 0;              // Seed: JOINs answered with this member's state.
  uint64_t syncs_applied = 0;             // Joiner: SYNCs applied.
  uint64_t sync_dropped_malformed = 0;    // Garbage, truncated, or the wrong message type.
  uint64_t sync_dropped_oversized = 0;    // Longer than --membership_max_sync_bytes.
  uint64_t sync_dropped_other_cluster = 0;  // Another cluster id (or wire version).
  uint64_t sync_errors = 0;               // Transport: refused, reset, timed out, too many.
};

}  // namespace mr::membership
