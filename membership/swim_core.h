// SWIM (Das, Gupta, Motivala 2002) with suspicion, infection-style
// dissemination and Lifeguard (Dadgar et al. 2018), as docs/MEMBERSHIP.md
// describes:
//  - every protocol period (times the local health multiplier), probe one
//    member in randomized round-robin order (reshuffled after each pass; new
//    members inserted at random positions); with rack_aware, a member of
//    another rack with probability 1/n (n: the live members of this rack),
//    else one of this rack;
//  - no ack within the ping timeout: PING_REQ through K random members, who
//    NACK if the target does not answer them either; no ack (direct or
//    relayed) by the end of the period: suspect it (or, without suspicion,
//    declare it failed);
//  - a suspect not refuted within its suspicion timeout -- long at first,
//    shrinking as other members confirm the suspicion -- is declared failed;
//    only a member raises its own incarnation, to refute;
//  - override rules: Alive(i) beats Suspect(j) and Failed/Left(j) iff
//    i > j; Suspect(i) beats Alive(i); Failed/Left(i) beats both at i; news
//    that is not Alive is heard only about an incarnation already known,
//    and no incarnation past the wall-clock bound (core_base.h) is heard;
//  - updates ride on every PING, ACK and PING_REQ from a BroadcastQueue,
//    each sent about retransmit_mult * log10(N+1) times; a member's own
//    Alive rides on its PINGs to each member until that member has acked
//    one, so that nobody it probes can stay unaware of it.
// Thread-safety: none (see core.h).
#pragma once

#include <map>
#include <set>
#include <unordered_map>

#include "membership/broadcast_queue.h"
#include "membership/core_base.h"
#include "membership/local_health.h"
#include "membership/probe_order.h"
#include "membership/suspicion.h"

namespace mr::membership {

class SwimCore : public CoreBase {
 public:
  SwimCore(const CoreOptions& options, std::shared_ptr<const MemberIdentity> self, uint64_t seed,
           std::shared_ptr<MemberDirectory> directory = nullptr);
  ~SwimCore() override;

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
  // The shortest suspicion timeout for the current group size (reached
  // with k confirmations; the first suspecter alone waits max_mult times it).
  int64_t SuspicionTimeoutMs() const;
  // How many times each update is piggybacked at the current group size.
  int RetransmitLimit() const;
  // Lifeguard's local health score: 0 healthy .. max multiplier - 1.
  int health_score() const { return health_.score(); }

 private:
  using Index = MemberDirectory::Index;
  struct Record {
    int64_t incarnation = 0;
    MemberDirectory::Handle identity = MemberDirectory::kNone;
    MemberState state = MemberState::kAlive;
    bool present = false;   // This core holds the member (the index may be another's).
    bool knows_us = false;  // It acked a PING that carried our current Alive.
  };
  // The probe of the current protocol period.
  struct Probe {
    bool active = false;
    Index target = MemberDirectory::kNone;
    int64_t seq = 0;
    bool acked = false;
    bool announced = false;      // The PING carried our own Alive.
    bool verifying = false;      // The last probe of an unconfirmed suspect.
    bool first_round = false;    // A round-robin probe (not a re-probe): counts for loss.
    bool indirect_sent = false;
    int64_t ack_deadline_ms = 0;
    int expected_nacks = 0;
    int nacks = 0;
  };
  // A PING sent on another member's behalf (PING_REQ): where its ACK goes.
  struct Relay {
    std::string reply_to;
    int64_t seq;             // The asker's.
    std::string target_id;
    std::string target_address;
    int64_t retry_ms;        // No ack by then: PING once more.
    int64_t nack_ms;         // No ack by then: NACK the asker (once).
    int64_t expires_ms;
    bool retried = false;
    bool nacked = false;
  };

  // --- The member table and the override rules (swim_core.cc).
  // The index of the member `id` this core holds; kNone if it holds none.
  Index Find(std::string_view id) const;
  const std::shared_ptr<const MemberIdentity>& IdentityOf(const Record& r) const {
    return directory_->identity(r.identity);
  }
  const std::string& AddressOf(const Record& r) const { return IdentityOf(r)->address; }
  Record* AddMember(Index index, MemberDirectory::Handle identity, int64_t incarnation,
                    bool insert_into_probe_order);
  void RemoveMember(Index index);
  void ApplyUpdates(const wire::Message& message, int64_t now_ms) override;
  void MergeFullState(const wire::Message& message, int64_t now_ms) override;
  wire::Message FullState(wire::MessageType::type type, int64_t seq) const override;
  // `sender`: who passed it on (the suspecter, if the update does not say).
  void ApplyUpdate(const wire::Update& update, std::string_view sender, int64_t now_ms);
  void ApplyAlive(const wire::Update& update, Index index, int64_t now_ms);
  void ApplySuspect(Index index, Record* record, int64_t incarnation, Index suspecter,
                    int64_t now_ms);
  void RefuteIfAboutSelf(const wire::Update& update, int64_t now_ms);
  void SetState(Index index, Record* record, MemberState state, int64_t incarnation,
                int64_t now_ms, Index suspecter = MemberDirectory::kNone);
  // Failed at its current incarnation, and the news disseminated.
  void DeclareFailed(Index index, int64_t now_ms);
  void Disseminate(Index index, MemberState state, int64_t incarnation,
                   Index suspecter = MemberDirectory::kNone);
  void DisseminateSelf();
  bool Live(const Record& r) const {
    return r.present && (r.state == MemberState::kAlive || r.state == MemberState::kSuspect);
  }
  // Anti-entropy's questions (core_base.h).
  size_t LiveCount() const override { return live_count_; }
  std::optional<std::string> RandomLiveAddress() override;
  size_t FailedCount() const override { return failed_count_; }
  std::optional<std::string> RandomFailedAddress() override;
  bool IsLiveAddress(const std::string& address) const override;
  // A PING to `address`, whoever is there; its ACK opens a push-pull. (A
  // probe first: most failed members are dead, and a datagram is cheaper
  // than encoding our full state for nobody.)
  void Reconnect(const std::string& address, int64_t now_ms) override;

