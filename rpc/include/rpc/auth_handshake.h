// The credential exchange that opens every secure RPC connection, right
// after the TLS handshake and before the first framed call: the client sends
// one AuthRequest (security.thrift), the server answers one AuthResponse and
// serves the connection as the identity it verified, or closes it.
// Frames: u32 big-endian length, then the compact-encoded struct; at most
// kMaxAuthFrameBytes.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "security/credential.h"
#include "security/identity.h"

namespace apache::thrift::transport {
class TTransport;
}

namespace mr::rpc {

inline constexpr uint32_t kMaxAuthFrameBytes = 64 << 10;

// Client side: PermissionDenied with the server's reason if it refuses;
// transport failures throw as Thrift's do (the caller maps them).
Status SendCredential(apache::thrift::transport::TTransport& transport,
                      const security::Credential& credential);

// Server side, in two steps, so that a server records a refusal before its
// client hears of it. ReadCredential: the caller's identity, or
// PermissionDenied (not genuine, or malformed); transport failures throw.
Result<security::Identity> ReadCredential(apache::thrift::transport::TTransport& transport,
                                          const security::Authenticator& authenticator);
// Tells the client what ReadCredential found; transport failures throw.
void AnswerCredential(apache::thrift::transport::TTransport& transport,
                      const Result<security::Identity>& identity);

}  // namespace mr::rpc
