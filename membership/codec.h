// Wire conversions for the membership Message (membership.thrift): identity
// and state to and from their Thrift forms, and the size of an encoded
// Update, which is what decides how many fit in one datagram.
// Thread-safety: stateless.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "membership/types.h"
#include "membership_types.h"

namespace mr::membership {

inline constexpr int32_t kWireVersion = 1;
// A list header in the compact protocol takes at most this many bytes for
// any list that fits a datagram.
inline constexpr size_t kListHeaderBytes = 3;

wire::Identity ToWire(const MemberIdentity& identity);
std::shared_ptr<const MemberIdentity> FromWire(const wire::Identity& identity);
wire::State::type ToWire(MemberState state);
MemberState FromWire(wire::State::type state);

std::string EncodeMessage(const wire::Message& message);
// Corruption if `bytes` is not exactly one Message.
Status DecodeMessage(std::string_view bytes, wire::Message* message);
// An update about `id`; `identity`, if given, rides along (ALIVE updates
// need it so that a receiver can add a member it did not know).
wire::Update NewUpdate(const std::string& id, MemberState state, int64_t incarnation,
                       const MemberIdentity* identity = nullptr);
// Bytes `update` takes inside a Message's update list.
size_t EncodedSize(const wire::Update& update);

}  // namespace mr::membership
