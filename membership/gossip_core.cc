#include "membership/gossip_core.h"

#include <algorithm>
#include <climits>

namespace mr::membership {

GossipCore::GossipCore(const CoreOptions& options, std::shared_ptr<const MemberIdentity> self,
                       uint64_t seed, std::shared_ptr<MemberDirectory> directory)
    : CoreBase(options, std::move(self), seed, std::move(directory)),
      heartbeat_(options.initial_incarnation) {}

void GossipCore::Start(int64_t now_ms, const std::vector<std::string>& seed_addresses) {
  next_gossip_ms_ = now_ms;
  BeginJoin(now_ms, seed_addresses);
}

void GossipCore::Bootstrap(const std::vector<std::shared_ptr<const MemberIdentity>>& members,
                           int64_t now_ms) {
  for (const auto& identity : members) {
    if (identity->id == self_->id || members_.contains(identity->id)) continue;
    members_[identity->id] = Record{identity, MemberState::kAlive, 0, now_ms, false};
    ids_.push_back(identity->id);
  }
}

std::vector<wire::Update> GossipCore::List() const {
  std::vector<wire::Update> list;
  list.reserve(members_.size() + 1);
  list.push_back(NewUpdate(self_->id, MemberState::kAlive, heartbeat_, self_.get()));
  for (const std::string& id : ids_) {
    const Record& r = members_.at(id);
    if (r.state == MemberState::kFailed || r.stale) continue;
    list.push_back(NewUpdate(id, r.state, r.heartbeat,
                             r.state == MemberState::kAlive ? r.identity.get() : nullptr));
  }
  return list;
}

std::vector<std::string> GossipCore::RandomTargets(size_t n) {
  std::vector<std::string> picked;
  for (size_t tries = 0; tries < 8 * n + 8 && picked.size() < n && !ids_.empty(); ++tries) {
    const std::string& id = ids_[RandomIndex(ids_.size())];
    const Record& r = members_.at(id);
    if (r.state != MemberState::kAlive) continue;
    if (std::find(picked.begin(), picked.end(), id) == picked.end()) picked.push_back(id);
  }
  return picked;
}

void GossipCore::CheckTimeouts(int64_t now_ms) {
  bool erased = false;
  for (auto it = members_.begin(); it != members_.end();) {
    Record& r = it->second;
    if (r.state == MemberState::kAlive && now_ms - r.changed_ms >= options_.gossip_fail_ms) {
      r.state = MemberState::kFailed;
      r.changed_ms = now_ms;
      if (options_.reconnect_interval_ms > 0) {
        reconnect_[it->first] =
            Reconnect{r.identity->address, now_ms + options_.reconnect_timeout_ms};
      }
      Emit(EventType::kFailed, r.identity, r.heartbeat, now_ms);
    } else if (r.state != MemberState::kAlive &&
               now_ms - r.changed_ms >= options_.gossip_cleanup_ms) {
      it = members_.erase(it);
      erased = true;
      continue;
    }
    ++it;
  }
  if (erased) std::erase_if(ids_, [&](const std::string& id) { return !members_.contains(id); });
  std::erase_if(reconnect_, [&](const auto& entry) { return entry.second.until_ms <= now_ms; });
}

void GossipCore::AbsorbStall(int64_t ms, int64_t now_ms) {
  for (auto& [id, r] : members_) {
    if (r.state != MemberState::kAlive) continue;
    r.changed_ms = std::min(now_ms, r.changed_ms + ms);
    r.stale = true;
  }
  stale_until_ms_ = now_ms + options_.protocol_period_ms;
}

void GossipCore::Tick(int64_t now_ms) {
  if (!started_ || leaving_) return;
  if (int64_t stall = StallMs(now_ms); stall > 0) AbsorbStall(stall, now_ms);
  if (JoinDue(now_ms)) {
    wire::Message join = NewMessage(wire::MessageType::JOIN, 0, heartbeat_);
    join.updates = List();
    RequestSync(join, now_ms);
  }
  AntiEntropyTick(now_ms);
  if (now_ms < next_gossip_ms_) return;
  next_gossip_ms_ += options_.protocol_period_ms;
  if (next_gossip_ms_ <= now_ms) next_gossip_ms_ = now_ms + options_.protocol_period_ms;
  heartbeat_++;
  CheckTimeouts(now_ms);
  std::vector<std::string> targets = RandomTargets(options_.gossip_fanout);
  if (targets.empty()) return;
  // One encoding for every target.
  std::vector<std::string> datagrams =
      EncodeSplit(NewMessage(wire::MessageType::GOSSIP, 0, heartbeat_), List());
  for (const std::string& id : targets) SendEncoded(members_.at(id).identity->address, datagrams);
}

void GossipCore::MergeSelf(const wire::Update& update, int64_t now_ms) {
  // Someone lists us ahead of ourselves (a forged entry, or our previous
  // life's): jump past it, or its holders would fail us while our real
  // heartbeat climbs toward it.
  if (update.incarnation > heartbeat_ && WithinBound(update.incarnation, now_ms)) {
    heartbeat_ = update.incarnation + 1;
    counters_.refutations++;
  }
}

void GossipCore::Merge(const wire::Message& message, int64_t now_ms) {
  for (const wire::Update& update : message.updates) {
    if (update.id == self_->id) {
      MergeSelf(update, now_ms);
      continue;
    }
    if (!WithinBound(update.incarnation, now_ms)) continue;
    MemberState state = FromWire(update.state);
    auto it = members_.find(update.id);
    if (it == members_.end()) {
      if (state != MemberState::kAlive || !update.__isset.identity ||
          update.identity.id != update.id) {
        continue;
      }
      auto identity = FromWire(update.identity);
      members_[update.id] =
          Record{identity, MemberState::kAlive, update.incarnation, now_ms, false};
      ids_.push_back(update.id);
      reconnect_.erase(update.id);
      Emit(EventType::kJoined, identity, update.incarnation, now_ms);
      NoteMergeNews();
      continue;
    }
    Record& r = it->second;
    if (r.state != MemberState::kAlive) continue;  // Failed/left until cleanup.
    if (state == MemberState::kLeft) {
      r.state = MemberState::kLeft;
      r.changed_ms = now_ms;
      Emit(EventType::kLeft, r.identity, r.heartbeat, now_ms);
    } else if (state == MemberState::kAlive && update.incarnation > r.heartbeat) {
      r.heartbeat = update.incarnation;
      r.changed_ms = now_ms;
      if (now_ms >= stale_until_ms_) r.stale = false;
      if (update.__isset.identity && update.identity.id == update.id &&
          !SameIdentity(*r.identity, update.identity)) {
        r.identity = FromWire(update.identity);  // Restarted on a new address.
      }
    }
  }
}

void GossipCore::OnDatagram(std::string_view /*from*/, std::string_view bytes, int64_t now_ms) {
  std::optional<wire::Message> message = Accept(bytes);
  if (!message || !started_ || leaving_) return;
  // Read before the first tick after a stall: it is the stall's backlog.
  if (int64_t stall = StallMs(now_ms); stall > 0) AbsorbStall(stall, now_ms);
  Merge(*message, now_ms);  // JOIN, PUSH_PULL and SYNC come on streams (OnSyncRequest).
}

wire::Message GossipCore::FullState(wire::MessageType::type type, int64_t seq) const {
  wire::Message state = NewMessage(type, seq, heartbeat_);
  state.updates = List();
  return state;
}

size_t GossipCore::LiveCount() const {
  size_t n = 0;
  for (const auto& [id, r] : members_) n += r.state == MemberState::kAlive;
  return n;
}

std::optional<std::string> GossipCore::RandomLiveAddress() {
  std::vector<std::string> targets = RandomTargets(1);
  if (targets.empty()) return std::nullopt;
  return members_.at(targets[0]).identity->address;
}

std::optional<std::string> GossipCore::RandomFailedAddress() {
  if (reconnect_.empty()) return std::nullopt;
  auto it = reconnect_.begin();
  std::advance(it, static_cast<ptrdiff_t>(RandomIndex(reconnect_.size())));
  return it->second.address;
}

bool GossipCore::IsLiveAddress(const std::string& address) const {
  for (const auto& [id, r] : members_) {
    if (r.state == MemberState::kAlive && r.identity->address == address) return true;
  }
  return false;
}

void GossipCore::Leave(int64_t now_ms) {
  (void)now_ms;
  if (leaving_ || !started_) return;
  wire::Message leave = NewMessage(wire::MessageType::LEAVE, 0, heartbeat_);
  leave.updates.push_back(NewUpdate(self_->id, MemberState::kLeft, heartbeat_));
  for (const std::string& id : RandomTargets(std::max(options_.gossip_fanout, 3) * 2)) {
    Send(members_.at(id).identity->address, leave);
  }
  leaving_ = true;
}

int64_t GossipCore::NextDeadlineMs() const {
  if (!started_ || leaving_) return INT64_MAX;
  return WithCommonDeadlines(next_gossip_ms_);
}

std::vector<MemberSnapshot> GossipCore::Snapshot() const {
  std::vector<MemberSnapshot> out;
  for (const auto& [id, record] : members_) {
    out.push_back(MemberSnapshot{record.identity, record.state, record.heartbeat, false});
  }
  return SortedWithSelf(std::move(out), heartbeat_);
}

std::optional<MemberState> GossipCore::StateOf(const std::string& id) const {
  if (id == self_->id) return leaving_ ? MemberState::kLeft : MemberState::kAlive;
  auto it = members_.find(id);
  if (it == members_.end()) return std::nullopt;
  return it->second.state;
}

}  // namespace mr::membership
