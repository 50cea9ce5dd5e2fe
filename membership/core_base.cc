#include "membership/core_base.h"

#include <algorithm>

namespace mr::membership {
namespace {

bool ValidState(wire::State::type state) {
  return state >= wire::State::ALIVE && state <= wire::State::LEFT;
}

bool ValidType(wire::MessageType::type type) {
  return type >= wire::MessageType::PING && type <= wire::MessageType::GOSSIP;
}

}  // namespace

CoreBase::CoreBase(const CoreOptions& options, std::shared_ptr<const MemberIdentity> self,
                   uint64_t seed)
    : ProtocolCore(std::move(self)), options_(options), rng_(seed) {}

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
  SendEncoded(to, {EncodeMessage(message)});
}

void CoreBase::SendEncoded(const std::string& to, const std::vector<std::string>& datagrams) {
  for (const std::string& bytes : datagrams) {
    counters_.datagrams_sent++;
    counters_.bytes_sent += bytes.size();
    outbox_.push_back(Outgoing{to, bytes});
  }
}

size_t CoreBase::BaseSize(const wire::Message& message) const {
  return EncodeMessage(message).size() + kListHeaderBytes;
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
    datagrams.push_back(EncodeMessage(message));
  }
  return datagrams;
}

CoreBase::Verdict CoreBase::Check(std::string_view bytes, wire::Message* message) const {
  if (!DecodeMessage(bytes, message).ok() || !ValidType(message->type) ||
      message->sender_id.empty()) {
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
  if (verdict == Verdict::kOk && (message.type == wire::MessageType::JOIN ||
                                  message.type == wire::MessageType::SYNC)) {
    verdict = Verdict::kMalformed;  // Streams only.
  }
  if (verdict == Verdict::kMalformed) {
    counters_.dropped_malformed++;
    return std::nullopt;
  }
  if (verdict == Verdict::kOtherCluster) {
    counters_.dropped_other_cluster++;
    return std::nullopt;
  }
  if (message.sender_id == self_->id) return std::nullopt;  // Our own, looped back.
  return message;
}

Result<wire::Message> CoreBase::AcceptSync(std::string_view bytes, wire::MessageType::type type) {
  if (bytes.size() > options_.max_sync_bytes) {
    counters_.sync_dropped_oversized++;
    return Status::InvalidArgument("membership sync of " + std::to_string(bytes.size()) +
                                   " bytes exceeds the limit");
  }
  wire::Message message;
  Verdict verdict = Check(bytes, &message);
  if (verdict == Verdict::kOk && message.type != type) verdict = Verdict::kMalformed;
  if (verdict == Verdict::kMalformed) {
    counters_.sync_dropped_malformed++;
    return Status::Corruption("membership sync: not one whole JOIN or SYNC message");
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
  ASSIGN_OR_RETURN(wire::Message join, AcceptSync(request, wire::MessageType::JOIN));
  ApplyUpdates(join, now_ms);
  std::string sync = EncodeMessage(FullState(join.seq));
  if (sync.size() > options_.max_sync_bytes) {
    return Status::Unavailable("membership: full state of " + std::to_string(sync.size()) +
                               " bytes exceeds the sync limit");
  }
  counters_.syncs_served++;
  return sync;
}

Status CoreBase::ApplyFullState(std::string_view bytes, int64_t now_ms) {
  ASSIGN_OR_RETURN(wire::Message sync, AcceptSync(bytes, wire::MessageType::SYNC));
  ApplyUpdates(sync, now_ms);
  joined_ = true;
  counters_.syncs_applied++;
  return Status::OK();
}

void CoreBase::RequestSync(const wire::Message& join, int64_t now_ms) {
  std::string bytes = EncodeMessage(join);
  for (const std::string& seed : seeds_) sync_requests_.push_back(Outgoing{seed, bytes});
  next_join_ms_ = now_ms + options_.join_retry_ms;
}

void CoreBase::BeginJoin(int64_t now_ms, const std::vector<std::string>& seed_addresses) {
  started_ = true;
  for (const std::string& seed : seed_addresses) {
    if (seed != self_->address) seeds_.push_back(seed);
  }
  joined_ = seeds_.empty();
  next_join_ms_ = now_ms;
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
