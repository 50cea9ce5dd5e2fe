#include "membership/swim_core.h"

#include <algorithm>
#include <climits>
#include <cmath>

namespace mr::membership {

SwimCore::SwimCore(const CoreOptions& options, std::shared_ptr<const MemberIdentity> self,
                   uint64_t seed)
    : CoreBase(options, std::move(self), seed),
      incarnation_(options.initial_incarnation),
      broadcasts_(options.broadcast_queue_limit) {}

int64_t SwimCore::SuspicionTimeoutMs() const {
  // As memberlist: scale with log10 of the group size, never below 1x.
  double n = static_cast<double>(live_count_ + 1);
  double scale = std::max(1.0, std::log10(std::max(1.0, n)));
  return static_cast<int64_t>(options_.suspicion_mult * scale *
                              static_cast<double>(options_.protocol_period_ms));
}

int SwimCore::RetransmitLimit() const {
  double n = static_cast<double>(live_count_ + 1);
  return std::max(1, static_cast<int>(options_.retransmit_mult * std::ceil(std::log10(n + 1))));
}

void SwimCore::Start(int64_t now_ms, const std::vector<std::string>& seed_addresses) {
  next_probe_ms_ = now_ms;
  BeginJoin(now_ms, seed_addresses);
}

void SwimCore::Bootstrap(const std::vector<std::shared_ptr<const MemberIdentity>>& members,
                         int64_t now_ms) {
  for (const auto& identity : members) {
    if (identity->id != self_->id && !members_.contains(identity->id)) {
      AddMember(identity, 0, now_ms, /*insert_into_probe_order=*/false);
    }
  }
  RebuildProbeOrders();
}

SwimCore::Record* SwimCore::AddMember(std::shared_ptr<const MemberIdentity> identity,
                                      int64_t incarnation, int64_t now_ms,
                                      bool insert_into_probe_order) {
  std::string id = identity->id;
  Record& record = members_[id];
  record.identity = std::move(identity);
  record.state = MemberState::kAlive;
  record.incarnation = incarnation;
  record.state_since_ms = now_ms;
  live_count_++;
  if (insert_into_probe_order) InsertIntoProbeOrder(id, record);
  return &record;
}

bool SwimCore::InScope(const Record& record, Scope scope) const {
  if (!Live(record)) return false;
  if (scope == Scope::kAll) return true;
  return (record.identity->rack == self_->rack) == (scope == Scope::kSameRack);
}

std::vector<std::string> SwimCore::LiveIds(Scope scope) const {
  std::vector<std::string> ids;
  for (const auto& [id, record] : members_) {
    if (InScope(record, scope)) ids.push_back(id);
  }
  return ids;
}

void SwimCore::RebuildProbeOrders() {
  all_.Reset(LiveIds(Scope::kAll), rng_);
  if (options_.rack_aware) {
    same_rack_.Reset(LiveIds(Scope::kSameRack), rng_);
    other_racks_.Reset(LiveIds(Scope::kOtherRacks), rng_);
  }
}

void SwimCore::InsertIntoProbeOrder(const std::string& id, const Record& record) {
  all_.Insert(id, rng_);
  if (options_.rack_aware) {
    (record.identity->rack == self_->rack ? same_rack_ : other_racks_).Insert(id, rng_);
  }
}

std::optional<std::string> SwimCore::NextIn(ProbeOrder* order, Scope scope) {
  return order->Next(
      [&](const std::string& id) {
        auto it = members_.find(id);
        return it != members_.end() && InScope(it->second, scope);
      },
      [&] { return LiveIds(scope); }, rng_);
}

std::optional<std::string> SwimCore::NextProbeTarget() {
  if (!options_.rack_aware) return NextIn(&all_, Scope::kAll);
  // The 1/n rule: about one probe per period leaves each rack, whatever its size.
  double rack_size = static_cast<double>(same_rack_.ids().size() + 1);
  bool remote = std::uniform_real_distribution<double>(0, 1)(rng_) < 1.0 / rack_size;
  std::optional<std::string> target = remote ? NextIn(&other_racks_, Scope::kOtherRacks)
                                             : NextIn(&same_rack_, Scope::kSameRack);
  if (target) return target;
  return remote ? NextIn(&same_rack_, Scope::kSameRack)
                : NextIn(&other_racks_, Scope::kOtherRacks);
}

std::vector<const SwimCore::Record*> SwimCore::RandomMembers(size_t n, const std::string& exclude) {
  std::vector<const Record*> picked;
  if (n == 0) return picked;
  auto eligible = [&](const Record* r) {
    return Live(*r) && r->identity->id != exclude &&
           std::find(picked.begin(), picked.end(), r) == picked.end();
  };
  const std::vector<std::string>& ids = all_.ids();
  if (ids.size() > 4 * n + 16) {
    // Large group: sample the probe order (it holds every live member).
    for (size_t tries = 0; tries < 8 * n && picked.size() < n; ++tries) {
      auto it = members_.find(ids[RandomIndex(ids.size())]);
      if (it != members_.end() && eligible(&it->second)) picked.push_back(&it->second);
    }
    if (picked.size() == n) return picked;
  }
  std::vector<const Record*> candidates;
  for (const std::string& id : ids) {
    auto it = members_.find(id);
    if (it != members_.end() && eligible(&it->second)) candidates.push_back(&it->second);
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::sort(candidates.begin(), candidates.end(), [](const Record* a, const Record* b) {
    return a->identity->id < b->identity->id;
  });
  std::shuffle(candidates.begin(), candidates.end(), rng_);
  for (const Record* r : candidates) {
    if (picked.size() == n) break;
    picked.push_back(r);
  }
  return picked;
}

void SwimCore::Disseminate(const std::string& id, MemberState state, int64_t incarnation,
                           const std::shared_ptr<const MemberIdentity>& identity) {
  broadcasts_.Enqueue(NewUpdate(id, state, incarnation,
                               state == MemberState::kAlive ? identity.get() : nullptr));
}

void SwimCore::SendWithPiggyback(const std::string& to, wire::Message message) {
  if (broadcasts_.size() > 0) {
    size_t base = BaseSize(message);
    if (base < options_.max_datagram_bytes) {
      for (wire::Update& update :
           broadcasts_.Take(options_.max_datagram_bytes - base, RetransmitLimit())) {
        message.updates.push_back(std::move(update));
      }
    }
  }
  Send(to, message);
}

void SwimCore::SetState(const std::string& id, Record* record, MemberState state,
                        int64_t incarnation, int64_t now_ms) {
  bool was_live = Live(*record);
  record->state = state;
  record->incarnation = incarnation;
  record->state_since_ms = now_ms;
  bool live = Live(*record);
  if (was_live && !live) live_count_--;
  if (!was_live && live) live_count_++;
  switch (state) {
    case MemberState::kAlive:
      Emit(was_live ? EventType::kAlive : EventType::kJoined, record->identity, incarnation, now_ms);
      if (!was_live) InsertIntoProbeOrder(id, *record);
      break;
    case MemberState::kSuspect:
      record->timer_ms = now_ms + SuspicionTimeoutMs();
      suspect_timers_.emplace(record->timer_ms, id);
      Emit(EventType::kSuspect, record->identity, incarnation, now_ms);
      break;
    case MemberState::kFailed:
    case MemberState::kLeft:
      record->timer_ms = now_ms + options_.dead_retention_ms;
      reap_timers_.emplace(record->timer_ms, id);
      Emit(state == MemberState::kFailed ? EventType::kFailed : EventType::kLeft, record->identity,
           incarnation, now_ms);
      break;
  }
}

void SwimCore::RefuteIfAboutSelf(const wire::Update& update) {
  if (leaving_ || FromWire(update.state) == MemberState::kAlive) return;
  if (update.incarnation < incarnation_) return;  // Already refuted.
  incarnation_ = update.incarnation + 1;
  counters_.refutations++;
  Disseminate(self_->id, MemberState::kAlive, incarnation_, self_);
}

void SwimCore::ApplyAlive(const wire::Update& update, int64_t now_ms) {
  auto it = members_.find(update.id);
  if (it == members_.end()) {
    if (!update.__isset.identity || update.identity.id != update.id) return;
    std::shared_ptr<const MemberIdentity> identity = FromWire(update.identity);
    Record* record = AddMember(identity, update.incarnation, now_ms, true);
    Emit(EventType::kJoined, record->identity, update.incarnation, now_ms);
    Disseminate(update.id, MemberState::kAlive, update.incarnation, record->identity);
    return;
  }
  Record& record = it->second;
  if (update.incarnation <= record.incarnation) return;  // Stale, or suspicion stands.
  if (update.__isset.identity && update.identity.id == update.id &&
      update.identity.address != record.identity->address) {
    record.identity = FromWire(update.identity);  // Restarted on a new address.
  }
  if (record.state == MemberState::kAlive) {
    record.incarnation = update.incarnation;
  } else {
    SetState(update.id, &record, MemberState::kAlive, update.incarnation, now_ms);
  }
  Disseminate(update.id, MemberState::kAlive, update.incarnation, record.identity);
}

void SwimCore::ApplyUpdate(const wire::Update& update, int64_t now_ms) {
  if (update.id == self_->id) {
    RefuteIfAboutSelf(update);
    return;
  }
  MemberState state = FromWire(update.state);
  if (state == MemberState::kAlive) {
    ApplyAlive(update, now_ms);
    return;
  }
  auto it = members_.find(update.id);
  if (it == members_.end()) return;  // News about a member we never knew.
  Record& record = it->second;
  if (!Live(record)) return;         // Failed/left is final until a rejoin.
  if (state == MemberState::kSuspect) {
    if (record.state == MemberState::kAlive && update.incarnation >= record.incarnation) {
      SetState(update.id, &record, MemberState::kSuspect, update.incarnation, now_ms);
    } else if (record.state == MemberState::kSuspect && update.incarnation > record.incarnation) {
      record.incarnation = update.incarnation;
    } else {
      return;
    }
  } else {
    if (update.incarnation < record.incarnation) return;  // It has refuted since.
    SetState(update.id, &record, state, update.incarnation, now_ms);
  }
  Disseminate(update.id, state, update.incarnation, nullptr);
}

void SwimCore::ExpireTimers(int64_t now_ms) {
  while (!suspect_timers_.empty() && suspect_timers_.begin()->first <= now_ms) {
    auto [deadline, id] = *suspect_timers_.begin();
    suspect_timers_.erase(suspect_timers_.begin());
    auto it = members_.find(id);
    if (it == members_.end() || it->second.state != MemberState::kSuspect ||
        it->second.timer_ms != deadline) {
      continue;  // Refuted, or a newer timer.
    }
    int64_t incarnation = it->second.incarnation;
    SetState(id, &it->second, MemberState::kFailed, incarnation, now_ms);
    Disseminate(id, MemberState::kFailed, incarnation, nullptr);
  }
  while (!reap_timers_.empty() && reap_timers_.begin()->first <= now_ms) {
    auto [deadline, id] = *reap_timers_.begin();
    reap_timers_.erase(reap_timers_.begin());
    auto it = members_.find(id);
    if (it != members_.end() && !Live(it->second) && it->second.timer_ms == deadline) {
      members_.erase(it);
    }
  }
  // Relay seqs grow with time, so the map is in expiry order too.
  while (!relays_.empty() && relays_.begin()->second.expires_ms <= now_ms) {
    relays_.erase(relays_.begin());
  }
}

void SwimCore::ConcludeProbe(int64_t now_ms) {
  if (!probe_.active || probe_.acked) return;
  probe_.active = false;
  auto it = members_.find(probe_.target);
  if (it == members_.end() || !Live(it->second)) return;
  if (options_.suspicion && it->second.state == MemberState::kSuspect) return;  // Timer runs.
  ApplyUpdate(NewUpdate(probe_.target,
                        options_.suspicion ? MemberState::kSuspect : MemberState::kFailed,
                        it->second.incarnation),
              now_ms);
}

void SwimCore::StartProbe(int64_t now_ms) {
  probe_ = Probe{};
  std::optional<std::string> target = NextProbeTarget();
  if (!target) return;
  const Record& record = members_.at(*target);
  probe_.active = true;
  probe_.target = *target;
  probe_.seq = next_seq_++;
  probe_.ack_deadline_ms = now_ms + options_.ping_timeout_ms;
  counters_.probes++;
  wire::Message ping = NewMessage(wire::MessageType::PING, probe_.seq, incarnation_);
  ping.__set_target_id(*target);
  if (record.state == MemberState::kSuspect) {
    // Lifeguard's "buddy system": tell a suspect first, so it can refute
    // even if the rumour's retransmissions were spent elsewhere (e.g.
    // during a partition).
    ping.updates.push_back(NewUpdate(*target, MemberState::kSuspect, record.incarnation));
  }
  SendWithPiggyback(record.identity->address, std::move(ping));
}

void SwimCore::SendIndirectProbes() {
  probe_.indirect_sent = true;
  auto it = members_.find(probe_.target);
  if (it == members_.end()) return;
  for (const Record* helper : RandomMembers(options_.indirect_probes, probe_.target)) {
    wire::Message request = NewMessage(wire::MessageType::PING_REQ, probe_.seq, incarnation_);
    request.__set_target_id(probe_.target);
    request.__set_target_address(it->second.identity->address);
    SendWithPiggyback(helper->identity->address, std::move(request));
    counters_.indirect_probes++;
  }
}

wire::Message SwimCore::FullState(int64_t seq) const {
  wire::Message sync = NewMessage(wire::MessageType::SYNC, seq, incarnation_);
  sync.updates.reserve(live_count_ + 1);
  sync.updates.push_back(NewUpdate(self_->id, MemberState::kAlive, incarnation_, self_.get()));
  for (const auto& [id, record] : members_) {
    if (Live(record)) {
      sync.updates.push_back(
          NewUpdate(id, MemberState::kAlive, record.incarnation, record.identity.get()));
    }
  }
  return sync;
}

void SwimCore::ApplyUpdates(const wire::Message& message, int64_t now_ms) {
  for (const wire::Update& update : message.updates) ApplyUpdate(update, now_ms);
}

void SwimCore::Tick(int64_t now_ms) {
  if (!started_ || leaving_) return;
  ExpireTimers(now_ms);
  if (JoinDue(now_ms)) {
    wire::Message join = NewMessage(wire::MessageType::JOIN, next_seq_++, incarnation_);
    join.updates.push_back(NewUpdate(self_->id, MemberState::kAlive, incarnation_, self_.get()));
    RequestSync(join, now_ms);
  }
  if (probe_.active && !probe_.acked && !probe_.indirect_sent &&
      now_ms >= probe_.ack_deadline_ms) {
    SendIndirectProbes();
  }
  if (now_ms >= next_probe_ms_) {
    ConcludeProbe(now_ms);
    StartProbe(now_ms);
    next_probe_ms_ += options_.protocol_period_ms;
    if (next_probe_ms_ <= now_ms) next_probe_ms_ = now_ms + options_.protocol_period_ms;
  }
}

void SwimCore::OnDatagram(std::string_view from, std::string_view bytes, int64_t now_ms) {
  std::optional<wire::Message> message = Accept(bytes);
  if (!message || !started_ || leaving_) return;
  HandleMessage(from, *message, now_ms);
}

void SwimCore::HandleMessage(std::string_view from, const wire::Message& message,
                             int64_t now_ms) {
  ApplyUpdates(message, now_ms);
  std::string sender_address(from);
  switch (message.type) {
    case wire::MessageType::PING: {
      if (message.__isset.target_id && message.target_id != self_->id) {
        counters_.dropped_misdirected++;
        return;
      }
      SendWithPiggyback(sender_address, NewMessage(wire::MessageType::ACK, message.seq, incarnation_));
      return;
    }
    case wire::MessageType::ACK: {
      auto relay = relays_.find(message.seq);
      if (relay != relays_.end()) {
        std::string reply_to = relay->second.reply_to;
        int64_t seq = relay->second.seq;
        relays_.erase(relay);
        SendWithPiggyback(reply_to, NewMessage(wire::MessageType::ACK, seq, incarnation_));
      } else if (probe_.active && message.seq == probe_.seq) {
        probe_.acked = true;
      }
      return;
    }
    case wire::MessageType::PING_REQ: {
      if (!message.__isset.target_address || !message.__isset.target_id) return;
      int64_t seq = next_seq_++;
      relays_[seq] = Relay{sender_address, message.seq, now_ms + options_.protocol_period_ms};
      wire::Message ping = NewMessage(wire::MessageType::PING, seq, incarnation_);
      ping.__set_target_id(message.target_id);
      SendWithPiggyback(message.target_address, std::move(ping));
      return;
    }
    default:
      // LEAVE carries only its update; GOSSIP is not ours; JOIN and SYNC
      // come on streams (OnSyncRequest).
      return;
  }
}

void SwimCore::Leave(int64_t now_ms) {
  if (leaving_ || !started_) return;
  size_t fanout = std::max<size_t>(options_.indirect_probes, RetransmitLimit());
  wire::Message leave = NewMessage(wire::MessageType::LEAVE, next_seq_++, incarnation_);
  leave.updates.push_back(NewUpdate(self_->id, MemberState::kLeft, incarnation_));
  for (const Record* r : RandomMembers(fanout, "")) Send(r->identity->address, leave);
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
  if (!relays_.empty()) next = std::min(next, relays_.begin()->second.expires_ms);
  return WithJoinDeadline(next);
}

std::vector<MemberSnapshot> SwimCore::Snapshot() const {
  return SnapshotOf(members_, &Record::incarnation, incarnation_);
}

std::optional<MemberState> SwimCore::StateOf(const std::string& id) const {
  return StateIn(members_, id);
}

}  // namespace mr::membership
