#include "membership/codec.h"

#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "rpc/thrift_codec.h"

namespace mr::membership {
namespace {

using apache::thrift::protocol::TCompactProtocol;
using apache::thrift::transport::TMemoryBuffer;

// One reusable buffer and protocol per thread for encoding: membership
// encodes millions of small messages in the simulator. (Writes only: reads
// get a fresh buffer each, DecodeThrift's, so that no read carries Thrift's
// consumed-size accounting or a failed read's state into the next.)
struct Encoder {
  std::shared_ptr<TMemoryBuffer> buffer = std::make_shared<TMemoryBuffer>();
  TCompactProtocol protocol{buffer};
};

Encoder& ThreadEncoder() {
  thread_local Encoder encoder;
  return encoder;
}

template <typename T>
std::string Encode(const T& value, std::string_view prefix) {
  Encoder& e = ThreadEncoder();
  e.buffer->resetBuffer();
  if (!prefix.empty()) {
    e.buffer->write(reinterpret_cast<const uint8_t*>(prefix.data()),
                    static_cast<uint32_t>(prefix.size()));
  }
  value.write(&e.protocol);
  return e.buffer->getBufferAsString();
}

}  // namespace

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

bool SameIdentity(const MemberIdentity& identity, const wire::Identity& w) {
  return identity.id == w.id && identity.address == w.address && identity.rack == w.rack &&
         identity.metadata == w.metadata;
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

size_t EnvelopeOverhead(const Authenticator* auth) {
  return kEnvelopeHeaderBytes + (auth != nullptr ? auth->tag_bytes() : 0);
}

std::string EncodeMessage(const wire::Message& message, const Authenticator* auth) {
  const char header[kEnvelopeHeaderBytes] = {
      static_cast<char>(kEnvelopeMagic), static_cast<char>(kEnvelopeVersion),
      static_cast<char>(auth != nullptr ? auth->scheme() : 0)};
  std::string bytes = Encode(message, std::string_view(header, sizeof(header)));
  if (auth != nullptr) bytes += auth->Tag(bytes);
  return bytes;
}

Status DecodeMessage(std::string_view bytes, wire::Message* message, const Authenticator* auth) {
  if (bytes.size() < kEnvelopeHeaderBytes || static_cast<uint8_t>(bytes[0]) != kEnvelopeMagic ||
      static_cast<uint8_t>(bytes[1]) != kEnvelopeVersion) {
    return Status::Corruption("membership message: not a membership envelope");
  }
  const uint8_t scheme = static_cast<uint8_t>(bytes[2]);
  if (scheme != (auth != nullptr ? auth->scheme() : 0)) {
    return Status::PermissionDenied("membership message: authentication scheme " +
                                    std::to_string(scheme) + " is not this cluster's");
  }
  std::string_view body = bytes.substr(kEnvelopeHeaderBytes);
  if (auth != nullptr) {
    if (body.size() < auth->tag_bytes()) {
      return Status::PermissionDenied("membership message: truncated authentication tag");
    }
    std::string_view covered = bytes.substr(0, bytes.size() - auth->tag_bytes());
    if (!auth->Verify(covered, bytes.substr(covered.size()))) {
      return Status::PermissionDenied("membership message: authentication tag does not verify");
    }
    body = covered.substr(kEnvelopeHeaderBytes);
  }
  *message = wire::Message();
  return DecodeThrift(body, "membership message", message);
}

// A struct inside a list is encoded exactly as on its own (the compact
// protocol restarts field-id deltas at each struct).
size_t EncodedSize(const wire::Update& update) { return Encode(update, {}).size(); }

}  // namespace mr::membership
