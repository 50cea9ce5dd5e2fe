// Tokens: signed, expiring grants, as Hadoop's block, job and container
// tokens. A token is an encoded wire::SignedToken; its identifier says what
// it grants (a kind-specific encoded struct) and its password proves that a
// holder of the cluster keyring made it. Anyone who has the bytes has the
// grant, so tokens travel only inside TLS or to the process they are for.
// Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "security/keyring.h"

namespace mr::security {

class TokenSigner {
 public:
  explicit TokenSigner(Keyring keyring) : keyring_(std::move(keyring)) {}

  // Signs with the primary key.
  std::string Sign(std::string_view kind, std::string_view identifier, int64_t expires_ms) const;
  // The identifier of `token` if it is a `kind` token, signed by a key of
  // the ring and unexpired at `now_ms`; PermissionDenied saying why not.
  Result<std::string> Verify(std::string_view kind, std::string_view token, int64_t now_ms) const;

  const Keyring& keyring() const { return keyring_; }

 private:
  Keyring keyring_;
};

}  // namespace mr::security
