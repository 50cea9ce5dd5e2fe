// The membership protocol core: a pure, single-threaded state machine with
// no I/O and no clock of its own. A driver (the UDP transport in member.h, or
// the simulator in sim/) feeds it time and datagrams and carries its outbox:
//
//   core->Start(now, seeds);
//   loop: core->OnDatagram(from, bytes, now) / core->Tick(now) when
//         now >= core->NextDeadlineMs();
//         send every core->outbox() entry, deliver every core->events() entry,
//         then clear both;
//         for every core->sync_requests() entry (clear it too), open a stream
//         (TCP) to its address, send its bytes, and hand the answer to
//         ApplyFullState(); a stream that arrives with a request goes to
//         OnSyncRequest(), whose answer goes back on it. (Requests are the
//         join's JOIN and anti-entropy's PUSH_PULL; answers are SYNCs.)
//
// The same core runs under the simulator and the real network, which is what
// makes the simulator's figures say something about the daemons.
// Thread-safety: none; one thread (or one lock) per core.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "membership/types.h"

namespace mr::membership {

class Authenticator;
class MemberDirectory;

struct CoreOptions {
  std::string cluster_id = "mr";
  int64_t protocol_period_ms = 200;   // SWIM probe period; gossip interval T_gossip.
  int64_t ping_timeout_ms = 80;       // SWIM: direct ack deadline before PING_REQ.
  int indirect_probes = 3;            // SWIM: K.
  bool suspicion = true;              // SWIM: suspect before failing.
  double suspicion_mult = 4;          // SWIM: min timeout = mult * max(1, log10 N) periods.
  double suspicion_max_timeout_mult = 6;  // SWIM: max timeout = this * min (Lifeguard).
  int awareness_max_multiplier = 8;   // SWIM: Lifeguard's local health cap (1: off).
  bool buddy = true;                  // SWIM: a PING to a suspect carries the suspicion.
  bool round_robin = true;            // SWIM: probe in randomized round-robin (false: random).
  double retransmit_mult = 4;         // SWIM: lambda; sends per update lambda*ceil(log10(N+1)).
  bool rack_aware = false;            // SWIM: probe another rack with probability 1/(rack size).
  size_t broadcast_queue_limit = 1024;  // SWIM: most updates waiting to be piggybacked.
  size_t max_datagram_bytes = 1400;
  int64_t join_retry_ms = 1000;       // Resend JOIN to the seeds until a SYNC is applied.
  size_t max_sync_bytes = 8 << 20;    // Largest JOIN, PUSH_PULL or SYNC (full state) on a stream.
  int64_t push_pull_interval_ms = 30000;  // Anti-entropy with a random member, scaled; 0: off.
  int64_t reconnect_interval_ms = 10000;  // Push-pull with a failed member or lost seed; 0: off.
  int64_t reconnect_timeout_ms = 24 * 3600 * 1000LL;  // SWIM: keep (and retry) failed members.
  int64_t dead_retention_ms = 30000;  // SWIM: keep left members (no resurrection).
  int gossip_fanout = 2;              // Gossip: b members per T_gossip.
  int64_t gossip_fail_ms = 4000;      // Gossip: T_fail.
  int64_t gossip_cleanup_ms = 8000;   // Gossip: T_cleanup (counted from the failure).
  // Incarnations are drawn from the wall clock (core_base.h): updates
  // about others more than this far ahead of it are refused.
  int64_t max_incarnation_lead_ms = 600000;
  int64_t wall_clock_ms = 0;          // The wall clock when the core starts (simulator: 0).
  int64_t initial_incarnation = 0;    // A restarted member must start above its old one.
  // Signs and checks every envelope; null: unauthenticated (codec.h).
  std::shared_ptr<const Authenticator> authenticator;

  // The --membership_* flags (defined in core_options.cc).
  static CoreOptions FromFlags();
};

// One outgoing datagram, or one full-state exchange to open (sync_requests()).
struct Outgoing {
  std::string to;  // The destination member's address.
  std::string bytes;
};

class ProtocolCore {
 public:
  virtual ~ProtocolCore() = default;

  // Begins: the first probe or gossip at `now_ms`, JOIN to each seed address
  // (none: this member starts a cluster of one).
  virtual void Start(int64_t now_ms, const std::vector<std::string>& seed_addresses) = 0;
  // Adds `members` as alive without any message, and without events (the
  // simulator's full-mesh start; a real member joins through a seed).
  virtual void Bootstrap(const std::vector<std::shared_ptr<const MemberIdentity>>& members,
                         int64_t now_ms) = 0;
  virtual void Tick(int64_t now_ms) = 0;
  // `from` is the sender's address as the transport saw it. Never fails:
  // bad datagrams are dropped and counted.
  virtual void OnDatagram(std::string_view from, std::string_view bytes, int64_t now_ms) = 0;
  // A full-state exchange, carried by the driver over a reliable stream
  // (docs/MEMBERSHIP.md, "Join", "Anti-entropy"). On the serving side:
  // `request` is one encoded JOIN or PUSH_PULL; applies its news and returns
  // the encoded SYNC (this member's full state) to send back. On the asking
  // side: `bytes` is that SYNC; applies it (a join is then done). Neither
  // fails on bad input beyond
  // returning an error: malformed (Corruption), another cluster
  // (InvalidArgument), too large (InvalidArgument), not running
  // (Unavailable); each drop is counted.
  virtual Result<std::string> OnSyncRequest(std::string_view request, int64_t now_ms) = 0;
  virtual Status ApplyFullState(std::string_view bytes, int64_t now_ms) = 0;
  // Graceful leave: tells a few members, then ignores everything.
  virtual void Leave(int64_t now_ms) = 0;
  // When Tick must next run (it may run earlier, harmlessly).
  virtual int64_t NextDeadlineMs() const = 0;

  virtual std::vector<MemberSnapshot> Snapshot() const = 0;
  // This member's view of `id` (nullopt: unknown or deleted).
  virtual std::optional<MemberState> StateOf(const std::string& id) const = 0;

  std::vector<Outgoing>& outbox() { return outbox_; }
  std::vector<MemberEvent>& events() { return events_; }
  // Full-state exchanges to open: {seed address, encoded JOIN}.
  std::vector<Outgoing>& sync_requests() { return sync_requests_; }
  const MemberCounters& counters() const { return counters_; }
  MemberCounters& mutable_counters() { return counters_; }  // The transport adds its own.
  const std::shared_ptr<const MemberIdentity>& self() const { return self_; }

 protected:
  explicit ProtocolCore(std::shared_ptr<const MemberIdentity> self) : self_(std::move(self)) {}

  std::shared_ptr<const MemberIdentity> self_;
  std::vector<Outgoing> outbox_;
  std::vector<MemberEvent> events_;
  std::vector<Outgoing> sync_requests_;
  MemberCounters counters_;
};

enum class Protocol { kSwim, kGossip };
// "swim" or "gossip".
std::optional<Protocol> ParseProtocol(std::string_view name);

// `seed` drives every random choice, so a run is reproducible. Cores may
// share one `directory` if they share a thread (the simulator); null: the
// core makes its own.
std::unique_ptr<ProtocolCore> NewProtocolCore(Protocol protocol, const CoreOptions& options,
                                              std::shared_ptr<const MemberIdentity> self,
                                              uint64_t seed,
                                              std::shared_ptr<MemberDirectory> directory = nullptr);

}  // namespace mr::membership
