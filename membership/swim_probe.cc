// SwimCore: probing (direct, indirect, NACKs), Lifeguard's local health,
// piggybacking, timers, stalls and the message handlers (docs/MEMBERSHIP.md,
// "SWIM", "Lifeguard"). The member table and the rules: swim_core.cc.
#include <algorithm>
#include <climits>

#include "membership/swim_core.h"

namespace mr::membership {
namespace {

// RoundsToSuspect(): while at most this share of direct PINGs is missed,
// one failed round suspects, as in plain SWIM; above it, kRoundsUnderLoss.
// A quarter: 10% datagram loss misses 19% of direct PINGs, 15% misses 28%.
// Up to 15% loss a round (the direct PING and its retry, K helpers with a
// retry each) fails less than 0.3% of the time; at 30% loss about 7%, so
// three rounds in a row about 3 in 10,000.
constexpr double kLossThreshold = 0.25;
constexpr int kRoundsUnderLoss = 3;
// Weight of the newest probe in direct_miss_rate_ (about the last 32, so
// that the members found crashed now and then do not count as loss).
constexpr double kMissRateWeight = 1.0 / 32;
constexpr uint64_t kMissRatePrior = 4;

}  // namespace

bool SwimCore::InScope(Index index, Scope scope) const {
  if (index >= records_.size() || !Live(records_[index])) return false;
  if (scope == Scope::kAll) return true;
  return (IdentityOf(records_[index])->rack == self_->rack) == (scope == Scope::kSameRack);
}

std::vector<SwimCore::Index> SwimCore::LiveIndexes(Scope scope) const {
  std::vector<Index> indexes;
  for (Index i = 0; i < records_.size(); ++i) {
    if (InScope(i, scope)) indexes.push_back(i);
  }
  return indexes;
}

void SwimCore::RebuildProbeOrders() {
  all_.Reset(LiveIndexes(Scope::kAll), rng_);
  if (options_.rack_aware) {
    same_rack_.Reset(LiveIndexes(Scope::kSameRack), rng_);
    other_racks_.Reset(LiveIndexes(Scope::kOtherRacks), rng_);
  }
}

void SwimCore::InsertIntoProbeOrder(Index index) {
  all_.Insert(index, rng_);
  if (options_.rack_aware) {
    (IdentityOf(records_[index])->rack == self_->rack ? same_rack_ : other_racks_)
        .Insert(index, rng_);
  }
}

std::optional<SwimCore::Index> SwimCore::NextIn(ProbeOrder* order, Scope scope) {
  return order->Next([&](Index index) { return InScope(index, scope); },
                     [&] { return LiveIndexes(scope); }, rng_);
}

std::optional<SwimCore::Index> SwimCore::NextProbeTarget() {
  if (!options_.round_robin) {
    // The baseline round-robin is measured against: a uniform random pick.
    std::vector<Index> picked = RandomMembers(1, MemberDirectory::kNone);
    if (picked.empty()) return std::nullopt;
    return picked[0];
  }
  if (!options_.rack_aware) return NextIn(&all_, Scope::kAll);
  // The 1/n rule: about one probe per period leaves each rack, whatever its size.
  double rack_size = static_cast<double>(same_rack_.ids().size() + 1);
  bool remote = std::uniform_real_distribution<double>(0, 1)(rng_) < 1.0 / rack_size;
  std::optional<Index> target = remote ? NextIn(&other_racks_, Scope::kOtherRacks)
                                       : NextIn(&same_rack_, Scope::kSameRack);
  if (target) return target;
  return remote ? NextIn(&same_rack_, Scope::kSameRack)
                : NextIn(&other_racks_, Scope::kOtherRacks);
}

std::vector<SwimCore::Index> SwimCore::RandomMembers(size_t n, Index exclude) {
  std::vector<Index> picked;
  if (n == 0) return picked;
  auto eligible = [&](Index i) {
    return i != exclude && InScope(i, Scope::kAll) &&
           std::find(picked.begin(), picked.end(), i) == picked.end();
  };
  const std::vector<Index>& ids = all_.ids();
  if (ids.size() > 4 * n + 16) {
    // Large group: sample the probe order (it holds every live member).
    for (size_t tries = 0; tries < 8 * n && picked.size() < n; ++tries) {
      Index i = ids[RandomIndex(ids.size())];
      if (eligible(i)) picked.push_back(i);
    }
    if (picked.size() == n) return picked;
  }
  std::vector<Index> candidates;
  for (Index i : ids) {
    if (eligible(i)) candidates.push_back(i);
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::shuffle(candidates.begin(), candidates.end(), rng_);
  for (Index i : candidates) {
    if (picked.size() == n) break;
    picked.push_back(i);
  }
  return picked;
}

void SwimCore::SendWithPiggyback(const std::string& to, wire::Message message,
                                 Index recipient) {
  if (broadcasts_.size() > 0 && RetransmitLimit() > 0) {
    size_t base = BaseSize(message);
    if (base < options_.max_datagram_bytes) {
      broadcasts_.Take(options_.max_datagram_bytes - base, RetransmitLimit(), recipient,
                       &message.updates);
    }
  }
  Send(to, message);
}

void SwimCore::Reconnect(const std::string& address, int64_t now_ms) {
  int64_t seq = next_seq_++;
  reconnect_pings_[seq] = now_ms + options_.protocol_period_ms;
  wire::Message ping = NewMessage(wire::MessageType::PING, seq, incarnation_);
  ping.updates.push_back(NewUpdate(self_->id, MemberState::kAlive, incarnation_, self_.get()));
  SendWithPiggyback(address, std::move(ping));
}

void SwimCore::ScheduleSuspicion(Index index) {
  suspect_timers_.emplace(suspicions_.at(index).deadline_ms(), index);
}

void SwimCore::ExpireTimers(int64_t now_ms) {
  while (!suspect_timers_.empty() && suspect_timers_.begin()->first <= now_ms) {
    auto [deadline, index] = *suspect_timers_.begin();
    suspect_timers_.erase(suspect_timers_.begin());
    auto it = suspicions_.find(index);
    if (it == suspicions_.end() || it->second.deadline_ms() != deadline) {
      continue;  // Refuted, or a newer deadline.
    }
    if (!it->second.confirmed() || RoundsToSuspect() > 1) {
      // Nobody else vouched for it, or datagrams are often lost here (and
      // its refutation may have been): ask the suspect itself first.
      verifications_.emplace(index, 0);
      continue;
    }
    DeclareFailed(index, now_ms);
  }
  while (!reap_timers_.empty() && reap_timers_.begin()->first <= now_ms) {
    auto [deadline, index] = *reap_timers_.begin();
    reap_timers_.erase(reap_timers_.begin());
    auto it = dead_until_.find(index);
    if (it != dead_until_.end() && it->second == deadline) RemoveMember(index);
  }
  while (!reconnect_pings_.empty() && reconnect_pings_.begin()->second <= now_ms) {
    reconnect_pings_.erase(reconnect_pings_.begin());
  }
  for (auto it = relays_.begin(); it != relays_.end();) {
    Relay& relay = it->second;
    if (relay.expires_ms <= now_ms) {
      it = relays_.erase(it);
      continue;
    }
    if (!relay.retried && relay.retry_ms <= now_ms) {
      relay.retried = true;
      wire::Message ping = NewMessage(wire::MessageType::PING, it->first, incarnation_);
      ping.__set_target_id(relay.target_id);
      SendWithPiggyback(relay.target_address, std::move(ping), Find(relay.target_id));
    }
    if (!relay.nacked && relay.nack_ms <= now_ms) {
      // Lifeguard: tell the asker we tried and got nothing, so that its
      // missing our NACK, not the target's silence, counts against it.
      relay.nacked = true;
      counters_.nacks_sent++;
      Send(relay.reply_to, NewMessage(wire::MessageType::NACK, relay.seq, incarnation_));
    }
    ++it;
  }
}

void SwimCore::AbsorbStall(int64_t ms) {
  health_.Apply(1);
  std::set<std::pair<int64_t, Index>> timers;
  for (auto& [index, suspicion] : suspicions_) {
    suspicion.Delay(ms);
    timers.emplace(suspicion.deadline_ms(), index);
  }
  suspect_timers_ = std::move(timers);
  if (probe_.active) probe_.ack_deadline_ms += ms;
  next_probe_ms_ += ms;
  for (auto& [seq, relay] : relays_) {
    relay.retry_ms += ms;
    relay.nack_ms += ms;
    relay.expires_ms += ms;
  }
}

void SwimCore::NoteDirectProbe(bool missed) {
  // An average over the first probes that starts from kMissRatePrior
  // answered ones (so that a lossy start is seen within a few periods, but
  // one crashed member is not taken for loss), a moving one after.
  direct_probes_++;
  double weight =
      std::max(kMissRateWeight, 1.0 / static_cast<double>(direct_probes_ + kMissRatePrior));
  direct_miss_rate_ += weight * ((missed ? 1.0 : 0.0) - direct_miss_rate_);
}

int SwimCore::RoundsToSuspect() const {
  return direct_miss_rate_ < kLossThreshold ? 1 : kRoundsUnderLoss;
}

void SwimCore::ConcludeProbe(int64_t now_ms) {
  if (!probe_.active) return;
  probe_.active = false;
  if (probe_.verifying) {
    ConcludeVerification(now_ms);
    return;
  }
  Index target = probe_.target;
  auto doubt = doubts_.find(target);
  if (probe_.acked) {
    health_.Apply(-1);
    if (doubt != doubts_.end()) doubts_.erase(doubt);
    return;
  }
  // Lifeguard: with helpers, only the NACKs that did not come count against
  // us (they did answer, so our own network works if they all came); with
  // none to ask, the miss itself does.
  health_.Apply(probe_.expected_nacks > 0 ? probe_.expected_nacks - probe_.nacks : 1);
  if (target >= records_.size() || !Live(records_[target])) {
    if (doubt != doubts_.end()) doubts_.erase(doubt);
    return;
  }
  // The rounds asked for are evidence enough for a suspicion, or for a
  // confirmation of one (which shortens its timeout) alike.
  int failed_rounds = doubt == doubts_.end() ? 1 : doubt->second + 1;
  if (failed_rounds < RoundsToSuspect()) {
    doubts_[target] = failed_rounds;  // Probe it again next period first.
    return;
  }
  if (doubt != doubts_.end()) doubts_.erase(doubt);
  Record& record = records_[target];
  if (!options_.suspicion) {
    DeclareFailed(target, now_ms);
    return;
  }
  // Our own failed probe of a suspect is one more independent confirmation.
  ApplySuspect(target, &record, record.incarnation, self_index_, now_ms);
}

void SwimCore::ConcludeVerification(int64_t now_ms) {
  Index target = probe_.target;
  auto verification = verifications_.find(target);
  if (verification == verifications_.end()) return;
  if (target >= records_.size() || records_[target].state != MemberState::kSuspect) {
    verifications_.erase(verification);
    return;
  }
  // One round for a confirmed suspicion, as many as a new one needs
  // otherwise.
  auto suspicion = suspicions_.find(target);
  bool confirmed = suspicion != suspicions_.end() && suspicion->second.confirmed();
  if (!probe_.acked && ++verification->second < (confirmed ? 1 : RoundsToSuspect())) return;
  verifications_.erase(verification);
  if (!probe_.acked) {
    DeclareFailed(target, now_ms);
    return;
  }
  // Alive after all (its refutation may still be on its way): a new
  // suspicion period rather than a failure.
  suspicions_.insert_or_assign(target, Suspicion(now_ms, SuspicionTimeoutMs(),
                                                 SuspicionMaxTimeoutMs(),
                                                 ExpectedConfirmations(), self_index_));
  ScheduleSuspicion(target);
}

void SwimCore::StartProbe(int64_t now_ms) {
  probe_ = Probe{};
  std::optional<Index> target;
  while (!verifications_.empty() && !target) {
    auto next = verifications_.begin();
    if (next->first < records_.size() && records_[next->first].state == MemberState::kSuspect) {
      target = next->first;
      probe_.verifying = true;
    } else {
      verifications_.erase(next);
    }
  }
  while (!doubts_.empty() && !target) {
    // A member in doubt is probed again before the round-robin goes on.
    auto doubt = doubts_.begin();
    if (InScope(doubt->first, Scope::kAll)) {
      target = doubt->first;
    } else {
      doubts_.erase(doubt);
    }
  }
  if (!target) {
    target = NextProbeTarget();
    // Loss is estimated from probes of members believed alive (a suspect
    // may well be dead).
    probe_.first_round = target && records_[*target].state == MemberState::kAlive;
  }
  if (!target) return;
  Record& record = records_[*target];
  probe_.active = true;
  probe_.target = *target;
  probe_.seq = next_seq_++;
  probe_.ack_deadline_ms = now_ms + health_.Scale(options_.ping_timeout_ms);
  counters_.probes++;
  probe_.announced = !record.knows_us;
  SendWithPiggyback(AddressOf(record), ProbePing(), *target);
}

wire::Message SwimCore::ProbePing() const {
  const Record& record = records_[probe_.target];
  const std::string& id = directory_->id(probe_.target);
  wire::Message ping = NewMessage(wire::MessageType::PING, probe_.seq, incarnation_);
  ping.__set_target_id(id);
  if (options_.buddy && record.state == MemberState::kSuspect) {
    // Lifeguard's "buddy system": tell a suspect first, so it can refute
    // even if the rumour's retransmissions were spent elsewhere (e.g.
    // during a partition).
    wire::Update suspicion = NewUpdate(id, MemberState::kSuspect, record.incarnation);
    suspicion.__set_suspecter(self_->id);
    ping.updates.push_back(std::move(suspicion));
  }
  if (probe_.announced) {
    // Until it acks a PING with it, our own Alive rides on every PING to
    // it: a member we probe cannot stay unaware of us, whatever became of
    // the rumour of our join (docs/MEMBERSHIP.md, "Every update reaches
    // everyone").
    ping.updates.push_back(NewUpdate(self_->id, MemberState::kAlive, incarnation_, self_.get()));
  }
  return ping;
}

void SwimCore::SendIndirectProbes() {
  probe_.indirect_sent = true;
  if (probe_.first_round) NoteDirectProbe(/*missed=*/true);
  if (probe_.target >= records_.size() || !records_[probe_.target].present) return;
  const std::string& target_id = directory_->id(probe_.target);
  const std::string& target_address = AddressOf(records_[probe_.target]);
  // The direct PING once more: its ACK, or this PING, may have been lost.
  SendWithPiggyback(target_address, ProbePing(), probe_.target);
  for (Index helper : RandomMembers(options_.indirect_probes, probe_.target)) {
    wire::Message request = NewMessage(wire::MessageType::PING_REQ, probe_.seq, incarnation_);
    request.__set_target_id(target_id);
    request.__set_target_address(target_address);
    SendWithPiggyback(AddressOf(records_[helper]), std::move(request), helper);
    probe_.expected_nacks++;
    counters_.indirect_probes++;
  }
}

void SwimCore::Tick(int64_t now_ms) {
  if (!started_ || leaving_) return;
  if (int64_t stall = StallMs(now_ms); stall > 0) AbsorbStall(stall);
  ExpireTimers(now_ms);
  if (JoinDue(now_ms)) {
    wire::Message join = NewMessage(wire::MessageType::JOIN, next_seq_++, incarnation_);
    join.updates.push_back(NewUpdate(self_->id, MemberState::kAlive, incarnation_, self_.get()));
    RequestSync(join, now_ms);
  }
  AntiEntropyTick(now_ms);
  if (probe_.active && !probe_.acked && !probe_.indirect_sent &&
      now_ms >= probe_.ack_deadline_ms) {
    SendIndirectProbes();
  }
  if (now_ms >= next_probe_ms_) {
    ConcludeProbe(now_ms);
    StartProbe(now_ms);
    // Lifeguard: a member in poor local health probes (and so accuses) less.
    next_probe_ms_ += health_.Scale(options_.protocol_period_ms);
    if (next_probe_ms_ <= now_ms) next_probe_ms_ = now_ms + options_.protocol_period_ms;
  }
}

void SwimCore::OnDatagram(std::string_view from, std::string_view bytes, int64_t now_ms) {
  std::optional<wire::Message> message = Accept(bytes);
  if (!message || !started_ || leaving_) return;
  // Read before the first tick after a stall: the stall's backlog.
  if (int64_t stall = StallMs(now_ms); stall > 0) AbsorbStall(stall);
  HandleMessage(from, *message, now_ms);
}

void SwimCore::HandleMessage(std::string_view from, const wire::Message& message,
                             int64_t now_ms) {
  ApplyUpdates(message, now_ms);
  std::string sender_address(from);
  const Index sender = Find(message.sender_id);
  switch (message.type) {
    case wire::MessageType::PING: {
      if (message.__isset.target_id && message.target_id != self_->id) {
        counters_.dropped_misdirected++;
        return;
      }
      SendWithPiggyback(sender_address,
                        NewMessage(wire::MessageType::ACK, message.seq, incarnation_), sender);
      break;
    }
    case wire::MessageType::ACK: {
      auto relay = relays_.find(message.seq);
      if (auto reconnect = reconnect_pings_.find(message.seq);
          reconnect != reconnect_pings_.end()) {
        reconnect_pings_.erase(reconnect);
        RequestPushPull(sender_address, now_ms);  // Someone is back there: merge.
      } else if (relay != relays_.end()) {
        std::string reply_to = relay->second.reply_to;
        int64_t seq = relay->second.seq;
        relays_.erase(relay);
        SendWithPiggyback(reply_to, NewMessage(wire::MessageType::ACK, seq, incarnation_));
      } else if (probe_.active && message.seq == probe_.seq) {
        if (!probe_.acked && !probe_.indirect_sent && probe_.first_round) {
          NoteDirectProbe(/*missed=*/false);
        }
        probe_.acked = true;
        // A direct ack to a PING that carried our Alive: it knows us now.
        if (probe_.announced && probe_.target < records_.size() &&
            message.sender_id == directory_->id(probe_.target)) {
          records_[probe_.target].knows_us = true;
        }
      }
      return;
    }
    case wire::MessageType::NACK: {
      if (probe_.active && message.seq == probe_.seq) probe_.nacks++;
      return;
    }
    case wire::MessageType::PING_REQ: {
      if (!message.__isset.target_address || !message.__isset.target_id) return;
      int64_t seq = next_seq_++;
      const int64_t timeout = health_.Scale(options_.ping_timeout_ms);
      relays_[seq] = Relay{sender_address,         message.seq,
                           message.target_id,      message.target_address,
                           now_ms + timeout / 2,   now_ms + timeout,
                           now_ms + options_.protocol_period_ms};
      wire::Message ping = NewMessage(wire::MessageType::PING, seq, incarnation_);
      ping.__set_target_id(message.target_id);
      SendWithPiggyback(message.target_address, std::move(ping), Find(message.target_id));
      break;
    }
    default:
      // LEAVE carries only its update; GOSSIP is not ours; JOIN, PUSH_PULL
      // and SYNC come on streams (OnSyncRequest).
      return;
  }
  // A PING or PING_REQ from a member we do not hold live: it holds us, and
  // one of us is behind (a restart, a healed partition); merge full states.
  if (sender == MemberDirectory::kNone || !Live(records_[sender])) NoteContact(from, now_ms);
}

void SwimCore::Leave(int64_t now_ms) {
  (void)now_ms;
  if (leaving_ || !started_) return;
  size_t fanout = std::max<size_t>(options_.indirect_probes, RetransmitLimit());
  wire::Message leave = NewMessage(wire::MessageType::LEAVE, next_seq_++, incarnation_);
  leave.updates.push_back(NewUpdate(self_->id, MemberState::kLeft, incarnation_));
  for (Index i : RandomMembers(fanout, MemberDirectory::kNone)) Send(AddressOf(records_[i]), leave);
  leaving_ = true;
}

int64_t SwimCore::NextDeadlineMs() const {
  if (!started_ || leaving_) return INT64_MAX;
  int64_t next = next_probe_ms_;
  if (probe_.active && !probe_.acked && !probe_.indirect_sent) {
    next = std::min(next, probe_.ack_deadline_ms);
  }
  if (!suspect_timers_.empty()) next = std::min(next, suspect_timers_.begin()->first);
  if (!reap_timers_.empty()) next = std::min(next, reap_timers_.begin()->first);
  for (const auto& [seq, relay] : relays_) {
    next = std::min(next, relay.expires_ms);
    if (!relay.retried) next = std::min(next, relay.retry_ms);
    if (!relay.nacked) next = std::min(next, relay.nack_ms);
  }
  if (!reconnect_pings_.empty()) next = std::min(next, reconnect_pings_.begin()->second);
  return WithCommonDeadlines(next);
}

}  // namespace mr::membership
