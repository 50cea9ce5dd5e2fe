#include "membership/core_base.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <unordered_set>

namespace mr::membership {
namespace {

// A Thrift enum field holds whatever int32 a peer sent; reading one outside
// the enum's values through the enum type is undefined, so it is checked as
// the int it is.
template <typename Enum>
int32_t RawValue(const Enum& field) {
  static_assert(sizeof(Enum) == sizeof(int32_t));
  int32_t value;
  std::memcpy(&value, &field, sizeof(value));
  return value;
}

bool ValidState(const wire::State::type& state) {
  const int32_t value = RawValue(state);
  return value >= wire::State::ALIVE && value <= wire::State::LEFT;
}

bool ValidType(const wire::MessageType::type& type) {
  const int32_t value = RawValue(type);
  return value >= wire::MessageType::PING && value <= wire::MessageType::NACK;
}

bool StreamOnly(wire::MessageType::type type) {
  return type == wire::MessageType::JOIN || type == wire::MessageType::SYNC ||
         type == wire::MessageType::PUSH_PULL;
}

// Most addresses remembered for contact-triggered push-pulls (a flood of
// forged senders must not grow it without bound).
constexpr size_t kMaxContacts = 1024;

}  // namespace

CoreBase::CoreBase(const CoreOptions& options, std::shared_ptr<const MemberIdentity> self,
                   uint64_t seed, std::shared_ptr<MemberDirectory> directory)
    : ProtocolCore(std::move(self)),
      options_(options),
      directory_(directory ? std::move(directory) : std::make_shared<MemberDirectory>()),
      rng_(seed) {}

wire::Message CoreBase::NewMessage(wire::MessageType::type type, int64_t seq,
                                   int64_t sender_incarnation) const {
  wire::Message message;
  message.version = kWireVersion;
  message.cluster_id = options_.cluster_id;
  message.type = type;
  message.sender_id = self_->id;
  message.sender_incarnation = sender_incarnation;
  message.seq = seq;
  return message;
}

void CoreBase::Send(const std::string& to, const wire::Message& message) {
  SendEncoded(to, {Encode(message)});
}

void CoreBase::SendEncoded(const std::string& to, const std::vector<std::string>& datagrams) {
  for (const std::string& bytes : datagrams) {
    counters_.datagrams_sent++;
    counters_.bytes_sent += bytes.size();
    outbox_.push_back(Outgoing{to, bytes});
  }
}

size_t CoreBase::BaseSize(const wire::Message& message) const {
  // Sized unsigned (the tag's length is fixed): no tag is computed to be
  // thrown away.
  return EncodeMessage(message).size() + EnvelopeOverhead(options_.authenticator.get()) -
         EnvelopeOverhead(nullptr) + kListHeaderBytes;
}

std::vector<std::string> CoreBase::EncodeSplit(wire::Message message,
                                               const std::vector<wire::Update>& updates) const {
  message.updates.clear();
  message.__set_chunk(0);
  message.__set_chunks(0);
  // Chunk numbers take at most 5 + 5 bytes more than the zeros above.
  const size_t base = BaseSize(message) + 10;
  std::vector<std::vector<wire::Update>> chunks(1);
  size_t used = base;
  for (const wire::Update& update : updates) {
    size_t size = EncodedSize(update);
    if (used + size > options_.max_datagram_bytes && !chunks.back().empty()) {
      chunks.emplace_back();
      used = base;
    }
    if (base + size > options_.max_datagram_bytes) continue;  // Never fits; skip it.
    chunks.back().push_back(update);
    used += size;
  }
  std::vector<std::string> datagrams;
  for (size_t i = 0; i < chunks.size(); ++i) {
    message.__set_chunk(static_cast<int32_t>(i));
    message.__set_chunks(static_cast<int32_t>(chunks.size()));
    message.updates = std::move(chunks[i]);
    datagrams.push_back(Encode(message));
  }
  return datagrams;
}

CoreBase::Verdict CoreBase::Check(std::string_view bytes, wire::Message* message) const {
  Status decoded = DecodeMessage(bytes, message, options_.authenticator.get());
  if (decoded.IsPermissionDenied()) return Verdict::kUnauthenticated;
  if (!decoded.ok() || !ValidType(message->type) || message->sender_id.empty()) {
    return Verdict::kMalformed;
  }
  for (const wire::Update& update : message->updates) {
    if (!ValidState(update.state) || update.id.empty()) return Verdict::kMalformed;
  }
  if (message->cluster_id != options_.cluster_id || message->version != kWireVersion) {
    return Verdict::kOtherCluster;
  }
  return Verdict::kOk;
}

std::optional<wire::Message> CoreBase::Accept(std::string_view bytes) {
  counters_.datagrams_received++;
  if (bytes.size() > options_.max_datagram_bytes) {
    counters_.dropped_oversized++;
    return std::nullopt;
  }
  wire::Message message;
  Verdict verdict = Check(bytes, &message);
  if (verdict == Verdict::kOk && StreamOnly(message.type)) verdict = Verdict::kMalformed;
  if (verdict == Verdict::kMalformed) {
    counters_.dropped_malformed++;
    return std::nullopt;
  }
  if (verdict == Verdict::kOtherCluster) {
    counters_.dropped_other_cluster++;
    return std::nullopt;
  }
  if (verdict == Verdict::kUnauthenticated) {
    counters_.dropped_unauthenticated++;
    return std::nullopt;
  }
  if (message.sender_id == self_->id) return std::nullopt;  // Our own, looped back.
  return message;
}

Result<wire::Message> CoreBase::AcceptSync(std::string_view bytes,
                                           std::initializer_list<wire::MessageType::type> types) {
  if (bytes.size() > options_.max_sync_bytes) {
    counters_.sync_dropped_oversized++;
    return Status::InvalidArgument("membership sync of " + std::to_string(bytes.size()) +
                                   " bytes exceeds the limit");
  }
  wire::Message message;
  Verdict verdict = Check(bytes, &message);
  if (verdict == Verdict::kOk &&
      std::find(types.begin(), types.end(), message.type) == types.end()) {
    verdict = Verdict::kMalformed;
  }
  if (verdict == Verdict::kMalformed) {
    counters_.sync_dropped_malformed++;
    return Status::Corruption("membership sync: not one whole JOIN, PUSH_PULL or SYNC message");
  }
  if (verdict == Verdict::kUnauthenticated) {
    counters_.sync_dropped_unauthenticated++;
    return Status::PermissionDenied(
        "membership sync not signed with a key of this member's keyring");
  }
  if (verdict == Verdict::kOtherCluster) {
    counters_.sync_dropped_other_cluster++;
    return Status::InvalidArgument("membership sync from another cluster '" +
                                   message.cluster_id + "'");
  }
  if (message.sender_id == self_->id) {
    return Status::InvalidArgument("membership sync from this member's own id");
  }
  if (!started_ || leaving_) return Status::Unavailable("membership: not running");
  return message;
}

Result<std::string> CoreBase::OnSyncRequest(std::string_view request, int64_t now_ms) {
  last_call_ms_ = std::max(last_call_ms_, now_ms);
  ASSIGN_OR_RETURN(wire::Message message,
                   AcceptSync(request, {wire::MessageType::JOIN, wire::MessageType::PUSH_PULL}));
  wire::Message answer;
  if (message.type == wire::MessageType::JOIN) {
    ApplyUpdates(message, now_ms);
    answer = FullState(wire::MessageType::SYNC, message.seq);
  } else {
    Merge(message, now_ms);
    answer = FullState(wire::MessageType::SYNC, message.seq);
    LeaveOutWhatTheyHave(message, &answer);
  }
  std::string sync = Encode(answer);
  if (sync.size() > options_.max_sync_bytes) {
    return Status::Unavailable("membership: full state of " + std::to_string(sync.size()) +
                               " bytes exceeds the sync limit");
  }
  counters_.syncs_served++;
  return sync;
}

void CoreBase::LeaveOutWhatTheyHave(const wire::Message& theirs, wire::Message* ours) {
  // (id, state, incarnation) of every entry they sent.
  struct Key {
    std::string_view id;
    int state;
    int64_t incarnation;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<std::string_view>()(k.id) ^
             (std::hash<int64_t>()(k.incarnation) * 31 + static_cast<size_t>(k.state));
    }
  };
  std::unordered_set<Key, KeyHash> have;
  have.reserve(theirs.updates.size());
  for (const wire::Update& u : theirs.updates) have.insert(Key{u.id, u.state, u.incarnation});
  std::erase_if(ours->updates, [&](const wire::Update& u) {
    return u.id != self_->id && have.contains(Key{u.id, u.state, u.incarnation});
  });
}

