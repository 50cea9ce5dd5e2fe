#include "security/token.h"

#include "rpc/thrift_codec.h"
#include "security/crypto.h"
#include "security_types.h"

namespace mr::security {
namespace {

std::string Password(std::string_view key, std::string_view kind, int64_t expires_ms,
                     std::string_view identifier) {
  std::string covered;
  covered.reserve(kind.size() + identifier.size() + 24);
  covered.append(kind).push_back('\0');
  covered.append(std::to_string(expires_ms)).push_back('\0');
  covered.append(identifier);
  return HmacSha256(key, covered);
}

}  // namespace

std::string TokenSigner::Sign(std::string_view kind, std::string_view identifier,
                              int64_t expires_ms) const {
  wire::SignedToken token;
  token.kind = kind;
  token.identifier = identifier;
  token.expires_ms = expires_ms;
  token.password = Password(keyring_.primary(), kind, expires_ms, identifier);
  return EncodeThrift(token);
}

Result<std::string> TokenSigner::Verify(std::string_view kind, std::string_view bytes,
                                        int64_t now_ms) const {
  wire::SignedToken token;
  if (!DecodeThrift(bytes, "token", &token).ok()) {
    return Status::PermissionDenied(std::string(kind) + " token: malformed");
  }
  if (token.kind != kind) {
    return Status::PermissionDenied(std::string(kind) + " token expected, got a " + token.kind +
                                    " token");
  }
  bool signed_by_ring = false;
  for (const std::string& key : keyring_.keys()) {
    if (TimingSafeEquals(token.password,
                         Password(key, token.kind, token.expires_ms, token.identifier))) {
      signed_by_ring = true;
      break;
    }
  }
  if (!signed_by_ring) return Status::PermissionDenied(std::string(kind) + " token: bad signature");
  if (token.expires_ms <= now_ms) {
    return Status::PermissionDenied(std::string(kind) + " token expired " +
                                    std::to_string(now_ms - token.expires_ms) + " ms ago");
  }
  return std::move(token.identifier);
}

}  // namespace mr::security
