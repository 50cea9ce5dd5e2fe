// Wire conversions for the membership Message (membership.thrift): identity
// and state to and from their Thrift forms, the envelope every datagram and
// stream frame travels in, and the size of an encoded Update, which is what
// decides how many fit in one datagram.
//
// Envelope (docs/MEMBERSHIP.md, "Wire format"): 3 header bytes -- the magic
// kEnvelopeMagic, the envelope version, the authentication scheme (0: none)
// -- then one Message in TCompactProtocol, then the scheme's tag over
// everything before it. An Authenticator supplies the scheme: the cluster
// keyring's is keyring_authenticator.h (issue 16).
// Thread-safety: stateless (a thread-local encoding buffer per thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "membership/types.h"
#include "membership_types.h"

namespace mr::membership {

inline constexpr int32_t kWireVersion = 1;
inline constexpr uint8_t kEnvelopeMagic = 0x6d;  // 'm'
inline constexpr uint8_t kEnvelopeVersion = 1;
inline constexpr size_t kEnvelopeHeaderBytes = 3;
// A list header in the compact protocol takes at most this many bytes for
// any list that fits a datagram.
inline constexpr size_t kListHeaderBytes = 3;

// Signs and checks envelopes. Implementations must be thread-safe.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The envelope's scheme byte; never 0 (0 means unauthenticated).
  virtual uint8_t scheme() const = 0;
  virtual size_t tag_bytes() const = 0;
  // The tag of `covered` (the envelope header and the message), exactly
  // tag_bytes() long.
  virtual std::string Tag(std::string_view covered) const = 0;
  virtual bool Verify(std::string_view covered, std::string_view tag) const = 0;
};

wire::Identity ToWire(const MemberIdentity& identity);
std::shared_ptr<const MemberIdentity> FromWire(const wire::Identity& identity);
// Whether `w` describes exactly `identity`.
bool SameIdentity(const MemberIdentity& identity, const wire::Identity& w);
wire::State::type ToWire(MemberState state);
MemberState FromWire(wire::State::type state);

// `message` in an envelope, tagged by `auth` (none: scheme 0, no tag).
std::string EncodeMessage(const wire::Message& message, const Authenticator* auth = nullptr);
// Corruption if `bytes` is not exactly one envelope holding one Message
// (bad magic or version, truncated, trailing bytes); PermissionDenied if
// its scheme is not `auth`'s (an unsigned envelope to a keyed member, or a
// signed one to an unkeyed member) or its tag does not verify -- checked
// before a byte of the message is decoded.
Status DecodeMessage(std::string_view bytes, wire::Message* message,
                     const Authenticator* auth = nullptr);
// Bytes the envelope adds around a message under `auth`.
size_t EnvelopeOverhead(const Authenticator* auth);
// An update about `id`; `identity`, if given, rides along (ALIVE updates
// need it so that a receiver can add a member it did not know).
wire::Update NewUpdate(const std::string& id, MemberState state, int64_t incarnation,
                       const MemberIdentity* identity = nullptr);
// Bytes `update` takes inside a Message's update list.
size_t EncodedSize(const wire::Update& update);

}  // namespace mr::membership
