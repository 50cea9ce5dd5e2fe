#include "membership/codec.h"

#include "rpc/thrift_codec.h"

namespace mr::membership {

wire::Identity ToWire(const MemberIdentity& identity) {
  wire::Identity w;
  w.id = identity.id;
  w.address = identity.address;
  w.rack = identity.rack;
  w.metadata = identity.metadata;
  return w;
}

std::shared_ptr<const MemberIdentity> FromWire(const wire::Identity& w) {
  auto identity = std::make_shared<MemberIdentity>();
  identity->id = w.id;
  identity->address = w.address;
  identity->rack = w.rack;
  identity->metadata = w.metadata;
  return identity;
}

wire::State::type ToWire(MemberState state) {
  switch (state) {
    case MemberState::kAlive: return wire::State::ALIVE;
    case MemberState::kSuspect: return wire::State::SUSPECT;
    case MemberState::kFailed: return wire::State::FAILED;
    case MemberState::kLeft: return wire::State::LEFT;
  }
  return wire::State::ALIVE;
}

MemberState FromWire(wire::State::type state) {
  switch (state) {
    case wire::State::SUSPECT: return MemberState::kSuspect;
    case wire::State::FAILED: return MemberState::kFailed;
    case wire::State::LEFT: return MemberState::kLeft;
    default: return MemberState::kAlive;
  }
}

wire::Update NewUpdate(const std::string& id, MemberState state, int64_t incarnation,
                       const MemberIdentity* identity) {
  wire::Update update;
  update.id = id;
  update.state = ToWire(state);
  update.incarnation = incarnation;
  if (identity != nullptr) update.__set_identity(ToWire(*identity));
  return update;
}

// The helpers live with the DFS master today; they are the repository's one
// Thrift-to-bytes codec, so membership reuses them rather than adding another.
std::string EncodeMessage(const wire::Message& message) { return EncodeThrift(message); }

Status DecodeMessage(std::string_view bytes, wire::Message* message) {
  return DecodeThrift(bytes, "membership message", message);
}

// A struct inside a list is encoded exactly as on its own (the compact
// protocol restarts field-id deltas at each struct).
size_t EncodedSize(const wire::Update& update) { return EncodeThrift(update).size(); }

}  // namespace mr::membership