Status CoreBase::ApplyFullState(std::string_view bytes, int64_t now_ms) {
  last_call_ms_ = std::max(last_call_ms_, now_ms);
  ASSIGN_OR_RETURN(wire::Message sync, AcceptSync(bytes, {wire::MessageType::SYNC}));
  Merge(sync, now_ms);
  joined_ = true;
  counters_.syncs_applied++;
  return Status::OK();
}

void CoreBase::Merge(const wire::Message& message, int64_t now_ms) {
  merging_ = true;
  merge_news_ = false;
  MergeFullState(message, now_ms);
  merging_ = false;
  if (merge_news_ && options_.push_pull_interval_ms > 0) {
    next_follow_up_ms_ = std::min(next_follow_up_ms_, now_ms + options_.protocol_period_ms);
  }
}

void CoreBase::RequestSync(const wire::Message& join, int64_t now_ms) {
  std::string bytes = Encode(join);
  for (const std::string& seed : seeds_) sync_requests_.push_back(Outgoing{seed, bytes});
  next_join_ms_ = now_ms + options_.join_retry_ms;
}

void CoreBase::RequestPushPull(const std::string& address, int64_t now_ms) {
  (void)now_ms;
  counters_.push_pulls++;
  sync_requests_.push_back(
      Outgoing{address, Encode(FullState(wire::MessageType::PUSH_PULL, next_seq_++))});
}