  // --- Probing, relays, timers (swim_probe.cc).
  // Sends `message` with as many queued updates as fit; `recipient` is the
  // destination member, if known.
  void SendWithPiggyback(const std::string& to, wire::Message message,
                         Index recipient = MemberDirectory::kNone);
  void ConcludeProbe(int64_t now_ms);
  // The end of a probe that checked a suspect before failing it.
  void ConcludeVerification(int64_t now_ms);
  void StartProbe(int64_t now_ms);
  // The current probe's PING (sent again, the same, at the ping timeout).
  wire::Message ProbePing() const;
  // At the ping timeout: PING_REQ through K members, and PING once more.
  void SendIndirectProbes();
  // Failed probe rounds in a row before a member is suspected: 1 while
  // this member's direct PINGs are rarely missed; more (re-probing it each
  // period meanwhile) when they often are, so that loss alone does not
  // raise a flood of suspicions (docs/MEMBERSHIP.md, "Heavy loss").
  int RoundsToSuspect() const;
  void NoteDirectProbe(bool missed);
  std::optional<Index> NextProbeTarget();
  enum class Scope { kAll, kSameRack, kOtherRacks };
  std::optional<Index> NextIn(ProbeOrder* order, Scope scope);
  std::vector<Index> LiveIndexes(Scope scope) const;
  bool InScope(Index index, Scope scope) const;
  // Puts a new (or returning) live member into the probe orders.
  void InsertIntoProbeOrder(Index index);
  void RebuildProbeOrders();
  // Up to `n` distinct random live members other than `exclude`.
  std::vector<Index> RandomMembers(size_t n, Index exclude);
  void HandleMessage(std::string_view from, const wire::Message& message, int64_t now_ms);
  void ExpireTimers(int64_t now_ms);
  // This member was stalled `ms` (a pause, or starved of CPU): the time
  // does not count against anyone.
  void AbsorbStall(int64_t ms);
  void ScheduleSuspicion(Index index);
  int64_t SuspicionMaxTimeoutMs() const;
  int ExpectedConfirmations() const;

  int64_t incarnation_;
  Index self_index_;
  int64_t next_probe_ms_ = 0;
  Probe probe_;
  LocalHealth health_;
  // Moving average of how many of this member's direct PINGs went
  // unanswered within the ping timeout: its view of datagram loss.
  double direct_miss_rate_ = 0;
  uint64_t direct_probes_ = 0;
  // Members whose last probe rounds failed but are not suspected yet:
  // the rounds failed so far. Re-probed first, one per period.
  std::map<Index, int> doubts_;
  // Suspects whose timeout ran out before enough others confirmed (or
  // while datagrams are often lost): probed again, first of all, before
  // they are failed, so that a member that merely missed the refutation
  // asks the suspect itself. Value: the rounds failed so far.
  std::map<Index, int> verifications_;
  std::vector<Record> records_;  // By directory index.
  size_t live_count_ = 0;        // Alive or suspect, self excluded.
  size_t failed_count_ = 0;
  // Every live member, in probe order; with rack_aware, probes walk
  // same_rack_ and other_racks_ instead (all_ still serves random picks).
  ProbeOrder all_;
  ProbeOrder same_rack_;
  ProbeOrder other_racks_;
  std::unordered_map<Index, Suspicion> suspicions_;  // Of every suspect.
  std::unordered_map<Index, int64_t> dead_until_;    // Failed/left: when to delete.
  // (deadline, index): suspicion timeouts and deletion of failed/left
  // records. Stale entries are skipped when they come due.
  std::set<std::pair<int64_t, Index>> suspect_timers_;
  std::set<std::pair<int64_t, Index>> reap_timers_;
  std::map<int64_t, Relay> relays_;
  std::map<int64_t, int64_t> reconnect_pings_;  // seq -> when to forget it.
  BroadcastQueue broadcasts_;
};

}  // namespace mr::membership
