// SWIM (Das, Gupta, Motivala 2002) with suspicion and infection-style
// dissemination, as docs/MEMBERSHIP.md describes:
//  - every protocol period, probe one member in randomized round-robin order
//    (reshuffled after each pass; new members inserted at random positions);
//    with rack_aware, a member of another rack with probability 1/n (n: the
//    live members of this rack), else one of this rack;
//  - no ack within ping_timeout: PING_REQ through K random members; no ack
//    (direct or relayed) by the end of the period: suspect it (or, without
//    suspicion, declare it failed);
//  - a suspect not refuted within suspicion_mult * max(1, log10 N) periods
//    is declared failed; only a member raises its own incarnation, to refute;
//  - override rules: Alive(i) beats Suspect(j) iff i > j; Suspect(i) beats
//    Alive(j) iff i >= j; Failed/Left(i) beats both iff i >= current, and is
//    final until an Alive with a higher incarnation (a rejoin);
//  - updates ride on every PING, ACK and PING_REQ from a BroadcastQueue,
//    each sent about retransmit_mult * log10(N+1) times.
// Thread-safety: none (see core.h).
#pragma once

#include <map>
#include <set>
#include <unordered_map>

#include "membership/broadcast_queue.h"
#include "membership/core_base.h"
#include "membership/probe_order.h"

namespace mr::membership {

class SwimCore : public CoreBase {
 public:
  SwimCore(const CoreOptions& options, std::shared_ptr<const MemberIdentity> self, uint64_t seed);

  void Start(int64_t now_ms, const std::vector<std::string>& seed_addresses) override;
  void Bootstrap(const std::vector<std::shared_ptr<const MemberIdentity>>& members,
                 int64_t now_ms) override;
  void Tick(int64_t now_ms) override;
  void OnDatagram(std::string_view from, std::string_view bytes, int64_t now_ms) override;
  void Leave(int64_t now_ms) override;
  int64_t NextDeadlineMs() const override;
  std::vector<MemberSnapshot> Snapshot() const override;
  std::optional<MemberState> StateOf(const std::string& id) const override;

  int64_t incarnation() const { return incarnation_; }
  // Suspicion timeout for the current group size.
  int64_t SuspicionTimeoutMs() const;
  // How many times each update is piggybacked at the current group size.
  int RetransmitLimit() const;

 private:
  struct Record {
    std::shared_ptr<const MemberIdentity> identity;
    MemberState state = MemberState::kAlive;
    int64_t incarnation = 0;
    int64_t state_since_ms = 0;
    int64_t timer_ms = 0;  // Suspicion deadline, or deletion time once failed/left.
  };
  // The probe of the current protocol period.
  struct Probe {
    bool active = false;
    std::string target;
    int64_t seq = 0;
    bool acked = false;
    bool indirect_sent = false;
    int64_t ack_deadline_ms = 0;
  };
  // A PING sent on another member's behalf (PING_REQ): where its ACK goes.
  struct Relay {
    std::string reply_to;
    int64_t seq;
    int64_t expires_ms;
  };

  void ApplyUpdates(const wire::Message& message, int64_t now_ms) override;
  wire::Message FullState(int64_t seq) const override;
  void ApplyUpdate(const wire::Update& update, int64_t now_ms);
  void ApplyAlive(const wire::Update& update, int64_t now_ms);
  void RefuteIfAboutSelf(const wire::Update& update);
  void SetState(const std::string& id, Record* record, MemberState state, int64_t incarnation,
                int64_t now_ms);
  Record* AddMember(std::shared_ptr<const MemberIdentity> identity, int64_t incarnation,
                    int64_t now_ms, bool insert_into_probe_order);
  void Disseminate(const std::string& id, MemberState state, int64_t incarnation,
                   const std::shared_ptr<const MemberIdentity>& identity);
  // Sends `message` with as many queued updates as fit.
  void SendWithPiggyback(const std::string& to, wire::Message message);
  void ConcludeProbe(int64_t now_ms);
  void StartProbe(int64_t now_ms);
  void SendIndirectProbes();
  std::optional<std::string> NextProbeTarget();
  enum class Scope { kAll, kSameRack, kOtherRacks };
  std::optional<std::string> NextIn(ProbeOrder* order, Scope scope);
  std::vector<std::string> LiveIds(Scope scope) const;
  bool InScope(const Record& record, Scope scope) const;
  // Puts a new (or returning) live member into the probe orders.
  void InsertIntoProbeOrder(const std::string& id, const Record& record);
  // Up to `n` distinct random live members other than `exclude`.
  std::vector<const Record*> RandomMembers(size_t n, const std::string& exclude);
  void HandleMessage(std::string_view from, const wire::Message& message, int64_t now_ms);
  void RebuildProbeOrders();
  void ExpireTimers(int64_t now_ms);
  bool Live(const Record& r) const {
    return r.state == MemberState::kAlive || r.state == MemberState::kSuspect;
  }

  int64_t incarnation_;
  int64_t next_seq_ = 1;
  int64_t next_probe_ms_ = 0;
  Probe probe_;
  std::unordered_map<std::string, Record> members_;  // Everyone but self.
  size_t live_count_ = 0;                             // Alive or suspect, self excluded.
  // Every live member, in probe order; with rack_aware, probes walk
  // same_rack_ and other_racks_ instead (all_ still serves random picks).
  ProbeOrder all_;
  ProbeOrder same_rack_;
  ProbeOrder other_racks_;
  // (deadline, id): suspicion timeouts and deletion of failed/left records.
  // Stale entries are skipped when they come due.
  std::set<std::pair<int64_t, std::string>> suspect_timers_;
  std::set<std::pair<int64_t, std::string>> reap_timers_;
  std::map<int64_t, Relay> relays_;
  BroadcastQueue broadcasts_;
};

}  // namespace mr::membership
