// The --membership_* protocol flags, and the core factory.
#include <gflags/gflags.h>

#include "membership/core.h"
#include "membership/gossip_core.h"
#include "membership/swim_core.h"

DEFINE_string(membership_cluster_id, "mr",
              "Cluster id carried by every membership datagram; others are ignored.");
DEFINE_int64(membership_protocol_period_ms, 200,
             "SWIM protocol period (one probe each), and the gossip interval T_gossip.");
DEFINE_int64(membership_ping_timeout_ms, 80,
             "SWIM: wait this long for a direct ack before asking K members to probe.");
DEFINE_int32(membership_indirect_probes, 3, "SWIM: K, the members asked to probe on a miss.");
DEFINE_bool(membership_suspicion, true,
            "SWIM: suspect an unresponsive member before declaring it failed.");
DEFINE_double(membership_suspicion_mult, 4,
              "SWIM: shortest suspicion timeout = this * max(1, log10 N) protocol periods; "
              "this - 2 independent confirmations bring a suspicion down to it.");
DEFINE_double(membership_suspicion_max_timeout_mult, 6,
              "SWIM (Lifeguard): an unconfirmed suspicion times out after this many times the "
              "shortest timeout.");
DEFINE_int32(membership_awareness_max_multiplier, 8,
             "SWIM (Lifeguard): most a member in poor local health multiplies its probe period "
             "and ping timeout by; 1 turns local health awareness off.");
DEFINE_bool(membership_buddy, true,
            "SWIM (Lifeguard's buddy system): a PING to a suspect carries the suspicion.");
DEFINE_double(membership_retransmit_mult, 4,
              "SWIM: each update is piggybacked this * ceil(log10(N+1)) times; 0 disseminates "
              "nothing (each member learns only by its own probes: a simulator experiment).");
DEFINE_bool(membership_rack_aware, false,
            "SWIM: probe a member of another rack with probability 1/n (n: live members of "
            "this rack), else one of this rack; cuts cross-rack probes to about one per rack "
            "per period.");
DEFINE_uint64(membership_broadcast_queue_limit, 1024,
              "SWIM: most updates waiting to be piggybacked; the most-sent go first.");
DEFINE_uint64(membership_max_datagram_bytes, 1400,
              "Largest membership datagram sent or accepted.");
DEFINE_int64(membership_join_retry_ms, 1000,
             "Retry the TCP full-state sync with the seeds this often until one succeeds.");
DEFINE_uint64(membership_max_sync_bytes, 8 << 20,
              "Largest JOIN or SYNC (a member's full state) on a sync stream; longer ones are "
              "dropped.");
DEFINE_int64(membership_dead_retention_ms, 30000,
             "SWIM: keep left members this long so stale news cannot revive them.");
DEFINE_int64(membership_push_pull_interval_ms, 30000,
             "Anti-entropy: push-pull the full state with a random member this often (times "
             "ceil(log2(N/32)) + 1 above 32 members); 0 turns it off.");
DEFINE_int64(membership_reconnect_interval_ms, 10000,
             "Anti-entropy: push-pull with one failed member or unreachable seed this often, so "
             "that healed partitions and restarted members merge; 0 turns it off.");
DEFINE_int64(membership_reconnect_timeout_ms, 24LL * 3600 * 1000,
             "Keep failed members (SWIM: their records; both: as reconnect targets) this long.");
DEFINE_int64(membership_max_incarnation_lead_ms, 600000,
             "Refuse news about a member whose incarnation (or heartbeat) is more than this "
             "ahead of the wall clock: incarnations are drawn from it, so more is forged. "
             "Members' clocks must agree within it.");
DEFINE_int32(membership_gossip_fanout, 2, "Gossip heartbeating: b, members gossiped to per period.");
DEFINE_int64(membership_gossip_fail_ms, 4000,
             "Gossip heartbeating: T_fail, failed when the heartbeat has not grown this long.");
DEFINE_int64(membership_gossip_cleanup_ms, 8000,
             "Gossip heartbeating: T_cleanup, a failed member's record is deleted this long "
             "after it failed.");

namespace mr::membership {

CoreOptions CoreOptions::FromFlags() {
  CoreOptions o;
  o.cluster_id = FLAGS_membership_cluster_id;
  o.protocol_period_ms = FLAGS_membership_protocol_period_ms;
  o.ping_timeout_ms = FLAGS_membership_ping_timeout_ms;
  o.indirect_probes = FLAGS_membership_indirect_probes;
  o.suspicion = FLAGS_membership_suspicion;
  o.suspicion_mult = FLAGS_membership_suspicion_mult;
  o.suspicion_max_timeout_mult = FLAGS_membership_suspicion_max_timeout_mult;
  o.awareness_max_multiplier = FLAGS_membership_awareness_max_multiplier;
  o.buddy = FLAGS_membership_buddy;
  o.retransmit_mult = FLAGS_membership_retransmit_mult;
  o.rack_aware = FLAGS_membership_rack_aware;
  o.broadcast_queue_limit = FLAGS_membership_broadcast_queue_limit;
  o.max_datagram_bytes = FLAGS_membership_max_datagram_bytes;
  o.join_retry_ms = FLAGS_membership_join_retry_ms;
  o.max_sync_bytes = FLAGS_membership_max_sync_bytes;
  o.dead_retention_ms = FLAGS_membership_dead_retention_ms;
  o.push_pull_interval_ms = FLAGS_membership_push_pull_interval_ms;
  o.reconnect_interval_ms = FLAGS_membership_reconnect_interval_ms;
  o.reconnect_timeout_ms = FLAGS_membership_reconnect_timeout_ms;
  o.max_incarnation_lead_ms = FLAGS_membership_max_incarnation_lead_ms;
  o.gossip_fanout = FLAGS_membership_gossip_fanout;
  o.gossip_fail_ms = FLAGS_membership_gossip_fail_ms;
  o.gossip_cleanup_ms = FLAGS_membership_gossip_cleanup_ms;
  return o;
}

std::optional<Protocol> ParseProtocol(std::string_view name) {
  if (name == "swim") return Protocol::kSwim;
  if (name == "gossip") return Protocol::kGossip;
  return std::nullopt;
}

std::unique_ptr<ProtocolCore> NewProtocolCore(Protocol protocol, const CoreOptions& options,
                                              std::shared_ptr<const MemberIdentity> self,
                                              uint64_t seed,
                                              std::shared_ptr<MemberDirectory> directory) {
  if (protocol == Protocol::kGossip) {
    return std::make_unique<GossipCore>(options, std::move(self), seed, std::move(directory));
  }
  return std::make_unique<SwimCore>(options, std::move(self), seed, std::move(directory));
}

}  // namespace mr::membership
