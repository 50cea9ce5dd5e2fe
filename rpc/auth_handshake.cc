#include "rpc/auth_handshake.h"

#include <thrift/transport/TTransport.h>

#include "common/clock.h"
#include "rpc/thrift_codec.h"
#include "security_types.h"

namespace mr::rpc {
namespace {

using apache::thrift::transport::TTransport;

void WriteFrame(TTransport& transport, const std::string& payload) {
  const uint32_t n = static_cast<uint32_t>(payload.size());
  const uint8_t header[4] = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                             static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
  transport.write(header, 4);
  transport.write(reinterpret_cast<const uint8_t*>(payload.data()), n);
  transport.flush();
}

Result<std::string> ReadFrame(TTransport& transport) {
  uint8_t header[4];
  transport.readAll(header, 4);
  const uint32_t n = uint32_t{header[0]} << 24 | uint32_t{header[1]} << 16 |
                     uint32_t{header[2]} << 8 | uint32_t{header[3]};
  if (n > kMaxAuthFrameBytes) {
    return Status::Corruption("credential frame of " + std::to_string(n) + " bytes");
  }
  std::string payload(n, '\0');
  transport.readAll(reinterpret_cast<uint8_t*>(payload.data()), n);
  return payload;
}

}  // namespace

Status SendCredential(TTransport& transport, const security::Credential& credential) {
  security::wire::AuthRequest request;
  request.kind = static_cast<int32_t>(credential.kind);
  request.name = credential.name;
  request.secret = credential.secret;
  WriteFrame(transport, EncodeThrift(request));
  ASSIGN_OR_RETURN(std::string bytes, ReadFrame(transport));
  security::wire::AuthResponse response;
  RETURN_NOT_OK(DecodeThrift(bytes, "authentication response", &response));
  if (!response.ok) return Status::PermissionDenied(response.message);
  return Status::OK();
}

Result<security::Identity> ReadCredential(TTransport& transport,
                                          const security::Authenticator& authenticator) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFrame(transport));
  security::wire::AuthRequest request;
  if (!DecodeThrift(bytes, "credential", &request).ok() || request.kind < 1 || request.kind > 3) {
    return Status::PermissionDenied("malformed credential");
  }
  security::Credential credential{static_cast<security::Credential::Kind>(request.kind),
                                  request.name, request.secret};
  return authenticator.Verify(credential, WallClockMs());
}

void AnswerCredential(TTransport& transport, const Result<security::Identity>& identity) {
  security::wire::AuthResponse response;
  response.ok = identity.ok();
  if (identity.ok()) {
    response.user = identity->user;
  } else {
    response.message = identity.status().message();
  }
  WriteFrame(transport, EncodeThrift(response));
}

}  // namespace mr::rpc
