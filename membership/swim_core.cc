// SwimCore: the member table, the override rules, refutation and the full
// state (docs/MEMBERSHIP.md, "SWIM"). Probing and timers: swim_probe.cc.
#include "membership/swim_core.h"

#include <algorithm>
#include <climits>
#include <cmath>

namespace mr::membership {

SwimCore::SwimCore(const CoreOptions& options, std::shared_ptr<const MemberIdentity> self,
                   uint64_t seed, std::shared_ptr<MemberDirectory> directory)
    : CoreBase(options, std::move(self), seed, std::move(directory)),
      incarnation_(options.initial_incarnation),
      health_(options.awareness_max_multiplier),
      broadcasts_(options.broadcast_queue_limit) {
  self_index_ = directory_->Acquire(self_->id);
}

SwimCore::~SwimCore() {
  for (Index i = 0; i < records_.size(); ++i) {
    if (!records_[i].present) continue;
    directory_->ReleaseIdentity(records_[i].identity);
    directory_->Release(i);
  }
  directory_->Release(self_index_);
}

int64_t SwimCore::SuspicionTimeoutMs() const {
  // As memberlist: scale with log10 of the group size, never below 1x.
  double n = static_cast<double>(live_count_ + 1);
  double scale = std::max(1.0, std::log10(std::max(1.0, n)));
  return static_cast<int64_t>(options_.suspicion_mult * scale *
                              static_cast<double>(options_.protocol_period_ms));
}

int64_t SwimCore::SuspicionMaxTimeoutMs() const {
  return static_cast<int64_t>(std::max(1.0, options_.suspicion_max_timeout_mult) *
                              static_cast<double>(SuspicionTimeoutMs()));
}

int SwimCore::ExpectedConfirmations() const {
  // As memberlist: suspicion_mult - 2 independent confirmations, or none if
  // the group has too few other members to give them.
  int k = static_cast<int>(options_.suspicion_mult) - 2;
  if (static_cast<int>(live_count_) + 1 - 2 < k) k = 0;
  return k;
}

int SwimCore::RetransmitLimit() const {
  if (options_.retransmit_mult <= 0) return 0;  // No dissemination (a simulator experiment).
  double n = static_cast<double>(live_count_ + 1);
  return std::max(1, static_cast<int>(options_.retransmit_mult * std::ceil(std::log10(n + 1))));
}

void SwimCore::Start(int64_t now_ms, const std::vector<std::string>& seed_addresses) {
  next_probe_ms_ = now_ms;
  BeginJoin(now_ms, seed_addresses);
}

void SwimCore::Bootstrap(const std::vector<std::shared_ptr<const MemberIdentity>>& members,
                         int64_t now_ms) {
  (void)now_ms;
  const auto& entries = directory_->AcquireAll(members);
  for (const auto& [index, handle] : entries) {
    if (index == self_index_ || (index < records_.size() && records_[index].present)) {
      directory_->ReleaseIdentity(handle);  // Ourselves, or listed twice.
      directory_->Release(index);
      continue;
    }
    AddMember(index, handle, 0, /*insert_into_probe_order=*/false)->knows_us = true;
  }
  RebuildProbeOrders();
}

SwimCore::Index SwimCore::Find(std::string_view id) const {
  Index index = directory_->Find(id);
  if (index >= records_.size() || !records_[index].present) return MemberDirectory::kNone;
  return index;
}

SwimCore::Record* SwimCore::AddMember(Index index, MemberDirectory::Handle identity,
                                      int64_t incarnation, bool insert_into_probe_order) {
  if (records_.size() <= index) {
    records_.resize(std::max(directory_->index_limit(), size_t{index} + 1));
  }
  Record& record = records_[index];
  record = Record{incarnation, identity, MemberState::kAlive, true, false};
  live_count_++;
  if (insert_into_probe_order) InsertIntoProbeOrder(index);
  return &record;
}

void SwimCore::RemoveMember(Index index) {
  Record& record = records_[index];
  if (Live(record)) live_count_--;
  if (record.state == MemberState::kFailed) failed_count_--;
  directory_->ReleaseIdentity(record.identity);
  record = Record{};
  suspicions_.erase(index);
  dead_until_.erase(index);
  directory_->Release(index);
}

void SwimCore::Disseminate(Index index, MemberState state, int64_t incarnation,
                           Index suspecter) {
  const Record& record = records_[index];
  const MemberIdentity* identity =
      state == MemberState::kAlive ? IdentityOf(record).get() : nullptr;
  wire::Update update = NewUpdate(directory_->id(index), state, incarnation, identity);
  if (state == MemberState::kSuspect && suspecter != MemberDirectory::kNone) {
    update.__set_suspecter(directory_->id(suspecter));
  }
  broadcasts_.Enqueue(index, std::move(update));
}

void SwimCore::DisseminateSelf() {
  broadcasts_.Enqueue(self_index_,
                      NewUpdate(self_->id, MemberState::kAlive, incarnation_, self_.get()));
}

void SwimCore::SetState(Index index, Record* record, MemberState state, int64_t incarnation,
                        int64_t now_ms, Index suspecter) {
  bool was_live = Live(*record);
  if (record->state == MemberState::kFailed) failed_count_--;
  if (record->state == MemberState::kSuspect) suspicions_.erase(index);
  dead_until_.erase(index);
  record->state = state;
  record->incarnation = incarnation;
  bool live = Live(*record);
  if (was_live && !live) live_count_--;
  if (!was_live && live) live_count_++;
  const auto& identity = IdentityOf(*record);
  switch (state) {
    case MemberState::kAlive:
      Emit(was_live ? EventType::kAlive : EventType::kJoined, identity, incarnation, now_ms);
      if (!was_live) {
        record->knows_us = false;  // It may have restarted and forgotten us.
        InsertIntoProbeOrder(index);
      }
      break;
    case MemberState::kSuspect:
      suspicions_.insert_or_assign(
          index, Suspicion(now_ms, SuspicionTimeoutMs(), SuspicionMaxTimeoutMs(),
                           ExpectedConfirmations(), suspecter));
      ScheduleSuspicion(index);
      Emit(EventType::kSuspect, identity, incarnation, now_ms);
      break;
    case MemberState::kFailed:
    case MemberState::kLeft: {
      // Failed members are kept (and retried, core_base.h) much longer than
      // left ones: they may be on the far side of a partition.
      int64_t until = now_ms + (state == MemberState::kFailed ? options_.reconnect_timeout_ms
                                                             : options_.dead_retention_ms);
      if (state == MemberState::kFailed) failed_count_++;
      dead_until_[index] = until;
      reap_timers_.emplace(until, index);
      Emit(state == MemberState::kFailed ? EventType::kFailed : EventType::kLeft, identity,
           incarnation, now_ms);
      break;
    }
  }
}

void SwimCore::DeclareFailed(Index index, int64_t now_ms) {
  Record& record = records_[index];
  int64_t incarnation = record.incarnation;
  SetState(index, &record, MemberState::kFailed, incarnation, now_ms);
  Disseminate(index, MemberState::kFailed, incarnation);
}

void SwimCore::RefuteIfAboutSelf(const wire::Update& update, int64_t now_ms) {
  if (leaving_) return;
  // Past the bound nobody takes it from anyone (and neither do we): no
  // datagram can push our incarnation where our refutation would be refused.
  if (!WithinBound(update.incarnation, now_ms)) return;
  if (FromWire(update.state) == MemberState::kAlive) {
    // Our own news, echoed: nothing to do. Someone else claiming to be us
    // (a higher incarnation, or ours with another identity): take it over.
    if (update.incarnation < incarnation_) return;
    if (update.incarnation == incarnation_ &&
        (!update.__isset.identity || SameIdentity(*self_, update.identity))) {
      return;
    }
  } else if (update.incarnation < incarnation_) {
    // An accusation we have refuted already: whoever still passes it on has
    // missed our refutation, so send it around again.
    if (!broadcasts_.Contains(self_index_)) DisseminateSelf();
    return;
  }
  if (FromWire(update.state) == MemberState::kFailed) NoteMergeNews();  // Held failed somewhere.
  incarnation_ = update.incarnation + 1;
  counters_.refutations++;
  health_.Apply(1);  // Lifeguard: being suspected hints that we are the slow one.
  for (Record& r : records_) r.knows_us = false;
  DisseminateSelf();
}

void SwimCore::ApplyAlive(const wire::Update& update, Index index, int64_t now_ms) {
  if (index == MemberDirectory::kNone) {
    if (!update.__isset.identity || update.identity.id != update.id) return;
    index = directory_->Acquire(update.id);
    Record* record = AddMember(index, directory_->AcquireIdentity(index, update.identity),
                       update.incarnation, true);
    Emit(EventType::kJoined, IdentityOf(*record), update.incarnation, now_ms);
    Disseminate(index, MemberState::kAlive, update.incarnation);
    return;
  }
  Record* record = &records_[index];
  if (update.incarnation <= record->incarnation) return;  // Stale, or the news about it stands.
  if (update.__isset.identity && update.identity.id == update.id &&
      !SameIdentity(*IdentityOf(*record), update.identity)) {
    // Restarted on a new address (or with new metadata).
    MemberDirectory::Handle old = record->identity;
    record->identity = directory_->AcquireIdentity(index, update.identity);
    directory_->ReleaseIdentity(old);
  }
  record->knows_us = false;  // A new incarnation: it may have restarted.
  if (record->state == MemberState::kAlive) {
    record->incarnation = update.incarnation;
  } else {
    if (!Live(*record)) NoteMergeNews();  // Back from failed or left.
    SetState(index, record, MemberState::kAlive, update.incarnation, now_ms);
  }
  Disseminate(index, MemberState::kAlive, update.incarnation);
}

void SwimCore::ApplySuspect(Index index, Record* record, int64_t incarnation, Index suspecter,
                            int64_t now_ms) {
  if (record->state == MemberState::kAlive) {
    if (incarnation < record->incarnation) return;  // It has refuted since.
    SetState(index, record, MemberState::kSuspect, incarnation, now_ms, suspecter);
    Disseminate(index, MemberState::kSuspect, incarnation, suspecter);
    return;
  }
  if (record->state != MemberState::kSuspect || incarnation != record->incarnation) return;
  // Another member suspects it too: an independent confirmation shortens
  // the timeout, and is passed on (as memberlist does) so others count it.
  auto it = suspicions_.find(index);
  if (it == suspicions_.end() || !it->second.Confirm(suspecter)) return;
  ScheduleSuspicion(index);
  Disseminate(index, MemberState::kSuspect, incarnation, suspecter);
}

void SwimCore::ApplyUpdate(const wire::Update& update, std::string_view sender, int64_t now_ms) {
  if (update.id == self_->id) {
    RefuteIfAboutSelf(update, now_ms);
    return;
  }
  if (!WithinBound(update.incarnation, now_ms)) return;
  MemberState state = FromWire(update.state);
  Index index = Find(update.id);
  if (state == MemberState::kAlive) {
    ApplyAlive(update, index, now_ms);
    return;
  }
  if (index == MemberDirectory::kNone) return;  // News about a member we never knew.
  Record* record = &records_[index];
  if (!Live(*record)) return;  // Failed/left until a rejoin.
  // Bad news can only be about an incarnation we have seen alive: news
  // ahead of that means we missed an Alive, which will come; taking it
  // would let one datagram push a member's incarnation anywhere.
  if (update.incarnation > record->incarnation) return;
  if (state == MemberState::kSuspect) {
    std::string_view from = update.__isset.suspecter ? std::string_view(update.suspecter) : sender;
    ApplySuspect(index, record, update.incarnation, directory_->Find(from), now_ms);
    return;
  }
  if (update.incarnation < record->incarnation) return;  // It has refuted since.
  SetState(index, record, state, update.incarnation, now_ms);
  Disseminate(index, state, update.incarnation);
}

void SwimCore::ApplyUpdates(const wire::Message& message, int64_t now_ms) {
  for (const wire::Update& update : message.updates) {
    ApplyUpdate(update, message.sender_id, now_ms);
  }
}

void SwimCore::MergeFullState(const wire::Message& message, int64_t now_ms) {
  for (const wire::Update& update : message.updates) {
    if (update.state != wire::State::FAILED || update.id == self_->id) {
      ApplyUpdate(update, message.sender_id, now_ms);
      continue;
    }
    // Another member's "failed" is only a suspicion here (as memberlist's
    // mergeState): it may be on the far side of a healed partition, and the
    // member, if alive, gets the time to refute.
    wire::Update suspect = update;
    suspect.state = wire::State::SUSPECT;
    ApplyUpdate(suspect, message.sender_id, now_ms);
  }
}

wire::Message SwimCore::FullState(wire::MessageType::type type, int64_t seq) const {
  wire::Message state = NewMessage(type, seq, incarnation_);
  state.updates.reserve(live_count_ + failed_count_ + 1);
  state.updates.push_back(NewUpdate(self_->id, MemberState::kAlive, incarnation_, self_.get()));
  for (Index i = 0; i < records_.size(); ++i) {
    const Record& r = records_[i];
    if (!r.present) continue;
    state.updates.push_back(NewUpdate(directory_->id(i), r.state, r.incarnation,
                                      IdentityOf(r).get()));
  }
  return state;
}

std::optional<std::string> SwimCore::RandomLiveAddress() {
  std::vector<Index> picked = RandomMembers(1, MemberDirectory::kNone);
  if (picked.empty()) return std::nullopt;
  return AddressOf(records_[picked[0]]);
}

std::optional<std::string> SwimCore::RandomFailedAddress() {
  if (failed_count_ == 0) return std::nullopt;
  size_t pick = RandomIndex(failed_count_);
  for (const auto& [index, until] : dead_until_) {
    if (records_[index].state != MemberState::kFailed) continue;
    if (pick-- == 0) return AddressOf(records_[index]);
  }
  return std::nullopt;
}

bool SwimCore::IsLiveAddress(const std::string& address) const {
  for (const Record& r : records_) {
    if (Live(r) && AddressOf(r) == address) return true;
  }
  return false;
}

std::vector<MemberSnapshot> SwimCore::Snapshot() const {
  std::vector<MemberSnapshot> out;
  for (const Record& r : records_) {
    if (r.present) out.push_back(MemberSnapshot{IdentityOf(r), r.state, r.incarnation, false});
  }
  return SortedWithSelf(std::move(out), incarnation_);
}

std::optional<MemberState> SwimCore::StateOf(const std::string& id) const {
  if (id == self_->id) return leaving_ ? MemberState::kLeft : MemberState::kAlive;
  Index index = Find(id);
  if (index == MemberDirectory::kNone) return std::nullopt;
  return records_[index].state;
}

}  // namespace mr::membership
