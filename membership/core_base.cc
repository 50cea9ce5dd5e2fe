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

void CoreBase::SendSplit(const std::string& to, wire::Message message,
                         const std::vector<wire::Update>& updates) {
  SendEncoded(to, EncodeSplit(std::move(message), updates));
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

std::optional<wire::Message> CoreBase::Accept(std::string_view bytes) {
  counters_.datagrams_received++;
  if (bytes.size() > options_.max_datagram_bytes) {
    counters_.dropped_oversized++;
    return std::nullopt;
  }
  wire::Message message;
  if (!DecodeMessage(bytes, &message).ok() || !ValidType(message.type) ||
      message.sender_id.empty()) {
    counters_.dropped_malformed++;
    return std::nullopt;
  }
  for (const wire::Update& update : message.updates) {
    if (!ValidState(update.state) || update.id.empty()) {
      counters_.dropped_malformed++;
      return std::nullopt;
    }
  }
  if (message.cluster_id != options_.cluster_id || message.version != kWireVersion) {
    counters_.dropped_other_cluster++;
    return std::nullopt;
  }
  if (message.sender_id == self_->id) return std::nullopt;  // Our own, looped back.
  return message;
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