int64_t CoreBase::PushPullIntervalMs(size_t n) const {
  constexpr double kScaleThreshold = 32;  // As memberlist's pushPullScaleThreshold.
  double members = static_cast<double>(std::max<size_t>(n, 1));
  if (members <= kScaleThreshold) return options_.push_pull_interval_ms;
  double multiplier = std::ceil(std::log2(members) - std::log2(kScaleThreshold)) + 1;
  return static_cast<int64_t>(multiplier * static_cast<double>(options_.push_pull_interval_ms));
}

std::vector<std::string> CoreBase::LostSeeds() const {
  std::vector<std::string> lost;
  for (const std::string& seed : seeds_) {
    if (!IsLiveAddress(seed)) lost.push_back(seed);
  }
  return lost;
}

void CoreBase::AntiEntropyTick(int64_t now_ms) {
  if (now_ms >= next_follow_up_ms_) {
    next_follow_up_ms_ = INT64_MAX;
    if (std::optional<std::string> peer = RandomLiveAddress()) RequestPushPull(*peer, now_ms);
  }
  if (now_ms >= next_push_pull_ms_) {
    next_push_pull_ms_ = now_ms + PushPullIntervalMs(LiveCount() + 1);
    if (std::optional<std::string> peer = RandomLiveAddress()) RequestPushPull(*peer, now_ms);
  }
  if (now_ms >= next_reconnect_ms_) {
    next_reconnect_ms_ = now_ms + options_.reconnect_interval_ms;
    // One attempt per interval, uniformly among failed members and the
    // seeds no live member holds (a restarted seed, the far side of a
    // healed partition).
    std::vector<std::string> lost = joined_ ? LostSeeds() : std::vector<std::string>();
    size_t failed = FailedCount();
    if (lost.size() + failed == 0) return;
    size_t pick = RandomIndex(lost.size() + failed);
    std::optional<std::string> address =
        pick < lost.size() ? std::optional<std::string>(lost[pick]) : RandomFailedAddress();
    if (!address) return;
    counters_.reconnects++;
    Reconnect(*address, now_ms);
  }
}

int64_t CoreBase::AntiEntropyDeadline() const {
  return std::min({next_push_pull_ms_, next_reconnect_ms_, next_follow_up_ms_});
}

void CoreBase::NoteContact(std::string_view from, int64_t now_ms) {
  if (options_.reconnect_interval_ms <= 0) return;
  auto it = contacts_.find(from);
  if (it != contacts_.end() && now_ms - it->second < options_.reconnect_interval_ms) return;
  if (it == contacts_.end() && contacts_.size() >= kMaxContacts) {
    std::erase_if(contacts_, [&](const auto& entry) {
      return now_ms - entry.second >= options_.reconnect_interval_ms;
    });
    if (contacts_.size() >= kMaxContacts) return;  // A flood: let it pass.
  }
  contacts_[std::string(from)] = now_ms;
  RequestPushPull(std::string(from), now_ms);
}

int64_t CoreBase::StallMs(int64_t now_ms) {
  int64_t late = now_ms - std::max(NextDeadlineMs(), last_call_ms_);
  last_call_ms_ = std::max(last_call_ms_, now_ms);
  if (late <= options_.protocol_period_ms) return 0;
  counters_.stalls++;
  return late;
}

void CoreBase::BeginJoin(int64_t now_ms, const std::vector<std::string>& seed_addresses) {
  started_ = true;
  start_ms_ = now_ms;
  last_call_ms_ = now_ms;
  for (const std::string& seed : seed_addresses) {
    if (seed != self_->address) seeds_.push_back(seed);
  }
  joined_ = seeds_.empty();
  next_join_ms_ = now_ms;
  // Staggered, so that members started together do not push-pull together.
  if (options_.push_pull_interval_ms > 0) {
    int64_t interval = PushPullIntervalMs(LiveCount() + 1);
    next_push_pull_ms_ =
        now_ms + static_cast<int64_t>(RandomIndex(static_cast<size_t>(interval) + 1));
  }
  if (options_.reconnect_interval_ms > 0) {
    next_reconnect_ms_ = now_ms + options_.reconnect_interval_ms / 2 +
                         static_cast<int64_t>(RandomIndex(
                             static_cast<size_t>(options_.reconnect_interval_ms) + 1));
  }
}

std::vector<MemberSnapshot> CoreBase::SortedWithSelf(std::vector<MemberSnapshot> others,
                                                     int64_t own_number) const {
  others.push_back(MemberSnapshot{self_, leaving_ ? MemberState::kLeft : MemberState::kAlive,
                                  own_number, true});
  std::sort(others.begin(), others.end(), [](const MemberSnapshot& a, const MemberSnapshot& b) {
    return a.member->id < b.member->id;
  });
  return others;
}

void CoreBase::Emit(EventType type, const std::shared_ptr<const MemberIdentity>& member,
                    int64_t incarnation, int64_t now_ms) {
  events_.push_back(MemberEvent{type, member, incarnation, now_ms});
}

}  // namespace mr::membership
